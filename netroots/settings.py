"""Each plugin's one UPPERCASE settings dict, merged over its documented defaults."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

logger = logging.getLogger("netroots")


def plugin_settings(settings: Mapping[str, Any], name: str, defaults: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``settings[name]`` over ``defaults``; unknown keys are warned about once."""
    given = settings.get(name) or {}
    if not isinstance(given, Mapping):
        logger.error("%s: the setting must be a dict like %s = {...}; using the defaults", name, name)
        given = {}
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        logger.warning("%s: unknown setting(s) %s; known: %s", name, ", ".join(unknown), ", ".join(sorted(defaults)))
    return {**defaults, **{k: v for k, v in given.items() if k in defaults}}
