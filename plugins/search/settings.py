"""``SEARCH = {...}`` in pelicanconf.py: what each key does (docs/search.md has more)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netroots.settings import plugin_settings

DEFAULTS: dict[str, Any] = {
    # Build-time Whoosh work (the terminal index and related diaries); False skips it.
    "whoosh": True,
    # Run the Pagefind CLI over the output folder at the end of every build.
    "pagefind": True,
    # Extra arguments for the Pagefind CLI, e.g. ["--force-language", "en"].
    "pagefind_args": [],
    # Seconds before a Pagefind run is stopped (the build goes on without search).
    "pagefind_timeout": 300,
    # How many related diaries each diary page shows (0: none).
    "related": 5,
    # The kinds the /search/ page offers as a filter, in order.
    "kinds": ["diary", "action", "job", "event", "chapter", "ally", "contact", "member", "group", "page"],
    # Results per page in the browser and in the terminal.
    "results": 10,
}

KIND_LABELS = {
    "diary": "Diaries",
    "action": "Actions",
    "job": "Jobs",
    "event": "Events",
    "chapter": "Chapters",
    "ally": "Allies",
    "contact": "Contacts",
    "member": "Members",
    "group": "Groups",
    "page": "Pages",
}


def search_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    return plugin_settings(settings, "SEARCH", DEFAULTS)
