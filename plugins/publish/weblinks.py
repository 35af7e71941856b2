"""Links that open the forge's web editor on a new, filled-in file: how members without git
join the network and write diaries (``python tasks.py web-links [HANDLE]``). The URLs are
built by ``netroots.forge``, like the links on the site."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

from netroots.forge import Forge
from netroots.starters import quoted, starter_text

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
    text = starter_text("member", name=quoted("Your Name"), github="YOUR-LOGIN", joined=today, state="", city="")
    return forge.new_file(f"{content}/members/YOUR-HANDLE.yaml", text)


def diary_link(forge: Forge, handle: str, today: dt.date, content: str = "content") -> str:
    text = starter_text("diary", title=quoted("My title"), date=today.isoformat())
    return forge.new_file(f"{content}/diaries/{handle}/{today.isoformat()}-my-title.md", text)


def edit_link(forge: Forge, handle: str, content: str = "content") -> str:
    return forge.edit_file(f"{content}/members/{handle}.yaml")
