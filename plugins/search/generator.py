"""The search plugin's part of the build: the Whoosh index, related diaries, ``/search/``.

Diaries and pages are indexed right after Pelican reads them (so each diary page
can show its related diaries), incrementally: only files whose content hash changed
are re-indexed, and only their related lists are recomputed.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
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
from .index import Document, DocumentWords, SearchIndex, UpdateStats
from .related import update_related
from .spec import KIND_LABELS, search_settings

logger = logging.getLogger(__name__)


def search_state(settings: dict[str, Any]) -> dict[str, Any]:
    """This build's search state: ``first_index`` (the second process), ``settings``, and ``skip``
    (what was indexed from content/, so ``finalized`` skips those pages in the HTML)."""
    return build_state(settings, "search")


def start_first_index(pelican: Any) -> None:
    """``initialized``: a first build (no index yet) forks its second process now, while the
    build is small: the process, and the Whoosh sub-writers it starts, then hold the documents
    they index and not a copy of 10,000 diaries' objects. It waits for the documents
    (:func:`send_first_documents`), indexes them while the build makes the other plugins'
    context, the related diaries and every page, and the build waits for it only in
    ``finalized`` (:func:`finish_first_index`), where the index is next used."""
    settings = pelican.settings
    if not search_settings(settings)["whoosh"] or search_index(settings).exists():
        return
    receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)
    # os.fork, not a multiprocessing child: one the interpreter would wait for at exit,
    # which a build stopped before sending would never end. This one ends when the pipe closes.
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child; tests see what it indexed)
        status = 1
        try:
            send.close()
            _index_received(receive, settings)
            status = 0
        finally:
            os._exit(status)
    receive.close()
    search_state(settings)["first_index"] = (pid, send)


def _index_received(receive: Any, settings: dict[str, Any]) -> None:
    """The second process: every ``(Document, content hash)`` the build sends, then ``None``;
    indexed in one update. A closed pipe (the build stopped) raises: nothing is indexed."""
    current: dict[str, str] = {}
    documents: dict[str, Document] = {}
    while (batch := receive.recv()) is not None:
        for document, digest in batch:
            current[document.key] = digest
            documents[document.key] = document
    receive.close()
    search_index(settings).update(current, documents.pop, scope=is_source_key, buffer_mb=FIRST_INDEX_BUFFER_MB)


def send_first_documents(generator: Any) -> None:
    """``page_generator_finalized``: Pelican has read every diary and page (the diaries in
    worker processes), so a first build makes their search documents now (``read_items``, no
    file parsed again), sends them to the second process, and counts their words for the
    related diaries (:class:`DocumentWords`)."""
    build = search_state(generator.settings)
    first = build.pop("first_index", None)
    if first is None:
        return
    pid, send = first
    items, current, make = read_items(generator.context, generator.settings)
    words = DocumentWords(workers_for(generator.settings, len(current)))
    batch: list[tuple[Document, str]] = []
    try:
        for key, digest in current.items():
            document = make(key)
            batch.append((document, digest))
            words.add(document, digest)
            if len(batch) == SEND_BATCH:
                send.send(batch)
                batch = []
        send.send(batch)
        send.send(None)
    except OSError:
        pass  # the second process ended: finish_first_index reports it and indexes here
    finally:
        send.close()
    build["first"] = (pid, items, current, make, words)


SEND_BATCH = 200  # documents a message: the second process indexes while the rest are made
# Whoosh's buffer in each of the second process's two sub-writers. They index while the build
# renders, so their memory adds to the rendering processes': half the usual 256 MB (about 330 MB
# less at 10,000 diaries, for about 10 s more CPU in the background, merging the spilled runs).
FIRST_INDEX_BUFFER_MB = 128


def finish_first_index(settings: dict[str, Any]) -> SearchIndex:
    """The search index once this build's diaries, pages and other plugins' documents are in it:
    in a first build, after the second process ended (or, if it failed, indexed here)."""
    build = search_state(settings)
    first, published = build.pop("first", None), build.pop("published", None)
    index = search_index(settings)
    if first is None:
        return index
    pid, _, current, make, _ = first
    if os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0:
        logger.warning("search: the first indexing process failed; indexing here instead")
        index.clear()
    stats = index.update(current, make, scope=is_source_key)  # found done, unless indexed here
    extra = index_extra_documents(index, published)
    logger.info("search: indexed content (%s), other plugins' documents (%s)", stats, extra)
    return index


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


def extra_documents(published: Any) -> tuple[dict[str, str], Callable[[str], Document]]:
    """Other plugins' documents, from the context key ``search_documents``
    (``key -> (content hash, Document fields)``; e.g. each comment, pointing at its anchor), as
    ``extra:<key> -> content hash`` and ``make(key)``.

    They live under their own key prefix, so ``tasks.py search`` (which refreshes diaries
    and pages from content/) leaves them as the last build indexed them.
    """
    published = dict(published or {})
    current = {EXTRA_PREFIX + key: str(entry[0]) for key, entry in published.items()}

    def make(key: str) -> Document:
        fields = published[key.removeprefix(EXTRA_PREFIX)][1]
        return Document(key=key, **{name: value for name, value in fields.items() if name != "key"})

    return current, make


def index_extra_documents(index: SearchIndex, published: Any) -> UpdateStats:
    """Index other plugins' documents (:func:`extra_documents`)."""
    current, make = extra_documents(published)
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
        published = self.context.get("search_documents")
        if "first_index" in build:  # sent to the second process at page_generator_finalized, or now
            send_first_documents(self)
        if "first" in build:  # a first build: Whoosh indexes in the second process meanwhile
            _, items, current, make, words = build["first"]
            build["published"] = published
            extra, make_extra = extra_documents(published)
            for key, digest in extra.items():
                words.add(make_extra(key), digest)
            stats = UpdateStats(added=sorted(words.entries()))
            related, recomputed = update_related(words, stats, self.folder, int(self.search["related"]))
            done = f"content and other plugins' documents: {len(stats.added)} to index in the second process"
        else:
            items, current, make = read_items(self.context, self.settings)
            index = search_index(self.settings)
            index.workers = workers_for(self.settings, len(current))  # a first build's related lists: every core
            stats = index.update(current, make, scope=is_source_key)
            extra_stats = index_extra_documents(index, published)
            related, recomputed = update_related(index, stats, self.folder, int(self.search["related"]))
            done = f"indexed content ({stats}), other plugins' documents ({extra_stats})"
        by_url = {article.url: article for article in articles}
        self.context["search_related"] = {
            items[key][0].diary_id: [by_url[url] for url in urls if url in by_url]
            for key, urls in related.items()
            if key in items and items[key][1] == "diary"
        }
        logger.info(
            "search: %s; related diaries recomputed for %d in %.2f s",
            done,
            len(recomputed),
            time.perf_counter() - started,
        )

    @property
    def folder(self) -> Path:
        """Where the related diaries' caches live (beside the Whoosh index)."""
        return search_index(self.settings).folder.parent

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
