"""Related diaries: more like this, over each diary's key-term signature (title, tags, body).

Signatures come from the Whoosh index (:meth:`SearchIndex.signatures`); here they are
compared. Both are cached in ``.cache/search/related.json`` and recomputed only for
new and changed diaries (and for diaries whose list names a diary that is gone).
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


def nearest(
    signatures: dict[str, dict[str, float]], targets: list[str], count: int, cap: int = CANDIDATES_PER_TERM
) -> dict[str, list[str]]:
    """For each target key, the ``count`` keys whose signatures are most alike (cosine)."""
    holders: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for key, signature in signatures.items():
        for term, weight in signature.items():
            holders[term].append((weight, key))
    for term, found in holders.items():
        if len(found) > cap:
            holders[term] = heapq.nlargest(cap, found)
    result = {}
    for key in targets:
        scores: dict[str, float] = defaultdict(float)
        for term, weight in signatures.get(key, {}).items():
            for other_weight, other in holders.get(term, ()):
                scores[other] += weight * other_weight
        scores.pop(key, None)
        best = heapq.nsmallest(count, scores.items(), key=lambda item: (-item[1], item[0]))
        result[key] = [other for other, score in best if score > 0]
    return result


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
    if not changed and cached.get("corpus") == len(corpus):
        return cached["related"], []
    # Any change can move every diary's signature (document frequencies) and every
    # list: recompute all, so the lists are exactly what a clean build computes.
    todo = _recompute(index, cached, diaries, corpus, count)
    if changed or diaries:
        _write_cache(path, cached)
    return cached["related"], todo


def _read_cache(path: Path, count: int) -> dict:
    """The last build's signatures and lists; empty when unreadable or made with other settings."""
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cached = {}
    if cached.get("count") != count or cached.get("terms") != SIGNATURE_TERMS or "signatures" not in cached:
        cached = {"count": count, "terms": SIGNATURE_TERMS, "signatures": {}, "related": {}}
    return cached


def _recompute(index: SearchIndex, cached: dict, diaries: dict[str, str], corpus: list[str], count: int) -> list[str]:
    """Fill ``cached`` with fresh signatures and related lists for every diary; returns the keys
    whose lists were computed (none when ``count`` is 0)."""
    cached["signatures"] = signatures = index.signatures(list(diaries), terms=SIGNATURE_TERMS, corpus=corpus)
    cached["corpus"] = len(corpus)
    todo = list(diaries) if count else []
    cached["related"] = related = {}
    if todo:
        for key, others in nearest(signatures, todo, count).items():
            related[key] = [diaries[other] for other in others if other in diaries]
    return todo


def _write_cache(path: Path, cached: dict) -> None:
    """Replace the cache file in one step, so an interrupted build leaves the old one whole."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(cached, sort_keys=True), encoding="utf-8")
    os.replace(temporary, path)
