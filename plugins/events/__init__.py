"""Events: meetings, canvasses and calls, with pages, iCalendar feeds and schema.org data."""

from __future__ import annotations

from pelican import signals

from .generator import EventsGenerator
from .generator import check_events as check
from .spec import SPEC

__all__ = ["SPEC", "check", "register"]


def get_generators(_pelican: object) -> type[EventsGenerator]:
    return EventsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
