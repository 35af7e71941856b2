"""The build-time and terminal search index: the ONE module that imports Whoosh.

Whoosh (the pinned ``Whoosh-Reloaded`` fork) is lightly maintained, so everything
else in Netroots talks to this small API instead: :class:`Document` in,
:class:`Hit` out, updated incrementally by content hash. Swapping the engine means
rewriting this file only.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import highlight, index, qparser, query, scoring, versionstring
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from netroots.site import read_json, write_json
from netroots.workers import in_workers

logger = logging.getLogger(__name__)

# Bump when the schema or the way documents are made changes: the index is rebuilt.
VERSION = 2
# What the words of a document depend on besides its text (caches of them compare it).
ANALYSIS = f"{VERSION} whoosh {versionstring()}"
INDEX_NAME = "netroots"


def idf(total: int, frequency: int) -> float:
    """A word's weight for "more like this", in steps of 0.1: one diary more or less (or a
    word more in one diary) rarely moves a step, so it rarely moves other diaries' signatures
    and an incremental build recomputes few related lists (plugins/search/related.py)."""
    return round(math.log(1 + total / frequency), 1)


def _schema() -> Schema:
    text = StemmingAnalyzer()
    return Schema(
        key=ID(unique=True, stored=True),
        url=ID(stored=True),
        kind=ID(stored=True),
        member=ID(stored=True),
        state=ID(stored=True),
        tags=KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        title=TEXT(stored=True, analyzer=text, field_boost=2.0),
        body=TEXT(stored=True, analyzer=text),
        summary=STORED,
        date=STORED,
    )


@dataclass
class Document:
    """One searchable item: a diary, a page, an action, a job, an event, an ally..."""

    key: str  # where it comes from: "diaries/ana/2026-03-01-x.md", "html:actions/x/index.html"
    url: str  # site path, e.g. "diaries/ana/x/"
    kind: str
    title: str
    body: str
    summary: str = ""
    date: str = ""
    member: str = ""
    state: str = ""
    tags: tuple[str, ...] = ()


@dataclass
class Hit:
    """A search result; ``snippet`` marks matches with the formatter's markers."""

    url: str
    kind: str
    title: str
    score: float
    snippet: str = ""
    summary: str = ""
    date: str = ""
    member: str = ""
    state: str = ""
    tags: list[str] = field(default_factory=list)


@dataclass
class UpdateStats:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def touched(self) -> set[str]:
        return {*self.added, *self.changed}

    def __str__(self) -> str:
        return f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed, {self.unchanged} unchanged"


class _Marker(highlight.Formatter):
    """Wraps each matched term in ``before``/``after`` (``<mark>`` or terminal styles)."""

    between = " … "

    def __init__(self, before: str, after: str, escape: Callable[[str], str] = str) -> None:
        self.before, self.after, self.escape = before, after, escape

    def format_token(self, text: str, token, replace: bool = False) -> str:
        return f"{self.before}{self.escape(highlight.get_text(text, token, replace))}{self.after}"

    def _text(self, text: str) -> str:
        return self.escape(text)


def _terms(text: str) -> list[str]:
    return [token.text for token in StemmingAnalyzer()(text)]


