"""The terminal search index, and the words related diaries weigh: the ONE module that imports Whoosh.

Whoosh (the pinned ``Whoosh-Reloaded`` fork) is lightly maintained, so everything
else in Netroots talks to this small API instead: :class:`Document` in,
:class:`Hit` out, updated incrementally by content hash. Swapping the engine means
rewriting this file only. Builds never open the index: ``tasks.py search`` brings it up
to date when it runs (:func:`search.generator.refresh`); a build counts the words of
changed documents with the index's own analysis (:class:`WordCounter`) for related diaries.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import versionstring  # the package alone; its parts load where they are used

if TYPE_CHECKING:
    from whoosh.fields import Schema

from netroots.site import KeyedView, read_json, write_json

logger = logging.getLogger(__name__)

# Bump when the schema or the way documents are made changes: the index is rebuilt.
VERSION = 2
# What the words of a document depend on besides its text (caches of them compare it).
ANALYSIS = f"{VERSION} whoosh {versionstring()}"
INDEX_NAME = "netroots"
# Wraps the loop over the documents to index: a progress bar in the terminal.
Progress = Callable[[list[str]], Iterable[str]]


def idf(total: int, frequency: int) -> float:
    """A word's weight for "more like this", in steps of 0.1: one diary more or less (or a
    word more in one diary) rarely moves a step, so it rarely moves other diaries' signatures
    and an incremental build recomputes few related lists (plugins/search/related.py)."""
    return round(math.log(1 + total / frequency), 1)


def _schema() -> Schema:
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

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


def _marker(before: str, after: str, escape: Callable[[str], str] = str) -> Any:
    """A Whoosh formatter that wraps each matched term in ``before``/``after`` (``<mark>`` or
    terminal styles)."""
    from whoosh import highlight

    class Marker(highlight.Formatter):
        between = " … "

        def format_token(self, text: str, token, replace: bool = False) -> str:
            return f"{before}{escape(highlight.get_text(text, token, replace))}{after}"

        def _text(self, text: str) -> str:
            return escape(text)

    return Marker()


class SearchIndex:
    """A Whoosh index in ``folder`` plus a manifest of each document's content hash."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.manifest_path = self.folder / "manifest.json"
        self._index = None
        self._manifest: dict[str, dict[str, str]] | None = None

    # -- opening -----------------------------------------------------------
    def exists(self) -> bool:
        from whoosh import index

        return self.manifest_path.is_file() and index.exists_in(str(self.folder), INDEX_NAME)

    def _open(self):
        from whoosh import index

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
        from whoosh import index

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
    def _compare(self, current: Mapping[str, str], scope: Callable[[str], bool]) -> UpdateStats:
        """What ``current`` adds, changes and removes among the indexed documents in ``scope``."""
        known = {k: v for k, v in self.entries().items() if scope(k)}
        stats = UpdateStats(removed=sorted(set(known) - set(current)))
        for key, digest in current.items():
            entry = known.get(key)
            if entry is None:
                stats.added.append(key)
            elif entry["hash"] != digest:
                stats.changed.append(key)
            else:
                stats.unchanged += 1
        return stats

    def update(
        self,
        current: Mapping[str, str],
        make: Callable[[str], Document | None],
        scope: Callable[[str], bool] = lambda key: True,
        progress: Progress = list,
    ) -> UpdateStats:
        """Bring the documents in ``scope`` in line with ``current`` (``key -> content hash``).

        ``make(key)`` is called only for new and changed keys; indexed keys in
        ``scope`` missing from ``current`` are deleted. Nothing else is touched.
        ``progress(keys)`` wraps the loop over the keys to index (a progress bar).
        """
        ix = self._open()
        stats = self._compare(current, scope)
        todo = [*stats.added, *stats.changed]
        if not todo and not stats.removed:
            return stats
        # A first index holds every diary: a second process halves that on two cores.
        procs = 2 if len(todo) > 200 and (os.cpu_count() or 1) > 1 else 1
        writer = ix.writer(limitmb=256, procs=procs, multisegment=procs > 1)
        try:
            for key in [*stats.removed, *stats.changed]:
                writer.delete_by_term("key", key)
                self.manifest.pop(key, None)
            for key in progress(todo):
                document = make(key)
                if document is None:  # left out (a draft, a file with errors) until it changes
                    self.manifest[key] = {"hash": current[key], "url": "", "kind": ""}
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
        from whoosh import highlight, qparser, query, scoring

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
            results.formatter = _marker(*marks, escape=escape)
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

    def count(self) -> int:
        with self._open().searcher() as searcher:
            return searcher.doc_count()


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


