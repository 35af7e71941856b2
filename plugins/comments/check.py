"""``tasks.py check`` for comments and ``content/moderation.yaml``: the build's own checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from netroots.report import Report
from netroots.today import published_yet

from .model import load_comments
from .spec import comments_settings
from .thread import build_conversation, load_moderation


def check(context: dict[str, Any], report: Report) -> None:
    """Every comment file, what it points at, moderation entries and recommended comments."""
    content: Path = context["content"]
    settings = context["settings"]
    diaries = context.get("diaries") or []  # the diaries plugin's check runs first
    published = {d.id: f"diaries/{d.id}/" for d in diaries if d.published}
    drafts = {d.id for d in diaries if not d.published}
    build_conversation(
        load_comments(content, report),
        context["members"],
        published,
        drafts,
        load_moderation(content, report),
        context.get("trust"),
        comments_settings(settings),
        lambda moment: published_yet(moment, settings),
        report,
        moderation_path=content / "moderation.yaml",
        acts=context.get("comment_recommends"),
    )
