"""Counting support, promoting proposed actions, and choosing the network's current target.

Support comes from members' own files (``supports: [slug, ...]``). Only registered
members count, each once, and the proposer always counts. When the web of trust is
present (``trusted_members`` in the context), thresholds and the current target use
trusted supporters only; the page still shows everyone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

from netroots.members import Member
from netroots.report import Report

from .model import Action, Support


def tally(
    actions: Mapping[str, Action],
    members: Mapping[str, Member],
    trusted: Collection[str] | None = None,
    report: Report | None = None,
    files: Collection[str] = (),
) -> dict[str, Support]:
    """Each action's supporters, sorted by handle.

    A slug in ``supports`` with no action file is reported; one whose file has errors
    (``files`` holds every action file's slug) is not, since that file's own errors say why.
    """
    found: dict[str, set[str]] = {slug: set() for slug in actions}
    for action in actions.values():
        if action.proposed_by in members:
            found[action.slug].add(action.proposed_by)
    for member in members.values():
        seen: set[str] = set()
        for index, slug in enumerate(member.listed("supports")):
            if slug in seen:
                if report is not None:
                    report.warning(
                        member.path,
                        member.line("supports", index),
                        f"supports: '{slug}' is listed twice; it counts once",
                    )
                continue
            seen.add(slug)
            if slug in found:
                found[slug].add(member.handle)
            elif report is not None and slug not in files:
                known = ", ".join(sorted(actions)) or "none yet"
                report.error(
                    member.path,
                    member.line("supports", index),
                    f"supports: '{slug}' is not an action (no content/actions/{slug}.md; actions: {known})",
                )
    trusted_set = set(trusted) if trusted is not None else None
    return {
        slug: Support(
            members=sorted(handles),
            trusted=sorted(h for h in handles if h in trusted_set) if trusted_set is not None else None,
        )
        for slug, handles in found.items()
    }


def apply(
    actions: Mapping[str, Action], support: Mapping[str, Support], default_threshold: int, today: dt.date
) -> Action | None:
    """Set each action's support, threshold, status and deadline state; return the current target.

    A proposed action whose counted support reaches its threshold before its deadline
    becomes active. Won and closed actions stay as written.
    """
    for action in actions.values():
        action.support = support.get(action.slug, Support())
        action.threshold = action.threshold_override or default_threshold
        action.days_left = (action.deadline - today).days if action.deadline else None
        action.ended = action.days_left is not None and action.days_left < 0
        action.promoted = (
            action.declared_status == "proposed" and not action.ended and action.support.counted >= action.threshold
        )
        action.status = "active" if action.promoted else action.declared_status
        action.current = False
    target = current_target(actions.values())
    if target is not None:
        target.current = True
    return target


def rank(action: Action) -> tuple[Any, ...]:
    """Sort key, best first: counted support, then all registered support, then the nearer
    deadline (no deadline last), then the earlier activation, then the slug."""
    far = dt.date.max
    return (
        -action.support.counted,
        -len(action.support.members),
        action.deadline or far,
        action.activated or far,
        action.slug,
    )


def current_target(actions: Collection[Action]) -> Action | None:
    """The active, not ended action with the most support (ties broken by ``rank``)."""
    running = [a for a in actions if a.status == "active" and not a.ended]
    return min(running, key=rank) if running else None
