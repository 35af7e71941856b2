"""Comments: threaded replies under diaries, as files their writers own, weighed by trust."""

from __future__ import annotations

from typing import Any

from pelican import signals

from netroots.plugin import build_state

from .check import check
from .generator import CommentsGenerator
from .spec import SPEC

__all__ = ["SPEC", "check", "register"]


def get_generators(_pelican: object) -> type[CommentsGenerator]:
    return CommentsGenerator


def save_threads(pelican: Any) -> None:
    """Keep the threads this build rendered (plugins/comments/render.py): after the pages are
    written, which is at the end of the output phase (netroots/incremental.py)."""
    renderer = build_state(pelican.settings, "comments").get("renderer")
    if renderer is not None:
        renderer.save()


def register() -> None:
    signals.get_generators.connect(get_generators)
    signals.finalized.connect(save_threads)
