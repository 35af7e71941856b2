"""The on-disk cache in ``.cache/allies/``: ``health.json`` and ``feeds/<slug>.json``.

CI caches the folder between runs. Anything in it may be stale, truncated or
tampered with, so reading never raises: a bad file counts as "not fetched yet".
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from netroots.site import cache_dir, write_json

logger = logging.getLogger("netroots")
HEALTH = "health.json"
VERSION = 1
MAX_CACHE_FILE = 50_000_000


def folder(settings: dict[str, Any]) -> Path:
    return cache_dir(settings, "allies")


def _read_json(path: Path) -> Any:
    if not path.is_file():
        return None
    try:
        if path.stat().st_size > MAX_CACHE_FILE:
            raise ValueError("file too large")
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        logger.warning("allies: ignoring unreadable cache file %s (%s); fetch again to replace it", path.name, exc)
        return None


def read_health(base: Path) -> dict[str, dict[str, Any]]:
    """Per-ally state and health, by slug."""
    data = _read_json(base / HEALTH)
    if not isinstance(data, dict) or not isinstance(data.get("allies"), dict):
        return {}
    return {str(k): v for k, v in data["allies"].items() if isinstance(v, dict)}


def write_health(base: Path, health: dict[str, dict[str, Any]], finished: str) -> None:
    write_json(base / HEALTH, {"version": VERSION, "finished": finished, "allies": health})


def feed_path(base: Path, slug: str) -> Path:
    return base / "feeds" / f"{slug}.json"


def read_feed(base: Path, slug: str) -> dict[str, Any] | None:
    data = _read_json(feed_path(base, slug))
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        return None
    return data


def write_feed(base: Path, slug: str, data: dict[str, Any]) -> None:
    write_json(feed_path(base, slug), data)


def forget_feeds(base: Path, slugs: set[str]) -> list[str]:
    """Delete the cached feeds of allies no longer listed (``slugs``: those listed); returns
    their slugs. A removed or renamed ally's entries were kept for ever in a kept ``.cache/``,
    and no build reads them (the river reads the listed allies' feeds only)."""
    gone = []
    try:
        names = sorted(path.name for path in (base / "feeds").iterdir())
    except OSError:
        return gone
    for name in names:
        slug = name.removesuffix(".json")
        if name.endswith(".json") and slug not in slugs:
            feed_path(base, slug).unlink(missing_ok=True)
            gone.append(slug)
    return gone
