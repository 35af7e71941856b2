"""What a diary's page shows of its related diaries, kept with its digest from build to build.

A page reads ``search_related.get(diary_id)``: a tuple of :class:`RelatedDiary` (address,
title, member, date), what it shows of each related diary, so an edit that keeps a diary's
words (its lists) and these four renders no page that relates it. ``search_related`` is read
by key (:class:`RelatedShown`; netroots.fingerprint.is_keyed): a page depends on the digest of
the list it asked for, and a list and its cards are made only when a page asks for it or its
digest is made again. A build that renders no diary page makes none (50,000 cards, their
tuples and their ``repr`` were 0.8 s at 50,000 diaries).

Each diary's row of ``.cache/search/related.sqlite`` (plugins/search/store.py) keeps its card
as the digester sees it (:func:`shown_as`), the state of the diary object it was made from
(:func:`made_from`) and the digest ``Digester()`` made of its list.

The rule a kept digest is trusted by: a list's digest stands while it names the same diaries
in the same order and each of them shows exactly what it showed: its diary object has the
state its card was made from (the hash of the pickle netroots/articlecache.py kept it as,
what the card shows untouched since), or else a card made now equals the kept one as the
digester sees it (:func:`same`); and while the digester digests a sample as it did
(:data:`SAMPLE`: its code and :class:`RelatedDiary`'s fields). ``NETROOTS_CHECK_KEPT`` (the
test suite) makes every card and list again, compares them with what was kept and fails the
build on a difference.
"""

from __future__ import annotations

import datetime as dt
import operator
import os
from collections.abc import Collection, Iterable, Mapping
from itertools import compress, repeat
from typing import Any, NamedTuple

from netroots.fingerprint import CHECK_KEPT, Digester, Kept, KeptChanged
from netroots.generators import address

from .store import FEW, SEPARATOR, Names, RelatedStore


class RelatedDiary(NamedTuple):
    """What a diary's page shows of a related diary (theme/templates/search/related.html)."""

    url: str
    title: str
    author: str  # the member's handle
    date: dt.datetime


SAMPLE = RelatedDiary("a/b/", "Title", "member", dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC))
# The attributes a card is made of (``override_url``: its address, fixed when it was made).
SHOWN = ("override_url", "title", "author", "date")
Shown = tuple[RelatedDiary, ...]


def card_of(item: Any) -> RelatedDiary:
    return RelatedDiary(address(item), item.title, item.author.name, item.date)


def shown_as(card: RelatedDiary) -> str:
    """What the digester sees of ``card``, as text: its ``repr`` (each field's: strings
    escaped, the date's type, fields, fold and zone, as the digest takes a date)."""
    return repr(card)


def same(card: RelatedDiary, kept: str | None) -> bool:
    """``card`` digests as the card ``kept`` (:func:`shown_as`) did. Not ``==`` of the fields:
    between dates it compares instants, or wall times under one zone, where the digest takes
    their ``repr``. 0.08 s at 50,000 diaries, where unpickling the kept cards was 0.24."""
    return kept is not None and shown_as(card) == kept


# Where ``SHOWN`` sit among a kept object's attributes, by the id of its tuple of names.
_PLACES: dict[int, tuple[tuple[str, ...], tuple[int, ...] | None]] = {}


def made_from(item: Any, kept: Kept | None) -> bytes | None:
    """The state of the pickle ``item`` was kept as or restored from (``kept``: its
    ``netroots.fingerprint.Kept``), while its card is made of that pickle alone: its address
    fixed in it, and the attributes the card shows still the objects it was kept with. None
    otherwise (no kept object, an address from the settings, an attribute set since): then
    its card is made and compared with the kept one."""
    if kept is None:
        return None
    names = kept.names
    found = _PLACES.get(id(names))
    if found is None or found[0] is not names:
        places = tuple(names.index(name) for name in SHOWN) if set(SHOWN) <= set(names) else None
        found = _PLACES[id(names)] = (names, places)
    places = found[1]
    if places is None:
        return None
    get, values = item.__dict__.get, kept.values
    url, title, author, date = places  # as SHOWN
    url_value = values[url]
    if (
        get("override_url") is not url_value
        or get("title") is not values[title]
        or get("author") is not values[author]
        or get("date") is not values[date]
    ):
        return None
    return kept.state if url_value else None


