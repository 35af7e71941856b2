"""``tasks.py check`` for comments and ``content/moderation.yaml``: the build's own checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from netroots.report import Report
from netroots.today import day_of, published_yet, site_timezone

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
    comments = load_comments(content, report)
    for comment in comments:  # not a problem: listed so the writer knows when it shows
        if not published_yet(comment.date, settings):
            report.note(
                comment.path,
                comment.line("date"),
                f"scheduled for {day_of(comment.date, site_timezone(settings)).isoformat()}: the first build on "
                "or after that day shows it (and its replies)",
            )
    build_conversation(
        comments,
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
