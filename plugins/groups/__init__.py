"""Groups: community groups and the diaries republished into them."""

from __future__ import annotations

from pelican import signals

from .generator import GroupsGenerator
from .generator import check_groups as check
from .spec import SPEC

__all__ = ["SPEC", "check", "register"]


def get_generators(_pelican: object) -> type[GroupsGenerator]:
    return GroupsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
