"""Related diaries: more like this, over each diary's key-term signature (title, tags, body).

Each document's words are counted as the terminal index analyses them (:class:`WordCounter`)
and kept in ``.cache/search/terms.sqlite`` by the document's content hash, so a build
counts again only the documents that changed. Signatures (:func:`index.signature_of`), the
word weights they used, lists and their scores are kept in ``.cache/search/related.sqlite``,
a row a diary (plugins/search/store.py: an edit writes the rows that changed).
A signature is computed again only when its document changed or the weight of one of its
words did (document frequencies are global, weights move in steps of 0.1); a diary's list
only when it can differ from the last one: its own signature changed, or a diary whose
weight changed for one of its words could now enter its list or was in it
(:func:`update_lists`). Scoring a signature against all others needs each of its words'
holders: the store keeps them (table ``holders``, brought up to date with the signatures that
changed), so an edit reads only the signatures of the diaries it scores exactly, not all of
them. The lists are always exactly what a clean build computes; tests/test_incremental.py
compares them.
"""

from __future__ import annotations

import heapq
import json
import logging
import sqlite3
from array import array
from collections import ChainMap, Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from netroots.site import KeyedView, cache_database, chunks
from netroots.workers import in_workers

from .documents import digest, digest_of_hashes
from .index import ANALYSIS, Counted, CountedTerms, Document, Terms, WordCounter, idf, signature_of
from .store import (
    SEPARATOR,
    STORE_FILE,
    Damaged,
    Held,
    KeptLists,
    KeptSignatures,
    Names,
    RelatedStore,
    differing,
    kept_rows,
    keys_of,
)

if TYPE_CHECKING:
    import numpy as np

# Words per signature; a change here invalidates the cached signatures.
SIGNATURE_TERMS = 12
# Of what related.sqlite keeps (plugins/search/store.py): lists with their scores (exact since 4),
# signatures with their hashes and word weights; in rows since 5 (related.pickle before).
FORMAT = 5
# With at least this many lists to compute (a first build), they are shared out over the workers.
PARALLEL_LISTS = 1000
# Quick sums (numpy, in any order) pick the candidates; they differ from the exact ones by
# rounding only (about 1e-15 of the score), so this slack keeps every diary that can tie.
SLACK = 1e-9

logger = logging.getLogger(__name__)

Signatures = Mapping[str, dict[str, float]]
Scored = dict[str, list[tuple[str, float]]]


class Holders:
    """Every holder of each word, as arrays of diary numbers and weights: one diary's scores
    against all the others are one weighted count (:meth:`scores`), so every list is exact
    (no cap on a word's holders) at a cost that grows with the holders of its words. Diaries
    are numbered by ``numbers`` (default: in order); ``keys`` has None for a number unused."""

    def __init__(
        self, signatures: Signatures, terms: set[str] | None = None, numbers: Mapping[str, int] | None = None
    ) -> None:
        self.signatures = signatures
        self.number = dict(numbers) if numbers is not None else {key: n for n, key in enumerate(signatures)}
        self.keys: list[str | None] = [None] * (max(self.number.values(), default=-1) + 1)
        for key, number in self.number.items():
            self.keys[number] = key
        self.numbers: dict[str, Any] = {}
        self.weights: dict[str, Any] = {}
        self.covered: set[str] | None = set()  # None: every word
        self.cover(terms)

    def cover(self, terms: set[str] | None) -> None:
        """Hold the holders of ``terms`` too (None: of every word). An edit asks for the words
        of the few signatures it scores against all: the rest are never read, and making
        them cost 0.1 s at 10,000 diaries, whatever the edit."""
        import numpy as np  # here, not at the top: a build that computes no list does not load it

        if self.covered is None:
            return
        wanted = None if terms is None else terms - self.covered
        if wanted is not None and not wanted:
            return
        found: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for key, signature in self.signatures.items():
            number = self.number[key]
            for term, weight in signature.items():
                if wanted is None or term in wanted:
                    numbers, weights = found[term]
                    numbers.append(number)
                    weights.append(weight)
        self.numbers.update((term, np.array(numbers, dtype=np.int32)) for term, (numbers, _) in found.items())
        self.weights.update((term, np.array(weights, dtype=np.float64)) for term, (_, weights) in found.items())
        self.covered = None if wanted is None else self.covered | wanted

    def scores(self, signature: Mapping[str, float]) -> np.ndarray:
        """Each diary's score against ``signature``, by number, up to rounding (the sums'
        order is numpy's): to choose candidates, never to rank them."""
        import numpy as np

        if self.covered is not None and not self.covered.issuperset(signature):
            raise ValueError("scores asked for words the holders do not cover")
        terms = [term for term in signature if term in self.numbers]
        if not terms:
            return np.zeros(len(self.keys))
        numbers = np.concatenate([self.numbers[term] for term in terms])
        weights = np.concatenate([self.weights[term] * signature[term] for term in terms])
        return np.bincount(numbers, weights, minlength=len(self.keys))


