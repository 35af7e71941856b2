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

import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from hashlib import blake2b
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

from pelican.generators import Generator

from netroots.articlecache import DiaryChanges, diary_changes, kept_objects
from netroots.fingerprint import CHECK_KEPT, KeptChanged
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
from .shown import RelatedShown, made_from, shown_lists
from .spec import KIND_LABELS, search_settings
from .store import SEPARATOR, Names, RelatedStore, names_of

logger = logging.getLogger(__name__)


def search_state(settings: dict[str, Any]) -> dict[str, Any]:
    """This build's search state: ``settings`` (the ``SEARCH`` options it read)."""
    return build_state(settings, "search")


class Walk:
    """What the build's walk makes of each diary and page it walks: its key, path, kind and
    member's state, and of a diary what :func:`shown_lists` asks of it (the state of its kept
    object, its diary_id). One loop over the items: each walk of 50,000 objects restored from
    pickles is mostly memory fetched, whatever it reads."""

    def __init__(self, context: dict[str, Any], settings: dict[str, Any], content: Path) -> None:
        self.content = content
        self.prefix = f"{content}{os.sep}"
        self.members = members_in(context, settings)
        self.kept = kept_objects(settings).get
        self.items: dict[str, tuple[Any, str, str]] = {}  # key -> (item, kind, member's state)
        self.paths: dict[str, str] = {}  # key -> path
        self.records: list[str] = []  # "key\0kind\0member's state" of each item
        self.made: dict[str, bytes | None] = {}  # diary's key -> ``shown.made_from`` its object
        self.ids: dict[str, str] = {}  # diary_id -> key
        self.named: dict[str, str] = {}  # diary's key -> diary_id
        self.objects: dict[str, Any] = {}  # diary's key -> its object
        self.tags: dict[str, tuple[str, ...]] = {}  # diary's key -> its tags' names
        self.loose: list[str] = []  # the tags' names of the diaries left out (no diary_id, no key)
        self.states: dict[int, str] = {}  # of each author object, looked up once

    def add(self, group: Iterable[Any], kind: str) -> None:
        prefix, members, states, kept = self.prefix, self.members, self.states, self.kept
        items, paths, records = self.items, self.paths, self.records
        for item in group:
            state = ""
            if kind == "diary":
                diary_id = getattr(item, "diary_id", None)
                if not diary_id:  # not read by the diaries reader: nothing to index or relate
                    self.loose.extend(tag.name for tag in getattr(item, "tags", None) or ())
                    continue
                author = item.author
                state = states.get(id(author))
                if state is None:
                    state = states[id(author)] = getattr(members.get(author.name), "state", None) or ""
            source = item.source_path
            if source.startswith(prefix) and _plain(source):
                key, path = source[len(prefix) :], source
            else:
                try:
                    key, path = source_key(Path(source), self.content), os.path.abspath(source)
                except ValueError:
                    if kind == "diary":
                        self.loose.extend(tag.name for tag in getattr(item, "tags", None) or ())
                    continue
            items[key] = (item, kind, state)
            paths[key] = path
            records.append(f"{key}\0{kind}\0{state}")
            if kind == "diary":
                self.made[key] = made_from(item, kept(id(item)))
                self.ids[diary_id] = key
                self.named[key] = diary_id
                self.objects[key] = item
                self.tags[key] = tuple([tag.name for tag in getattr(item, "tags", None) or ()])


