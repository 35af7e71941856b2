"""Related diaries: more like this, over each diary's key-term signature (title, tags, body).

Each document's words are counted as the terminal index analyses them (:class:`WordCounter`)
and kept in ``.cache/search/terms.sqlite`` by the document's content hash, so a build
counts again only the documents that changed. Signatures (:func:`index.signature_of`), the
word weights they used, lists and their scores are cached in ``.cache/search/related.json``.
A signature is computed again only when its document changed or the weight of one of its
words did (document frequencies are global, weights move in steps of 0.1); a diary's list
only when it can differ from the last one: its own signature changed, or a diary whose
weight changed for one of its words could now enter its list or was in it
(:func:`update_lists`). The lists are always exactly what a clean build computes;
tests/test_incremental.py compares them.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import logging
import sqlite3
from array import array
from collections import ChainMap, Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from netroots.site import read_json, write_json
from netroots.workers import in_workers

from .index import ANALYSIS, Counted, CountedTerms, Document, Terms, WordCounter, idf, signature_of, tags_of

# Each word keeps only its strongest holders as candidates: bounded work per diary,
# exact for networks where no word is in more than this many signatures.
CANDIDATES_PER_TERM = 300
# Words per signature; a change here invalidates the cached signatures.
SIGNATURE_TERMS = 12
FORMAT = 3  # of related.json: lists with their scores, signatures with their hashes and word weights
# With at least this many lists to compute (a first build), they are shared out over the workers.
PARALLEL_LISTS = 1000

logger = logging.getLogger(__name__)

Signatures = dict[str, dict[str, float]]
Scored = dict[str, list[tuple[str, float]]]
Holders = dict[str, list[tuple[float, str]]]


def holders_of(signatures: Signatures, cap: int = CANDIDATES_PER_TERM) -> Holders:
    """Each word's strongest ``cap`` holders, as (weight, key), strongest first."""
    holders: Holders = defaultdict(list)
    for key, signature in signatures.items():
        for term, weight in signature.items():
            holders[term].append((weight, key))
    return {term: heapq.nlargest(cap, found) for term, found in holders.items()}


class CappedHolders:
    """:func:`holders_of`, each word's list made when first asked for (``get``): an
    incremental build needs the lists of the words of the few signatures it recomputes."""

    def __init__(self, signatures: Signatures, cap: int = CANDIDATES_PER_TERM) -> None:
        self.all: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for key, signature in signatures.items():
            for term, weight in signature.items():
                self.all[term].append((weight, key))
        self.cap = cap
        self.capped: Holders = {}

    def get(self, term: str, default: Any = ()) -> Any:
        found = self.capped.get(term)
        if found is None:
            if term not in self.all:
                return default
            found = self.capped[term] = heapq.nlargest(self.cap, self.all[term])
        return found


def _best(signatures: Signatures, holders: Holders | CappedHolders, key: str, count: int) -> list[tuple[str, float]]:
    scores: dict[str, float] = defaultdict(float)
    for term, weight in signatures.get(key, {}).items():
        for other_weight, other in holders.get(term, ()):
            scores[other] += weight * other_weight
    scores.pop(key, None)
    best = heapq.nsmallest(count, scores.items(), key=lambda item: (-item[1], item[0]))
    return [(other, score) for other, score in best if score > 0]


def nearest(
    signatures: Signatures, targets: list[str], count: int, cap: int = CANDIDATES_PER_TERM
) -> dict[str, list[str]]:
    """For each target key, the ``count`` keys whose signatures are most alike (cosine)."""
    holders = holders_of(signatures, cap)
    return {key: [other for other, _ in _best(signatures, holders, key, count)] for key in targets}


