"""Media: members' own pictures (resized, metadata stripped), audio and video, podcast feeds."""

from __future__ import annotations

from pelican import signals

from .check import check
from .generator import MediaGenerator, add_enclosures, diary_read
from .spec import SPEC

__all__ = ["SPEC", "check", "register"]


def get_generators(_pelican: object) -> type[MediaGenerator]:
    return MediaGenerator


def register() -> None:
    signals.content_object_init.connect(diary_read)
    signals.get_generators.connect(get_generators)
    signals.feed_generated.connect(add_enclosures)
