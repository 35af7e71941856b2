"""The events plugin's contract: the ``EVENTS = {...}`` settings and content/events/."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netroots.plugin import Content, PluginSpec
from netroots.settings import TEXT, Setting, whole

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
    docs="docs/events.md",
)


def events_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``EVENTS`` over the defaults; a bad value is logged and replaced by its default."""
    return SPEC.options(settings)
