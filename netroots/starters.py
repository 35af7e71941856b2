"""The starting text of a new member file and a new diary: `new`, and the web-editor links.

One source, so what a member gets from the command line and from GitHub's web editor is
the same. Starters ask rather than guess: what only the writer knows is left empty with a
comment, or written as a question-like example text; `check` reports every example text
left unchanged as an error naming the field. Those example texts are found in the
starters themselves (:func:`starter_placeholders`), never listed twice: every kind's
starter is registered here (plugins call :func:`register_starter` from their ``cli.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from typing import Any

# Stands for what the writer typed (a title, a handle) when a starter is rendered to find
# its own example texts: values containing it are the writer's, not the starter's.
GIVEN = "zzgivenzz"

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
  state: {state}        # your state's two-letter postal code, e.g. OH (empty: not shown)
  city: {city}          # your town or city (empty: not shown)
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


def member_text(name: str, github: str, joined: str, state: str = "", city: str = "") -> str:
    return MEMBER.format(
        name=quoted(name), github=github, joined=joined, state=state, city=quoted(city) if city else ""
    )


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


# kind -> (the content files it starts, as a glob under content/; a sample of its starter)
STARTERS: dict[str, tuple[str, Callable[[], str]]] = {
    "member": ("members/*.yaml", lambda: member_text(GIVEN, GIVEN, "2026-01-01")),
    "diary": ("diaries/*/*.md", lambda: diary_text(GIVEN, "2026-01-01 10:00")),
}


def register_starter(kind: str, pattern: str, sample: Callable[[], str]) -> None:
    """A plugin's ``new`` starter: ``sample()`` renders it with :data:`GIVEN` for what the writer types."""
    STARTERS[kind] = (pattern, sample)
    starter_placeholders.cache_clear()


def _sentence(value: Any) -> str | None:
    """An example text: a string of three words or more that the writer did not give."""
    if isinstance(value, str) and GIVEN not in value and len(value.split()) >= 3:
        return " ".join(value.split())
    return None


@cache
def starter_placeholders(kind: str) -> dict[str, frozenset[str]]:
    """The example texts in ``kind``'s starter: ``{"bio": {...}, "letter.subject": {...}, "body": {lines}}``."""
    from .source import parse_yaml, split_front_matter

    if kind not in STARTERS:
        return {}
    text = STARTERS[kind][1]()
    body = ""
    if text.startswith("---"):
        front, body, _ = split_front_matter(text)
        data = parse_yaml(front)[0]
    else:
        data = parse_yaml(text)[0]
    found: dict[str, set[str]] = {}
    pending: list[tuple[str, Any]] = [("", data)]
    while pending:
        prefix, value = pending.pop()
        if isinstance(value, dict):
            pending.extend((f"{prefix}{key}.", item) for key, item in value.items())
        elif (sentence := _sentence(value)) is not None:
            found.setdefault(prefix.rstrip("."), set()).add(sentence)
    lines = {sentence for line in body.splitlines() if (sentence := _sentence(line.strip()))}
    if lines:
        found["body"] = lines
    return {field: frozenset(values) for field, values in found.items()}
