"""Links that open GitHub's web editor on a new, filled-in file: how members without git
join the network and write diaries (``python tasks.py web-links [HANDLE]``)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path
from urllib.parse import quote, urlencode

REMOTE = re.compile(r"github\.com[:/](?P<repo>[\w.-]+/[\w.-]+?)(?:\.git)?/?$")

MEMBER_TEMPLATE = """name: Your Name
locale:
  country: US
  state: OH        # your state's postal code
  city: Columbus
bio: >-
  A sentence or two about you.
github: {login}   # your GitHub login: only this account may change your files
links: []
vouches: []
recommends: []
supports: []
"""

DIARY_TEMPLATE = """---
title: "My title"
date: {date}
tags: []
groups: []
summary: "One plain sentence shown in lists and feeds."
status: draft   # change to published when it is ready
---

Write your diary here in Markdown. A blank line starts a new paragraph.
"""


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
        repository, branch, f"{content}/members", "YOUR-HANDLE.yaml", MEMBER_TEMPLATE.format(login="YOUR-LOGIN")
    )


def diary_link(repository: str, handle: str, today: dt.date, branch: str = "main", content: str = "content") -> str:
    return new_file_link(
        repository,
        branch,
        f"{content}/diaries/{handle}",
        f"{today.isoformat()}-my-title.md",
        DIARY_TEMPLATE.format(date=today.isoformat()),
    )


def edit_link(repository: str, handle: str, branch: str = "main", content: str = "content") -> str:
    return f"https://github.com/{repository}/edit/{branch}/{content}/members/{handle}.yaml"
