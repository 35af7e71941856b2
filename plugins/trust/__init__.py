"""Trust: the web of trust, trust-weighted recommended diaries, and rescued diaries."""

from __future__ import annotations

from pelican import signals

from .generator import TrustGenerator
from .generator import check_trust as check
from .spec import SPEC

__all__ = ["SPEC", "check", "register"]


def get_generators(_pelican: object) -> type[TrustGenerator]:
    return TrustGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
