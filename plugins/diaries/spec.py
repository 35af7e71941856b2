"""The diaries plugin's contract: members' Markdown posts."""

from __future__ import annotations

from netroots.plugin import Content, PluginSpec

SPEC = PluginSpec(
    name="diaries",
    doc="Members' Markdown diaries, validated and sanitized, published by Pelican.",
    content=(Content("diaries/*/*.md", "a member's diary: diaries/<handle>/<date>-<slug>.md"),),
    provides=("diaries",),
    # For commands that read diaries without a build (search's `tasks.py search`, its first index).
    offers={"read_diary": "model:read_diary", "read_page": "model:read_page"},
    docs="docs/writers.md",
)
