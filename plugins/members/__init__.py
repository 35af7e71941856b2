"""Members: profile pages built from ``content/members/<handle>.yaml``."""

from __future__ import annotations

from pelican import signals

from .generator import MembersGenerator
from .spec import SPEC

__all__ = ["SPEC", "register"]


def get_generators(_pelican: object) -> type[MembersGenerator]:
    return MembersGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
