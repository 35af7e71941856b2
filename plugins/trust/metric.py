"""Who is trusted, and how much: the Advogato trust metric and personalized PageRank.

Trust flows from the seeds (the maintainers) along vouches. Each member can pass on
only as much trust as their capacity, which shrinks with their distance from the
seeds, and each member keeps one unit for themselves. A member is trusted when a unit
reaches them in the maximum flow. So a nest of fake accounts that honest members reach
through a single vouch gains at most what that vouch can carry, however many fakes
vouch for each other. The flow is computed with networkx, not by hand.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx


SOURCE = "@source"
SINK = "@sink"

# Why a member is not trusted, in words for the /trust/ page.
UNREACHED = "no chain of vouches reaches them from a seed"
TOO_FAR = "the nearest seed is more vouches away than trust travels"
USED_UP = "the trust that reaches them was used up by members closer to the seeds"
NO_SEEDS = "no seeds are set, so the web of trust is off and every member counts"


@dataclass(frozen=True)
class MemberTrust:
    """One member's place in the web of trust."""

    handle: str
    trusted: bool
    seed: bool
    distance: int | None  # vouches from the nearest seed; None when unreached
    capacity: int  # how much trust can pass through them (0: none reaches them)
    score: float  # personalized PageRank from the seeds (all scores add up to 1)
    weight: float  # what one of their recommendations counts (0 when not trusted)
    vouches: tuple[str, ...]  # whom they vouch for (members only, never themselves)
    vouched_by: tuple[str, ...]
    reason: str = ""  # why not trusted; empty when trusted


@dataclass
class TrustResult:
    """The web of trust computed for one build."""

    seeds: tuple[str, ...]
    capacities: tuple[int, ...]  # by distance, after scaling
    members: dict[str, MemberTrust] = field(default_factory=dict)
    trusted: frozenset[str] = frozenset()
    enabled: bool = True  # False when there are no seeds: everyone counts
    flow: int = 0

    def is_trusted(self, handle: str) -> bool:
        return handle in self.trusted

    def weight(self, handle: str) -> float:
        found = self.members.get(handle)
        return found.weight if found else 0.0

    @property
    def reach(self) -> int:
        """The most vouches from a seed at which a member can still be trusted."""
        for distance, capacity in enumerate(self.capacities):
            if capacity <= 1:
                return distance
        return len(self.capacities) - 1

    @property
    def untrusted(self) -> list[str]:
        return sorted(set(self.members) - self.trusted)


def scaled_capacities(
    base: Sequence[int], members: int, scale: float | str, minimum_members: int = 50
) -> tuple[int, ...]:
    """``base`` scaled to the network: ``auto`` makes a seed's capacity ``members`` (at least
    ``minimum_members``, at most ``base`` itself); a number is a fixed factor."""
    factor = min(1.0, max(members, minimum_members) / base[0]) if scale == "auto" else float(scale)
    return tuple(max(1, math.ceil(value * factor - 1e-9)) for value in base)


def vouch_graph(vouches: Mapping[str, Iterable[str]]) -> nx.DiGraph:
    """Members as nodes, a vouch as an edge; self-vouches and unknown handles are left out."""
    import networkx as nx  # here: a build whose vouches are kept does not load it (0.1 s)

    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(vouches))
    for handle in sorted(vouches):
        for other in vouches[handle]:
            if other != handle and other in vouches:
                graph.add_edge(handle, other)
    return graph


def distances(graph: nx.DiGraph, seeds: Sequence[str]) -> dict[str, int]:
    """Fewest vouches from any seed to each member it reaches."""
    found = {seed: 0 for seed in seeds}
    queue = deque(seeds)
    while queue:
        handle = queue.popleft()
        for other in sorted(graph.successors(handle)):
            if other not in found:
                found[other] = found[handle] + 1
                queue.append(other)
    return found


def flow_network(graph: nx.DiGraph, seeds: Sequence[str], capacity: Mapping[str, int]) -> nx.DiGraph:
    """The Advogato network: each member split in two so their capacity bounds what passes.

    ``in:<h>`` receives trust; one unit goes to the sink (the member is accepted) and up
    to capacity − 1 goes on to ``out:<h>`` and from there to whomever they vouch for.
    """
    import networkx as nx

    network = nx.DiGraph()
    for seed in seeds:
        network.add_edge(SOURCE, f"in:{seed}", capacity=capacity[seed])
    for handle in sorted(capacity):
        network.add_edge(f"in:{handle}", SINK, capacity=1)
        if capacity[handle] > 1:
            network.add_edge(f"in:{handle}", f"out:{handle}", capacity=capacity[handle] - 1)
    for handle in sorted(capacity):
        if capacity[handle] <= 1:
            continue
        for other in sorted(graph.successors(handle)):
            if other in capacity:
                network.add_edge(f"out:{handle}", f"in:{other}", capacity=capacity[handle] - 1)
    return network


