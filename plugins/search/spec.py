"""The search plugin's contract: the ``SEARCH = {...}`` settings (docs/search.md has more)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netroots.plugin import PluginSpec
from netroots.settings import FLAG, STRINGS, Kind, Setting, number, whole

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
    "comment": "Comments",
}


def _kinds(value: Any) -> list[str]:
    kinds = STRINGS.accept(value)
    if not all(kind in KIND_LABELS for kind in kinds):
        raise ValueError
    return kinds


SPEC = PluginSpec(
    name="search",
    doc="Pagefind in the browser, a Whoosh index for the terminal, related diaries and tag hints.",
    settings_name="SEARCH",
    settings=(
        Setting(
            "whoosh",
            True,
            FLAG,
            "Related diaries, and keeping other plugins' documents for the terminal index; False skips both.",
        ),
        Setting("pagefind", True, FLAG, "Run the Pagefind CLI over the output folder at the end of every build."),
        Setting("pagefind_args", [], STRINGS, "Extra arguments for the Pagefind CLI, e.g. ['--force-language', 'en']."),
        Setting(
            "pagefind_timeout", 300, number(above=0), "Seconds before a Pagefind run is stopped (the build goes on)."
        ),
        Setting(
            "pagefind_part_pages",
            500,
            whole(minimum=1),
            "Pages per part of the Pagefind index, about: a build re-indexes only the parts whose pages changed.",
        ),
        Setting("related", 5, whole(minimum=0), "How many related diaries each diary page shows (0: none)."),
        Setting(
            "kinds",
            list(KIND_LABELS),
            Kind(f"a list of kinds from {', '.join(KIND_LABELS)}", _kinds),
            "The kinds the /search/ page offers as a filter, in order.",
        ),
        Setting("results", 10, whole(minimum=1), "Results per page in the browser and in the terminal."),
    ),
    provides=("search_related", "search_settings"),
    uses=("diaries", "tag_vocabulary", "search_documents"),
    optional=True,
    docs="docs/search.md",
)


def search_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``SEARCH`` over the defaults; a bad value is logged and replaced by its default."""
    return SPEC.options(settings)
