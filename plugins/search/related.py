"""Related diaries: more like this, over each diary's key-term signature (title, tags, body).

Signatures come from the Whoosh index (:meth:`SearchIndex.signatures`); here they are
compared. Signatures, lists and their scores are cached in ``.cache/search/related.json``.
After a change every signature is recomputed (document frequencies are global), but a
diary's list is recomputed only when it can differ from the last one: its own signature
changed, or a diary whose weight changed for one of its words could now enter its list
or was in it (:func:`update_lists`). The lists are always exactly what a clean build
computes; tests/test_incremental.py compares them.
"""

from __future__ import annotations

import heapq
import json
import os
from collections import defaultdict
from pathlib import Path

from .index import SearchIndex, UpdateStats

# Each word keeps only its strongest holders as candidates: bounded work per diary,
# exact for networks where no word is in more than this many signatures.
CANDIDATES_PER_TERM = 300
# Words per signature; a change here invalidates the cached signatures.
SIGNATURE_TERMS = 12
FORMAT = 2  # of related.json: lists with their scores

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


def _best(signatures: Signatures, holders: Holders, key: str, count: int) -> list[tuple[str, float]]:
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


def update_lists(
    old_signatures: Signatures, old_lists: Scored, signatures: Signatures, count: int, cap: int = CANDIDATES_PER_TERM
) -> tuple[Scored, list[str]]:
    """Every key's scored list, recomputing only those that can differ from ``old_lists``.

    A list depends on the diary's own signature and on the holders of its words. When
    the holders of a word changed, only the diaries whose entry changed can score
    differently; the list is kept when none of them was in it and none now beats its
    last entry (the same sums, in the same order, as a full computation).
    """
    old_holders, holders = holders_of(old_signatures, cap), holders_of(signatures, cap)
    moved: dict[str, set[str]] = {}  # word -> diaries whose entry among its holders changed
    for term in old_holders.keys() | holders.keys():
        before, after = old_holders.get(term, []), holders.get(term, [])
        if before != after:
            moved[term] = {key for _, key in set(before) ^ set(after)}
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
            if other not in signatures:
                continue  # gone, and not in the list
            score = 0.0
            for term, weight in signature.items():
                if holds(term, other):
                    score += weight * signatures[other][term]
            if score > 0 and (last is None or (-score, other) < last):
                return False
        return True

    lists: Scored = {}
    redone: list[str] = []
    for key, signature in signatures.items():
        kept = old_lists.get(key)
        if kept is None or old_signatures.get(key) != signature or not unchanged(key, signature, kept):
            lists[key] = _best(signatures, holders, key, count)
            redone.append(key)
        else:
            lists[key] = kept
    return lists, redone


def update_related(
    index: SearchIndex, stats: UpdateStats, folder: Path, count: int
) -> tuple[dict[str, list[str]], list[str]]:
    """``key -> [url]`` of related diaries for every indexed diary; returns it and the keys recomputed."""
    path = folder / "related.json"
    cached = _read_cache(path, count)
    entries = index.entries()
    diaries = {key: entry["url"] for key, entry in entries.items() if entry["kind"] == "diary"}
    corpus = sorted(key for key in entries if not key.startswith("html:"))
    changed = bool(stats.added or stats.changed or stats.removed) or set(cached["signatures"]) != set(diaries)
    todo: list[str] = []
    if changed or cached.get("corpus") != len(corpus):
        # Any change can move every signature (document frequencies): all are recomputed,
        # the lists only where they can differ.
        signatures = index.signatures(list(diaries), terms=SIGNATURE_TERMS, corpus=corpus)
        lists, todo = update_lists(cached["signatures"], cached["lists"], signatures, count) if count else ({}, [])
        cached.update(signatures=signatures, lists=lists, corpus=len(corpus))
        _write_cache(path, cached)
    related = {
        key: [diaries[other] for other, _ in found if other in diaries]
        for key, found in sorted(cached["lists"].items())  # one order, cached or not: pages' digests see it
        if key in diaries
    }
    return related, todo


def _read_cache(path: Path, count: int) -> dict:
    """The last build's signatures and scored lists; empty when unreadable or made with other settings."""
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cached = {}
    if (cached.get("format"), cached.get("count"), cached.get("terms")) != (FORMAT, count, SIGNATURE_TERMS):
        cached = {"format": FORMAT, "count": count, "terms": SIGNATURE_TERMS, "signatures": {}, "lists": {}}
    return cached


def _write_cache(path: Path, cached: dict) -> None:
    """Replace the cache file in one step, so an interrupted build leaves the old one whole."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(cached, sort_keys=True), encoding="utf-8")
    os.replace(temporary, path)
