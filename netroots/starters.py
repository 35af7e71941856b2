"""The starting text of a new member file and a new diary: `new`, and the web-editor links.

One source, so what a member gets from the command line and from GitHub's web editor is
the same, and both pass `check` as they are.
"""

from __future__ import annotations

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

MEMBER = """name: {name}
locale:
  country: US
  state: OH        # your state's postal code
  city: Columbus
bio: >-
  A sentence or two about you.
links: []          # e.g. [{{label: Blog, url: https://example.org}}]
github: {github}   # the GitHub account allowed to change your files
mentor: false      # true if you will help new members near you
joined: {joined}
groups: []
vouches: []        # handles of members you know in person
recommends: []     # diaries you recommend, as <handle>/<slug>
supports: []       # actions you support, by slug
"""


def quoted(text: str) -> str:
    """``text`` as a double-quoted YAML string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def diary_text(title: str, date: str) -> str:
    return DIARY.format(title=quoted(title), date=date)


def member_text(name: str, github: str, joined: str) -> str:
    return MEMBER.format(name=quoted(name), github=github, joined=joined)
