"""The ``ACTIONS = {...}`` setting: defaults, merged and checked once per build."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from netroots.settings import plugin_settings

logger = logging.getLogger("netroots")

DEFAULTS: dict[str, Any] = {
    # Members needed (the proposer counts) before a proposed action becomes active.
    # An action's own `threshold:` overrides it.
    "threshold": 5,
    # Phone numbers written without a country code are read as numbers of this region.
    "phone_region": "US",
    # The Atom feed of actions becoming active and being won; None: no feed.
    "feed": "feeds/actions.atom.xml",
    # Show the current target on the front page.
    "front_page": True,
}


def actions_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``ACTIONS`` over the defaults; a bad value is logged and replaced by its default."""
    merged = plugin_settings(settings, "ACTIONS", DEFAULTS)
    threshold = merged["threshold"]
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        logger.error("ACTIONS: threshold must be a whole number of at least 1, e.g. 5; using %s", DEFAULTS["threshold"])
        merged["threshold"] = DEFAULTS["threshold"]
    import phonenumbers

    region = str(merged["phone_region"] or "").upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        logger.error(
            "ACTIONS: phone_region %r is not a region code; write a two-letter code like 'US' or 'CA'; using 'US'",
            merged["phone_region"],
        )
        region = "US"
    merged["phone_region"] = region
    return merged