class KeptHolders(Holders):
    """:class:`Holders` of the words asked for, read from the store's ``holders`` (brought up
    to date with this build's signatures first: :func:`_hold`), not from the signatures. A
    holder that is no diary's (its row was lost) means the store is :class:`Damaged`."""

    def __init__(
        self, signatures: Signatures, terms: set[str], numbers: Mapping[str, int], store: RelatedStore
    ) -> None:
        import numpy as np

        self.store = store
        self.live = np.zeros(max(numbers.values(), default=-1) + 1, dtype=bool)
        self.live[list(numbers.values())] = True
        super().__init__(signatures, terms, numbers)

    def cover(self, terms: set[str] | None) -> None:
        import numpy as np

        if terms is None:
            raise ValueError("kept holders are read a word at a time")
        assert self.covered is not None
        wanted = terms - self.covered
        for term, (numbers, weights) in self.store.holders(wanted).items():
            held = np.frombuffer(numbers, dtype=np.int32)
            if len(held) and (held.max() >= len(self.live) or not self.live[held].all()):
                raise Damaged(f"{self.store.path}: a holder of {term!r} is no diary")
            self.numbers[term] = held
            self.weights[term] = np.frombuffer(weights, dtype=np.float64)
        self.covered |= wanted


def _hold(
    store: RelatedStore,
    old_signatures: KeptSignatures,
    signatures: Signatures,
    changed: set[str],
    numbers: Mapping[str, int],
) -> None:
    """Bring the store's holders from ``old_signatures`` to ``signatures``: each word's
    holders lose the ``changed`` diaries whose weight for it moved or went, and gain those
    whose weight came or moved (a word's row is rewritten only then)."""
    import numpy as np

    dropped: defaultdict[str, set[int]] = defaultdict(set)
    added: defaultdict[str, dict[int, float]] = defaultdict(dict)
    for key in sorted(changed):
        old, new = old_signatures.get(key) or {}, signatures.get(key) or {}
        for word, weight in old.items():
            if new.get(word) != weight:
                dropped[word].add(old_signatures.numbers[key])
        for word, weight in new.items():
            if old.get(word) != weight:
                added[word][numbers[key]] = weight
    kept = store.holders(dropped.keys() | added.keys())
    held: Held = {}
    for word in sorted(dropped.keys() | added.keys()):
        found = kept.get(word)
        held_numbers = np.frombuffer(found[0], dtype=np.int32) if found else np.zeros(0, dtype=np.int32)
        weights = np.frombuffer(found[1], dtype=np.float64) if found else np.zeros(0)
        if word in dropped:
            staying = ~np.isin(held_numbers, np.fromiter(dropped[word], dtype=np.int32))
            held_numbers, weights = held_numbers[staying], weights[staying]
        coming = added.get(word, {})
        held_numbers = np.concatenate([held_numbers, np.fromiter(coming, dtype=np.int32, count=len(coming))])
        weights = np.concatenate([weights, np.fromiter(coming.values(), dtype=np.float64, count=len(coming))])
        held[word] = (held_numbers.tobytes(), weights.tobytes())
    store.save_holders(held)


def _all_held(holders: Holders) -> Held:
    """Every word's holders as the store keeps them (``holders`` covers every word)."""
    import numpy as np

    return {
        term: (
            np.asarray(numbers, dtype=np.int32).tobytes(),
            np.asarray(holders.weights[term], dtype=np.float64).tobytes(),
        )
        for term, numbers in holders.numbers.items()
    }


def numbered(kept: Mapping[str, int], keys: Iterable[str], following: int = 0) -> dict[str, int]:
    """Each of ``keys``' number: its kept one, else one from ``following`` on (no row had it:
    a kept word's holder whose number is no diary's is found, not taken for another)."""
    following = max(following, max(kept.values(), default=-1) + 1)
    keys = list(keys)
    current = set(keys)
    numbers = dict(kept)
    for key in numbers.keys() - current:
        del numbers[key]
    if len(numbers) < len(current):
        unnumbered = current.difference(numbers)
        coming = [key for key in keys if key in unnumbered]
        numbers.update(zip(coming, range(following, following + len(coming)), strict=True))
    return numbers