class Documents(KeyedView[tuple[str, str]]):
    """``key -> (content hash, kind)`` of the diaries and pages Pelican read (:func:`read_items`),
    each hash made when first asked: from the file's digest the reader made this build
    (netroots/readcache.py; the file is read only when it made none), its member's state and
    the tag vocabulary. :meth:`state` digests what every hash is made of, so a build whose
    documents are as the last one's makes none (50,000 hashes a build).

    Of a build that walked only the diaries that changed (``walked``: their keys; None: it
    walked all), the other diaries' hashes are their rows' in ``related.sqlite`` (``kept``)
    and their states and diary_ids were taken from their rows."""

    def __init__(
        self,
        walk: Walk,
        found: dict[str, str | None],
        vocabulary: str,
        everything: dict[str, None] | None = None,
        walked: set[str] | None = None,
        kept: Callable[[], dict[str, str]] | None = None,
        dropped: set[str] | None = None,
    ) -> None:
        self.sources = walk.items  # walked key -> (item, kind, member's state)
        self.keys_held = walk.items if everything is None else everything
        self.found = found  # path -> the file's digest (None: the reader made none)
        self.paths = walk.paths  # walked key -> path
        self.vocabulary = vocabulary
        self.made = walk.made  # diary's key -> ``shown.made_from`` its object
        self.ids = walk.ids  # diary_id -> key
        self.named = walk.named  # walked diary's key -> diary_id
        self.tags = walk.tags  # walked diary's key -> its tags' names
        self.loose = walk.loose
        self.diaries = list(walk.made)
        self.objects: Mapping[str, Any] = walk.objects  # diary's key -> its object
        self.records = walk.records  # "key\0kind\0member's state" of each walked document
        self.walked = walked
        self.kept = kept
        self.dropped = dropped or set()  # kept rows' diaries gone or walked again
        self.hashes: dict[str, str] = {}

    def __getitem__(self, key: str) -> tuple[str, str]:
        kind = self.sources[key][1] if key in self.sources else "diary"
        return self.content_hashes()[key], kind

    def content_hashes(self) -> dict[str, str]:
        """Every document's content hash by key (made once)."""
        if not self.hashes:
            hashes = {} if self.kept is None else self.kept()
            for key in hashes.keys() - self.keys_held.keys():
                del hashes[key]
            hashes.update(self._hashes())
            self.hashes = hashes
        return self.hashes

    def _hashes(self) -> dict[str, str]:
        """Each walked document's hash, made at once when one is asked for (a computation of
        related diaries compares them all with the kept ones): ``digest(file's digest, member's
        state, vocabulary)``, its parts joined as it joins them, in one call."""
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

    def state(self) -> str | None:
        """One digest of what every hash and kind is made of: each document's key, kind and
        member's state (``records``, made in the walk) and path, each path's digest and the
        vocabulary; equal states, equal hashes and kinds. Each joined whole, not a document at
        a time (a look-up and a string a document were 0.05 s at 50,000 diaries); where the
        reader made no digest of a file, of the hashes themselves. None when the walk walked
        only the diaries that changed (no digest of them all is made)."""
        if self.walked is not None:
            return None
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

    def whole(self) -> bool:
        """Does every document have a hash (of a walk of the diaries that changed, the others'
        rows each kept one)?"""
        if self.walked is None:
            return True
        hashes = self.content_hashes()
        return hashes.keys() == self.keys_held.keys() and set(map(type, hashes.values())) <= {str}

    def unchanged(self) -> bool:
        """Did the walk find every diary as the rows it kept left it (nothing walked, none gone)?"""
        return self.walked is not None and not self.walked and not self.dropped


class Objects(dict[str, Any]):
    """Each diary's object by key: those walked, the others looked up by path when first asked
    (a card to make)."""

    def __init__(self, walked: dict[str, Any], by_path: dict[str, Any], prefix: str) -> None:
        super().__init__(walked)
        self.by_path = by_path
        self.prefix = prefix

    def __missing__(self, key: str) -> Any:
        item = self[key] = self.by_path[self.prefix + key]
        return item


def walk_inputs(walk: Walk, found: dict[str, str | None], vocabulary: str, search: Any) -> str:
    """What the diaries' documents are made of besides their objects, which a build that walks
    only the diaries that changed takes as the last build's: the members' states, the tag
    vocabulary, the pages (walked each build) and the search settings."""
    members = sorted(f"{name}\0{getattr(member, 'state', None) or ''}" for name, member in walk.members.items())
    pages = Documents(walk, found, vocabulary)
    return digest(
        "\0".join(members).encode(),
        walk.prefix,
        vocabulary,
        repr(search),
        "\0".join(f"{key}\0{value}" for key, value in sorted(pages.content_hashes().items())),
    )


