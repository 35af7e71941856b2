"""What a diary's page shows of its related diaries, kept with its digest from build to build.

A page reads ``search_related[diary_id]``: a tuple of :class:`RelatedDiary` (address, title,
member, date), what it shows of each related diary, so an edit that keeps a diary's words
(its lists) and these four renders no page that relates it. Made fresh, 10,000 such tuples
cost every build their digests (0.15 s at 10,000 diaries); so each is kept in its diary's row
of ``.cache/search/related.sqlite`` (plugins/search/store.py: each diary's card, each list's
digest) with the digest ``Digester()`` made of it, and handed to the pages' digester as
digested (``netroots.fingerprint.kept_values``).

The rule a kept digest is trusted by: a list's digest stands while it names the same diaries
in the same order and each of them shows exactly what it showed (:func:`same`: the four
fields equal as the digester sees them), and while the digester digests a sample as it did
(:data:`SAMPLE`: its code and :class:`RelatedDiary`'s fields). ``NETROOTS_CHECK_KEPT`` (the
test suite) digests every kept list again in full and fails the build on a difference.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from netroots.fingerprint import Digester

from .store import SEPARATOR, RelatedStore


class RelatedDiary(NamedTuple):
    """What a diary's page shows of a related diary (theme/templates/search/related.html)."""

    url: str
    title: str
    author: str  # the member's handle
    date: dt.datetime


SAMPLE = RelatedDiary("a/b/", "Title", "member", dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC))


def shown_as(card: RelatedDiary) -> str:
    """What the digester sees of ``card``, as text: its ``repr`` (each field's: strings
    escaped, the date's type, fields, fold and zone, as the digest takes a date)."""
    return repr(card)


def same(card: RelatedDiary, kept: str | None) -> bool:
    """``card`` digests as the card ``kept`` (:func:`shown_as`) did. Not ``==`` of the fields:
    between dates it compares instants, or wall times under one zone, where the digest takes
    their ``repr``. 0.08 s at 50,000 diaries, where unpickling the kept cards was 0.24."""
    return kept is not None and shown_as(card) == kept


def shown_lists(
    store: RelatedStore,
    cards: Mapping[str, RelatedDiary],
    lists: Mapping[str, Sequence[str]],
    known: dict[int, Any],
) -> dict[str, tuple[RelatedDiary, ...]]:
    """``key -> (RelatedDiary, ...)`` for each of ``lists`` (``key -> [key]``) from ``cards``
    (each diary's, made this build); each tuple's digest registered in ``known``
    (``kept_values``): the kept one while :func:`same` holds, else made now. Only the rows
    whose card or digest changed are written to ``store``."""
    digest = Digester()
    sample = digest(SAMPLE).hex()
    rows = store.rows() if store.meta("sample") == sample else {}
    nothing = (None, None, None)
    unchanged = {key for key, card in cards.items() if same(card, rows.get(key, nothing)[1])}
    shown: dict[str, tuple[RelatedDiary, ...]] = {}
    digests: dict[str, bytes] = {}
    for key, others in lists.items():
        value = tuple([cards[other] for other in others])
        row = rows.get(key, nothing)
        kept = row[2]
        if kept is None or row[0] != SEPARATOR.join(others) or not unchanged.issuperset(others):
            kept = digests[key] = digest(value)
        shown[key] = value
        known[id(value)] = (value, kept)
    store.save_shown(
        (shown_as(cards[key]), digests[key] if key in digests else rows.get(key, nothing)[2], key)
        for key in sorted(digests.keys() | (cards.keys() - unchanged))
    )
    if store.meta("sample") != sample:
        store.set_meta("sample", sample)
    return shown