def _moved(old_signatures: Signatures, signatures: Signatures, holders: CappedHolders, cap: int) -> dict[str, set[str]]:
    """Each word whose strongest holders changed -> the diaries whose entry among them changed.

    Only the words of changed signatures can have other holders than before: their holders
    then are today's, with the changed diaries' entries as they were.
    """
    changed = {
        key for key in old_signatures.keys() | signatures.keys() if old_signatures.get(key) != signatures.get(key)
    }
    moved: dict[str, set[str]] = {}
    for term in sorted(
        set().union(*(old_signatures.get(key, {}).keys() | signatures.get(key, {}).keys() for key in changed))
    ):
        before = heapq.nlargest(
            cap,
            [(weight, key) for weight, key in holders.all.get(term, ()) if key not in changed]
            + [(old_signatures[key][term], key) for key in changed if term in old_signatures.get(key, {})],
        )
        after = holders.get(term, [])
        if before != after:
            moved[term] = {key for _, key in set(before) ^ set(after)}
    return moved


def update_lists(
    old_signatures: Signatures,
    old_lists: Scored,
    signatures: Signatures,
    count: int,
    cap: int = CANDIDATES_PER_TERM,
    workers: int = 1,
) -> tuple[Scored, list[str]]:
    """Every key's scored list, recomputing only those that can differ from ``old_lists``.

    A list depends on the diary's own signature and on the holders of its words. When
    the holders of a word changed, only the diaries whose entry changed can score
    differently; the list is kept when none of them was in it and none now beats its
    last entry (the same sums, in the same order, as a full computation).
    """
    holders = CappedHolders(signatures, cap)
    # word -> diaries whose entry changed (a first computation redoes every list: none needed)
    moved = _moved(old_signatures, signatures, holders, cap) if old_lists else {}
    held: dict[str, set[str]] = {}  # word -> its holders' keys, as needed

    def holds(term: str, key: str) -> bool:
        if term not in held:
            held[term] = {other for _, other in holders.get(term, ())}
        return key in held[term]

    def unchanged(key: str, signature: dict[str, float], kept: list[tuple[str, float]]) -> bool:
        touched = set().union(*(moved[term] for term in signature if term in moved)) - {key}
        if not touched:
            return True
        listed = {other for other, _ in kept}
        last = (-kept[-1][1], kept[-1][0]) if len(kept) >= count else None
        for other in sorted(touched):
            if other in listed:
                return False
            theirs = signatures.get(other)
            if theirs is None:
                continue  # gone, and not in the list
            score = 0.0
            for term, weight in signature.items():
                if term in theirs and holds(term, other):
                    score += weight * theirs[term]
            if score > 0 and (last is None or (-score, other) < last):
                return False
        return True

    redone = []
    for key, signature in signatures.items():
        kept = old_lists.get(key)
        if kept is None or old_signatures.get(key) != signature or not unchanged(key, signature, kept):
            redone.append(key)
    fresh = best_lists(signatures, holders, redone, count, workers if len(redone) >= PARALLEL_LISTS else 1)
    return {key: fresh[key] if key in fresh else old_lists[key] for key in signatures}, redone


def best_lists(
    signatures: Signatures, holders: Holders | CappedHolders, keys: list[str], count: int, workers: int = 1
) -> Scored:
    """The scored lists of ``keys``, each of ``workers`` forked processes computing a share of
    them (they read the same signatures and holders; a share whose process failed is
    computed here)."""

    def share_of(share: int, shares: int) -> Scored:
        return {key: _best(signatures, holders, key, count) for key in keys[share::shares]}

    if workers < 2:
        return share_of(0, 1)
    lists: Scored = {}
    for share, (ok, answer) in enumerate(in_workers(workers, share_of, here=True)):
        if not ok:
            logger.warning(
                "search: computing related diaries failed in a worker process; computed here instead (%s)",
                str(answer).splitlines()[0],
            )
            answer = share_of(share, workers)
        lists.update(answer)
    return lists


# A first build counts every document's words: from this many, in worker processes.
PARALLEL_WORDS = 1000
# What terms.sqlite holds and how; another value starts it over.
STORE = f"2 {ANALYSIS}"
Words = Callable[[list[str]], Mapping[str, Terms]]


