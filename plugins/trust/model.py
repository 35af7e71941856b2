"""The inputs of the web of trust, read and checked: seeds, vouches, recommendations, rescues.

``build_trust`` is what both the build and ``tasks.py check`` run, so they find the
same problems and compute the same result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from netroots import schema
from netroots.members import Member
from netroots.report import Report
from netroots.site import read_pickle, write_pickle
from netroots.source import SourceError, read_yaml

from . import metric
from .metric import TrustResult, compute_trust
from .recommend import DiaryRecommendations, rank
from .rescue import RescueList, diary_problem, load_rescue

TRUST_FIELDS = (schema.Field("seeds", schema.list_of(schema.handle), default=list, help="e.g. `seeds: [maria-lopez]`"),)


@dataclass
class TrustBuild:
    """Everything the trust plugin computes for one build."""

    result: TrustResult
    recommendations: dict[str, DiaryRecommendations] = field(default_factory=dict)
    rescues: list[RescueList] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def recommended(self) -> list[DiaryRecommendations]:
        """The recommended list, best first."""
        return [entry for entry in self.recommendations.values() if entry.listed]


def load_seeds(content: Path, extra: Collection[str], members: Collection[str], report: Report) -> list[str]:
    """Seeds from ``content/trust.yaml`` and the ``TRUST["seeds"]`` setting, members only."""
    seeds: list[str] = []
    path = content / "trust.yaml"
    if path.is_file():
        try:
            source = read_yaml(path)
        except SourceError as exc:
            report.error(path, exc.line, exc.message)
        else:
            clean, _ = schema.validate(source, TRUST_FIELDS, report, kind="trust.yaml")
            for index, handle in enumerate(clean["seeds"]):
                if handle not in members:
                    report.error(
                        path,
                        source.line("seeds", index),
                        f"seeds: '{handle}' is not a member (no content/members/{handle}.yaml); a seed is a maintainer's handle",
                    )
                elif handle not in seeds:
                    seeds.append(handle)
    for handle in extra:
        if handle not in members:
            report.error(path, 1, f"TRUST['seeds']: '{handle}' is not a member (no content/members/{handle}.yaml)")
        elif handle not in seeds:
            seeds.append(handle)
    return seeds


def check_vouches(members: Mapping[str, Member], report: Report) -> None:
    """Each vouch names another member (``load_members`` calls it, declared as trust's ``member_check``,
    so it sees the member files as written, before acts are merged in)."""
    for member in members.values():
        for index, other in enumerate(member.listed("vouches")):
            if other == member.handle:
                report.warning(
                    member.path,
                    member.line("vouches", index),
                    "a member cannot vouch for themselves; this vouch counts for nothing",
                )
            elif other not in members:
                report.error(
                    member.path,
                    member.line("vouches", index),
                    f"vouches: '{other}' is not a member (no content/members/{other}.yaml)",
                )


def check_recommends(
    members: Mapping[str, Member], published: Collection[str], drafts: Collection[str], report: Report
) -> dict[str, list[str]]:
    """Each member's usable recommendations; problems (unknown, draft, own diary) reported."""
    usable: dict[str, list[str]] = {}
    for handle, member in members.items():
        kept: list[str] = []
        for index, diary_id in enumerate(member.listed("recommends")):
            if schema.is_comment_id(diary_id):
                continue  # a comment: the comments plugin checks and weighs it
            line = member.line("recommends", index)
            problem = diary_problem(diary_id, published, drafts)
            if problem:
                report.error(member.path, line, f"recommends: {problem}")
            elif diary_id.split("/", 1)[0] == handle:
                report.warning(
                    member.path, line, f"recommends: '{diary_id}' is your own diary; recommending it counts for nothing"
                )
            elif diary_id in kept:
                report.warning(member.path, line, f"recommends: '{diary_id}' is listed twice; it counts once")
            else:
                kept.append(diary_id)
        usable[handle] = kept
    return usable


METRIC_OPTIONS = ("capacities", "scale", "min_scale_members", "damping", "max_weight")
TRUST_FILE = "web.pickle"


def kept_trust(
    cache: Path | None, vouches: dict[str, list[str]], seeds: list[str], options: dict[str, Any]
) -> TrustResult:
    """:func:`compute_trust`, kept in ``cache`` with what it was computed from (the vouches
    in their order, the seeds, the options, metric.py's source and networkx's version): a
    build whose vouches did not change neither loads networkx (0.1 s) nor runs the flow."""
    inputs = json.dumps([vouches, seeds, options, version("networkx")], default=list).encode()
    key = hashlib.blake2b(inputs + Path(metric.__file__).read_bytes(), digest_size=16).hexdigest()
    path = cache / TRUST_FILE if cache is not None else None
    kept = read_pickle(path) if path is not None else None
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == key and isinstance(kept[1], TrustResult):
        return kept[1]
    result = compute_trust(vouches, seeds, **options)
    if path is not None:
        write_pickle(path, (key, result))
    return result


def build_trust(
    content: Path,
    members: Mapping[str, Member],
    published: Mapping[str, dt.date],
    drafts: Collection[str],
    editors: Collection[str] | None,
    options: dict[str, Any],
    today: dt.date,
    report: Report,
    cache: Path | None = None,
) -> TrustBuild:
    """Read, check and compute the web of trust.

    ``published`` maps published diary ids to their dates; ``editors`` are the rescue
    group's editors (``None`` when the group does not exist); ``cache``, a folder where
    the web of trust is kept between builds (see :func:`kept_trust`). Vouches for unknown members
    and self-vouches are reported by ``check_vouches`` when the members are read, not here.
    """
    seeds = load_seeds(content, options["seeds"], members, report)
    vouches = {handle: member.listed("vouches") for handle, member in members.items()}
    result = kept_trust(cache, vouches, seeds, {name: options[name] for name in METRIC_OPTIONS})
    usable = check_recommends(members, published, drafts, report)
    recommendations = rank(
        usable,
        published,
        result,
        today=today,
        half_life_days=options["half_life_days"],
        min_weight=options["min_weight"],
        min_recommenders=int(options["min_recommenders"]),
    )
    trusted = result.trusted if result.enabled else None
    rescues = load_rescue(content, editors, options["rescue_group"], published, drafts, report, trusted)
    return TrustBuild(result=result, recommendations=recommendations, rescues=rescues, settings=options)
