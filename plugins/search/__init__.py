"""Search: Pagefind in the browser, a Whoosh index for the terminal, related diaries."""

from __future__ import annotations

from pelican import signals

from .generator import SearchGenerator
from .pagefind import finalized
from .spec import SPEC

__all__ = ["SPEC", "register"]


def get_generators(_pelican: object) -> type[SearchGenerator]:
    return SearchGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
    signals.finalized.connect(finalized)