def _max_flow(
    graph: nx.DiGraph, seeds: Sequence[str], distance: Mapping[str, int], levels: Sequence[int]
) -> tuple[dict[str, int], frozenset[str], int]:
    """Capacities by member, the members a unit of trust reaches, and the total flow."""
    import networkx as nx

    capacity = {h: levels[d] for h, d in distance.items() if d < len(levels)}
    network = flow_network(graph, seeds, capacity)
    flow_value, flow = nx.maximum_flow(network, SOURCE, SINK)
    return capacity, frozenset(h for h in capacity if flow[f"in:{h}"][SINK] >= 1), int(flow_value)


def personalized_pagerank(graph: nx.DiGraph, seeds: Sequence[str], damping: float) -> dict[str, float]:
    """How often a walk that starts at the seeds, follows vouches and jumps back
    to a seed with probability 1 − ``damping`` visits each member."""
    import networkx as nx

    if not seeds or not len(graph):
        return dict.fromkeys(graph, 0.0)
    start = {handle: (1.0 if handle in seeds else 0.0) for handle in graph}
    return nx.pagerank(graph, alpha=damping, personalization=start, weight=None, max_iter=1000, tol=1e-10)


def compute_trust(
    vouches: Mapping[str, Iterable[str]],
    seeds: Iterable[str],
    *,
    capacities: Sequence[int] = (800, 200, 50, 12, 4, 2, 1),
    scale: float | str = "auto",
    min_scale_members: int = 50,
    damping: float = 0.85,
    max_weight: float = 3.0,
) -> TrustResult:
    """The web of trust for members (``handle -> handles they vouch for``) and seeds."""
    graph = vouch_graph(vouches)
    seeds = tuple(sorted({s for s in seeds if s in graph}))
    vouched_by: dict[str, list[str]] = {handle: sorted(graph.predecessors(handle)) for handle in graph}
    if not seeds:
        return _everyone_trusted(graph, vouched_by)
    distance = distances(graph, seeds)
    levels, capacity, trusted, flow_value = _trusted_by_flow(
        graph, seeds, distance, capacities, scale, min_scale_members
    )
    score = personalized_pagerank(graph, seeds, damping)
    trusted_total = sum(score[h] for h in trusted)
    average = trusted_total / len(trusted) if trusted else 0.0
    members = {}
    for handle in graph:
        ok = handle in trusted
        weight = min(max_weight, score[handle] / average) if ok and average > 0 else 0.0
        members[handle] = MemberTrust(
            handle=handle,
            trusted=ok,
            seed=handle in seeds,
            distance=distance.get(handle),
            capacity=capacity.get(handle, 0),
            score=score[handle],
            weight=round(weight, 4),
            vouches=tuple(sorted(graph.successors(handle))),
            vouched_by=tuple(vouched_by[handle]),
            reason=_why_not_trusted(handle, trusted, distance, capacity),
        )
    return TrustResult(seeds=seeds, capacities=levels, members=members, trusted=trusted, enabled=True, flow=flow_value)


def _everyone_trusted(graph: nx.DiGraph, vouched_by: Mapping[str, list[str]]) -> TrustResult:
    """Without seeds the web of trust is off: every member counts, with weight 1."""
    members = {
        handle: MemberTrust(
            handle=handle,
            trusted=True,
            seed=False,
            distance=None,
            capacity=0,
            score=0.0,
            weight=1.0,
            vouches=tuple(sorted(graph.successors(handle))),
            vouched_by=tuple(vouched_by[handle]),
            reason=NO_SEEDS,
        )
        for handle in graph
    }
    return TrustResult(seeds=(), capacities=(), members=members, trusted=frozenset(graph), enabled=False)


def _trusted_by_flow(
    graph: nx.DiGraph,
    seeds: Sequence[str],
    distance: Mapping[str, int],
    capacities: Sequence[int],
    scale: float | str,
    min_scale_members: int,
) -> tuple[tuple[int, ...], dict[str, int], frozenset[str], int]:
    """(capacities used, capacity per member, trusted members, flow) of the max-flow from the seeds.

    "auto" scales the capacities to the number of members trusted, not to the number of
    member files, so a crowd of fakes cannot raise the capacities by its size: start at
    the smallest network size and grow while more members are trusted than assumed.
    """
    size = min_scale_members
    while True:
        levels = scaled_capacities(capacities, size, scale, min_scale_members)
        capacity, trusted, flow_value = _max_flow(graph, seeds, distance, levels)
        if scale != "auto" or len(trusted) <= size or levels == tuple(capacities):
            return levels, capacity, trusted, flow_value
        size = len(trusted)


def _why_not_trusted(
    handle: str, trusted: Collection[str], distance: Mapping[str, int], capacity: Mapping[str, int]
) -> str:
    """Empty for a trusted member; else why not: no vouch path, too far from a seed, or capacity used up."""
    if handle in trusted:
        return ""
    if handle not in distance:
        return UNREACHED
    if handle not in capacity:
        return TOO_FAR
    return USED_UP
