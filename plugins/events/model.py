"""Events (``content/events/<slug>.md``): fields, validation and the Event type.

Times are written as local wall-clock times in the event's own time zone
(``timezone: America/Chicago``); every page, feed and calendar shows them there.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from netroots import schema
from netroots.html import render_markdown
from netroots.members import Member, state_code
from netroots.report import Report
from netroots.source import Source

STATUSES = ("scheduled", "cancelled", "postponed", "rescheduled", "moved-online")


def timezone_name(value: Any) -> str:
    """An IANA time zone name such as ``America/Chicago``."""
    if not isinstance(value, str) or not value.strip():
        raise schema.Invalid("must be an IANA time zone name, e.g. America/Chicago")
    name = value.strip()
    if name not in _zone_names():
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise schema.Invalid(
                f"'{name}' is not a time zone; write an IANA name such as America/New_York, "
                "America/Chicago, America/Denver, America/Los_Angeles"
            ) from None
    return name


_ZONES: set[str] = set()


def _zone_names() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


def rsvp(value: Any) -> str:
    """Where to RSVP: an http(s) address or an email address (shown as mailto:)."""
    if isinstance(value, str) and "@" in value and not value.strip().lower().startswith(("http://", "https://")):
        return "mailto:" + schema.email(value.removeprefix("mailto:"))
    return schema.url(value)


def chapter_slug(value: Any) -> str:
    """A chapter is a state: its postal code, written in any case (``oh`` or ``OH``)."""
    return state_code(value).lower()


def coordinate(limit: float) -> schema.Converter:
    """Decimal degrees between -limit and limit: NaN and infinity would break JSON-LD and maps."""

    def convert(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise schema.Invalid("must be a number in decimal degrees, e.g. 39.9612")
        try:
            number = float(value)
        except (ValueError, OverflowError):
            raise schema.Invalid(f"'{value}' is not a number; write decimal degrees, e.g. 39.9612") from None
        if not math.isfinite(number) or abs(number) > limit:
            raise schema.Invalid(f"'{value}' is not between -{limit:g} and {limit:g}; write e.g. 39.9612")
        return number

    return convert


LOCATION_FIELDS = (
    schema.Field("name", schema.text, required=True),
    schema.Field("address", schema.text),
    schema.Field("city", schema.text),
    schema.Field("state", state_code),
    schema.Field("postal_code", schema.text),
    schema.Field("country", schema.text, default="US"),
    schema.Field("lat", coordinate(90)),
    schema.Field("lon", coordinate(180)),
)

EVENT_FIELDS = (
    schema.Field("title", schema.text, required=True, help="e.g. `title: First meeting of the Columbus chapter`"),
    schema.Field("start", schema.datetime, required=True, help="local time, e.g. `start: 2026-12-05 18:30`"),
    schema.Field("end", schema.datetime),
    schema.Field("timezone", timezone_name, required=True, help="e.g. `timezone: America/New_York`"),
    schema.Field(
        "location",
        schema.mapping(
            LOCATION_FIELDS, example="`{name: Main Library, address: 96 S Grant Ave, city: Columbus, state: OH}`"
        ),
    ),
    schema.Field("online", schema.url),
    schema.Field("chapter", chapter_slug),
    schema.Field("organizer", schema.handle),
    schema.Field("rsvp", rsvp),
    schema.Field("summary", schema.text, default=""),
    schema.Field("status", schema.choice(*STATUSES), default="scheduled"),
)


@dataclass
class Event:
    """A validated event; ``start`` and ``end`` are aware datetimes in ``timezone``."""

    slug: str
    title: str
    start: dt.datetime
    end: dt.datetime
    timezone: str
    path: Path
    location: dict[str, Any] | None = None
    online: str | None = None
    chapter: str | None = None
    organizer: str | None = None
    rsvp: str | None = None
    summary: str = ""
    status: str = "scheduled"
    description: str = ""
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"events/{self.slug}/"

    @property
    def ics_url(self) -> str:
        return f"events/{self.slug}.ics"

    @property
    def in_person(self) -> bool:
        return self.location is not None

    @property
    def attendance_mode(self) -> str:
        if self.location and self.online:
            return "MixedEventAttendanceMode"
        return "OfflineEventAttendanceMode" if self.location else "OnlineEventAttendanceMode"

    @property
    def state(self) -> str | None:
        if self.chapter:
            return self.chapter.upper()
        return (self.location or {}).get("state")

    @property
    def osm_url(self) -> str | None:
        """A link to the place on OpenStreetMap: a point when coordinates are known, else a search."""
        if not self.location:
            return None
        lat, lon = self.location.get("lat"), self.location.get("lon")
        if lat is not None and lon is not None:
            return f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=17/{lat:.5f}/{lon:.5f}"
        parts = [self.location.get(key) for key in ("address", "city", "state", "postal_code")]
        query = ", ".join(str(p) for p in parts if p) or self.location["name"]
        return "https://www.openstreetmap.org/search?" + urlencode({"query": query})

    def is_upcoming(self, now: dt.datetime) -> bool:
        return self.end >= now

    @property
    def when(self) -> str:
        return when(self)


def nonexistent(local: dt.datetime, zone: ZoneInfo) -> bool:
    """True when ``local`` falls in a daylight-saving gap (clocks jump over it)."""
    aware = local.replace(tzinfo=zone)
    return aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != local


def read_event(path: Path, members: Mapping[str, Member], report: Report, settings: Mapping[str, Any]) -> Event | None:
    """Read and validate one event file; ``None`` (with errors reported) when unusable."""
    slug = schema.file_slug(path, report)
    read = schema.read_validated(path, EVENT_FIELDS, report, kind="event")
    if slug is None or read is None:
        return None
    source, meta, ok = read
    ok = _place_and_organizer_ok(path, source, meta, members, report) and ok
    if not ok or not meta["start"]:
        return None
    times = _times(path, source, meta, report, settings)
    if times is None:
        return None
    start, end = times
    organizer = meta["organizer"]
    location = meta["location"]
    chapter = meta["chapter"] or ((location or {}).get("state") or "").lower() or None
    return Event(
        slug=slug,
        title=meta["title"],
        start=start,
        end=end,
        timezone=meta["timezone"],
        path=path,
        location=location,
        online=meta["online"],
        chapter=chapter,
        organizer=organizer,
        rsvp=meta["rsvp"],
        summary=meta["summary"],
        status=meta["status"],
        description=render_markdown(source.body),
        lines=source.lines,
    )


def _place_and_organizer_ok(
    path: Path, source: Source, meta: dict[str, Any], members: Mapping[str, Member], report: Report
) -> bool:
    """An event happens somewhere (a place or an online address) and its organizer is a member."""
    ok = True
    if meta["location"] is None and meta["online"] is None and "location" not in source.data:
        report.error(
            path,
            1,
            "an event needs `location` (name, address, city, state) or `online` (the meeting's https:// address)",
        )
        ok = False
    organizer = meta["organizer"]
    if organizer and organizer not in members:
        report.error(
            path,
            source.line("organizer"),
            f"organizer: '{organizer}' is not a member (no content/members/{organizer}.yaml); write a member's handle",
        )
        ok = False
    return ok


def _times(
    path: Path, source: Source, meta: dict[str, Any], report: Report, settings: Mapping[str, Any]
) -> tuple[dt.datetime, dt.datetime] | None:
    """(start, end) in the event's time zone; None after reporting a time the clocks skip or an end
    not after the start. Without ``end`` the event lasts ``default_duration_minutes`` of real time."""
    ok = True
    zone = ZoneInfo(meta["timezone"])
    for key in ("start", "end"):
        if meta[key] and nonexistent(meta[key], zone):
            report.error(
                path,
                source.line(key),
                f"{key}: {meta[key]:%Y-%m-%d %H:%M} does not exist in {meta['timezone']} "
                "(the clocks skip that hour for daylight saving); choose another time",
            )
            ok = False
    start = meta["start"].replace(tzinfo=zone)
    if meta["end"]:
        end = meta["end"].replace(tzinfo=zone)
        if end <= start:
            report.error(
                path,
                source.line("end"),
                f"end: {meta['end']:%Y-%m-%d %H:%M} is not after start {meta['start']:%Y-%m-%d %H:%M}; "
                "the end must come after the start",
            )
            ok = False
    else:
        elapsed = dt.timedelta(minutes=int(settings["default_duration_minutes"]))
        end = (start.astimezone(dt.UTC) + elapsed).astimezone(zone)  # real time, across DST changes
    return (start, end) if ok else None


def load_events(
    content: Path, members: Mapping[str, Member], report: Report, settings: Mapping[str, Any]
) -> list[Event]:
    """Every valid event, soonest first."""
    events = []
    for path in sorted((content / "events").glob("*.md")):
        event = read_event(path, members, report, settings)
        if event is not None:
            events.append(event)
    return sorted(events, key=lambda e: (e.start, e.slug))


def clock(moment: dt.datetime) -> str:
    """``6:30 PM`` (``6 PM`` on the hour)."""
    text = moment.strftime("%-I:%M %p") if moment.minute else moment.strftime("%-I %p")
    return text


def when(event: Event) -> str:
    """The event's time as people say it, in its own zone: ``Saturday, December 5, 2026, 6:30–8:30 PM EST``."""
    start, end = event.start, event.end
    day = start.strftime("%A, %B %-d, %Y")
    if start.date() == end.date():
        if start.strftime("%p") == end.strftime("%p") and start.tzname() == end.tzname():
            first = clock(start).rsplit(" ", 1)[0]
            return f"{day}, {first}–{clock(end)} {end.tzname()}"
        return f"{day}, {clock(start)} {start.tzname()} – {clock(end)} {end.tzname()}"
    return f"{day}, {clock(start)} {start.tzname()} – {end.strftime('%A, %B %-d, %Y')}, {clock(end)} {end.tzname()}"
