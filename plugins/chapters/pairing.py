"""Isolated members and their mentors.

A member is isolated when no other member shares their state (or their city, with
``CHAPTERS = {"isolation": "city"}``). Each isolated member is paired with a mentor
(``mentor: true``): one in the same state first, then one in a neighbouring state,
then the nearest other one (fewest state borders to cross), never more than
``mentor_cap`` members per mentor. Pairs are made in rounds (all same-state pairs, then
neighbours, then the rest) so a distant member never takes the last place of a mentor
who is someone else's neighbour. Ties go to the nearer mentor, then the one with fewer
members so far, then the handle in alphabetical order: the same content always gives
the same pairs.

State borders come from the ``us-states-geo`` package (``border_kit``): the 107
land borders between the 48 contiguous states, checked in tests against the
well-known public list. It has no District of Columbia, so DC's two borders are
added here.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from netroots.members import Member

SAME_STATE = "same state"
NEIGHBOUR = "neighbouring state"
NEAREST = "nearest mentor"
UNREACHABLE = 10_000  # hops to a state no border path reaches (Alaska, Hawaii, territories)
EXTRA_BORDERS = {"DC": ("MD", "VA")}


@lru_cache(maxsize=1)
def adjacency() -> dict[str, frozenset[str]]:
    """State postal code -> the codes of the states it shares a land border with."""
    from border_kit import STATES

    graph: dict[str, set[str]] = {code: set(data["s"]) for code, data in STATES.items()}
    for code, others in EXTRA_BORDERS.items():
        graph.setdefault(code, set()).update(others)
        for other in others:
            graph.setdefault(other, set()).add(code)
    return {code: frozenset(others) for code, others in graph.items()}


@lru_cache(maxsize=64)
def hops_from(state: str) -> dict[str, int]:
    """Borders to cross from ``state`` to every state reachable by land."""
    graph = adjacency()
    seen = {state: 0}
    queue = deque([state])
    while queue:
        here = queue.popleft()
        for there in sorted(graph.get(here, ())):
            if there not in seen:
                seen[there] = seen[here] + 1
                queue.append(there)
    return seen


def hops(a: str | None, b: str | None) -> int:
    if not a or not b:
        return UNREACHABLE
    return hops_from(a).get(b, UNREACHABLE)


def place_key(member: Member, by: str) -> tuple[str, str] | None:
    """Where a member counts as living, for isolation: their state, or state and city."""
    if not member.state:
        return None
    if by == "city" and member.city:
        return (member.state, member.city.strip().casefold())
    return (member.state, "")


def isolated_members(members: Iterable[Member], by: str = "state") -> list[Member]:
    """Members no other member shares a place with, by handle."""
    everyone = list(members)
    counts = Counter(place_key(m, by) for m in everyone)
    if by == "city":
        # A member with no city is alone only if no one else lives in their state.
        state_counts = Counter(m.state for m in everyone if m.state)
        alone = [
            m
            for m in everyone
            if place_key(m, by) and (counts[place_key(m, by)] == 1 if m.city else state_counts[m.state] == 1)
        ]
    else:
        alone = [m for m in everyone if place_key(m, by) and counts[place_key(m, by)] == 1]
    return sorted(alone, key=lambda m: m.handle)


@dataclass(frozen=True)
class Pairing:
    """One isolated member and the mentor asked to greet them (``None`` when none is free)."""

    member: str
    mentor: str | None
    reason: str
    hops: int | None = None

    @property
    def explanation(self) -> str:
        if self.mentor is None:
            return "no mentor has room yet"
        if self.reason == NEAREST and self.hops and self.hops < UNREACHABLE:
            return f"nearest mentor with room ({self.hops} state borders away)"
        if self.reason == NEAREST:
            return "a mentor with room (no land route between the states)"
        return f"mentor in a {self.reason}" if self.reason == NEIGHBOUR else "mentor in the same state"


def pair_mentors(
    members: Mapping[str, Member], *, by: str = "state", cap: int = 3, trusted: Collection[str] | None = None
) -> dict[str, Pairing]:
    """Pair every isolated member with a mentor; returns ``{member handle: Pairing}``.

    ``mentor: true`` is a claim anyone can write in their own file: with the web of trust on
    (``trusted`` given), every trusted mentor with room is asked before any untrusted one, so
    a newcomer's claim never displaces a trusted mentor."""
    mentors = sorted((m for m in members.values() if m.mentor), key=lambda m: m.handle)
    alone = isolated_members(members.values(), by)
    load: Counter[str] = Counter()

    def tier(member: Member, mentor: Member) -> int:
        distance = hops(member.state, mentor.state)
        return 0 if distance == 0 else 1 if distance == 1 else 2

    def near_options(member: Member) -> int:
        return sum(1 for m in mentors if m.handle != member.handle and tier(member, m) < 2)

    def nearest(member: Member) -> int:
        return min((hops(member.state, m.state) for m in mentors if m.handle != member.handle), default=UNREACHABLE)

    # Members with the fewest nearby mentors choose first, so a scarce neighbour is not used up by
    # someone who had other options; then the closest to any mentor, so that when mentors run out,
    # those left waiting are the ones no mentor is near anyway.
    order = sorted(alone, key=lambda m: (near_options(m), nearest(m), m.handle))
    pairs: dict[str, Pairing] = {}
    # Same-state pairs are made first for everyone, then neighbours, then the rest: a far
    # member never takes the last place of a mentor who is someone else's neighbour.
    # With the web of trust on, every trusted mentor is asked (at any distance) before any other.
    groups = [mentors]
    if trusted is not None:
        groups = [[m for m in mentors if m.handle in trusted], [m for m in mentors if m.handle not in trusted]]
    for group in groups:
        _pair_round(group, order, pairs, load, cap, tier)
    for member in order:
        pairs.setdefault(member.handle, Pairing(member.handle, None, "none"))
    return dict(sorted(pairs.items()))


def _pair_round(mentors: list[Member], order: list[Member], pairs: dict, load: Counter, cap: int, tier) -> None:
    for level, reason in enumerate((SAME_STATE, NEIGHBOUR, NEAREST)):
        for member in order:
            if member.handle in pairs:
                continue
            free = [
                m for m in mentors if m.handle != member.handle and load[m.handle] < cap and tier(member, m) == level
            ]
            if free:
                best = min(free, key=lambda m: (hops(member.state, m.state), load[m.handle], m.handle))
                load[best.handle] += 1
                pairs[member.handle] = Pairing(member.handle, best.handle, reason, hops(member.state, best.state))


def mentees_by_mentor(pairs: Mapping[str, Pairing]) -> dict[str, list[Pairing]]:
    grouped: dict[str, list[Pairing]] = defaultdict(list)
    for pairing in pairs.values():
        if pairing.mentor:
            grouped[pairing.mentor].append(pairing)
    return {mentor: sorted(items, key=lambda p: p.member) for mentor, items in sorted(grouped.items())}
