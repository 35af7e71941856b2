"""The search plugin's part of the build: related diaries, ``/search/``, and what the
terminal index needs from a build.

Related diaries are computed right after Pelican reads the diaries (so each diary page
can show them), incrementally: only documents whose content hash changed have their
words counted again, and only the lists that can differ are recomputed. The terminal's
Whoosh index is not touched by builds: ``tasks.py search`` brings it up to date
(:func:`refresh`) from content/, the built pages and the other plugins' documents a
build keeps; a build that nobody searches from (CI) never pays for it.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Callable
from hashlib import blake2b
from pathlib import Path
from typing import Any

from pelican.generators import Generator

from netroots.articlecache import kept_objects
from netroots.members import members_in
from netroots.plugin import build_state
from netroots.readcache import read_cache, workers_for
from netroots.site import KeyedView, cache_dir, read_json, write_json, write_page

from .documents import (
    HTML_PREFIX,
    build_document,
    content_hash,
    digest,
    digest_of_hashes,
    html_document,
    scan_output,
    source_key,
    vocabulary_digest,
)
from .index import Document, Progress, SearchIndex, UpdateStats
from .related import related_store, update_related
from .shown import made_from, shown_lists
from .spec import KIND_LABELS, search_settings

logger = logging.getLogger(__name__)


def search_state(settings: dict[str, Any]) -> dict[str, Any]:
    """This build's search state: ``settings`` (the ``SEARCH`` options it read)."""
    return build_state(settings, "search")


class Documents(KeyedView[tuple[str, str]]):
    """``key -> (content hash, kind)`` of the diaries and pages Pelican read (:func:`read_items`),
    each hash made when first asked: from the file's digest the reader made this build
    (netroots/readcache.py; the file is read only when it made none), its member's state and
    the tag vocabulary. :meth:`state` digests what every hash is made of, so a build whose
    documents are as the last one's makes none (50,000 hashes a build)."""

    def __init__(
        self,
        items: dict[str, tuple[Any, str, str]],
        found: dict[str, str | None],
        paths: dict[str, str],
        vocabulary: str,
        made: dict[str, bytes | None],
        ids: dict[str, str],
        records: list[str],
        objects: dict[str, Any],
    ) -> None:
        self.sources = items  # key -> (item, kind, member's state)
        self.keys_held = self.sources
        self.found = found  # path -> the file's digest (None: the reader made none)
        self.paths = paths  # key -> path
        self.vocabulary = vocabulary
        self.made = made  # diary's key -> ``shown.made_from`` its object
        self.ids = ids  # diary_id -> key
        self.diaries = list(made)
        self.objects = objects  # diary's key -> its object (made in the walk, not from ``sources`` after it)
        self.records = records  # "key\0kind\0member's state" of each document
        self.hashes: dict[str, str] = {}

    def __getitem__(self, key: str) -> tuple[str, str]:
        return self.content_hashes()[key], self.sources[key][1]

    def content_hashes(self) -> dict[str, str]:
        """Every document's content hash by key (made once)."""
        if not self.hashes:
            self.hashes = self._hashes()
        return self.hashes

    def _hashes(self) -> dict[str, str]:
        """Every document's hash, made at once when one is asked for (a computation of related
        diaries compares them all with the kept ones): ``digest(file's digest, member's state,
        vocabulary)``, its parts joined as it joins them, in one call."""
        found, vocabulary = self.found, self.vocabulary
        hashes: dict[str, str] = {}
        for (key, (_, _, state)), path in zip(self.sources.items(), self.paths.values(), strict=True):
            made = found.get(path)
            hashes[key] = (
                blake2b(f"{made}\0{state}\0{vocabulary}".encode(), digest_size=16).hexdigest()
                if made
                else content_hash(Path(path), state, vocabulary)
            )
        return hashes

    def state(self) -> str:
        """One digest of what every hash and kind is made of: each document's key, kind and
        member's state (``records``, made in the walk) and path, each path's digest and the
        vocabulary; equal states, equal hashes and kinds. Each joined whole, not a document at
        a time (a look-up and a string a document were 0.05 s at 50,000 diaries); where the
        reader made no digest of a file, of the hashes themselves."""
        found = self.found
        if not all(found.values()):
            parts = [f"{key}\0{kind}\0{self[key][0]}" for key, (_, kind, _) in self.sources.items()]
            return "hashes " + digest("\0".join(parts).encode())
        joined = "\0".join
        return "sources " + digest(
            joined(self.records).encode(),
            joined(self.paths.values()),  # in the records' order
            joined(found),
            joined(found.values()),  # type: ignore[arg-type]
            self.vocabulary,
        )