class TermStore:
    """Each content document's :class:`Terms` by key and content hash, the documents holding
    each word (in the title or the body: :meth:`holding`), and how many hold each word in their
    body, in ``terms.sqlite`` (written in one transaction, so they agree). Empty when it cannot
    be opened or was made by another version."""

    def __init__(self, path: Path) -> None:
        self.connection: sqlite3.Connection | None = None
        try:
            self.connection = sqlite3.connect(path, isolation_level=None)
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
            if self._meta("version") != STORE:
                with self.connection:
                    self.connection.execute("BEGIN")
                    self.connection.execute("DROP TABLE IF EXISTS terms")
                    self.connection.execute("DROP TABLE IF EXISTS holders")
                    self.connection.execute("DELETE FROM meta")
                    self.connection.execute("INSERT INTO meta VALUES ('version', ?)", (STORE,))
            self.connection.execute(
                "CREATE TABLE IF NOT EXISTS terms (key TEXT PRIMARY KEY, number INTEGER UNIQUE, hash TEXT, data TEXT)"
            )
            # A word's holders as an array of document numbers: compact at 50,000 diaries.
            self.connection.execute("CREATE TABLE IF NOT EXISTS holders (word TEXT PRIMARY KEY, numbers BLOB)")
        except sqlite3.Error:
            self.connection = None

    def _meta(self, name: str) -> str | None:
        assert self.connection is not None
        row = self.connection.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def hashes(self) -> dict[str, str]:
        if self.connection is None:
            return {}
        try:
            return {key: digest for key, digest in self.connection.execute("SELECT key, hash FROM terms")}
        except sqlite3.Error:
            return {}

    def frequencies(self) -> Counter[str] | None:
        """None when missing or unreadable (then the stored terms are not used)."""
        if self.connection is None:
            return None
        try:
            return Counter(json.loads(self._meta("frequencies") or "null") or {})
        except (sqlite3.Error, ValueError, TypeError):
            return None

    def terms(self, keys: Iterable[str]) -> dict[str, Terms]:
        found: dict[str, Terms] = {}
        if self.connection is None:
            return found
        for key in keys:
            row = self.connection.execute("SELECT data FROM terms WHERE key = ?", (key,)).fetchone()
            if row:
                found[key] = Terms.from_json(json.loads(row[0]))
        return found

    def holding(self, words: Iterable[str]) -> set[str]:
        """Keys of the stored documents whose title or body holds one of ``words``."""
        if self.connection is None:
            return set()
        numbers = array("I")
        for chunk in _chunks(sorted(set(words))):
            query = f"SELECT numbers FROM holders WHERE word IN ({','.join('?' * len(chunk))})"
            for (blob,) in self.connection.execute(query, chunk):
                numbers.frombytes(blob)
        keys: set[str] = set()
        for chunk in _chunks(sorted(set(numbers))):
            query = f"SELECT key FROM terms WHERE number IN ({','.join('?' * len(chunk))})"
            keys.update(key for (key,) in self.connection.execute(query, chunk))
        return keys

    def save(
        self,
        fresh: Iterable[tuple[str, str, Terms]],
        replaced: Mapping[str, Terms],
        gone: Iterable[str],
        frequencies: Counter[str],
    ) -> None:
        """Store ``(key, content hash, terms)`` rows (made one at a time as they are written),
        whose earlier terms, if any, were ``replaced``; remove the ``gone`` keys."""
        if self.connection is None:
            return
        try:
            with self.connection:
                self.connection.execute("BEGIN")
                self._save(fresh, replaced, gone, frequencies)
        except sqlite3.Error:
            pass

    def _save(
        self, fresh: Iterable[tuple[str, str, Terms]], replaced: Mapping[str, Terms], gone: Iterable[str], frequencies
    ) -> None:
        assert self.connection is not None
        numbers = dict(self.connection.execute("SELECT key, number FROM terms"))
        dropped: defaultdict[str, set[int]] = defaultdict(set)
        for key, terms in replaced.items():
            if key in numbers:
                for word in terms.counts:
                    dropped[word].add(numbers[key])
        gone = sorted(gone)
        self.connection.executemany("DELETE FROM terms WHERE key = ?", [(key,) for key in gone])
        added: defaultdict[str, array] = defaultdict(lambda: array("I"))
        next_number = max(numbers.values(), default=-1) + 1

        def rows() -> Iterator[tuple[str, int, str, str]]:
            nonlocal next_number
            for key, digest, terms in fresh:
                number = numbers.get(key)
                if number is None:
                    number, next_number = next_number, next_number + 1
                for word in terms.counts:
                    added[word].append(number)
                yield key, number, digest, json.dumps(terms.to_json())

        self.connection.executemany("INSERT OR REPLACE INTO terms VALUES (?, ?, ?, ?)", rows())
        if not numbers:  # a first store: nothing to read back
            self.connection.executemany(
                "INSERT INTO holders VALUES (?, ?)", ((w, a.tobytes()) for w, a in added.items())
            )
        else:
            for word in sorted(dropped.keys() | added.keys()):
                row = self.connection.execute("SELECT numbers FROM holders WHERE word = ?", (word,)).fetchone()
                held = array("I", row[0]) if row else array("I")
                if word in dropped:
                    held = array("I", (number for number in held if number not in dropped[word]))
                held.extend(added.get(word, ()))
                if held:
                    self.connection.execute("INSERT OR REPLACE INTO holders VALUES (?, ?)", (word, held.tobytes()))
                else:
                    self.connection.execute("DELETE FROM holders WHERE word = ?", (word,))
        self.connection.execute(
            "INSERT OR REPLACE INTO meta VALUES ('frequencies', ?)", (json.dumps(frequencies, sort_keys=True),)
        )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def _chunks(values: list, size: int = 500) -> Iterator[list]:
    """SQLite takes a bounded number of ``?`` in one statement."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def count_words(keys: list[str], make: Callable[[str], Document], workers: int = 1) -> Mapping[str, Terms]:
    """The :class:`Terms` of the documents ``make(key)`` gives, counted in ``workers`` forked
    processes when there are many (a first build's; a share whose process failed is counted here)."""

    def share_of(share: int, shares: int) -> tuple[Counted, dict[int, list[str]]]:
        counter, tags = WordCounter(), {}
        for number in range(share, len(keys), shares):
            document = make(keys[number])
            counter.add(number, document)
            tags[number] = tags_of(document)
        return counter.counted, tags

    shares = workers if len(keys) >= PARALLEL_WORDS else 1
    answers = []
    if shares < 2:
        answers.append(share_of(0, 1))
    else:
        for share, (ok, answer) in enumerate(in_workers(shares, share_of, here=True)):
            if not ok:
                logger.warning(
                    "search: counting words for related diaries failed in a worker process; counted here instead (%s)",
                    str(answer).splitlines()[0],
                )
                answer = share_of(share, shares)
            answers.append(answer)
    tags: dict[int, list[str]] = {}
    for _, found in answers:
        tags.update(found)
    return CountedTerms([counted for counted, _ in answers], dict(enumerate(keys)), tags)


def update_terms(
    words: Words, hashes: Mapping[str, str], store: TermStore
) -> tuple[Counter[str], int, Mapping[str, Terms]]:
    """Document frequencies over the documents in ``hashes`` (key -> content hash), their count,
    and the :class:`Terms` of those that are new or changed since the store was written. Only
    those are counted (``words(keys)``): the frequencies are the stored ones, less the words of
    changed and removed documents, plus those of the new and changed ones."""
    known, frequencies = store.hashes(), store.frequencies()
    if frequencies is None:
        known, frequencies = {}, Counter()
    stale = [key for key, digest in hashes.items() if known.get(key) != digest]
    gone = [key for key in known if key not in hashes]
    replaced = store.terms([*gone, *(key for key in stale if key in known)])
    for terms in replaced.values():
        frequencies.subtract(terms.body())
    fresh = words(stale)
    for terms in fresh.values():
        frequencies.update(terms.body())
    frequencies = +frequencies  # drop words no document holds any more
    store.save(
        ((key, hashes[key], fresh[key]) for key in fresh), replaced, [*gone, *set(stale) - set(fresh)], frequencies
    )
    total = sum(1 for key, digest in hashes.items() if key in fresh or known.get(key) == digest)
    return frequencies, total, fresh


def current_signatures(
    words: Words, store: TermStore, hashes: Mapping[str, str], keys: list[str], cached: dict
) -> tuple[Signatures, dict[str, float]]:
    """Signatures of ``keys`` and the word weights they use, with ``hashes`` (key -> content
    hash) as the corpus: equal to :func:`signature_of` over every document's words counted
    afresh. A cached signature is kept when its document has the same hash and none of its
    words changed weight (:func:`idf` moves in steps of 0.1, so a change moves few): only the
    others' words are read."""
    frequencies, total, fresh = update_terms(words, hashes, store)
    weights = {term: idf(max(total, 1), count) for term, count in frequencies.items()}
    before = cached.get("weights", {})
    moved = {term for term in before.keys() | weights.keys() if before.get(term) != weights.get(term)}
    old, old_hashes = cached["signatures"], cached.get("hashes", {})
    redo = {key for key in keys if key not in old or old_hashes.get(key) != hashes[key]}
    if moved and len(redo) < len(keys):
        redo |= store.holding(moved) & set(keys)
    # Each document's terms are made when its signature is (a first build's are many).
    found = ChainMap(fresh, store.terms(sorted(key for key in redo if key not in fresh)))
    missing = sorted(key for key in redo if key not in found)
    if missing:  # not in the store (it could not be written): counted again
        found.maps.append(words(missing))
    signatures: Signatures = {}
    for key in keys:
        if key in redo:
            if key in found:
                signatures[key] = signature_of(found[key], frequencies, max(total, 1), SIGNATURE_TERMS)
        else:
            signatures[key] = old[key]
    return signatures, weights


def update_related(
    documents: Mapping[str, tuple[str, str, str]],
    make: Callable[[str], Document],
    folder: Path,
    count: int,
    workers: int = 1,
) -> tuple[dict[str, list[str]], list[str]]:
    """``key -> [url]`` of related diaries for every diary among ``documents`` (the content
    documents: ``key -> (content hash, kind, url)``); returns it and the keys recomputed.
    ``make(key)`` gives a new or changed document's :class:`Document` to count its words;
    a first computation counts them and computes the lists in ``workers`` processes."""
    path = folder / "related.json"
    cached = _read_cache(path, count)
    diaries = {key: url for key, (_, kind, url) in documents.items() if kind == "diary"}
    corpus = {key: documents[key][0] for key in sorted(documents)}
    state = hashlib.blake2b("\0".join(f"{key}\0{digest}" for key, digest in corpus.items()).encode(), digest_size=16)
    todo: list[str] = []
    if cached.get("corpus") != state.hexdigest() or set(cached["signatures"]) != set(diaries):
        store = TermStore(folder / "terms.sqlite")
        try:
            signatures, weights = current_signatures(
                lambda keys: count_words(keys, make, workers), store, corpus, list(diaries), cached
            )
        finally:
            store.close()
        lists, todo = update_lists(cached["signatures"], cached["lists"], signatures, count, workers=workers)
        hashes = {key: corpus[key] for key in signatures}
        cached.update(signatures=signatures, lists=lists, corpus=state.hexdigest(), hashes=hashes, weights=weights)
        _write_cache(path, cached)
    related = {
        key: [diaries[other] for other, _ in found if other in diaries]
        for key, found in sorted(cached["lists"].items())  # one order, cached or not: pages' digests see it
        if key in diaries
    }
    return related, todo


def _read_cache(path: Path, count: int) -> dict:
    """The last build's signatures and scored lists; empty when unreadable or made with other settings."""
    cached = read_json(path)
    if not isinstance(cached, dict) or (cached.get("format"), cached.get("count"), cached.get("terms")) != (
        FORMAT,
        count,
        SIGNATURE_TERMS,
    ):
        cached = {"format": FORMAT, "count": count, "terms": SIGNATURE_TERMS, "signatures": {}, "lists": {}}
    return cached


def _write_cache(path: Path, cached: dict) -> None:
    write_json(path, cached)  # in one step: an interrupted build leaves the old file whole
