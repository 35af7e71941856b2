"""``tasks.py new comment DIARY-ID [--parent COMMENT-ID]``: start a reply that passes ``check``."""

from __future__ import annotations

from pathlib import Path

import click

from netroots.build import cli_settings
from netroots.members import guess_member
from netroots.starters import comment_text
from netroots.today import build_now

from .model import COMMENT_NAME, DIARY_ID


def _words(text: str) -> str:
    from slugify import slugify

    return slugify(text, max_length=40, word_boundary=True) or "reply"


def comment_path(content: Path, handle: str, stamp: str, words: str) -> Path:
    """A free file name in the member's comments folder: a second reply in the same minute gets ``-2``."""
    folder = content / "comments" / handle
    path = folder / f"{stamp}-{words}.md"
    number = 2
    while path.exists():
        path = folder / f"{stamp}-{words}-{number}.md"
        number += 1
    return path


def add_commands(cli: click.Group, new: click.Group) -> None:
    @new.command("comment")
    @click.argument("diary")
    @click.option("--parent", metavar="COMMENT-ID", help="The comment you answer (its id is <handle>/<file name>).")
    @click.option("--title", default="", help="A subject line for your reply (optional).")
    @click.option("--member", "handle", help="Your handle (guessed from git's user.email if left out).")
    def new_comment(diary: str, parent: str | None, title: str, handle: str | None) -> None:
        """Start a reply to DIARY (its id: <handle>/<slug>, as in /diaries/<handle>/<slug>/)."""
        settings = cli_settings()
        content = Path(settings["PATH"]).resolve()
        diary = diary.strip().strip("/").removeprefix("diaries/")
        if not DIARY_ID.match(diary):
            raise click.UsageError(
                f"'{diary}' is not a diary id; write <handle>/<slug>, e.g. maria-lopez/what-meridian-did-to-kbrt"
            )
        author, slug = diary.split("/")
        if not any((content / "diaries" / author).glob(f"*-{slug}.md")):
            raise click.UsageError(f"there is no diary {diary} (content/diaries/{author}/<YYYY-MM-DD>-{slug}.md)")
        if parent is not None:
            parent = parent.strip()
            parent_author, _, stem = parent.partition("/")
            if (
                not COMMENT_NAME.match(f"{stem}.md")
                or not (content / "comments" / parent_author / f"{stem}.md").is_file()
            ):
                raise click.UsageError(
                    f"there is no comment {parent} (content/comments/{parent_author}/{stem}.md); "
                    "copy the id from the comment you answer, e.g. ana-ruiz/2026-11-20-1930-good-point"
                )
        handle = handle or guess_member(content)
        if not handle:
            raise click.UsageError("could not tell who you are from git's user.email; pass --member YOUR-HANDLE")
        if not (content / "members" / f"{handle}.yaml").is_file():
            raise click.UsageError(f"no member '{handle}': create content/members/{handle}.yaml first")
        now = build_now(settings)
        path = comment_path(content, handle, now.strftime("%Y-%m-%d-%H%M"), _words(title or f"re {slug}"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(comment_text(diary, parent, title, now.strftime("%Y-%m-%d %H:%M")), encoding="utf-8")
        shown = path.relative_to(content.parent) if content.parent in path.parents else path
        click.echo(f"Created {shown}")
        click.echo(f"Next: write your reply below the --- line, then `python tasks.py check {shown}`.")