def read_items(context: dict[str, Any], settings: dict[str, Any]) -> tuple[Documents, Callable[[str], Document]]:
    """The diaries and pages Pelican read (:class:`Documents`: each with its kind, its
    member's state, and for a diary what :func:`shown_lists` asks of it) and ``make(key)``,
    their search documents (what related diaries weigh). One walk of the diaries: each walk
    of 50,000 objects restored from pickles is mostly memory fetched, whatever it reads."""
    content = Path(settings["PATH"]).resolve()
    prefix = f"{content}{os.sep}"
    members = members_in(context, settings)
    kept = kept_objects(settings).get
    items: dict[str, tuple[Any, str, str]] = {}
    paths: dict[str, str] = {}
    made: dict[str, bytes | None] = {}
    ids: dict[str, str] = {}
    records: list[str] = []
    objects: dict[str, Any] = {}
    states: dict[int, str] = {}  # of each author object, looked up once
    for kind, group in (("diary", context.get("articles", [])), ("page", context.get("pages", []))):
        for item in group:
            state = ""
            if kind == "diary":
                diary_id = getattr(item, "diary_id", None)
                if not diary_id:
                    continue  # not read by the diaries reader: nothing to index or relate
                author = item.author
                state = states.get(id(author))
                if state is None:
                    state = states[id(author)] = getattr(members.get(author.name), "state", None) or ""
            source = item.source_path
            if source.startswith(prefix) and _plain(source):
                key, path = source[len(prefix) :], source
            else:
                try:
                    key, path = source_key(Path(source), content), os.path.abspath(source)
                except ValueError:
                    continue
            items[key] = (item, kind, state)
            paths[key] = path
            records.append(f"{key}\0{kind}\0{state}")
            if kind == "diary":
                made[key] = made_from(item, kept(id(item)))
                ids[diary_id] = key
                objects[key] = item
    # The reader hashed each file's bytes this build (netroots/readcache.py): not read again.
    found = read_cache(settings).digests_of(list(paths.values()))
    documents = Documents(items, found, paths, vocabulary_digest(content), made, ids, records, objects)

    def make(key: str) -> Document:
        item, kind, state = items[key]
        return build_document(key, item, kind, state)

    return documents, make


def _plain(source: str) -> bool:
    """``source`` (under content/) is its own key's absolute path: Pelican's are its folder
    joined to the names a walk found, already absolute and normal (no ``Path`` or ``abspath``
    a diary: 50,000 of each a build, for nothing)."""
    return os.sep == "/" and "/." not in source and "//" not in source


def search_index(settings: dict[str, Any]) -> SearchIndex:
    return SearchIndex(cache_dir(settings, "search") / "whoosh")


EXTRA_PREFIX = "extra:"
EXTRA_FILE = "documents-{}.json"


def is_source_key(key: str) -> bool:
    """Diaries and pages read from content/ (not built pages, not other plugins' documents)."""
    return not key.startswith(("html:", EXTRA_PREFIX))


def keep_extra_documents(folder: Path, published: Any) -> None:
    """Keep other plugins' documents (the context key ``search_documents``:
    ``key -> (content hash, Document fields)``; e.g. each comment, pointing at its anchor) for
    ``tasks.py search``, in ``documents-<hash of their hashes>.json``: written only when one changed."""
    published = dict(published or {})
    path = folder / EXTRA_FILE.format(digest_of_hashes({key: str(entry[0]) for key, entry in published.items()}))
    if path.is_file():
        return
    write_json(path, {key: [str(entry[0]), entry[1]] for key, entry in sorted(published.items())})
    for old in folder.glob(EXTRA_FILE.format("*")):
        if old != path:
            old.unlink(missing_ok=True)


