"""The search plugin's part of the build: the Whoosh index, related diaries, ``/search/``.

Diaries and pages are indexed right after Pelican reads them (so each diary page
can show its related diaries), incrementally: only files whose content hash changed
are re-indexed, and only their related lists are recomputed.
"""

from __future__ import annotations

import logging
import multiprocessing
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pelican.generators import Generator

from netroots.members import members_in
from netroots.plugin import build_state
from netroots.readcache import workers_for
from netroots.site import cache_dir, write_page

from .documents import build_document, content_hash, source_key, vocabulary_digest
from .index import Document, SearchIndex, UpdateStats
from .related import update_related
from .spec import KIND_LABELS, search_settings

logger = logging.getLogger(__name__)


def search_state(settings: dict[str, Any]) -> dict[str, Any]:
    """This build's search state: ``first_index`` (the second process), ``settings``, and ``skip``
    (what was indexed from content/, so ``finalized`` skips those pages in the HTML)."""
    return build_state(settings, "search")


def start_first_index(generator: Any) -> None:
    """``page_generator_finalized``: a first build indexes every diary and page. Pelican has just
    read them all (the diaries in worker processes), so a second process forked now indexes what
    was read, parsing no file again, while the other plugins make their context and pages
    (``generate_context`` waits for it, then finds every key indexed with the same hash)."""
    settings = generator.settings
    if not search_settings(settings)["whoosh"] or search_index(settings).exists():
        return
    process = multiprocessing.get_context("fork").Process(
        target=_index_content_or_exit, args=(generator.context, settings)
    )
    process.start()
    search_state(settings)["first_index"] = process


def _index_content_or_exit(context: dict[str, Any], settings: dict[str, Any]) -> None:
    """The second process: on any failure it exits with 1, and the build indexes itself."""
    try:
        _index_content(context, settings)
    except Exception:
        sys.exit(1)


def _index_content(context: dict[str, Any], settings: dict[str, Any]) -> None:
    _, current, make = read_items(context, settings)
    search_index(settings).update(current, make, scope=is_source_key)


def read_items(
    context: dict[str, Any], settings: dict[str, Any]
) -> tuple[dict[str, tuple[Any, str, str]], dict[str, str], Callable[[str], Document]]:
    """The diaries and pages Pelican read: ``key -> (item, kind, member's state)``, ``key -> content
    hash``, and ``make(key)``, their search documents (what a first build and each build index)."""
    content = Path(settings["PATH"]).resolve()
    members = members_in(context, settings)
    vocabulary = vocabulary_digest(content)
    items: dict[str, tuple[Any, str, str]] = {}
    current: dict[str, str] = {}
    for kind, group in (("diary", context.get("articles", [])), ("page", context.get("pages", []))):
        for item in group:
            if kind == "diary" and not getattr(item, "diary_id", None):
                continue  # not read by the diaries reader: nothing to index or relate
            path = Path(item.source_path)
            try:
                key = source_key(path, content)
            except ValueError:
                continue
            state = (getattr(members.get(item.author.name), "state", None) or "") if kind == "diary" else ""
            items[key] = (item, kind, state)
            current[key] = content_hash(path, state, vocabulary)

    def make(key: str) -> Document:
        item, kind, state = items[key]
        return build_document(key, item, kind, state)

    return items, current, make


def search_index(settings: dict[str, Any]) -> SearchIndex:
    return SearchIndex(cache_dir(settings, "search") / "whoosh")


EXTRA_PREFIX = "extra:"


def is_source_key(key: str) -> bool:
    """Diaries and pages read from content/ (not built pages, not other plugins' documents)."""
    return not key.startswith(("html:", EXTRA_PREFIX))


def index_extra_documents(index: SearchIndex, published: Any) -> UpdateStats:
    """Other plugins' documents, from the context key ``search_documents``:
    ``key -> (content hash, Document fields)``; e.g. each comment, pointing at its anchor.

    They live under their own key prefix, so ``tasks.py search`` (which refreshes diaries
    and pages from content/) leaves them as the last build indexed them.
    """
    published = dict(published or {})
    current = {EXTRA_PREFIX + key: str(entry[0]) for key, entry in published.items()}

    def make(key: str) -> Document | None:
        fields = published[key.removeprefix(EXTRA_PREFIX)][1]
        return Document(key=key, **{name: value for name, value in fields.items() if name != "key"})

    return index.update(current, make, scope=lambda key: key.startswith(EXTRA_PREFIX))


class SearchGenerator(Generator):
    """Indexes diaries and pages, sets ``search_related``, and writes ``/search/``."""

    def generate_context(self) -> None:
        self.search = search_settings(self.settings)
        build = search_state(self.settings)
        build["settings"] = self.search
        self.context["search_related"] = {}
        self.context["search_settings"] = self.search
        articles = list(self.context.get("articles", []))
        pages = list(self.context.get("pages", []))
        build["skip"] = {item.save_as for item in [*articles, *pages]}
        if not self.search["whoosh"]:
            return
        started = time.perf_counter()
        items, current, make = read_items(self.context, self.settings)
        first_index = build.pop("first_index", None)
        index = search_index(self.settings)
        index.workers = workers_for(self.settings, len(current))  # a first build's related lists: every core
        if first_index is not None:
            first_index.join()  # same keys and hashes: the update below finds them done
            if first_index.exitcode != 0:
                logger.warning("search: the first indexing process failed; indexing here instead")
                index.clear()
        stats = index.update(current, make, scope=is_source_key)
        extra = index_extra_documents(index, self.context.get("search_documents"))
        related, recomputed = update_related(index, stats, index.folder.parent, int(self.search["related"]))
        by_url = {article.url: article for article in articles}
        self.context["search_related"] = {
            items[key][0].diary_id: [by_url[url] for url in urls if url in by_url]
            for key, urls in related.items()
            if key in items and items[key][1] == "diary"
        }
        logger.info(
            "search: indexed content (%s), other plugins' documents (%s); related diaries recomputed for %d in %.2f s",
            stats,
            extra,
            len(recomputed),
            time.perf_counter() - started,
        )

    def generate_output(self, writer: Any) -> None:
        members = members_in(self.context, self.settings)
        tag_counts: Counter[str] = Counter()
        for article in self.context.get("articles", []):
            tag_counts.update(tag.name for tag in getattr(article, "tags", []))
        write_page(
            self,
            writer,
            "search/index.html",
            "search/index.html",
            page_title="Search",
            search_kinds=[(kind, KIND_LABELS.get(kind, kind.title())) for kind in self.search["kinds"]],
            search_members=sorted(members.values(), key=lambda m: m.name.casefold()),
            search_tags=sorted(tag_counts, key=str.casefold),
            search_states=sorted({m.state for m in members.values() if m.state}),
        )


def refresh_from_content(settings: dict[str, Any], members: dict[str, Any]) -> tuple[SearchIndex, UpdateStats]:
    """Bring the index's diaries and pages up to date straight from ``content/`` (no build).

    Same keys and hashes as the build, so a later build does not redo this work.
    """
    from .documents import source_documents

    content = Path(settings["PATH"]).resolve()
    current, make = source_documents(content, members, settings)
    index = search_index(settings)
    stats = index.update(current, make, scope=is_source_key)
    return index, stats