class SearchIndex:
    """A Whoosh index in ``folder`` plus a manifest of each document's content hash.

    ``workers``: processes that may share a walk over every document's words (a first build's
    related diaries, :meth:`document_terms`); 1 keeps it in this process."""

    def __init__(self, folder: Path, workers: int = 1) -> None:
        self.folder = Path(folder)
        self.workers = workers
        self.manifest_path = self.folder / "manifest.json"
        self._index = None
        self._manifest: dict[str, dict[str, str]] | None = None

    # -- opening -----------------------------------------------------------
    def exists(self) -> bool:
        return self.manifest_path.is_file() and index.exists_in(str(self.folder), INDEX_NAME)

    def _open(self):
        if self._index is None:
            manifest = self.manifest
            if manifest.get("__version__", {}).get("hash") != str(VERSION) or not index.exists_in(
                str(self.folder), INDEX_NAME
            ):
                self.clear()
            self._index = index.open_dir(str(self.folder), indexname=INDEX_NAME)
        return self._index

    def clear(self) -> None:
        """Start over with an empty index (a new schema version, or a corrupt folder)."""
        self._index = None
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        index.create_in(str(self.folder), _schema(), indexname=INDEX_NAME)
        self._manifest = {"__version__": {"hash": str(VERSION)}}
        self._save_manifest()

    @property
    def manifest(self) -> dict[str, dict[str, str]]:
        if self._manifest is None:
            found = read_json(self.manifest_path)
            self._manifest = found if isinstance(found, dict) else {}
        return self._manifest

    def _save_manifest(self) -> None:
        write_json(self.manifest_path, self.manifest)

    def entries(self, prefix: str = "") -> dict[str, dict[str, str]]:
        """``key -> {hash, url, kind}`` for the indexed documents whose key starts with ``prefix``."""
        return {k: v for k, v in self.manifest.items() if k != "__version__" and k.startswith(prefix)}

    # -- writing -----------------------------------------------------------
    def update(
        self,
        current: Mapping[str, str],
        make: Callable[[str], Document | None],
        scope: Callable[[str], bool] = lambda key: True,
    ) -> UpdateStats:
        """Bring the documents in ``scope`` in line with ``current`` (``key -> content hash``).

        ``make(key)`` is called only for new and changed keys; indexed keys in
        ``scope`` missing from ``current`` are deleted. Nothing else is touched.
        """
        ix = self._open()
        known = {k: v for k, v in self.entries().items() if scope(k)}
        stats = UpdateStats()
        stats.removed = sorted(set(known) - set(current))
        todo = []
        for key, digest in current.items():
            entry = known.get(key)
            if entry is None:
                todo.append(key)
                stats.added.append(key)
            elif entry["hash"] != digest:
                todo.append(key)
                stats.changed.append(key)
            else:
                stats.unchanged += 1
        if not todo and not stats.removed:
            return stats
        # A first build indexes every diary: a second process halves that on two cores.
        procs = 2 if len(todo) > 200 and (os.cpu_count() or 1) > 1 else 1
        writer = ix.writer(limitmb=256, procs=procs, multisegment=procs > 1)
        try:
            for key in [*stats.removed, *stats.changed]:
                writer.delete_by_term("key", key)
                self.manifest.pop(key, None)
            for key in todo:
                document = make(key)
                if document is None:
                    continue
                writer.add_document(
                    key=document.key,
                    url=document.url,
                    kind=document.kind,
                    member=document.member,
                    state=document.state,
                    tags=",".join(document.tags),
                    title=document.title,
                    body=document.body,
                    summary=document.summary,
                    date=document.date,
                )
                self.manifest[key] = {"hash": current[key], "url": document.url, "kind": document.kind}
        except BaseException:
            writer.cancel()
            self._manifest = None
            raise
        writer.commit()
        self._save_manifest()
        return stats

    # -- reading -----------------------------------------------------------
    def search(
        self,
        text: str,
        *,
        kind: str | None = None,
        member: str | None = None,
        tag: str | None = None,
        state: str | None = None,
        limit: int = 10,
        marks: tuple[str, str] = ("<mark>", "</mark>"),
        escape: Callable[[str], str] = str,
    ) -> list[Hit]:
        """Ranked hits for ``text`` (BM25F over title, tags and body), with marked snippets."""
        ix = self._open()
        parser = qparser.MultifieldParser(["title", "tags", "body"], ix.schema, group=qparser.AndGroup)
        parsed = parser.parse(text)
        wanted = [
            query.Term(name, value.lower() if name == "tags" else value)
            for name, value in (("kind", kind), ("member", member), ("tags", tag), ("state", state))
            if value
        ]
        with ix.searcher(weighting=scoring.BM25F()) as searcher:
            results = searcher.search(parsed, limit=limit, filter=query.And(wanted) if wanted else None, terms=True)
            results.formatter = _Marker(*marks, escape=escape)
            results.fragmenter = highlight.ContextFragmenter(maxchars=160, surround=60)
            return [
                self._hit(hit, hit.score, hit.highlights("body", top=2) or escape(hit["summary"] or ""))
                for hit in results
            ]

    @staticmethod
    def _hit(stored, score: float, snippet: str = "") -> Hit:
        return Hit(
            url=stored["url"],
            kind=stored["kind"],
            title=stored["title"],
            score=score,
            snippet=snippet,
            summary=stored.get("summary") or "",
            date=stored.get("date") or "",
            member=stored.get("member") or "",
            state=stored.get("state") or "",
            tags=[t for t in (stored.get("tags") or "").split(",") if t],
        )

    def document_terms(self, keys: Iterable[str]) -> Mapping[str, Terms]:
        """What "more like this" needs of each indexed document among ``keys`` (:class:`Terms`).

        A few documents: their stored title and body are analysed again, as indexing did.
        Many: one pass over the index's postings, its words shared out over ``workers``
        processes, kept compact (:class:`WalkedTerms`). Both give the same numbers
        (tests/test_search.py), so a cache of them equals a fresh computation.
        """
        ix = self._open()
        with ix.searcher() as searcher:
            numbers = _document_numbers(searcher, set(keys))
            tags = {
                number: [tag for tag in (searcher.stored_fields(number).get("tags") or "").lower().split(",") if tag]
                for number in numbers
            }
            if len(numbers) * WALK_SHARE >= searcher.doc_count():
                return WalkedTerms(self._walked_in_workers(ix, searcher.reader(), numbers), numbers, tags)
            found = {}
            for number in numbers:
                weighted, body = _analysed(ix.schema, searcher.stored_fields(number))
                found[numbers[number]] = Terms(weighted, sorted(set(weighted) - body), tags[number])
        return found

    def _walked_in_workers(self, ix: Any, reader: Any, numbers: Mapping[int, str]) -> list[Walk]:
        """:func:`_walked`, each of ``self.workers`` processes walking the postings of its share
        of the words (a word's title and body postings in one process, added in the same
        order: the same sums as one walk). A share whose process failed is walked here."""
        if self.workers < 2:
            return [_walked(ix, reader, numbers)]

        def walk(share: int, shares: int) -> Walk:
            if share == 0:
                return _walked(ix, reader, numbers, share, shares)
            # A forked process reads through its own files, never the parent's open ones.
            with index.open_dir(str(self.folder), indexname=INDEX_NAME).reader() as own:
                return _walked(ix, own, numbers, share, shares)

        walks = []
        for share, (ok, answer) in enumerate(in_workers(self.workers, walk, here=True)):
            if not ok:
                logger.warning(
                    "search: reading words for related diaries failed in a worker process; read here instead (%s)",
                    str(answer).splitlines()[0],
                )
                answer = _walked(ix, reader, numbers, share, self.workers)
            walks.append(answer)
        return walks

    def holding(self, words: Iterable[str]) -> set[str]:
        """Keys of the documents whose title or body holds one of ``words`` (from the postings of
        those words only; it may include documents deleted since, never miss a current one)."""
        ix = self._open()
        with ix.searcher() as searcher:
            reader = searcher.reader()
            numbers: set[int] = set()
            for field_name, _ in FIELD_WEIGHTS:
                for word in words:
                    if (field_name, word) in reader:
                        numbers.update(reader.postings(field_name, word).all_ids())
            return {searcher.stored_fields(number)["key"] for number in numbers}

    def signatures(
        self, keys: Iterable[str], *, terms: int = 12, corpus: Iterable[str] | None = None
    ) -> dict[str, dict[str, float]]:
        """Each document's "more like this" signature (:func:`signature_of`), with document
        frequencies over the ``corpus`` documents (default: ``keys``) in the index: the result
        depends on those documents alone, never on deleted documents waiting for a merge or
        on other kinds indexed later, so an incremental build computes what a clean one does.
        """
        keys = list(keys)
        found = self.document_terms({*keys, *(corpus if corpus is not None else ())})
        frequencies = document_frequencies(found.values())
        total = max(len(found), 1)
        return {key: signature_of(found[key], frequencies, total, terms) for key in keys if key in found}

    def count(self) -> int:
        with self._open().searcher() as searcher:
            return searcher.doc_count()


