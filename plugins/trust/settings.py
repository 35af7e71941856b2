"""The ``TRUST = {...}`` setting: documented defaults, merged and checked once per build."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from netroots.settings import plugin_settings

logger = logging.getLogger("netroots")

DEFAULTS: dict[str, Any] = {
    # Seeds besides those listed in content/trust.yaml (handles of maintainers).
    "seeds": [],
    # Advogato's capacities by distance from the seeds: a seed can pass trust on to
    # 800 members, a member one vouch away to 200, and so on. Members further away
    # than the list is long are not trusted.
    "capacities": [800, 200, 50, 12, 4, 2, 1],
    # "auto": scale the capacities to the network: a seed's capacity becomes the number
    # of members (at least `min_scale_members`, at most the list itself). A number: a
    # fixed factor (1 = Advogato's values as written).
    "scale": "auto",
    "min_scale_members": 50,
    # Personalized PageRank: the chance, at each step, that the walk follows a vouch
    # rather than jumping back to a seed.
    "damping": 0.85,
    # A trusted member's recommendation counts their trust score relative to the
    # average trusted member (1.0), capped at this.
    "max_weight": 3.0,
    # A recommendation loses half its weight every this many days after the diary's date.
    "half_life_days": 30,
    # A diary is on the recommended list when trusted recommendations (before decay)
    # add up to at least `min_weight` and come from at least `min_recommenders` members.
    "min_weight": 1.0,
    "min_recommenders": 2,
    # How many recommended diaries the front page and /diaries/recommended/ show.
    "front_page": 5,
    "recommended_limit": 50,
    # The front page's "Recent diaries" shows only trusted members' diaries.
    "front_page_trusted_only": True,
    # The group whose editors keep content/rescue.yaml.
    "rescue_group": "rescue-rangers",
    # Feeds of the recommended and rescued lists; None: no feed.
    "recommended_feed": "feeds/recommended.atom.xml",
    "rescued_feed": "feeds/rescued.atom.xml",
}


def _number(merged: dict[str, Any], key: str, minimum: float, maximum: float | None = None) -> None:
    value = merged[key]
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= minimum
    if ok and maximum is not None:
        ok = value <= maximum
    if not ok:
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        logger.error("TRUST: %s must be a number %s, e.g. %s; using %s", key, bounds, DEFAULTS[key], DEFAULTS[key])
        merged[key] = DEFAULTS[key]


def trust_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``TRUST`` over the defaults; a bad value is logged and replaced by its default."""
    merged = plugin_settings(settings, "TRUST", DEFAULTS)
    capacities = merged["capacities"]
    if (
        not isinstance(capacities, (list, tuple))
        or not capacities
        or not all(isinstance(c, int) and not isinstance(c, bool) and c >= 1 for c in capacities)
    ):
        logger.error(
            "TRUST: capacities must be a list of whole numbers of at least 1, e.g. %s; using those",
            DEFAULTS["capacities"],
        )
        merged["capacities"] = list(DEFAULTS["capacities"])
    scale = merged["scale"]
    if scale != "auto" and not (isinstance(scale, (int, float)) and not isinstance(scale, bool) and scale > 0):
        logger.error("TRUST: scale must be 'auto' or a number above 0, e.g. 0.1; using 'auto'")
        merged["scale"] = "auto"
    seeds = merged["seeds"]
    if not isinstance(seeds, (list, tuple)) or not all(isinstance(s, str) for s in seeds):
        logger.error("TRUST: seeds must be a list of member handles, e.g. ['maria-lopez']; using none")
        merged["seeds"] = []
    _number(merged, "damping", 0.0, 0.99)
    _number(merged, "max_weight", 0.1)
    _number(merged, "half_life_days", 0.1)
    _number(merged, "min_weight", 0.0)
    _number(merged, "min_recommenders", 1)
    _number(merged, "min_scale_members", 1)
    _number(merged, "front_page", 0)
    _number(merged, "recommended_limit", 1)
    return merged
