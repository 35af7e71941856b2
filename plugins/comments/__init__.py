"""Comments: threaded replies under diaries, as files their writers own, weighed by trust."""

from __future__ import annotations

from pelican import signals

from .check import check
from .generator import CommentsGenerator
from .spec import SPEC

__all__ = ["SPEC", "check", "register"]


def get_generators(_pelican: object) -> type[CommentsGenerator]:
    return CommentsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
