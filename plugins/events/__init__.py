"""Events: meetings, canvasses and calls, with pages, iCalendar feeds and schema.org data."""

from __future__ import annotations

from pelican import signals

from netroots.schema import ContentType

from .generator import EventsGenerator
from .generator import check_events as check
from .model import EVENT_FIELDS
from .spec import SPEC

__all__ = ["SPEC", "check", "content_types", "register"]


def get_generators(_pelican: object) -> type[EventsGenerator]:
    return EventsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)


def content_types(_settings: dict) -> list[ContentType]:
    """What maintainers edit at /admin/."""
    return [ContentType("events", "Events", "events", EVENT_FIELDS, body="Description", singular="Event")]
