"""``tasks.py check`` for diaries and pages: the same validation the build runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from netroots.report import Report

from .model import read_all_diaries, read_page, render_body


def check(context: dict[str, Any], report: Report) -> None:
    """Validate every diary and page; publish the diaries as ``context["diaries"]``."""
    content: Path = context["content"]
    diaries = read_all_diaries(content, report)
    # Rendered as the build renders them, so a body past the time limit fails here too.
    context["diaries"] = [diary for diary in diaries if render_body(diary.source, report) is not None]
    for path in sorted((content / "pages").rglob("*.md")):
        page = read_page(path, content, report)
        if page is not None:
            render_body(page[0], report)
