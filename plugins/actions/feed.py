"""``/feeds/actions.atom.xml``: an entry when an action becomes active and when it is won.

The date of each entry comes from the action's file (``activated:``, ``won:``). When an
action was promoted by its members' support and has no ``activated:`` date, the first
build that saw it cross its threshold records that date in ``.cache/actions/milestones.json``
(CI keeps ``.cache/``), so the entry keeps its date from build to build.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Iterable
from typing import Any

from netroots.feeds import FeedEntry, absolute
from netroots.site import cache_dir, site_address
from netroots.today import aware, site_timezone

from .model import Action

MILESTONES = "milestones.json"


def milestone_dates(actions: Iterable[Action], settings: dict[str, Any], today: dt.date) -> dict[str, dict[str, str]]:
    """``{slug: {"active": date, "won": date}}``: written dates first, then remembered ones."""
    path = cache_dir(settings, "actions") / MILESTONES
    try:
        remembered = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(remembered, dict):
            remembered = {}
    except (OSError, ValueError):
        remembered = {}
    dates: dict[str, dict[str, str]] = {}
    changed = False
    for action in actions:
        seen = remembered.get(action.slug) if isinstance(remembered.get(action.slug), dict) else {}
        mine: dict[str, str] = {}
        reached_active = action.status in ("active", "won") or action.activated is not None
        if action.activated:
            mine["active"] = action.activated.isoformat()
        elif reached_active:
            mine["active"] = str(seen.get("active") or today.isoformat())
        if action.won:
            mine["won"] = action.won.isoformat()
        elif action.status == "won":
            mine["won"] = str(seen.get("won") or today.isoformat())
        if mine != {k: seen.get(k) for k in mine}:
            changed = True
        remembered[action.slug] = {**seen, **mine}
        dates[action.slug] = mine
    if changed:
        path.write_text(json.dumps(remembered, indent=1, sort_keys=True), encoding="utf-8")
    return dates


def feed_entries(
    actions: Iterable[Action], dates: dict[str, dict[str, str]], settings: dict[str, Any], names: dict[str, str]
) -> list[FeedEntry]:
    """Entries for each action's milestones; ``names`` maps handles to members' names."""
    site_url = site_address(settings)
    zone = site_timezone(settings)
    entries = []
    for action in actions:
        link = absolute(site_url, action.url)
        for milestone, label in (("active", "Now active"), ("won", "Won")):
            day = dates.get(action.slug, {}).get(milestone)
            if not day:
                continue
            when = aware(dt.date.fromisoformat(day), zone)
            ask = f"<p><strong>{html.escape(action.ask)}</strong></p>"
            entries.append(
                FeedEntry(
                    id=f"{link}#{milestone}",
                    title=f"{label}: {action.title}",
                    link=link,
                    updated=when,
                    published=when,
                    content=ask + action.body,
                    author=names.get(action.proposed_by, action.proposed_by),
                    categories=(action.kind_label,),
                )
            )
    return entries
