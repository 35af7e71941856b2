"""Recommended diaries: trusted members' recommendations, weighted by trust, decaying with age.

A recommendation counts its maker's trust weight (0 for members who are not trusted),
halved for every ``half_life_days`` since the diary was published. Recommending your
own diary counts for nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .metric import TrustResult


@dataclass
class DiaryRecommendations:
    """Who recommends one diary, and what that adds up to."""

    diary_id: str
    recommenders: list[tuple[str, float]] = field(default_factory=list)  # trusted: (handle, weight)
    untrusted: list[str] = field(default_factory=list)  # recommended, but count for nothing
    self_recommended: bool = False
    weight: float = 0.0  # sum of trusted weights, before decay
    score: float = 0.0  # after decay: what the list is ordered by
    listed: bool = False

    @property
    def handles(self) -> list[str]:
        return [handle for handle, _ in self.recommenders]


def decay(published: dt.date, today: dt.date, half_life_days: float) -> float:
    """The share of a recommendation's weight left after the diary's age in days."""
    age = max(0, (today - published).days)
    return 0.5 ** (age / half_life_days)


def rank(
    recommends: Mapping[str, Iterable[str]],
    published: Mapping[str, dt.date],
    trust: TrustResult,
    *,
    today: dt.date,
    half_life_days: float = 30,
    min_weight: float = 1.0,
    min_recommenders: int = 2,
) -> dict[str, DiaryRecommendations]:
    """Every recommended published diary (``id -> DiaryRecommendations``), best first.

    ``recommends`` maps each member to the diary ids they recommend; ``published``
    maps each published diary id to its date. Unknown and draft ids are skipped (the
    check reports them).
    """
    found: dict[str, DiaryRecommendations] = {}
    for handle in sorted(recommends):
        for diary_id in dict.fromkeys(recommends[handle]):
            if diary_id not in published:
                continue
            entry = found.setdefault(diary_id, DiaryRecommendations(diary_id))
            if diary_id.split("/", 1)[0] == handle:
                entry.self_recommended = True
            elif trust.is_trusted(handle) and trust.weight(handle) > 0:
                entry.recommenders.append((handle, trust.weight(handle)))
            else:
                entry.untrusted.append(handle)
    for diary_id, entry in found.items():
        entry.recommenders.sort(key=lambda pair: (-pair[1], pair[0]))
        entry.weight = round(sum(weight for _, weight in entry.recommenders), 4)
        entry.score = round(entry.weight * decay(published[diary_id], today, half_life_days), 6)
        entry.listed = entry.weight >= min_weight and len(entry.recommenders) >= min_recommenders
    ordered = sorted(
        found.values(), key=lambda e: (-e.score, -e.weight, -published[e.diary_id].toordinal(), e.diary_id)
    )
    return {entry.diary_id: entry for entry in ordered}