def _load(signatures: Mapping[str, Any], keys: Iterable[str]) -> None:
    """Read the kept signatures of ``keys`` at once, where ``signatures`` reads them when asked."""
    if isinstance(signatures, (KeptSignatures, Merged)):
        signatures.load(keys)


def score(signature: Mapping[str, float], other: Mapping[str, float]) -> float:
    """Cosine of two signatures: the products of shared words' weights, summed in the order
    of ``signature``'s words, so that a list is the same float whichever way it is found."""
    total = 0.0
    for term, weight in signature.items():
        theirs = other.get(term)
        if theirs is not None:
            total += weight * theirs
    return total


def _best(signatures: Signatures, holders: Holders, key: str, count: int) -> list[tuple[str, float]]:
    """The ``count`` diaries most like ``key`` over all signatures, best first (ties by key;
    only scores above 0): the quick sums keep those within ``SLACK`` of the ``count``-th,
    which are then scored exactly."""
    import numpy as np

    signature = signatures.get(key, {})
    if count < 1:
        return []
    quick = holders.scores(signature)
    if key in holders.number:
        quick[holders.number[key]] = 0.0
    cut = len(quick) - count
    kth = float(np.partition(quick, cut)[cut]) if cut >= 0 else 0.0
    chosen = np.flatnonzero(quick >= kth * (1 - SLACK)) if kth > 0 else np.flatnonzero(quick > 0)
    others = [holders.keys[number] for number in chosen.tolist()]
    _load(signatures, others)
    found = [(other, score(signature, signatures[other])) for other in others]
    best = heapq.nsmallest(count, found, key=lambda item: (-item[1], item[0]))
    return [(other, value) for other, value in best if value > 0]


def update_lists(
    old_signatures: Signatures,
    old_lists: Mapping[str, list[tuple[str, float]]],
    signatures: Signatures,
    count: int,
    workers: int = 1,
    numbers: Mapping[str, int] | None = None,
) -> tuple[Mapping[str, list[tuple[str, float]]], list[str]]:
    """Every key's scored list, recomputing only those that can differ from ``old_lists``.

    Lists are exact, so a kept list (its own signature unchanged) can differ only through
    the diaries whose signature changed, came or went: it is recomputed when one of them
    was in it, or now scores above its last entry (or above 0, when it is shorter than
    ``count``). Nothing else moves: one edit recomputes its own list and those it enters
    or leaves.

    With :class:`KeptSignatures` (and ``signatures`` a :class:`Merged` of those remade over
    them), only the remade ones can have changed, the store's holders are brought up to date
    and read, and a signature is read only to be scored: not every one.
    """
    changed = _changed(old_signatures, signatures)
    listed = keys_of(old_lists)
    redone = set(signatures).difference(listed) | {key for key in changed if key in signatures}
    everything = len(redone) == len(signatures)
    holders = _holders(old_signatures, signatures, changed, redone, everything, numbers)
    if changed and not everything:
        redone |= _reached(old_lists, signatures, holders, changed, redone, count)
        holders.cover(_words(signatures, redone))
    todo = [key for key in signatures if key in redone]
    shares = workers if len(todo) >= PARALLEL_LISTS else 1
    if shares > 1:  # the forked processes read no store
        _load(signatures, signatures)
    fresh = best_lists(signatures, holders, todo, count, shares)
    if isinstance(old_lists, KeptLists):  # the kept lists stay where they are, each read when asked
        return Merged(fresh, old_lists, signatures), todo
    return {key: fresh[key] if key in fresh else old_lists[key] for key in signatures}, todo


def _changed(old_signatures: Signatures, signatures: Signatures) -> set[str]:
    """The keys whose signature changed, came or went: of :class:`KeptSignatures` under a
    :class:`Merged`, only the remade and the gone are compared (the others were not read)."""
    if isinstance(old_signatures, KeptSignatures) and isinstance(signatures, Merged):
        maybe = set(signatures.fresh) | (
            old_signatures.numbers.keys() - signatures.keys_.keys() - signatures.fresh.keys()
        )
    else:
        maybe = set(old_signatures) | set(signatures)
    _load(old_signatures, maybe)
    return {key for key in maybe if old_signatures.get(key) != signatures.get(key)}


