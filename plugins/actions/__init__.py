"""Actions: campaigns members vote onto the front page, and the contact directory they target."""

from __future__ import annotations

from pelican import signals

from netroots.schema import ContentType

from .contacts import contact_fields
from .generator import ActionsGenerator
from .generator import check_actions as check
from .model import action_fields
from .spec import SPEC, actions_settings

__all__ = ["SPEC", "check", "content_types", "register"]


def get_generators(_pelican: object) -> type[ActionsGenerator]:
    return ActionsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)


def content_types(settings: dict) -> list[ContentType]:
    """What maintainers edit at /admin/: actions and contacts."""
    region = actions_settings(settings)["phone_region"]
    return [
        ContentType("actions", "Actions", "actions", action_fields(region), body="Why", singular="Action"),
        ContentType(
            "contacts", "Contacts", "contacts", contact_fields(region), extension="yaml", body="", singular="Contact"
        ),
    ]
