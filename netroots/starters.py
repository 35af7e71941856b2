"""The starting text of a new member file and a new diary: `new`, and the web-editor links.

One source, so what a member gets from the command line and from GitHub's web editor is
the same, and both pass `check` as they are.
"""

from __future__ import annotations

import json
import re

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


# Characters YAML will not read raw inside a double-quoted string; JSON leaves them as they are.
NOT_PRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def quoted(text: str) -> str:
    """``text`` as a double-quoted YAML string: the one quoting helper of every ``new`` command."""
    escaped = json.dumps(str(text), ensure_ascii=False)  # JSON strings are YAML double-quoted strings
    return NOT_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", escaped)


def slug_of(title: str, fallback: str = "untitled") -> str:
    """The file name and address a ``new`` command makes from a title: the one slug helper."""
    from slugify import slugify

    return slugify(str(title), max_length=60, word_boundary=True) or fallback


def diary_text(title: str, date: str) -> str:
    return DIARY.format(title=quoted(title), date=date)


def member_text(name: str, github: str, joined: str) -> str:
    return MEMBER.format(name=quoted(name), github=github, joined=joined)


COMMENT = """---
on: {on}
{parent}title: {title}
date: {date}
---

Write your reply here in Markdown. Be kind; stay on the diary's subject.
"""


def comment_text(on: str, parent: str | None, title: str, date: str) -> str:
    """A new comment on diary ``on`` (answering comment ``parent``, if given)."""
    return COMMENT.format(
        on=on, parent=f"parent: {parent}\n" if parent else "", title=quoted(title) if title else '""', date=date
    )