def _holders(
    old_signatures: Signatures,
    signatures: Signatures,
    changed: set[str],
    redone: set[str],
    everything: bool,
    numbers: Mapping[str, int] | None,
) -> Holders:
    """The holders of the words of ``changed`` and ``redone`` (of every word when
    ``everything`` is recomputed), the diaries numbered by ``numbers`` (None: :func:`numbered`
    here): of :class:`KeptSignatures`, the store's, brought up to date with ``changed`` first
    (or replaced whole when ``everything``)."""
    kept = old_signatures if isinstance(old_signatures, KeptSignatures) else None
    if numbers is None:
        numbers = numbered(kept.numbers, signatures, kept.following) if kept is not None else numbered({}, signatures)
    if kept is not None and not everything:
        _hold(kept.store, kept, signatures, changed, numbers)
        return KeptHolders(signatures, _words(signatures, changed | redone), numbers, kept.store)
    holders = Holders(signatures, None if everything else _words(signatures, changed | redone), numbers)
    if kept is not None:
        kept.store.save_holders(_all_held(holders), everything=True)
    return holders


class Merged(KeyedView[Any]):
    """The lists (or signatures) of ``keys``: ``fresh`` ones, else the ``kept`` ones (read only
    when asked)."""

    def __init__(self, fresh: Mapping[str, Any], kept: Mapping[str, Any], keys: Mapping[str, Any]) -> None:
        self.fresh, self.kept, self.keys_ = fresh, kept, keys
        self.keys_held = keys

    def __getitem__(self, key: str) -> Any:
        if key in self.fresh:
            return self.fresh[key]
        if key in self.keys_:
            return self.kept[key]
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return key in self.fresh or key in self.keys_

    def load(self, keys: Iterable[str]) -> None:
        """Read the kept values of ``keys`` at once (where ``kept`` reads them when asked)."""
        if isinstance(self.kept, KeptSignatures):
            self.kept.load(key for key in keys if key not in self.fresh and key in self.keys_)


def _words(signatures: Signatures, keys: Iterable[str]) -> set[str]:
    """The words of the signatures of ``keys`` (of those still there)."""
    keys = [key for key in keys if key in signatures]
    _load(signatures, keys)
    return {term for key in keys for term in signatures[key]}


def _reached(
    old_lists: Mapping[str, list[tuple[str, float]]],
    signatures: Signatures,
    holders: Holders,
    changed: set[str],
    redone: set[str],
    count: int,
) -> set[str]:
    """The kept lists that a changed diary leaves (it was in them with another score, or is
    gone) or now enters (it scores above their last entry, or above 0 in a short list)."""
    import numpy as np

    reached: set[str] = set()
    listed = _listed(old_lists, signatures, changed, redone)
    needed = _needed(old_lists, holders, redone, count)
    _load(signatures, [key for found in listed.values() for key in found])
    for other in sorted(changed):
        theirs = signatures.get(other)
        for key, value in listed[other].items():
            if theirs is None or score(signatures[key], theirs) != value:
                reached.add(key)
        if theirs is None:
            continue
        quick = holders.scores(theirs)
        quick[holders.number[other]] = 0.0
        chosen = np.flatnonzero((quick > 0) & (quick >= needed * (1 - SLACK))).tolist()
        candidates = [holders.keys[number] for number in chosen]
        _load(signatures, candidates)
        for key in candidates:
            found = old_lists[key]
            if key in reached or key in listed[other]:
                continue
            value = score(signatures[key], theirs)
            if value > 0 and (len(found) < count or (-value, other) < (-found[-1][1], found[-1][0])):
                reached.add(key)
    return reached


def _listed(
    old_lists: Mapping[str, list[tuple[str, float]]], signatures: Signatures, changed: set[str], redone: set[str]
) -> dict[str, dict[str, float]]:
    """Changed diary -> the kept lists it is in (not recomputed anyway), its score there. Of
    :class:`KeptLists`, only those that name a changed diary are read."""
    listed: dict[str, dict[str, float]] = defaultdict(dict)
    naming = old_lists.naming(changed) if isinstance(old_lists, KeptLists) else old_lists
    for key, found in naming.items():
        if key in signatures and key not in redone:
            for other, value in found:
                if other in changed:
                    listed[other][key] = value
    return listed


def _needed(
    old_lists: Mapping[str, list[tuple[str, float]]], holders: Holders, redone: set[str], count: int
) -> np.ndarray:
    """The score each kept list asks of a newcomer, by number: its last when full, else 0
    (infinite: recomputed anyway). :class:`KeptLists` keep it beside the list."""
    import numpy as np

    needed = np.full(len(holders.keys), np.inf)
    if isinstance(old_lists, KeptLists):  # in numpy, not a diary at a time
        kept = old_lists.needed
        keys = list(kept.keys() & holders.number.keys() - redone)
        at = np.fromiter(map(holders.number.__getitem__, keys), dtype=np.int64, count=len(keys))
        needed[at] = np.fromiter(map(kept.__getitem__, keys), dtype=np.float64, count=len(keys))
        return needed
    for number, key in enumerate(holders.keys):
        if key is not None and key not in redone:
            found = old_lists[key]
            needed[number] = found[-1][1] if len(found) >= count else 0.0
    return needed


