"""Rescued diaries: ``content/rescue.yaml``, dated lists of overlooked diaries.

Only the editors of the rescue group (``TRUST["rescue_group"]``, ``rescue-rangers``)
may add a list; a list signed by anyone else is an error and is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netroots import schema
from netroots.html import render_inline
from netroots.report import Report

EXAMPLE = "`- {date: 2026-11-15, editor: ruth-abernathy, diaries: [sam-hollis/one-progressive-in-casper]}`"

LIST_FIELDS = (
    schema.Field("date", schema.date, required=True),
    schema.Field("editor", schema.handle, required=True),
    schema.Field("title", schema.text, default=""),
    schema.Field("note", schema.text, default=""),
    schema.Field("diaries", schema.string_list, required=True),
)


@dataclass(frozen=True)
class Rescued:
    """What a rescued diary's page shows of its rescue: a page's fingerprint covers what it
    reads, and the whole list holds every rescued diary (an edit of one rendered them all)."""

    editor: str
    date: dt.date


@dataclass
class RescueList:
    """One dated list of rescued diaries."""

    date: dt.date
    editor: str
    title: str
    note: str  # sanitized inline HTML
    diaries: list[str] = field(default_factory=list)  # published diary ids, as listed
    line: int = 1
    articles: list[Any] = field(default_factory=list)  # the build's articles, filled in by the generator


def diary_problem(diary_id: str, published: Collection[str], drafts: Collection[str]) -> str | None:
    """Why ``diary_id`` cannot be recommended or rescued; ``None`` when it can."""
    if diary_id in published:
        return None
    example = "write <handle>/<slug>, e.g. maria-lopez/what-meridian-did-to-kbrt"
    if "/" not in diary_id or diary_id.count("/") != 1:
        return f"'{diary_id}' is not a diary id: {example}"
    if diary_id in drafts:
        return f"'{diary_id}' is a draft (status: draft); only published diaries can be listed"
    handle, slug = diary_id.split("/")
    return f"'{diary_id}' is not a published diary (no content/diaries/{handle}/<YYYY-MM-DD>-{slug}.md); {example}"


def load_rescue(
    content: Path,
    editors: Collection[str] | None,
    group: str,
    published: Collection[str],
    drafts: Collection[str],
    report: Report,
    trusted: Collection[str] | None = None,
) -> list[RescueList]:
    """The valid lists, newest first. ``editors`` is ``None`` when the group does not exist;
    ``trusted`` (with the web of trust on) are the members whose lists count: being named
    an editor in a group file is a claim, trust is what makes it count."""
    path = content / "rescue.yaml"
    found = []
    for item in schema.checked_list_items(path, report, LIST_FIELDS, example=EXAMPLE, label="list"):
        clean, line = item.clean, item.line
        if editors is None:
            report.error(
                path, line, f"there is no group '{group}' (content/groups/{group}.md) whose editors keep this file"
            )
            continue
        problem = _editor_problem(clean["editor"], editors, group, trusted)
        if problem:
            report.error(path, item.line_of("editor"), problem)
            continue
        kept = []
        for number, diary_id in enumerate(clean["diaries"]):
            problem = diary_problem(diary_id, published, drafts)
            if problem:
                report.error(path, item.line_of("diaries", number), f"diaries: {problem}")
            elif diary_id not in kept:
                kept.append(diary_id)
        found.append(
            RescueList(
                date=clean["date"],
                editor=clean["editor"],
                title=clean["title"],
                note=render_inline(clean["note"]) if clean["note"] else "",
                diaries=kept,
                line=line,
            )
        )
    found.sort(key=lambda rescue: rescue.date, reverse=True)
    return found


def _editor_problem(editor: str, editors: Collection[str], group: str, trusted: Collection[str] | None) -> str | None:
    """Why this editor's list is left out (not the group's editor, or not trusted), or None."""
    if editor not in editors:
        allowed = ", ".join(sorted(editors)) or "none yet"
        return (
            f"editor: '{editor}' is not an editor of {group} (editors: {allowed}); "
            "only they may add a rescue list, and this one is left out"
        )
    if trusted is not None and editor not in trusted:
        return (
            f"editor: '{editor}' is an editor of {group} but not trusted in the web of trust "
            "(/trust/), so this rescue list is left out until they are"
        )
    return None