class Cards(dict[str, RelatedDiary]):
    """Each diary's card by key, made when first asked."""

    def __init__(self, diaries: Mapping[str, Any]) -> None:
        super().__init__()
        self.diaries = diaries
        self.made = 0  # cards made this build (tests count them)

    def __missing__(self, key: str) -> RelatedDiary:
        card = self[key] = card_of(self.diaries[key])
        self.made += 1
        return card


class RelatedShown:
    """``search_related`` in templates: ``get(diary_id)`` is the tuple of :class:`RelatedDiary`
    its page shows (None for no diary's), made when asked. Read by key
    (``netroots.fingerprint.is_keyed``): a page depends on the digest of the list it asked for."""

    def __init__(self, ids: dict[str, str], lists: Names, cards: Cards, digests: dict[str, bytes], sample: str) -> None:
        self.ids = ids  # diary_id -> key
        self.lists = lists
        self.cards = cards
        self.digests = digests
        self.sample = sample
        self.made: dict[str, Shown] = {}
        self.asked: set[str] = set()

    def get(self, diary_id: Any, default: Any = None) -> Any:
        if not isinstance(diary_id, str):
            return default
        self.asked.add(diary_id)
        key = self.ids.get(diary_id)
        return default if key is None else self.shown(key)

    def shown(self, key: str) -> Shown:
        found = self.made.get(key)
        if found is None:
            cards = self.cards
            found = self.made[key] = tuple([cards[other] for other in self.lists[key]])
        return found

    def start(self) -> None:
        self.asked = set()

    def read(self) -> list[str]:
        return sorted(self.asked)

    def fingerprint_state(self) -> str:
        return self.sample

    def fingerprint_key(self, diary_id: str) -> bytes | None:
        key = self.ids.get(diary_id)
        return None if key is None else self.digests[key]


def shown_lists(
    store: RelatedStore,
    diaries: Mapping[str, Any],
    lists: Names,
    states: Mapping[str, bytes | None],
    ids: dict[str, str],
    named: Mapping[str, str],
    walked: Collection[str] | None = None,
    relisted: Collection[str] | None = None,
) -> RelatedShown:
    """What the pages of ``diaries`` (``key -> diary``) show of their ``lists``, with each
    list's digest: the kept one while the rule above holds, else made now. ``states``: each
    diary's :func:`made_from` (its kept object: netroots/articlecache.py), ``ids``: diary_id
    -> key, ``named``: key -> diary_id of the diaries walked (all made in the build's walk of
    the diaries: plugins/search/generator.py). ``walked``: the only diaries whose state or
    diary_id can differ from their row's (the others' are their row's), None: any; ``relisted``:
    the only lists whose names can differ from their row's, None: any. Only the rows whose
    card, its state, diary_id or digest changed are written to ``store``."""
    digest = Digester()
    sample = digest(SAMPLE).hex()
    rows = store.rows() if store.meta("sample") == sample else {}
    row = rows.get
    moved, renamed = _moved(rows, states, named, walked)
    cards = Cards(diaries)
    before = store.cards(moved) if rows and moved else {}
    changed = {key for key in moved if not same(cards[key], before.get(key))}
    shown = RelatedShown(ids, lists, cards, {}, sample)
    made = _digests(shown, rows, changed, digest, None if walked is None or not rows else relisted)
    if os.environ.get(CHECK_KEPT):
        _check(store, shown, made, list(states.keys() - set(moved)))
    written = set(renamed).union(key for key in moved if key in changed or row(key, _NOTHING)[1] != states[key])
    store.save_shown(
        [(shown_as(cards[key]), states[key], named.get(key) or row(key, _NOTHING)[3], key) for key in sorted(written)],
        [(made[key], key) for key in sorted(made)],
    )
    if store.meta("sample") != sample:
        store.set_meta("sample", sample)
    return shown