def read_items(
    context: dict[str, Any],
    settings: dict[str, Any],
    store: RelatedStore | None = None,
    changes: DiaryChanges | None = None,
) -> tuple[Documents, Callable[[str], Document], str]:
    """The diaries and pages Pelican read (:class:`Documents`: each with its kind, its
    member's state, and for a diary what :func:`shown_lists` asks of it), ``make(key)``,
    their search documents (what related diaries weigh), and the digest of what else they
    are made of (:func:`walk_inputs`).

    The pages are walked each build. Where ``store`` kept the last walk's rows with these
    inputs and ``changes`` knows which diaries changed since (netroots/articlecache.py
    ``diary_changes``), only those diaries, the new ones and the gone are walked
    (:func:`_walk_changed`); otherwise all of them."""
    content = Path(settings["PATH"]).resolve()
    vocabulary = vocabulary_digest(content)
    walk = Walk(context, settings, content)
    walk.add(context.get("pages", []), "page")
    reader = read_cache(settings)
    inputs = walk_inputs(
        walk, reader.digests_of(list(walk.paths.values())), vocabulary, search_state(settings).get("settings")
    )
    articles = context.get("articles", [])
    documents = None
    if store is not None and changes is not None:
        serial, _, kept_inputs = (store.meta("walk") or "").partition(" ")
        changed = changes.since(int(serial)) if kept_inputs == inputs and serial.isdigit() else None
        if changed is not None:
            documents = _walk_changed(walk, articles, store, changed, reader, vocabulary)
    if documents is None:
        walk.add(articles, "diary")
        documents = Documents(walk, reader.digests_of(list(walk.paths.values())), vocabulary)
    members, items = walk.members, documents.objects

    def make(key: str) -> Document:
        if key in documents.sources:
            item, kind, state = documents.sources[key]
            return build_document(key, item, kind, state)
        item = items[key]
        return build_document(key, item, "diary", getattr(members.get(item.author.name), "state", None) or "")

    return documents, make, inputs


def _walk_changed(
    walk: Walk, articles: list[Any], store: RelatedStore, changed: frozenset[str], reader: Any, vocabulary: str
) -> Documents | None:
    """:class:`Documents` of a walk of the diaries in ``changed`` (source paths), those not in
    the store's rows (new) and those gone from the rows, the others' states, diary_ids and
    hashes taken from their rows (their objects are restored from the pickles their rows were
    made of). None when the rows cannot say (a row without its diary_id)."""
    rows = store.rows()
    ids = dict(zip(map(itemgetter(3), rows.values()), rows, strict=True))
    if not rows or None in ids or len(ids) != len(rows):
        return None
    prefix = walk.prefix
    by_path = dict(zip(map(attrgetter("source_path"), articles), articles, strict=True))  # in C, as below
    kept_paths = dict(zip(map(prefix.__add__, rows), rows, strict=True))
    unchanged = kept_paths.keys() & by_path.keys() - changed
    walk.add([by_path[path] for path in sorted(by_path.keys() - unchanged)], "diary")
    walked = set(walk.made)
    dropped = {kept_paths[path] for path in kept_paths.keys() - unchanged} | (walked & rows.keys())
    kept_made = dict(zip(rows, map(itemgetter(1), rows.values()), strict=True))
    for key in dropped:
        del ids[rows[key][3]]
        del kept_made[key]
    walk.made = {**kept_made, **walk.made}
    walk.ids = {**ids, **walk.ids}
    walk.objects = Objects(walk.objects, by_path, prefix)
    everything = dict.fromkeys([*walk.paths, *walk.made])
    found = reader.digests_of(list(walk.paths.values()))
    return Documents(walk, found, vocabulary, everything, walked, store.hashes, dropped)


def keep_tags(store: RelatedStore, documents: Documents) -> Counter[str] | None:
    """How many diaries hold each tag (what /search/ offers), kept in ``store`` (meta ``tags``,
    each diary's tags in table ``tags``): of a walk of the changed diaries, the kept count less
    the tags of the diaries gone or walked again, plus the walked ones'. None when no count was
    kept."""
    tags = documents.tags
    if documents.walked is None:
        kept = store.tags()
        counts = Counter(name for names in tags.values() for name in names)
        joined = {key: SEPARATOR.join(names) for key, names in tags.items()}
        store.save_tags(
            {key: text for key, text in joined.items() if kept.get(key) != text}, kept.keys() - joined.keys()
        )
    else:
        found = store.meta("tags")
        if found is None:
            return None
        counts = Counter(json.loads(found))
        for text in store.tags(sorted(documents.dropped)).values():
            counts.subtract(names_of(text))
        for names in tags.values():
            counts.update(names)
        counts = +counts
        store.save_tags({key: SEPARATOR.join(names) for key, names in tags.items()}, documents.dropped - tags.keys())
    text = json.dumps(dict(sorted(counts.items())))
    if store.meta("tags") != text:
        store.set_meta("tags", text)
    return counts


