"""``tasks.py new comment DIARY-ID [--parent COMMENT-ID]``: what is the comments plugin's own in
it (the command, its options and the starter text come from the declaration in spec.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from netroots.members import guess_member
from netroots.starters import quoted
from netroots.today import build_now

from .model import COMMENT_NAME, DIARY_ID


def _words(text: str) -> str:
    from slugify import slugify

    return slugify(text, max_length=40, word_boundary=True) or "reply"


def free_name(content: Path, handle: str, stamp: str, words: str) -> str:
    """A free file name in the member's comments folder: a second reply in the same minute gets ``-2``."""
    folder = content / "comments" / handle
    name = f"{stamp}-{words}"
    number = 2
    while (folder / f"{name}.md").exists():
        name = f"{stamp}-{words}-{number}"
        number += 1
    return name


def _diary(content: Path, diary: str) -> tuple[str, str]:
    """The diary answered, as (id, slug); it must exist."""
    diary = diary.strip().strip("/").removeprefix("diaries/")
    if not DIARY_ID.match(diary):
        raise click.UsageError(
            f"'{diary}' is not a diary id; write <handle>/<slug>, e.g. maria-lopez/what-meridian-did-to-kbrt"
        )
    author, slug = diary.split("/")
    if not any((content / "diaries" / author).glob(f"*-{slug}.md")):
        raise click.UsageError(f"there is no diary {diary} (content/diaries/{author}/<YYYY-MM-DD>-{slug}.md)")
    return diary, slug


def _parent(content: Path, parent: str | None) -> str | None:
    """The comment answered, if any; it must exist."""
    if parent is None:
        return None
    parent = parent.strip()
    parent_author, _, stem = parent.partition("/")
    if not COMMENT_NAME.match(f"{stem}.md") or not (content / "comments" / parent_author / f"{stem}.md").is_file():
        raise click.UsageError(
            f"there is no comment {parent} (content/comments/{parent_author}/{stem}.md); "
            "copy the id from the comment you answer, e.g. ana-ruiz/2026-11-20-1930-good-point"
        )
    return parent


def prepare_comment(settings: dict[str, Any], content: Path, values: dict[str, Any]) -> dict[str, Any]:
    """The diary and comment answered (both must exist), the writer, and a free file name."""
    diary, slug = _diary(content, values["diary"])
    parent = _parent(content, values["parent"])
    handle = values["handle"] or guess_member(content)
    if not handle:
        raise click.UsageError("could not tell who you are from git's user.email; pass --member YOUR-HANDLE")
    if not (content / "members" / f"{handle}.yaml").is_file():
        raise click.UsageError(f"no member '{handle}': create content/members/{handle}.yaml first")
    now = build_now(settings)
    title = values["title"]
    return {
        "handle": handle,
        "name": free_name(content, handle, now.strftime("%Y-%m-%d-%H%M"), _words(title or f"re {slug}")),
        "on": diary,
        "parent": f"parent: {parent}\n" if parent else "",
        "title": quoted(title) if title else '""',
        "date": now.strftime("%Y-%m-%d %H:%M"),
    }
