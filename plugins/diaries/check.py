"""``tasks.py check`` for diaries and pages: the same validation the build runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from netroots.outputs import Output
from netroots.report import Report
from netroots.today import day_of, site_timezone

from .model import read_all_diaries, read_page, render_body
from .suggest import TagHint


def check(context: dict[str, Any], report: Report) -> None:
    """Validate every diary and page; publish the diaries as ``context["diaries"]``.

    Beyond problems, the writer learns what will not be on the site yet: drafts, diaries
    scheduled for a later day, and updates dated after today.
    """
    content: Path = context["content"]
    diaries = read_all_diaries(content, report, context["settings"], TagHint(content))
    # Rendered as the build renders them, so a body past the time limit fails here too.
    context["diaries"] = [diary for diary in diaries if render_body(diary.source, report) is not None]
    for diary in context["diaries"]:
        if diary.draft:
            line = diary.source.line("status")
            report.note(diary.path, line, "draft: not published; change to `status: published` when it is ready")
        elif diary.scheduled:
            report.note(
                diary.path,
                diary.source.line("date") if "date" in diary.source.data else 1,
                f"scheduled for {diary.scheduled.isoformat()}: the first build on or after that day publishes it",
            )
        for update in diary.extra.get("scheduled_updates", []):
            written = diary.source.data.get("updates") or []
            index = next(
                (i for i, u in enumerate(written) if isinstance(u, dict) and u.get("text") == update["text"]), 0
            )
            day = day_of(update["date"], site_timezone(context["settings"])).isoformat()
            report.note(
                diary.path,
                diary.source.line("updates", index),
                f"update scheduled for {day}: shown from the first build on or after that day",
            )
    context["pages"] = []
    for path in sorted((content / "pages").rglob("*.md")):
        page = read_page(path, content, report)
        if page is not None and render_body(page[0], report) is not None:
            context["pages"].append((path, page[2]))


def outputs(context: dict[str, Any]) -> Iterator[Output]:
    """What diaries and pages write (netroots.outputs): a diary's page, and each page."""
    settings = context["settings"]
    for diary in context.get("diaries", []):
        if not diary.draft:
            address = str(settings["ARTICLE_SAVE_AS"]).format(author=diary.handle, slug=diary.slug)
            yield Output(address, "this diary", diary.path)
    for path, slug in context.get("pages", []):
        yield Output(str(settings["PAGE_SAVE_AS"]).format(slug=slug), "this page", path)