def kept_extra_documents(folder: Path) -> dict[str, tuple[str, dict]]:
    """What the last build kept with :func:`keep_extra_documents` (nothing before a first build)."""
    for path in sorted(folder.glob(EXTRA_FILE.format("*"))):
        found = read_json(path)
        if isinstance(found, dict):
            return {key: (entry[0], entry[1]) for key, entry in found.items()}
    return {}


def index_extra_documents(index: SearchIndex, published: Any, progress: Progress) -> UpdateStats:
    """Other plugins' documents, as the last build kept them (:func:`keep_extra_documents`).

    They live under their own key prefix, so refreshing diaries and pages from content/
    leaves them alone.
    """
    published = dict(published or {})
    current = {EXTRA_PREFIX + key: str(entry[0]) for key, entry in published.items()}

    def make(key: str) -> Document | None:
        fields = published[key.removeprefix(EXTRA_PREFIX)][1]
        return Document(key=key, **{name: value for name, value in fields.items() if name != "key"})

    return index.update(current, make, scope=lambda key: key.startswith(EXTRA_PREFIX), progress=progress)


class SearchGenerator(Generator):
    """Sets ``search_related``, keeps other plugins' documents for the terminal, writes ``/search/``."""

    def generate_context(self) -> None:
        self.search = search_settings(self.settings)
        build = search_state(self.settings)
        build["settings"] = self.search
        self.context["search_related"] = {}
        self.context["search_settings"] = self.search
        if not self.search["whoosh"]:
            return
        started = time.perf_counter()
        folder = cache_dir(self.settings, "search")
        keep_extra_documents(folder, self.context.get("search_documents"))
        count = int(self.search["related"])
        if not count:
            return
        documents, make = read_items(self.context, self.settings)
        for old in folder.glob("related*.pickle"):  # kept before related.sqlite
            old.unlink(missing_ok=True)
        store = related_store(folder, count)  # one transaction: the lists and what pages show of them
        try:
            lists, recomputed = update_related(
                documents,
                make,
                folder,
                count,
                workers_for(self.settings, len(documents)),
                store,
                (documents.state(), documents.diaries),
            )
            shown = shown_lists(store, documents.objects, lists, documents.made, documents.ids)
        except BaseException:
            store.close(commit=False)
            raise
        store.close()
        self.context["search_related"] = shown
        logger.info(
            "search: related diaries of %d documents recomputed for %d in %.2f s",
            len(documents),
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


def refresh_from_content(
    settings: dict[str, Any],
    members: dict[str, Any],
    progress: Progress = list,
) -> tuple[SearchIndex, UpdateStats]:
    """Bring the index's diaries and pages up to date straight from ``content/`` (no build)."""
    from .documents import source_documents

    content = Path(settings["PATH"]).resolve()
    current, make = source_documents(content, members, settings)
    index = search_index(settings)
    stats = index.update(current, make, scope=is_source_key, progress=progress)
    return index, stats


def refresh(
    settings: dict[str, Any],
    members: dict[str, Any],
    progress: Progress = list,
) -> SearchIndex:
    """The terminal index, brought up to date (only what changed since it was last brought up
    to date is indexed): diaries and pages from ``content/``, other kinds from the last build's
    pages in the output folder and the documents it kept (comments...)."""
    index, _ = refresh_from_content(settings, members, progress)
    output = Path(settings["OUTPUT_PATH"])
    current = scan_output(output)[0] if output.is_dir() else {}
    index.update(
        current,
        lambda key: html_document(output, key.removeprefix(HTML_PREFIX)),
        scope=lambda key: key.startswith(HTML_PREFIX),
        progress=progress,
    )
    index_extra_documents(index, kept_extra_documents(cache_dir(settings, "search")), progress)
    return index
