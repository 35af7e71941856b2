"""Allies: a river of allied blogs' feeds, fetched safely into a cache, built offline.

Pelican and the page generator are imported only when Pelican loads the plugin, so
``tasks.py fetch`` and its parsing processes start fast.
"""

from __future__ import annotations

from typing import Any

from .spec import SPEC


def check(context: dict[str, Any], report: Any) -> None:
    """``tasks.py check``: validate allies.yaml (the cache is not read)."""
    from .model import allies_file, load_allies

    load_allies(allies_file(context["settings"]), report)


def get_generators(_pelican: object) -> type:
    from .generator import AlliesGenerator

    return AlliesGenerator


def register() -> None:
    from pelican import signals

    signals.get_generators.connect(get_generators)


__all__ = ["SPEC", "check", "register"]