def _in_shares(work: Callable[[int, int], Any], shares: int, doing: str) -> list[Any]:
    """``work(share, shares)`` for each share, in forked worker processes (share 0 here); a
    share whose process failed is done here, with a warning naming what it was ``doing``."""
    if shares < 2:
        return [work(0, 1)]
    answers = []
    for share, (ok, answer) in enumerate(in_workers(shares, work, here=True)):
        if not ok:
            logger.warning(
                "search: %s failed in a worker process; done here instead (%s)", doing, str(answer).splitlines()[0]
            )
            answer = work(share, shares)
        answers.append(answer)
    return answers


def best_lists(signatures: Signatures, holders: Holders, keys: list[str], count: int, workers: int = 1) -> Scored:
    """The scored lists of ``keys``, each of ``workers`` forked processes computing a share of
    them (they read the same signatures and holders)."""

    def share_of(share: int, shares: int) -> Scored:
        return {key: _best(signatures, holders, key, count) for key in keys[share::shares]}

    lists: Scored = {}
    for answer in _in_shares(share_of, workers, "computing related diaries"):
        lists.update(answer)
    return lists


# A first build counts every document's words: from this many, in worker processes.
PARALLEL_WORDS = 1000
# What terms.sqlite holds and how; another value starts it over (frequencies in rows since 3).
STORE = f"3 {ANALYSIS}"
Words = Callable[[list[str]], CountedTerms]


