"""The groups plugin's contract: community groups."""

from __future__ import annotations

from netroots.avatars import PICTURE_SUFFIXES
from netroots.plugin import Content, PluginSpec

SPEC = PluginSpec(
    name="groups",
    doc="Community groups and the diaries republished into them.",
    content=(
        Content("groups/*.md", "a group: its editors and description"),
        *(
            Content(f"groups/{folder}*{suffix}", "a group's picture, named by its `image:`")
            for folder in ("", "*/")  # beside the group's file, or in its own folder groups/<slug>/
            for suffix in PICTURE_SUFFIXES
        ),
    ),
    provides=("groups", "group_diaries"),
    docs="docs/content.md",
)
