"""Acts: one small file per social act in ``content/acts/<handle>/`` (recommend, support,
vouch, going, withdraw), merged into the members' lists before trust and actions count."""

from __future__ import annotations

from pelican import signals

from .generator import ActsGenerator, check
from .spec import SPEC

__all__ = ["SPEC", "check", "register"]


def get_generators(_pelican: object) -> type[ActsGenerator]:
    return ActsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
