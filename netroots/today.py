"""The build's "today" and time zone, settable so tests and previews are exact."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

ENV_TODAY = "NETROOTS_TODAY"


def site_timezone(settings: Mapping[str, Any]) -> ZoneInfo:
    return ZoneInfo(settings.get("TIMEZONE") or "UTC")


def build_now(settings: Mapping[str, Any]) -> dt.datetime:
    """Now, in the site's time zone; ``NETROOTS_TODAY`` (env or setting) pins the date (noon),
    or the date and time (``2026-11-22T19:05``: tests build at two times of one day)."""
    zone = site_timezone(settings)
    pinned = str(os.environ.get(ENV_TODAY) or settings.get(ENV_TODAY) or "")
    if "T" in pinned:
        return dt.datetime.fromisoformat(pinned).replace(tzinfo=zone)
    if pinned:
        day = dt.date.fromisoformat(pinned)
        return dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=zone)
    return dt.datetime.now(zone)


def build_today(settings: Mapping[str, Any]) -> dt.date:
    return build_now(settings).date()


def aware(moment: dt.datetime | dt.date, zone: dt.tzinfo) -> dt.datetime:
    """Attach ``zone`` to a naive date or time from content."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime(moment.year, moment.month, moment.day)
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def day_of(moment: dt.datetime | dt.date, zone: dt.tzinfo) -> dt.date:
    """The calendar day of ``moment`` in ``zone`` (a naive time is already local)."""
    if isinstance(moment, dt.datetime):
        return moment.astimezone(zone).date() if moment.tzinfo else moment.date()
    return moment


def published_yet(moment: dt.datetime | dt.date | None, settings: Mapping[str, Any]) -> bool:
    """Whether content dated ``moment`` is out on this build: anything dated after the build's
    today is scheduled, left out everywhere until the first build on or after its day (the
    nightly rebuild publishes it). Diaries, updates and comments all ask this one question."""
    if moment is None:
        return True
    return day_of(moment, site_timezone(settings)) <= build_today(settings)


def long_date(moment: dt.date) -> str:
    """``November 2, 2026``, as ``strftime("%B %-d, %Y")`` writes it (the ``long_date`` filter).

    Pelican's dates parse the format on every ``strftime`` (about 0.05 ms); lists of diaries
    and related diaries show tens of thousands of dates a build."""
    return f"{time.strftime('%B', moment.timetuple())} {moment.day}, {moment.year}"
