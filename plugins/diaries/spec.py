"""The diaries plugin's contract: members' Markdown posts, and the starter of a new diary."""

from __future__ import annotations

from netroots.plugin import Content, PluginSpec
from netroots.starters import Ask, Starter

DIARY = """---
title: {title}
date: {date}
# Tags: topics and races, e.g. [Local news, OH-Gov]. See /tags/ for the ones in use.
tags: []
# Groups to republish into, e.g. [media-watch]. See /groups/.
groups: []
# One plain sentence shown in lists and feeds.
summary: ""
# Change to `published` when it is ready.
status: draft
---

Write your diary here in Markdown. A blank line starts a new paragraph.

## A heading

- a list item
- [a link](https://example.org)
"""

SPEC = PluginSpec(
    name="diaries",
    doc="Members' Markdown diaries, validated and sanitized, published by Pelican.",
    content=(Content("diaries/*/*.md", "a member's diary: diaries/<handle>/<date>-<slug>.md"),),
    member_owned=("diaries/{handle}/",),  # with their pictures and media (plugins/media)
    starters=(
        Starter(
            kind="diary",
            help="Start a diary in content/diaries/<handle>/.",
            path="diaries/{handle}/{day}-{slug}.md",
            text=DIARY,
            asks=(
                Ask("title"),
                Ask("handle", "Your handle (guessed from git's user.email if left out).", option="--member"),
            ),
            sample={"date": "2026-01-01 10:00"},
            prepare="cli:prepare_diary",
            next="Next: edit it, then `python tasks.py check {path}` and `python tasks.py preview {path}`.",
        ),
    ),
    provides=("diaries",),
    # For commands that read diaries without a build (search's `tasks.py search`, its first index).
    offers={"read_diary": "model:read_diary", "read_page": "model:read_page"},
    docs="docs/writers.md",
)
