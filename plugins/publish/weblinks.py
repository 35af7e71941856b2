"""Links that open GitHub's web editor on a new, filled-in file: how members without git
join the network and write diaries (``python tasks.py web-links [HANDLE]``)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path
from urllib.parse import quote, urlencode

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


def new_file_link(repository: str, branch: str, folder: str, filename: str, text: str) -> str:
    query = urlencode({"filename": filename, "value": text}, quote_via=quote)
    return f"https://github.com/{repository}/new/{branch}/{folder}?{query}"


def join_link(repository: str, branch: str = "main", content: str = "content") -> str:
    return new_file_link(
        repository,
        branch,
        f"{content}/members",
        "YOUR-HANDLE.yaml",
        member_text("Your Name", "YOUR-LOGIN", dt.date.today().isoformat()),
    )


def diary_link(repository: str, handle: str, today: dt.date, branch: str = "main", content: str = "content") -> str:
    return new_file_link(
        repository,
        branch,
        f"{content}/diaries/{handle}",
        f"{today.isoformat()}-my-title.md",
        diary_text("My title", today.isoformat()),
    )


def edit_link(repository: str, handle: str, branch: str = "main", content: str = "content") -> str:
    return f"https://github.com/{repository}/edit/{branch}/{content}/members/{handle}.yaml"
