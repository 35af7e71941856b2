"""A week's digest: what the network did and what comes next, from other plugins' context keys.

The digest reads only the Pelican context: ``actions_current_target`` (actions),
``recommended_diaries`` and ``rescue_lists`` (trust), ``events`` (events), ``jobs``
(jobs), ``most_discussed`` (comments, when that plugin is on) and ``articles``. Past weeks
are rebuilt from dated content; the current target shows on the current week's digest only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

WEEK = re.compile(r"^(?P<year>\d{4})-?[Ww](?P<week>\d{1,2})$")


def parse_week(text: str) -> tuple[int, int]:
    """``2026-W47`` (or ``2026-w47``) -> ``(2026, 47)``; ValueError with an example otherwise."""
    match = WEEK.match(text.strip())
    if match:
        year, week = int(match["year"]), int(match["week"])
        try:
            dt.date.fromisocalendar(year, week, 1)
            return year, week
        except ValueError:
            pass
    raise ValueError(f"'{text}' is not an ISO week; write YYYY-Www, e.g. 2026-W47")


def week_of(day: dt.date) -> tuple[int, int]:
    year, week, _ = day.isocalendar()
    return year, week


def slug(year: int, week: int) -> str:
    """The digest's address part: ``2026-w47``."""
    return f"{year}-w{week:02d}"


@dataclass
class Digest:
    """One week: Monday to Sunday in the site's time zone."""

    year: int
    week: int
    start: dt.date
    end: dt.date
    current: bool
    target: Any = None
    recommended: list[Any] = field(default_factory=list)
    rescued: list[Any] = field(default_factory=list)
    discussed: list[tuple[Any, int | None]] = field(default_factory=list)
    new: list[Any] = field(default_factory=list)
    events: list[Any] = field(default_factory=list)
    jobs: list[Any] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return slug(self.year, self.week)

    @property
    def url(self) -> str:
        return f"digest/{self.slug}/"

    @property
    def title(self) -> str:
        return f"Week {self.week}, {self.year}: {self.start.strftime('%B %-d')} to {self.end.strftime('%B %-d')}"

    @property
    def empty(self) -> bool:
        return not (
            self.target or self.recommended or self.rescued or self.discussed or self.new or self.events or self.jobs
        )


def day_of(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _discussed(value: Any) -> list[tuple[Any, int | None]]:
    """The comments plugin's list: diaries, or ``(diary, count)`` pairs, most discussed first."""
    pairs = []
    for item in value or []:
        if isinstance(item, tuple | list) and len(item) == 2:
            pairs.append((item[0], item[1] if isinstance(item[1], int) else None))
        elif hasattr(item, "url"):
            pairs.append((item, None))
    return pairs


def gather(context: dict[str, Any], year: int, week: int, today: dt.date, options: dict[str, Any]) -> Digest:
    """The digest of one ISO week, as the build's context knows it."""
    start = dt.date.fromisocalendar(year, week, 1)
    end = start + dt.timedelta(days=6)
    limit = int(options["list_limit"])
    current = week_of(today) == (year, week)

    def within(value: Any) -> bool:
        return value is not None and start <= day_of(value) <= end

    digest = Digest(year=year, week=week, start=start, end=end, current=current)
    if current:
        digest.target = context.get("actions_current_target")
    _gather_diaries(digest, context, within, limit)
    horizon = end + dt.timedelta(days=int(options["event_days"]))
    digest.events = sorted(
        (
            e
            for e in context.get("events") or []
            if end < day_of(e.start) <= horizon and getattr(e, "status", "") != "cancelled"
        ),
        key=lambda e: e.start,
    )[:limit]
    digest.jobs = [j for j in context.get("jobs") or [] if within(j.posted) and (j.closes is None or j.closes > end)][
        :limit
    ]
    return digest


def _gather_diaries(digest: Digest, context: dict[str, Any], within: Callable[[Any], bool], limit: int) -> None:
    """The week's recommended, rescued, most discussed (this week only) and new diaries; a diary
    shown in an earlier list is not repeated in a later one."""
    digest.recommended = [a for a in context.get("recommended_diaries") or [] if within(a.date)][:limit]
    shown = {a.url for a in digest.recommended}
    for rescue in context.get("rescue_lists") or []:
        if within(getattr(rescue, "date", None)):
            digest.rescued += [a for a in getattr(rescue, "articles", []) if a.url not in shown][:limit]
    shown |= {a.url for a in digest.rescued}
    if digest.current:
        digest.discussed = _discussed(context.get("most_discussed"))[:limit]
    digest.new = [a for a in context.get("articles") or [] if within(a.date) and a.url not in shown][:limit]


def weeks_back(today: dt.date, count: int) -> list[tuple[int, int]]:
    """This week and the ``count`` weeks before it, newest first."""
    monday = today - dt.timedelta(days=today.weekday())
    return [week_of(monday - dt.timedelta(weeks=n)) for n in range(count + 1)]