def tag_names(articles: Iterable[Any]) -> set[str]:
    """The names of the diaries' tags, from every diary (a build that kept none)."""
    return {tag.name for article in articles for tag in getattr(article, "tags", None) or ()}


def _check_walk(context: dict[str, Any], settings: dict[str, Any], documents: Documents, lists: Names) -> None:
    """``NETROOTS_CHECK_KEPT``: a build that walked only the diaries that changed found what a
    walk of every diary finds (the diaries, their states, diary_ids and hashes, the lists'
    diaries); a difference fails the build."""
    whole, _, _ = read_items(context, settings)
    found = {
        "diaries": (sorted(documents.diaries), sorted(whole.diaries)),
        "states": (dict(documents.made), whole.made),
        "diary_ids": (dict(documents.ids), whole.ids),
        "hashes": (documents.content_hashes(), whole.content_hashes()),
        "lists": (set(lists), set(whole.diaries)),
    }
    for what, (kept, made) in found.items():
        if kept != made:
            raise KeptChanged(
                f"search: the {what} of a build that walked only the diaries that changed are not a whole walk's "
                f"(plugins/search/generator.py): {sorted(set(kept) ^ set(made))[:5] or 'values differ'}"
            )


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

    offered_tags: set[str] | None = None  # the names of the diaries' tags, when kept (``keep_tags``)

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
        for old in folder.glob("related*.pickle"):  # kept before related.sqlite
            old.unlink(missing_ok=True)
        documents, shown, recomputed = self._related(folder, count)
        self.context["search_related"] = shown
        logger.info(
            "search: related diaries of %d documents recomputed for %d in %.2f s",
            len(documents),
            len(recomputed),
            time.perf_counter() - started,
        )

    def _related(self, folder: Path, count: int) -> tuple[Documents, RelatedShown, list[str]]:
        """The related lists and what pages show of them, in one transaction of the store, with
        the diaries walked (those that changed, or all) and the lists recomputed."""
        store = related_store(folder, count)
        try:
            changes = diary_changes(self.settings)
            documents, make, inputs = read_items(self.context, self.settings, store, changes)
            if not documents.unchanged() and not documents.whole():  # a row without its hash: walk all
                documents, make, inputs = read_items(self.context, self.settings)
            if documents.unchanged():
                lists, recomputed = Names(store.names()), []
            else:
                workers = workers_for(self.settings, len(documents))
                state = (documents.state(), documents.diaries)
                lists, recomputed = update_related(documents, make, folder, count, workers, store, state)
            shown = shown_lists(
                store,
                documents.objects,
                lists,
                documents.made,
                documents.ids,
                documents.named,
                documents.walked,
                recomputed,
            )
            counts = keep_tags(store, documents)
            if counts is not None:
                self.offered_tags = {*counts, *documents.loose}
            if os.environ.get(CHECK_KEPT):
                self._check(documents, lists)
            kept = None if changes.serial is None or counts is None else f"{changes.serial} {inputs}"
            if store.meta("walk") != kept:
                store.set_meta("walk", kept)
        except BaseException:
            store.close(commit=False)
            raise
        store.close()
        return documents, shown, recomputed

    def _check(self, documents: Documents, lists: Names) -> None:
        """``NETROOTS_CHECK_KEPT``: what was kept of the diaries is what a walk of them all finds."""
        if documents.walked is not None:
            _check_walk(self.context, self.settings, documents, lists)
        offered = self.offered_tags
        if offered is not None and offered != tag_names(self.context.get("articles", [])):
            raise KeptChanged("search: the kept count of the diaries' tags is not theirs (keep_tags)")

    def generate_output(self, writer: Any) -> None:
        members = members_in(self.context, self.settings)
        tags = self.offered_tags
        if tags is None:
            tags = tag_names(self.context.get("articles", []))
        write_page(
            self,
            writer,
            "search/index.html",
            "search/index.html",
            page_title="Search",
            search_kinds=[(kind, KIND_LABELS.get(kind, kind.title())) for kind in self.search["kinds"]],
            search_members=sorted(members.values(), key=lambda m: m.name.casefold()),
            search_tags=sorted(tags, key=lambda name: (name.casefold(), name)),
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
