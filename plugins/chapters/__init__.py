"""Chapters: local chapters from member locales, mentors for isolated members, the US map."""

from __future__ import annotations

from pelican import signals

from .generator import ChaptersGenerator
from .generator import check_chapters as check
from .spec import SPEC

__all__ = ["SPEC", "check", "register"]


def get_generators(_pelican: object) -> type[ChaptersGenerator]:
    return ChaptersGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
