"""The members plugin's contract: profile pages."""

from __future__ import annotations

from netroots.plugin import Content, PluginSpec

SPEC = PluginSpec(
    name="members",
    doc="Members' profile pages, one per `content/members/<handle>.yaml`.",
    content=(Content("members/*.yaml", "a member's profile"),),
    provides=("diaries_by_member", "avatars"),
    docs="docs/content.md",
)
