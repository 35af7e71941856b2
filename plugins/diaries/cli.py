"""``python tasks.py new diary "Title"``: what is the diaries plugin's own in it (the command,
the prompts and the starter text come from the declaration in spec.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from netroots.members import git_email, guess_member
from netroots.starters import quoted, slug_of
from netroots.today import build_now


def prepare_diary(settings: dict[str, Any], content: Path, values: dict[str, Any]) -> dict[str, Any]:
    """The author (guessed from git when not given), today's date and the slug."""
    handle = values["handle"] or guess_member(content)
    if not handle:
        said = (
            f"git's user.email ({email}) matches no member file"
            if (email := git_email(content))
            else "git has no user.email"
        )
        raise click.UsageError(
            f"could not tell who you are: {said}. Pass --member YOUR-HANDLE, or set an e-mail whose part "
            "before the @ is your handle or GitHub login: "
            'git config --global user.email "your-login@users.noreply.github.com"'
        )
    if not (content / "members" / f"{handle}.yaml").is_file():
        raise click.UsageError(
            f"no member '{handle}': create content/members/{handle}.yaml first (python tasks.py new member {handle})"
        )
    now = build_now(settings)
    return {
        "handle": handle,
        "day": now.date().isoformat(),
        "slug": slug_of(values["title"]),
        "title": quoted(values["title"]),
        "date": now.strftime("%Y-%m-%d %H:%M"),
    }
