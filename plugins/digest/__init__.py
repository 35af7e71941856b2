"""Digest: the week's network in one page, one feed entry and one e-mail to the list."""

from __future__ import annotations

from pelican import signals

from .generator import DigestGenerator
from .spec import SPEC

__all__ = ["SPEC", "register"]


def get_generators(_pelican: object) -> type[DigestGenerator]:
    return DigestGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
