"""``tasks.py check`` for diaries and pages: the same validation the build runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from netroots.report import Report

from .model import read_all_diaries, read_page


def check(context: dict[str, Any], report: Report) -> None:
    """Validate every diary and page; publish the diaries as ``context["diaries"]``."""
    content: Path = context["content"]
    context["diaries"] = read_all_diaries(content, report)
    for path in sorted((content / "pages").rglob("*.md")):
        read_page(path, content, report)
