"""Actions: campaigns members vote onto the front page, and the contact directory they target."""

from __future__ import annotations

from pelican import signals

from .generator import ActionsGenerator
from .generator import check_actions as check
from .spec import SPEC

__all__ = ["SPEC", "check", "register"]


def get_generators(_pelican: object) -> type[ActionsGenerator]:
    return ActionsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
