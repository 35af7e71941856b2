"""The build-time and terminal search index: the ONE module that imports Whoosh.

Whoosh (the pinned ``Whoosh-Reloaded`` fork) is lightly maintained, so everything
else in Netroots talks to this small API instead: :class:`Document` in,
:class:`Hit` out, updated incrementally by content hash. Swapping the engine means
rewriting this file only.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import highlight, index, qparser, query, scoring
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

# Bump when the schema or the way documents are made changes: the index is rebuilt.
VERSION = 2
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
    """A Whoosh index in ``folder`` plus a manifest of each document's content hash."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
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
            try:
                self._manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._manifest = {}
        return self._manifest

    def _save_manifest(self) -> None:
        temporary = self.manifest_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.manifest, sort_keys=True), encoding="utf-8")
        os.replace(temporary, self.manifest_path)

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

    def signatures(
        self, keys: Iterable[str], *, terms: int = 12, corpus: Iterable[str] | None = None
    ) -> dict[str, dict[str, float]]:
        """Each document's "more like this" signature: its ``terms`` strongest words
        (tf-idf over body, title words counted twice; :func:`idf`) and its tags, as a unit vector.

        Document frequencies count only the ``corpus`` documents (default: ``keys``), in
        one pass over the index's postings: the result depends on those documents alone,
        never on deleted documents waiting for a merge or on other kinds indexed later,
        so an incremental build computes exactly what a clean one does.
        """
        ix = self._open()
        keys = list(keys)
        with ix.searcher() as searcher:
            members = _document_numbers(searcher, {*keys, *(corpus if corpus is not None else ())})
            wanted = set(keys)
            numbers = {number: key for number, key in members.items() if key in wanted}
            frequencies, document_frequency = _term_frequencies(ix, searcher.reader(), members, numbers)
            total = max(len(members), 1)
            signatures = {}
            for number, found in frequencies.items():
                tags = [tag for tag in (searcher.stored_fields(number).get("tags") or "").lower().split(",") if tag]
                signatures[numbers[number]] = _signature(found, document_frequency, total, terms, tags)
        return signatures

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


def _term_frequencies(
    ix: Any, reader: Any, members: dict[int, str], numbers: dict[int, str]
) -> tuple[dict[int, dict[str, float]], dict[str, int]]:
    """One pass over the title and body postings: each wanted document's weighted term counts
    (title words twice) and, over ``members`` only, how many bodies hold each term."""
    frequencies: dict[int, dict[str, float]] = {number: {} for number in numbers}
    document_frequency: dict[str, int] = defaultdict(int)
    for field_name, weight in (("title", 2.0), ("body", 1.0)):
        weight /= ix.schema[field_name].format.field_boost  # postings carry the field's boost
        for term in reader.field_terms(field_name):
            postings = reader.postings(field_name, term)
            while postings.is_active():
                number = postings.id()
                if field_name == "body" and number in members:
                    document_frequency[term] += 1
                found = frequencies.get(number)
                if found is not None:
                    found[term] = found.get(term, 0.0) + weight * postings.weight()
                postings.next()
    return frequencies, document_frequency


def _signature(
    found: dict[str, float], document_frequency: dict[str, int], total: int, terms: int, tags: list[str]
) -> dict[str, float]:
    """The ``terms`` strongest words by tf-idf plus the tags (as strong as the best word), as a
    unit vector rounded to 4 places, so cached and fresh signatures compare equal."""
    scored = []
    for term, frequency in found.items():
        df = document_frequency.get(term, 0)
        if df:
            scored.append(((1 + math.log(frequency)) * idf(total, df), term))
    scored.sort(reverse=True)
    vector = {term: value for value, term in scored[:terms]}
    top = max(vector.values(), default=1.0)
    for tag in tags:
        vector[f"#{tag}"] = top
    norm = math.sqrt(sum(value * value for value in vector.values())) or 1.0
    # Terms in one order, so a cached signature sums scores like a fresh one.
    return {term: round(vector[term] / norm, 4) for term in sorted(vector)}
