"""The groups plugin's contract: community groups."""

from __future__ import annotations

from netroots.plugin import Content, PluginSpec

SPEC = PluginSpec(
    name="groups",
    doc="Community groups and the diaries republished into them.",
    content=(Content("groups/*.md", "a group: its editors and description"),),
    provides=("groups", "group_diaries"),
    docs="docs/content.md",
)