class TermStore:
    """Each content document's :class:`Terms` by key and content hash, the documents holding
    each word (in the title or the body: :meth:`holding`), and how many hold each word in their
    body (a row a word: an edit writes the counts it moved, where one JSON value of them all was
    written), in ``terms.sqlite`` (written in one transaction, so they agree). Empty when it
    cannot be opened or was made by another version."""

    def __init__(self, path: Path) -> None:
        self.connection: sqlite3.Connection | None = None
        try:
            self.connection = cache_database(path)
            self.connection.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
            if self._meta("version") != STORE:
                with self.connection:
                    self.connection.execute("BEGIN")
                    self.connection.execute("DROP TABLE IF EXISTS terms")
                    self.connection.execute("DROP TABLE IF EXISTS holders")
                    self.connection.execute("DROP TABLE IF EXISTS frequencies")
                    self.connection.execute("DELETE FROM meta")
                    self.connection.execute("INSERT INTO meta VALUES ('version', ?)", (STORE,))
            self.connection.execute(
                "CREATE TABLE IF NOT EXISTS terms (key TEXT PRIMARY KEY, number INTEGER UNIQUE, hash TEXT, data TEXT)"
            )
            # :meth:`hashes` scans this, not the rows: each holds its terms (6 KB at 50,000 diaries).
            self.connection.execute("CREATE INDEX IF NOT EXISTS terms_hashes ON terms (key, hash)")
            # A word's holders as an array of document numbers: compact at 50,000 diaries.
            self.connection.execute("CREATE TABLE IF NOT EXISTS holders (word TEXT PRIMARY KEY, numbers BLOB)")
            self.connection.execute("CREATE TABLE IF NOT EXISTS frequencies (word TEXT PRIMARY KEY, count INTEGER)")
        except sqlite3.Error:
            self.connection = None

    def _meta(self, name: str) -> str | None:
        assert self.connection is not None
        row = self.connection.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def hashes(self) -> dict[str, str]:
        """Each stored document's content hash, read from index ``terms_hashes`` (a scan of
        the rows read a page of each: 311 MB at 50,000 diaries)."""
        if self.connection is None:
            return {}
        try:
            return dict(self.connection.execute("SELECT key, hash FROM terms"))
        except sqlite3.Error:
            return {}

    def frequencies(self) -> Counter[str] | None:
        """None when missing or unreadable (then the stored terms are not used)."""
        if self.connection is None:
            return None
        try:
            return Counter(dict(self.connection.execute("SELECT word, count FROM frequencies")))
        except sqlite3.Error:
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
        for chunk in chunks(sorted(set(words))):
            query = f"SELECT numbers FROM holders WHERE word IN ({','.join('?' * len(chunk))})"
            for (blob,) in self.connection.execute(query, chunk):
                numbers.frombytes(blob)
        keys: set[str] = set()
        for chunk in chunks(sorted(set(numbers))):
            query = f"SELECT key FROM terms WHERE number IN ({','.join('?' * len(chunk))})"
            keys.update(key for (key,) in self.connection.execute(query, chunk))
        return keys

    def save(
        self,
        fresh: Mapping[str, Terms],
        hashes: Mapping[str, str],
        replaced: Mapping[str, Terms],
        gone: Iterable[str],
        frequencies: Counter[str],
        moved: Iterable[str] | None = None,
    ) -> None:
        """Store the ``fresh`` terms (each made as it is written) with their content hashes,
        whose earlier terms, if any, were ``replaced``; remove the ``gone`` keys; store the
        ``frequencies`` of the words whose count ``moved`` (all when None). Rows are
        written for the changed documents and words only."""
        if self.connection is None:
            return
        try:
            with self.connection:
                self.connection.execute("BEGIN")
                first = self.connection.execute("SELECT 1 FROM terms LIMIT 1").fetchone() is None
                numbers = {} if first else self._numbers([*replaced, *fresh])
                (highest,) = self.connection.execute("SELECT MAX(number) FROM terms").fetchone()
                next_number = -1 if highest is None else highest
                dropped: defaultdict[str, set[int]] = defaultdict(set)
                for key, terms in replaced.items():
                    if key in numbers:
                        for word in terms.counts:
                            dropped[word].add(numbers[key])
                self.connection.executemany("DELETE FROM terms WHERE key = ?", [(key,) for key in sorted(gone)])
                added: defaultdict[str, array] = defaultdict(lambda: array("I"))

                def rows() -> Iterator[tuple[str, int, str, str]]:
                    nonlocal next_number
                    for key in fresh:
                        terms = fresh[key]
                        number = numbers.get(key)
                        if number is None:
                            number = next_number = next_number + 1
                        for word in terms.counts:
                            added[word].append(number)
                        yield key, number, hashes[key], json.dumps(terms.to_json())

                self.connection.executemany("INSERT OR REPLACE INTO terms VALUES (?, ?, ?, ?)", rows())
                self._save_holders(first, dropped, added)
                self._save_frequencies(frequencies, None if first else moved)
        except sqlite3.Error:
            pass

    def _numbers(self, keys: Iterable[str]) -> dict[str, int]:
        """The stored numbers of ``keys`` (those stored)."""
        assert self.connection is not None
        found: dict[str, int] = {}
        for chunk in chunks(sorted(set(keys))):
            query = f"SELECT key, number FROM terms WHERE key IN ({','.join('?' * len(chunk))})"
            found.update(self.connection.execute(query, chunk))
        return found

    def _save_holders(self, first: bool, dropped: Mapping[str, set[int]], added: Mapping[str, array]) -> None:
        """Of each word's holders, rewrite only those that changed: an edit leaves most of a
        diary's words where they were, and a common word is held by thousands of diaries."""
        assert self.connection is not None
        if first:  # nothing to read back
            self.connection.executemany(
                "INSERT INTO holders VALUES (?, ?)", ((w, a.tobytes()) for w, a in added.items())
            )
            return
        for word in sorted(dropped.keys() | added.keys()):
            leaving = dropped.get(word, set()).difference(added.get(word, ()))
            coming = [number for number in added.get(word, ()) if number not in dropped.get(word, ())]
            if not leaving and not coming:  # the same documents hold it
                continue
            row = self.connection.execute("SELECT numbers FROM holders WHERE word = ?", (word,)).fetchone()
            held = array("I", row[0]) if row else array("I")
            if leaving:
                held = array("I", (number for number in held if number not in leaving))
            held.extend(coming)
            if held:
                self.connection.execute("INSERT OR REPLACE INTO holders VALUES (?, ?)", (word, held.tobytes()))
            else:
                self.connection.execute("DELETE FROM holders WHERE word = ?", (word,))

    def _save_frequencies(self, frequencies: Counter[str], moved: Iterable[str] | None) -> None:
        assert self.connection is not None
        if moved is None:
            self.connection.execute("DELETE FROM frequencies")
            moved = frequencies
        words = sorted(set(moved))
        self.connection.executemany(
            "DELETE FROM frequencies WHERE word = ?", [(w,) for w in words if w not in frequencies]
        )
        self.connection.executemany(
            "INSERT OR REPLACE INTO frequencies VALUES (?, ?)", [(w, frequencies[w]) for w in words if w in frequencies]
        )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def count_words(keys: list[str], make: Callable[[str], Document], workers: int = 1) -> CountedTerms:
    """The :class:`Terms` of the documents ``make(key)`` gives, counted in ``workers`` forked
    processes when there are many (a first build's)."""

    def share_of(share: int, shares: int) -> tuple[Counted, dict[int, list[str]], Counter[str]]:
        counter = WordCounter()
        for number in range(share, len(keys), shares):
            counter.add(number, make(keys[number]))
        return counter.counted, counter.tags, counter.frequencies

    shares = workers if len(keys) >= PARALLEL_WORDS else 1
    answers = _in_shares(share_of, shares, "counting words for related diaries")
    tags: dict[int, list[str]] = {}
    frequencies: Counter[str] = Counter()
    for _, found, held in answers:
        tags.update(found)
        frequencies.update(held)
    return CountedTerms([counted for counted, _, _ in answers], dict(enumerate(keys)), tags, frequencies)


