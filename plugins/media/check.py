"""``tasks.py check`` for members' pictures and media: the same code the build runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from netroots.report import Report

from .embeds import check_embeds
from .model import read_media
from .pictures import check_diary, check_folder
from .spec import media_settings


def check(context: dict[str, Any], report: Report) -> None:
    """Pictures, embeds and ``media:`` in every diary; every file in members' images/ folders."""
    options = media_settings(context["settings"])
    content: Path = context["content"]
    for diary in context.get("diaries", []):
        source = diary.source
        check_diary(diary.path, source.body, source.body_line, options, report)
        check_embeds(diary.path, source.body, source.body_line, report)
        if source.data.get("media") is not None:
            read_media(source.data["media"], source, options, report)
    for folder in sorted((content / "diaries").glob("*/")):
        check_folder(folder, options, report)
