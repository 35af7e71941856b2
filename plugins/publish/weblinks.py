"""Links that open the forge's web editor on a new, filled-in file: how members without git
join the network and write diaries (``python tasks.py web-links [HANDLE]``). The URLs are
built by ``netroots.forge``, like the links on the site."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

from netroots.forge import Forge
from netroots.starters import diary_text, member_text

REMOTE = re.compile(r"github\.com[:/](?P<repo>[\w.-]+/[\w.-]+?)(?:\.git)?/?$")


def guess_repository(root: Path) -> str | None:
    """``owner/name`` from the ``origin`` remote, when it is on GitHub."""
    try:
        url = subprocess.run(
            ["git", "-C", str(root), "remote", "get-url", "origin"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        return None
    match = REMOTE.search(url)
    return match.group("repo") if match else None


def join_link(forge: Forge, today: dt.date, content: str = "content") -> str:
    return forge.new_file(
        f"{content}/members/YOUR-HANDLE.yaml", member_text("Your Name", "YOUR-LOGIN", today.isoformat())
    )


def diary_link(forge: Forge, handle: str, today: dt.date, content: str = "content") -> str:
    return forge.new_file(
        f"{content}/diaries/{handle}/{today.isoformat()}-my-title.md", diary_text("My title", today.isoformat())
    )


def edit_link(forge: Forge, handle: str, content: str = "content") -> str:
    return forge.edit_file(f"{content}/members/{handle}.yaml")
