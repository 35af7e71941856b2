"""``tasks.py check`` for members' pictures and media: the same code the build runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from netroots.report import Report

from .pictures import check_diary, check_folder
from .spec import media_settings


def check(context: dict[str, Any], report: Report) -> None:
    """Pictures in every diary, and every file in members' images/ folders."""
    options = media_settings(context["settings"])
    content: Path = context["content"]
    for diary in context.get("diaries", []):
        check_diary(diary.path, diary.source.body, diary.source.body_line, options, report)
    for folder in sorted((content / "diaries").glob("*/")):
        check_folder(folder, options, report)
