"""The actions plugin's contract: the ``ACTIONS = {...}`` settings, actions and contacts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netroots.plugin import Content, PluginSpec
from netroots.settings import FLAG, TEXT, Kind, Setting, optional, whole


def _region(value: Any) -> str:
    import phonenumbers

    region = value.strip().upper() if isinstance(value, str) else ""
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError
    return region


SPEC = PluginSpec(
    name="actions",
    doc="Campaigns members vote onto the front page, and the contact directory they target.",
    settings_name="ACTIONS",
    settings=(
        Setting(
            "threshold",
            5,
            whole(minimum=1),
            "Members needed (the proposer counts) before a proposed action becomes active; "
            "an action's own `threshold:` overrides it.",
        ),
        Setting(
            "phone_region",
            "US",
            Kind("a two-letter region code like 'US' or 'CA'", _region),
            "Phone numbers written without a country code are read as numbers of this region.",
        ),
        Setting(
            "feed",
            "feeds/actions.atom.xml",
            optional(TEXT),
            "The Atom feed of actions becoming active and being won; None: no feed.",
        ),
        Setting("front_page", True, FLAG, "Show the current target on the front page."),
    ),
    content=(
        Content("actions/*.md", "an action: its target, demands and supporters"),
        Content("contacts/*.yaml", "a contact an action targets"),
    ),
    provides=(
        "contacts",
        "actions",
        "actions_current_target",
        "actions_trust",
        "actions_sections",
        "actions_feed",
        "actions_threshold",
    ),
    uses=("acts_merged", "trusted_members"),
    docs="docs/actions.md",
)
DEFAULTS = SPEC.defaults()


def actions_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``ACTIONS`` over the defaults; a bad value is logged and replaced by its default."""
    return SPEC.options(settings)