def update_terms(words: Words, hashes: Mapping[str, str], store: TermStore) -> tuple[Counter[str], int, CountedTerms]:
    """Document frequencies over the documents in ``hashes`` (key -> content hash), their count,
    and the :class:`Terms` of those that are new or changed since the store was written. Only
    those are counted (``words(keys)``): the frequencies are the stored ones, less the words of
    changed and removed documents, plus those of the new and changed ones."""
    known, frequencies = store.hashes(), store.frequencies()
    unread = frequencies is None
    if frequencies is None:
        known, frequencies = {}, Counter()
    stale = sorted(differing(hashes, known))
    gone = sorted(known.keys() - hashes.keys())
    replaced = store.terms([*gone, *(key for key in stale if key in known)])
    bodies = [terms.body() for terms in replaced.values()]
    fresh = words(stale)
    was = {word: frequencies[word] for word in set(fresh.frequencies).union(*bodies)}
    for body in bodies:
        frequencies.subtract(body)
    frequencies.update(fresh.frequencies)
    frequencies = +frequencies  # drop words no document holds any more
    moved = None if unread else [word for word, count in was.items() if frequencies[word] != count]
    store.save(fresh, hashes, replaced, [*gone, *set(stale) - set(fresh)], frequencies, moved)
    return frequencies, len(hashes) - sum(1 for key in stale if key not in fresh), fresh


def current_signatures(
    words: Words, store: TermStore, hashes: Mapping[str, str], keys: list[str], cached: dict, workers: int = 1
) -> tuple[Merged, dict[str, float]]:
    """Signatures of ``keys`` and the word weights they use, with ``hashes`` (key -> content
    hash) as the corpus: equal to :func:`signature_of` over every document's words counted
    afresh. A cached signature is kept when its document has the same hash and none of its
    words changed weight (:func:`idf` moves in steps of 0.1, so a change moves few): only the
    others' words are read. The signatures made (``fresh``) over the cached ones (not read
    here)."""
    frequencies, total, fresh = update_terms(words, hashes, store)
    weights = {term: idf(max(total, 1), count) for term, count in frequencies.items()}
    before = cached.get("weights", {})
    moved = {term for term in before.keys() | weights.keys() if before.get(term) != weights.get(term)}
    old, old_hashes = cached["signatures"], cached.get("hashes", {})
    known = keys_of(old)
    wanted = set(keys)
    redo = {key for key in differing(hashes, old_hashes) if key in wanted} | wanted.difference(known)
    if moved and len(redo) < len(keys):
        redo |= store.holding(moved) & wanted
    made = _weighed(words, store, fresh, [key for key in keys if key in redo], frequencies, max(total, 1), workers)
    kept = dict.fromkeys(keys)
    for key in redo - made.keys():
        del kept[key]
    return Merged(made, old, kept), weights


def _weighed(
    words: Words,
    store: TermStore,
    fresh: Mapping[str, Terms],
    keys: list[str],
    frequencies: Counter[str],
    total: int,
    workers: int,
) -> dict[str, dict[str, float]]:
    """The signatures of ``keys``, each document's terms made when its signature is (a first
    build's are many: on every core)."""
    found = ChainMap(fresh, store.terms(sorted(key for key in keys if key not in fresh)))
    missing = sorted(key for key in keys if key not in found)
    if missing:  # not in the store (it could not be written): counted again
        found.maps.append(words(missing))
    todo = [key for key in keys if key in found]

    def share_of(share: int, shares: int) -> dict[str, dict[str, float]]:
        return {key: signature_of(found[key], frequencies, total, SIGNATURE_TERMS) for key in todo[share::shares]}

    made: dict[str, dict[str, float]] = {}
    for answer in _in_shares(
        share_of, workers if len(todo) >= PARALLEL_WORDS else 1, "weighing related diaries' words"
    ):
        made.update(answer)
    return made


def related_store(folder: Path, count: int) -> RelatedStore:
    """The store of ``folder`` (``related.sqlite``) for lists of ``count``; emptied when it was
    made for another count, signature size or :data:`FORMAT`."""
    return RelatedStore(folder / STORE_FILE, f"{FORMAT} {count} {SIGNATURE_TERMS}")


