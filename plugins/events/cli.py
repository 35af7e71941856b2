"""``python tasks.py new event "Title"``: start an event file with valid front matter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from netroots.starters import GIVEN, register_starter

EVENT_TEMPLATE = """---
title: {title}
# Local wall-clock times in the event's time zone.
start: {start}
end: {end}
timezone: {timezone}   # an IANA name: America/New_York, America/Chicago, America/Denver, America/Los_Angeles
{place}
chapter: {chapter}     # the state's postal code; the event shows on /chapters/<code>/
organizer: {organizer} # a member's handle
rsvp:                  # optional: an https:// address or an email address
summary:               # one plain sentence for lists, feeds and calendars
status: scheduled      # scheduled, cancelled, postponed, rescheduled or moved-online
---

What will happen, who it is for, what to bring, and how to find the room.
"""

IN_PERSON = """location:
  name: {name}
  address:             # street address
  city: {city}
  state: {state}"""

register_starter(
    "event",
    "events/*.md",
    lambda: EVENT_TEMPLATE.format(
        title=GIVEN,
        start="2026-01-01 18:00",
        end="2026-01-01 19:00",
        timezone="UTC",
        place=IN_PERSON.format(name=GIVEN, city=GIVEN, state="OH"),
        chapter="oh",
        organizer=GIVEN,
    ),
)


def _state_zone(code: str) -> str | None:
    """The time zone of a state's capital, a good guess when no --timezone is given."""
    import us

    found = us.states.lookup(code) if code else None
    return getattr(found, "capital_tz", None) if found else None


def add_commands(cli: click.Group, new: click.Group) -> None:
    new.add_command(new_event)


@click.command("event")
@click.argument("title")
@click.option("--start", "start", required=True, help='Local start time, e.g. "2026-12-05 18:30".')
@click.option("--end", "end", help="Local end time (default: two hours after the start).")
@click.option("--timezone", "timezone", help="IANA time zone, e.g. America/Chicago (default: the site's).")
@click.option("--place", help="Name of the venue (in-person events).")
@click.option("--city", default="", help="City of the venue.")
@click.option("--state", default="", help="State postal code of the venue or chapter, e.g. OH.")
@click.option("--online", help="The meeting's https:// address (online events).")
@click.option("--organizer", default="", help="Organizer's member handle.")
@click.option(
    "--content",
    "content_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The content folder (default: the site's).",
)
def new_event(
    title: str,
    start: str,
    end: str | None,
    timezone: str | None,
    place: str | None,
    city: str,
    state: str,
    online: str | None,
    organizer: str,
    content_dir: Path | None,
) -> None:
    """Create content/events/<slug>.md and check it."""
    from zoneinfo import ZoneInfo

    from netroots import schema
    from netroots.build import cli_settings
    from netroots.members import load_members, state_code
    from netroots.report import Report
    from netroots.starters import quoted, slug_of

    from .model import nonexistent, read_event, timezone_name
    from .spec import events_settings

    settings = cli_settings()
    content = (content_dir or Path(settings["PATH"])).resolve()
    root = content.parent
    try:
        begins = schema.datetime(start)
        ends = (
            schema.datetime(end)
            if end
            else begins + dt.timedelta(minutes=events_settings(settings)["default_duration_minutes"])
        )
        code = state_code(state) if state else ""
        zone = timezone_name(timezone or _state_zone(code) or settings.get("TIMEZONE") or "UTC")
        link = schema.url(online) if online else ""
    except schema.Invalid as exc:
        raise click.UsageError(exc.message) from None
    for label, moment in (("--start", begins), ("--end", ends)):
        if nonexistent(moment, ZoneInfo(zone)):
            raise click.UsageError(
                f"{label}: {moment:%Y-%m-%d %H:%M} does not exist in {zone} (daylight saving skips it)"
            )
    if ends <= begins:
        raise click.UsageError(f"--end: {ends:%Y-%m-%d %H:%M} is not after --start {begins:%Y-%m-%d %H:%M}")
    if not place and not link:
        raise click.UsageError('say where: --place "Main Library" --city Columbus --state OH, or --online https://...')
    if organizer and organizer not in load_members(content, Report()):
        raise click.UsageError(f"--organizer: '{organizer}' is not a member (no content/members/{organizer}.yaml)")
    path = content / "events" / f"{slug_of(title, 'event')}.md"
    if path.exists():
        raise click.UsageError(f"{path.relative_to(root)} already exists; choose another title")
    lines = []
    if place:
        lines.append(IN_PERSON.format(name=quoted(place), city=quoted(city) if city else "", state=code))
    if link:
        lines.append(f"online: {link}")
    values: dict[str, Any] = {
        "title": quoted(title),
        "start": f"{begins:%Y-%m-%d %H:%M}",
        "end": f"{ends:%Y-%m-%d %H:%M}",
        "timezone": zone,
        "place": "\n".join(lines),
        "chapter": code.lower(),
        "organizer": organizer,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(EVENT_TEMPLATE.format(**values), encoding="utf-8")
    click.echo(f"Created {path.relative_to(root)}")
    report = Report(root=root)
    read_event(path, load_members(content, Report()), report, events_settings(settings))
    for problem in report.problems:
        click.echo(str(problem))
    click.echo(f"Next: edit it, then `python tasks.py check {path.relative_to(root)}`.")