def _document_numbers(searcher: Any, keys: set[str]) -> dict[int, str]:
    """Whoosh's document number -> key, for the keys that are in the index."""
    members: dict[int, str] = {}
    for key in keys:
        number = searcher.document_number(key=key)
        if number is not None:
            members[number] = key
    return members


@dataclass(frozen=True)
class Terms:
    """One document's words for "more like this": ``counts`` weighs each word by its
    occurrences (title words twice), ``title_only`` are words not in the body (they count
    for the signature, not for document frequencies), ``tags`` are lowercased."""

    counts: dict[str, float]
    title_only: list[str]
    tags: list[str]

    def body(self) -> set[str]:
        return set(self.counts).difference(self.title_only)

    def to_json(self) -> list:
        return [self.counts, self.title_only, self.tags]

    @classmethod
    def from_json(cls, data: list) -> Terms:
        counts, title_only, tags = data
        return cls(counts, title_only, tags)


# document_terms analyses stored text again for fewer than 1 in WALK_SHARE documents (about
# as costly per document as a walk over everything is per document), and
# walks the postings of all for more (a first build, a new vocabulary).
WALK_SHARE = 3
# (field, weight): title words count twice.
FIELD_WEIGHTS = (("title", 2.0), ("body", 1.0))


def _analysed(schema: Any, stored: Mapping[str, Any]) -> tuple[dict[str, float], set[str]]:
    """Weighted counts and body words of one document, from its stored text, as indexing made
    its postings (the same analyzer, the same weights, added in the same order as :func:`_walked`)."""
    counts: dict[str, float] = {}
    body: set[str] = set()
    for field_name, weight in FIELD_WEIGHTS:
        weight /= schema[field_name].format.field_boost  # postings carry the field's boost
        for word, _, posting_weight, _ in schema[field_name].index(stored.get(field_name) or ""):
            term = word.decode("utf-8") if isinstance(word, bytes) else word
            counts[term] = counts.get(term, 0.0) + weight * posting_weight
            if field_name == "body":
                body.add(term)
    return counts, body