_NOTHING = (None, None, None, None)


def _moved(
    rows: Mapping[str, tuple],
    states: Mapping[str, bytes | None],
    named: Mapping[str, str],
    walked: Collection[str] | None,
) -> tuple[list[str], list[str]]:
    """The diaries whose card state differs from their row's (or that have none: their card is
    compared each build) and those whose diary_id does: of ``walked`` (and the stateless rows)
    only, when the others are their rows'."""
    row = rows.get
    if walked is None or not rows:
        moved = [key for key, state in states.items() if state is None or row(key, _NOTHING)[1] != state]
        return moved, [key for key, diary_id in named.items() if row(key, _NOTHING)[3] != diary_id]
    maybe = sorted(key for key in {*walked, *_unmade(rows)} if key in states)
    moved = [key for key in maybe if states[key] is None or row(key, _NOTHING)[1] != states[key]]
    return moved, [key for key in walked if row(key, _NOTHING)[3] != named[key]]


def _unmade(rows: Mapping[str, tuple]) -> list[str]:
    """The rows whose card is made anew each build (no state it was made from: :func:`made_from`)."""
    return list(compress(rows, map(operator.not_, map(operator.itemgetter(1), rows.values()))))


def _digests(
    shown: RelatedShown,
    rows: Mapping[str, tuple],
    changed: set[str],
    digest: Digester,
    relisted: Collection[str] | None = None,
) -> dict[str, bytes]:
    """Each list's digest in ``shown.digests``: the kept one while its row names the same
    diaries and none of ``changed``, else made now (those are returned). ``relisted``: the
    only lists whose names can differ from their row's (None: any); the others' digests are
    their rows' (read in C), unless their row has none or they name one of ``changed``."""
    made: dict[str, bytes] = {}
    texts = shown.lists.texts
    if relisted is None:
        todo: Iterable[str] = shown.lists
    else:
        shown.digests.update(zip(rows, map(operator.itemgetter(2), rows.values()), strict=True))
        for key in rows.keys() - texts.keys():  # diaries gone
            del shown.digests[key]
        todo = {
            *relisted,
            *texts.keys() - rows.keys(),
            *compress(rows, map(operator.is_, map(operator.itemgetter(2), rows.values()), repeat(None))),
        }
        if changed:
            todo |= {key for key, text in texts.items() if text and _names_one(text, changed)}
        todo = [key for key in texts if key in todo]
    for key in todo:
        text, row = texts[key], rows.get(key, _NOTHING)
        found = row[2]
        if found is None or row[0] != text or (changed and _names_one(text or "", changed)):
            found = made[key] = digest(shown.shown(key))
        shown.digests[key] = found
    return made


def _names_one(text: str, keys: set[str]) -> bool:
    """Does the list ``text`` (its names joined) name one of ``keys``? A substring test first
    when they are few."""
    if len(keys) <= FEW and not any(key in text for key in keys):
        return False
    return not keys.isdisjoint(text.split(SEPARATOR))


def _check(store: RelatedStore, shown: RelatedShown, made: Mapping[str, bytes], trusted: list[str]) -> None:
    """``NETROOTS_CHECK_KEPT``: each card trusted by its state equals the kept one, each kept
    digest the digest of its list made now; a difference fails the build."""
    kept = store.cards(trusted)
    for key in trusted:
        card = shown.cards[key]
        if not same(card, kept.get(key)):
            raise KeptChanged(f"the kept card of {key} ({kept.get(key)}) is not what it shows now: {card!r}")
    check = Digester()
    for key, found in shown.digests.items():
        if key not in made and check(shown.shown(key)) != found:
            value = shown.shown(key)
            raise KeptChanged(
                f"a kept {type(value).__name__} ({str(value)[:200]}) no longer digests as it was kept: "
                "the rule its keeper trusts it by was broken (plugins/search/shown.py)"
            )
