"""The events plugin's contract: the ``EVENTS = {...}`` settings, content/events/, and the
starter of a new event."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netroots import schema
from netroots.members import state_code
from netroots.plugin import Content, PluginSpec
from netroots.settings import TEXT, Setting, whole
from netroots.starters import GIVEN, Ask, Starter

EVENT = """---
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

NEW_EVENT = Starter(
    kind="event",
    help="Create content/events/<slug>.md and check it.",
    path="events/{slug}.md",
    text=EVENT,
    asks=(
        Ask("title"),
        Ask(
            "start",
            'Local start time, e.g. "2026-12-05 18:30".',
            option="--start",
            convert=schema.datetime,
            required=True,
        ),
        Ask("end", "Local end time (default: two hours after the start).", option="--end", convert=schema.datetime),
        Ask("timezone", "IANA time zone, e.g. America/Chicago (default: the site's).", option="--timezone"),
        Ask("place", "Name of the venue (in-person events).", option="--place"),
        Ask("city", "City of the venue.", option="--city", default=""),
        Ask(
            "state",
            "State postal code of the venue or chapter, e.g. OH.",
            option="--state",
            default="",
            convert=state_code,
        ),
        Ask("online", "The meeting's https:// address (online events).", option="--online", convert=schema.url),
        Ask("organizer", "Organizer's member handle.", option="--organizer", default=""),
    ),
    sample={
        "start": "2026-01-01 18:00",
        "end": "2026-01-01 19:00",
        "timezone": "UTC",
        "place": IN_PERSON.format(name=GIVEN, city=GIVEN, state="OH"),
        "chapter": "oh",
    },
    prepare="cli:prepare_event",
    after="cli:read_back",
    next="Next: edit it, then `python tasks.py check {path}`.",
)

SPEC = PluginSpec(
    name="events",
    doc="Meetings, canvasses and calls, with pages, iCalendar feeds and schema.org data.",
    settings_name="EVENTS",
    settings=(
        Setting("default_duration_minutes", 120, whole(minimum=1), "How long an event lasts when `end` is left out."),
        Setting("front_page_count", 3, whole(minimum=0), "Upcoming events on the front page."),
        Setting("calendar_name", "", TEXT, "The name calendar apps show for /events.ics; SITENAME when empty."),
    ),
    content=(Content("events/*.md", "an event"),),
    provides=("events", "upcoming_events", "past_events", "events_by_chapter", "front_events"),
    member_fields=(schema.Field("going", schema.list_of(schema.slug), default=list),),  # events, by slug
    starters=(NEW_EVENT,),
    docs="docs/events.md",
)


def events_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``EVENTS`` over the defaults; a bad value is logged and replaced by its default."""
    return SPEC.options(settings)