# (field, weight): title words count twice.
FIELD_WEIGHTS = (("title", 2.0), ("body", 1.0))


def _occurrences(analyzer: Any) -> Callable[[str], dict[str, int]]:
    """``text -> {word: occurrences}`` with the words Whoosh's ``StemmingAnalyzer`` (tokenizer,
    lowercase, stop words, stems) makes, in one loop with the stems memoized: about five
    times faster than its chain of generators (tests/test_search.py compares the words with
    the index's postings on hostile text, so a Whoosh that analyses otherwise fails there)."""
    tokenizer, _, stop, stemmer = analyzer.items
    find, stops, shortest = tokenizer.expression.finditer, stop.stops, stop.min
    ignore, stem = stemmer.ignore, stemmer.stemfn
    stems: dict[str, str] = {}

    def occurrences(text: str) -> dict[str, int]:
        found: Counter[str] = Counter()
        for match in find(text):
            word = match.group(0).lower()
            if len(word) >= shortest and word not in stops:
                stemmed = stems.get(word)
                if stemmed is None:
                    stemmed = stems[word] = word if word in ignore else stem(word)
                found[stemmed] += 1
        return found

    return occurrences


# One share of counted documents: its words, and per document number the words it holds
# (each a word's number times two, plus one for a body word) and their weights.
Counted = tuple[list[str], dict[int, tuple[array, array]]]


class WordCounter:
    """Counts documents' words for "more like this" (:class:`Terms`) as the index analyses
    them, keeping them as compact arrays: at 50,000 diaries a dict per document took gigabytes."""

    def __init__(self) -> None:
        schema = _schema()
        self._fields = [(weight, name == "body", _occurrences(schema[name].analyzer)) for name, weight in FIELD_WEIGHTS]
        self.counted: Counted = ([], {})
        self.frequencies: Counter[str] = Counter()  # how many documents hold each word in their body
        self.tags: dict[int, list[str]] = {}  # lowercased, as the index stores them
        self._numbered: dict[str, int] = {}

    def add(self, number: int, document: Document) -> None:
        """Count ``document``'s words and tags (its text is not kept) under ``number``."""
        self.tags[number] = [tag for tag in ",".join(document.tags).lower().split(",") if tag]
        words, found = self.counted
        codes, weights = found[number] = (array("I"), array("d"))
        for weight, in_body, occurrences in self._fields:
            for term, count in occurrences(document.body if in_body else document.title).items():
                word = self._numbered.get(term)
                if word is None:
                    word = self._numbered[term] = len(words)
                    words.append(term)
                codes.append(2 * word + in_body)
                weights.append(weight * count)
                if in_body:
                    self.frequencies[term] += 1


class CountedTerms(KeyedView[Terms]):
    """The :class:`Terms` of counted documents by key, each made when asked for from the
    shares' arrays (the build holds one document's dict at a time, not every document's)."""

    def __init__(
        self,
        shares: list[Counted],
        numbers: Mapping[int, str],
        tags: Mapping[int, list[str]],
        frequencies: Counter[str],
    ) -> None:
        self._shares, self._tags = shares, tags
        self._numbers = {key: number for number, key in numbers.items()}
        self.keys_held = self._numbers
        self.frequencies = frequencies  # how many of the documents hold each word in their body

    def __getitem__(self, key: str) -> Terms:
        number = self._numbers[key]
        counts: dict[str, float] = {}
        body: set[str] = set()
        for words, found in self._shares:
            if number not in found:
                continue
            codes, weights = found[number]
            for code, weight in zip(codes, weights, strict=True):
                term = words[code >> 1]
                counts[term] = counts.get(term, 0.0) + weight
                if code & 1:
                    body.add(term)
        return Terms(counts, sorted(set(counts) - body), self._tags[number])


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
