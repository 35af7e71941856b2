"""Groups: community groups and the diaries republished into them."""

from __future__ import annotations

from pelican import signals

from netroots.schema import ContentType

from .generator import GroupsGenerator
from .generator import check_groups as check
from .model import GROUP_FIELDS
from .spec import SPEC

__all__ = ["SPEC", "check", "content_types", "register"]


def get_generators(_pelican: object) -> type[GroupsGenerator]:
    return GroupsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)


def content_types(_settings: dict) -> list[ContentType]:
    """What maintainers edit at /admin/."""
    return [ContentType("groups", "Groups", "groups", GROUP_FIELDS, body="Description", singular="Group")]
