"""``python tasks.py new event "Title"``: what is the events plugin's own in it (the command, its
options and the starter text come from the declaration in spec.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from netroots import schema
from netroots.members import load_members
from netroots.report import Report
from netroots.starters import quoted, slug_of

from .spec import IN_PERSON, events_settings


def _state_zone(code: str) -> str | None:
    """The time zone of a state's capital, a good guess when no --timezone is given."""
    import us

    found = us.states.lookup(code) if code else None
    return getattr(found, "capital_tz", None) if found else None


def _zone(settings: dict[str, Any], values: dict[str, Any]) -> str:
    from .model import timezone_name

    try:
        return timezone_name(values["timezone"] or _state_zone(values["state"]) or settings.get("TIMEZONE") or "UTC")
    except schema.Invalid as exc:
        raise click.UsageError(exc.message) from None


def _times(settings: dict[str, Any], values: dict[str, Any], zone: str) -> tuple[dt.datetime, dt.datetime]:
    """Start and end (two hours later unless given), both real times in ``zone``, end after start."""
    from zoneinfo import ZoneInfo

    from .model import nonexistent

    begins = values["start"]
    ends = values["end"] or begins + dt.timedelta(minutes=events_settings(settings)["default_duration_minutes"])
    for label, moment in (("--start", begins), ("--end", ends)):
        if nonexistent(moment, ZoneInfo(zone)):
            raise click.UsageError(
                f"{label}: {moment:%Y-%m-%d %H:%M} does not exist in {zone} (daylight saving skips it)"
            )
    if ends <= begins:
        raise click.UsageError(f"--end: {ends:%Y-%m-%d %H:%M} is not after --start {begins:%Y-%m-%d %H:%M}")
    return begins, ends


def prepare_event(settings: dict[str, Any], content: Path, values: dict[str, Any]) -> dict[str, Any]:
    """Where (a venue or a meeting address), when (in the state's time zone unless given), and who."""
    place, online, code, organizer = values["place"], values["online"], values["state"], values["organizer"]
    zone = _zone(settings, values)
    begins, ends = _times(settings, values, zone)
    if not place and not online:
        raise click.UsageError('say where: --place "Main Library" --city Columbus --state OH, or --online https://...')
    if organizer and organizer not in load_members(content, Report()):
        raise click.UsageError(f"--organizer: '{organizer}' is not a member (no content/members/{organizer}.yaml)")
    city = values["city"]
    lines = [IN_PERSON.format(name=quoted(place), city=quoted(city) if city else "", state=code)] if place else []
    lines += [f"online: {online}"] if online else []
    return {
        "slug": slug_of(values["title"], "event"),
        "title": quoted(values["title"]),
        "start": f"{begins:%Y-%m-%d %H:%M}",
        "end": f"{ends:%Y-%m-%d %H:%M}",
        "timezone": zone,
        "place": "\n".join(lines),
        "chapter": code.lower(),
        "organizer": organizer,
    }


def read_back(settings: dict[str, Any], content: Path, path: Path) -> Report:
    """The new file, read as the build reads it: anything wrong is said at once."""
    from .model import read_event

    report = Report(root=content.parent)
    read_event(path, load_members(content, Report()), report, events_settings(settings))
    return report
