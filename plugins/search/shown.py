"""What a diary's page shows of its related diaries, kept with its digest from build to build.

A page reads ``search_related[diary_id]``: a tuple of :class:`RelatedDiary` (address, title,
member, date), what it shows of each related diary, so an edit that keeps a diary's words
(its lists) and these four renders no page that relates it. Made fresh, 10,000 such tuples
cost every build their digests (0.15 s at 10,000 diaries); so each is kept in
``.cache/search/related-shown.pickle`` with the digest ``Digester()`` made of it, and handed
to the pages' digester as digested (``netroots.fingerprint.kept_values``).

The rule a kept digest is trusted by: a list's digest stands while it names the same diaries
in the same order and each of them shows exactly what it showed (:func:`same`: the four
fields equal as the digester sees them), and while the digester digests a sample as it did
(:data:`SAMPLE`: its code and :class:`RelatedDiary`'s fields). ``NETROOTS_CHECK_KEPT`` (the
test suite) digests every kept list again in full and fails the build on a difference.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from netroots.fingerprint import Digester
from netroots.site import read_pickle, write_pickle

SHOWN_FILE = "related-shown.pickle"
FORMAT = 1


class RelatedDiary(NamedTuple):
    """What a diary's page shows of a related diary (theme/templates/search/related.html)."""

    url: str
    title: str
    author: str  # the member's handle
    date: dt.datetime


SAMPLE = RelatedDiary("a/b/", "Title", "member", dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC))


def same(card: RelatedDiary, kept: tuple) -> bool:
    """``card`` digests as ``kept`` did: fields equal, and dates of one type, zone and fold
    (``==`` between dates compares instants, or wall times under one zone; the digest is
    their ``repr``)."""
    if card != kept:
        return False
    ours, theirs = card.date, kept[3]
    if type(ours) is not type(theirs) or getattr(ours, "fold", 0) != getattr(theirs, "fold", 0):
        return False
    zone = getattr(ours, "tzinfo", None)
    return zone is getattr(theirs, "tzinfo", None) or repr(ours) == repr(theirs)


def shown_lists(
    folder: Path, cards: Mapping[str, RelatedDiary], lists: Mapping[str, Sequence[str]], known: dict[int, Any]
) -> dict[str, tuple[RelatedDiary, ...]]:
    """``key -> (RelatedDiary, ...)`` for each of ``lists`` (``key -> [key]``) from ``cards``
    (each diary's, made this build); each tuple's digest registered in ``known``
    (``kept_values``): the kept one while :func:`same` holds, else made now. The kept file
    is rewritten only when something in it changed."""
    path = folder / SHOWN_FILE
    digest = Digester()
    sample = digest(SAMPLE)
    kept = read_pickle(path)
    if not isinstance(kept, dict) or (kept.get("format"), kept.get("sample")) != (FORMAT, sample):
        kept = {}
    kept_cards: dict[str, tuple] = kept.get("cards", {})
    kept_lists: dict[str, tuple[tuple[str, ...], bytes]] = kept.get("lists", {})
    unchanged = {key for key, card in cards.items() if key in kept_cards and same(card, kept_cards[key])}
    changed = len(unchanged) != len(cards) or len(kept_cards) != len(cards) or len(kept_lists) != len(lists)
    shown: dict[str, tuple[RelatedDiary, ...]] = {}
    entries: dict[str, tuple[tuple[str, ...], bytes]] = {}
    for key, others in lists.items():
        named = tuple(others)
        value = tuple([cards[other] for other in named])
        entry = kept_lists.get(key)
        if entry is None or entry[0] != named or not unchanged.issuperset(named):
            entry = (named, digest(value))
            changed = True
        entries[key] = entry
        shown[key] = value
        known[id(value)] = (value, entry[1])
    if changed:
        cards_kept = {key: tuple(card) for key, card in cards.items()}
        write_pickle(path, {"format": FORMAT, "sample": sample, "cards": cards_kept, "lists": entries})
    return shown