# One share of a walk: its words, and per document number the words it holds (each a
# word's number times two, plus one for a body word) and their weights, in walk order.
Walk = tuple[list[str], dict[int, tuple[array, array]]]


def _walked(ix: Any, reader: Any, numbers: Mapping[int, str], share: int = 0, shares: int = 1) -> Walk:
    """The words and weights of the ``numbers`` documents, in one pass over the title and body
    postings (of share ``share`` of ``shares`` of the words, by a stable hash). Arrays, not a
    dict per document: at 50,000 diaries those dicts took gigabytes."""
    words: list[str] = []
    numbered: dict[str, int] = {}
    found: dict[int, tuple[array, array]] = {number: (array("I"), array("d")) for number in numbers}
    for field_name, weight in FIELD_WEIGHTS:
        weight /= ix.schema[field_name].format.field_boost  # postings carry the field's boost
        in_body = field_name == "body"
        for term in reader.field_terms(field_name):
            if shares > 1 and zlib.crc32(term.encode("utf-8")) % shares != share:
                continue
            number = numbered.get(term)
            if number is None:
                number = numbered[term] = len(words)
                words.append(term)
            code = 2 * number + in_body
            postings = reader.postings(field_name, term)
            while postings.is_active():
                entry = found.get(postings.id())
                if entry is not None:
                    entry[0].append(code)
                    entry[1].append(weight * postings.weight())
                postings.next()
    return words, found


class WalkedTerms(Mapping[str, Terms]):
    """The :class:`Terms` of walked documents by key, each made when asked for from the walks'
    arrays (the build holds one document's dict at a time, not every document's)."""

    def __init__(self, walks: list[Walk], numbers: Mapping[int, str], tags: Mapping[int, list[str]]) -> None:
        self._walks, self._tags = walks, tags
        self._numbers = {key: number for number, key in numbers.items()}

    def __getitem__(self, key: str) -> Terms:
        number = self._numbers[key]
        counts: dict[str, float] = {}
        body: set[str] = set()
        for words, found in self._walks:
            codes, weights = found[number]
            for code, weight in zip(codes, weights, strict=True):
                term = words[code >> 1]
                counts[term] = counts.get(term, 0.0) + weight
                if code & 1:
                    body.add(term)
        return Terms(counts, sorted(set(counts) - body), self._tags[number])

    def __contains__(self, key: object) -> bool:
        return key in self._numbers

    def __iter__(self) -> Iterator[str]:
        return iter(self._numbers)

    def __len__(self) -> int:
        return len(self._numbers)


def document_frequencies(found: Iterable[Terms]) -> dict[str, int]:
    """How many of the documents hold each word in their body."""
    frequencies: Counter[str] = Counter()
    for terms in found:
        frequencies.update(terms.body())
    return frequencies


def signature_of(found: Terms, document_frequency: Mapping[str, int], total: int, terms: int) -> dict[str, float]:
    """The ``terms`` strongest words by tf-idf (:func:`idf`) plus the tags (as strong as the
    best word), as a unit vector rounded to 4 places, so cached and fresh signatures compare equal."""
    scored = []
    for term, frequency in found.counts.items():
        df = document_frequency.get(term, 0)
        if df:
            scored.append(((1 + math.log(frequency)) * idf(total, df), term))
    scored.sort(reverse=True)
    vector = {term: value for value, term in scored[:terms]}
    top = max(vector.values(), default=1.0)
    for tag in found.tags:
        vector[f"#{tag}"] = top
    norm = math.sqrt(sum(value * value for value in vector.values())) or 1.0
    # Terms in one order, so a cached signature sums scores like a fresh one.
    return {term: round(vector[term] / norm, 4) for term in sorted(vector)}