def update_related(
    documents: Mapping[str, tuple[str, str]],
    make: Callable[[str], Document],
    folder: Path,
    count: int,
    workers: int = 1,
    store: RelatedStore | None = None,
    sources: tuple[str | None, list[str]] | None = None,
) -> tuple[Names, list[str]]:
    """``key -> [key]`` of related diaries for every diary among ``documents`` (the content
    documents: ``key -> (content hash, kind, ...)``); returns it and the keys recomputed.
    ``make(key)`` gives a new or changed document's :class:`Document` to count its words;
    a first computation counts them and computes the lists in ``workers`` processes.
    ``sources``: a digest that changes with any hash or kind of ``documents``, and the
    diaries' keys, both made without their hashes (the build's: plugins/search/generator.py),
    so a build whose documents did not change asks for no hash (None: no such digest, the
    lists are computed from the hashes).

    Kept in ``store`` (``related_store(folder, count)``, committed by the caller; made and
    committed here when None). With the documents as the last computation left them (its
    ``corpus`` in the store's meta, written in the same transaction as the rows), the lists
    are the rows' names: no signature or score is read. Otherwise the kept signatures, lists
    and weights are read, and only the rows whose values changed are written."""
    if store is None:
        store = related_store(folder, count)
        try:
            found = update_related(documents, make, folder, count, workers, store, sources)
        except BaseException:
            store.close(commit=False)
            raise
        store.close()
        return found
    if sources is None:
        order = [key for key, entry in documents.items() if entry[1] == "diary"]
        state = corpus_state(documents, order)
    else:
        state, order = sources
    kept = store.names()  # before any write: a kept list's names, whatever happens to the store next
    diaries = set(order)
    if state is not None and store.meta("corpus") == state and kept.keys() == diaries:
        return Names(kept), []
    corpus = (
        documents.content_hashes() if isinstance(documents, Hashed) else {key: documents[key][0] for key in documents}
    )
    try:
        lists, todo = _compute(documents, make, folder, count, workers, store, corpus, order)
    except Damaged:  # a kept list could not be read: everything again, from nothing kept
        store.reset()
        lists, todo = _compute(documents, make, folder, count, workers, store, corpus, order)
    store.set_meta("corpus", state)
    texts = dict(kept)
    texts.update((key, SEPARATOR.join([other for other, _ in found])) for key, found in lists.fresh.items())
    for key in texts.keys() - diaries:
        del texts[key]
    return Names(texts), todo


@runtime_checkable
class Hashed(Protocol):
    """Documents that give every content hash at once (the build's: plugins/search/generator.py),
    where a computation asked ``documents[key]`` of each (0.07 s at 50,000 diaries)."""

    def content_hashes(self) -> dict[str, str]: ...


def corpus_state(documents: Mapping[str, tuple[str, str]], diaries: list[str]) -> str:
    """What ``corpus`` in the store's meta holds: a digest of ``documents``' hashes and of
    which of them are ``diaries``."""
    corpus = {key: documents[key][0] for key in documents}
    return f"{digest_of_hashes(corpus)} {digest(SEPARATOR.join(sorted(diaries)).encode())}"


def _compute(
    documents: Mapping[str, tuple[str, str]],
    make: Callable[[str], Document],
    folder: Path,
    count: int,
    workers: int,
    store: RelatedStore,
    corpus: dict[str, str],
    order: list[str],
) -> tuple[Merged, list[str]]:
    """The signatures and lists of ``order`` computed from what ``store`` kept, and the
    rows that changed written to it; the lists (those computed this build and the kept
    ones) and the keys recomputed."""
    old = store.computed()
    before = store.weights() if old[0] else {}
    cached = {"signatures": old[0], "hashes": old[2], "weights": before}
    terms = TermStore(folder / "terms.sqlite")
    try:
        signatures, weights = current_signatures(
            lambda keys: count_words(keys, make, workers), terms, corpus, order, cached, workers
        )
    finally:
        terms.close()
    numbers = numbered(old[0].numbers, signatures, old[0].following)
    lists, todo = update_lists(old[0], old[1], signatures, count, workers=workers, numbers=numbers)
    assert isinstance(lists, Merged)
    store.save_related(signatures, corpus, lists.fresh, old, count, numbers, signatures.fresh)
    store.save_weights(weights, before)
    return lists, todo


def kept_related(folder: Path) -> dict | None:
    """What the last computation kept in ``folder``: ``signatures``, ``lists``, ``hashes``,
    ``weights`` (None when nothing was kept)."""
    return kept_rows(folder / STORE_FILE)
