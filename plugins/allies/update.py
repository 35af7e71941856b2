"""Run a fetch and record it: entries into ``feeds/<slug>.json``, state into ``health.json``."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

from netroots.feeds import absolute
from netroots.report import Report
from netroots.site import site_address

from . import cache
from .fetch import Outcome, Summary, _now, fetch_all, parsers_for
from .model import Ally, allies_file, allies_settings, load_allies


def user_agent(settings: dict[str, Any], config: dict[str, Any]) -> str:
    site = site_address(settings)
    return str(config["user_agent"]).replace("{site}", absolute(site, ""))


def run_fetch(
    settings: dict[str, Any],
    *,
    force: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> Summary:
    """Fetch all allies of ``settings`` and update the cache. Never raises for a bad feed."""
    config = allies_settings(settings)
    report = Report(root=allies_file(settings).parent.parent)
    allies = load_allies(allies_file(settings), report)
    report.log()
    base = cache.folder(settings)
    health = cache.read_health(base)
    if on_start:
        on_start(len(allies))
    started = _now()
    parsers = parsers_for(config)
    outcomes = asyncio.run(fetch_all(allies, config, health, user_agent(settings, config), force, on_done, parsers))
    seconds = (_now() - started).total_seconds()
    finished = _now().replace(microsecond=0)
    new_health = {}
    for ally in allies:
        outcome = outcomes.get(ally.slug) or Outcome(slug=ally.slug, skipped="not fetched")
        new_health[ally.slug] = record(ally, outcome, health.get(ally.slug, {}), base, finished, config)
    cache.write_health(base, new_health, finished.isoformat())
    if not report.errors:  # an ally left out by a mistake in allies.yaml keeps its entries
        cache.forget_feeds(base, {ally.slug for ally in allies})
    return Summary(outcomes=outcomes, health=new_health, seconds=seconds)


def backoff_seconds(failures: int, config: dict[str, Any]) -> float:
    return float(min(float(config["backoff"]) * 2 ** max(0, min(failures - 1, 30)), float(config["max_backoff"])))


def record(
    ally: Ally, outcome: Outcome, state: dict[str, Any], base: Any, now: dt.datetime, config: dict[str, Any]
) -> dict[str, Any]:
    """The ally's new state; on success its entries are merged into the cache."""
    if state.get("feed") != ally.feed:
        state = {k: v for k, v in state.items() if k in ("first_fetch", "last_success", "entries")}
    state = {**state, "name": ally.name, "feed": ally.feed, "site": ally.site}
    if outcome.skipped:
        return {**state, "skipped": outcome.skipped}
    state.update(
        {
            "skipped": "",
            "last_attempt": now.isoformat(),
            "status": outcome.status,
            "moved_to": outcome.moved_to,
            "latency_ms": outcome.latency_ms,
            "warnings": outcome.warnings[:5],
        }
    )
    if outcome.ok:
        return _record_success(ally, outcome, state, base, now)
    return _record_failure(outcome, state, now, config)


def _record_success(ally: Ally, outcome: Outcome, state: dict[str, Any], base: Any, now: dt.datetime) -> dict[str, Any]:
    """A fetch that worked clears the failures; new entries are merged into the cache."""
    state.update(
        {
            "last_success": now.isoformat(),
            "consecutive_failures": 0,
            "failing": False,
            "error": "",
            "gone": False,
            "next_attempt": None,
            "etag": outcome.etag,
            "last_modified": outcome.last_modified,
            "not_modified": outcome.not_modified,
        }
    )
    state["first_fetch"] = state.get("first_fetch") or now.isoformat()
    if not outcome.not_modified and outcome.parsed is not None:
        entries = merge_entries(outcome.parsed["entries"], cache.read_feed(base, ally.slug), now)
        cache.write_feed(
            base,
            ally.slug,
            {
                "feed": ally.feed,
                "fetched": now.isoformat(),
                "title": outcome.parsed.get("title", ""),
                "link": outcome.parsed.get("link", ""),
                "format": outcome.parsed.get("format", ""),
                "entries": entries,
            },
        )
        state.update({"bytes": outcome.bytes, "entries": len(entries), "format": outcome.parsed.get("format")})
    return state


def _record_failure(
    outcome: Outcome, state: dict[str, Any], now: dt.datetime, config: dict[str, Any]
) -> dict[str, Any]:
    """A failed fetch counts up and waits longer before the next try (at least what the ally asked)."""
    previous = state.get("consecutive_failures")
    failures = (previous if isinstance(previous, int) and not isinstance(previous, bool) else 0) + 1
    wait = backoff_seconds(failures, config)
    if outcome.retry_after is not None:
        wait = max(wait, min(outcome.retry_after, float(config["max_retry_after"])))
    state.update(
        {
            "consecutive_failures": failures,
            "error": outcome.error,
            "gone": outcome.gone,
            "failing": outcome.gone or failures >= int(config["failing_after"]),
            "next_attempt": (now + dt.timedelta(seconds=wait)).isoformat(),
            "not_modified": False,
        }
    )
    return state


def merge_entries(
    entries: list[dict[str, Any]], previous: dict[str, Any] | None, now: dt.datetime
) -> list[dict[str, Any]]:
    """Keep each entry's first-seen time across fetches; an undated entry is dated by it."""
    seen = {}
    for old in (previous or {}).get("entries", []):
        if isinstance(old, dict) and isinstance(old.get("id"), str) and isinstance(old.get("first_seen"), str):
            seen[old["id"]] = old["first_seen"]
    merged = []
    for entry in entries:
        first_seen = seen.get(entry["id"], now.isoformat())
        dated = entry.get("published") is not None
        merged.append(
            {
                **entry,
                "first_seen": first_seen,
                "dated": dated,
                "published": entry["published"] or first_seen,
                "updated": entry.get("updated") or entry["published"] or first_seen,
            }
        )
    return merged
