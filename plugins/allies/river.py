"""The river: cached entries of every ally, checked again, deduplicated, newest first.

The build reads only the cache and trusts none of it: HTML is sanitized again,
URLs are checked again, and a broken file or entry is skipped, never fatal.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netroots.html import hrefs, plain_text, sanitize, words

from . import cache
from .model import Ally, normalize_url, safe_url


@dataclass
class RiverEntry:
    ally: Ally
    id: str
    title: str
    link: str | None
    author: str
    content: str  # sanitized HTML, or "" for summary-only allies
    summary: str  # plain text, for summary-only allies and lists
    published: dt.datetime
    updated: dt.datetime
    dated: bool
    truncated: bool
    enclosures: list[dict[str, Any]]
    categories: list[str]
    keys: tuple[str, ...]
    also: list[Ally] = field(default_factory=list)
    links: tuple[str, ...] = ()  # where the post links to (also for summary-only allies)


def _moment(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _dates(raw: dict[str, Any], fetched: dt.datetime | None) -> tuple[dt.datetime, dt.datetime] | None:
    """(published, updated) of a cached entry, neither later than its fetch: an ally's clock can't
    push a post to the top of the river. None when the entry carries no usable date at all."""
    published = _moment(raw.get("published")) or _moment(raw.get("first_seen"))
    if published is None:
        return None
    if fetched and published > fetched:
        published = fetched
    updated = max(_moment(raw.get("updated")) or published, published)
    if fetched and updated > fetched:
        updated = fetched
    return published, updated


def _dedupe_keys(entry_id: str, link: str | None, digest: Any) -> tuple[str, ...]:
    """The keys under which the same post, syndicated by several allies, is recognised as one."""
    keys = []
    if ":" in entry_id and len(entry_id) >= 10:
        keys.append("id:" + entry_id)
    if link:
        keys.append("url:" + normalize_url(link))
    if isinstance(digest, str) and len(digest) >= 16:
        keys.append("hash:" + digest[:64])
    return tuple(keys)


def _enclosures(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """At most five attachments (podcast audio...), each with a checked URL; the cache is not trusted."""
    enclosures = []
    for item in (raw.get("enclosures") or [])[:5]:
        url = safe_url(item.get("url")) if isinstance(item, dict) else None
        if url:
            length = item.get("length")
            enclosures.append(
                {
                    "url": url,
                    "type": plain_text(str(item.get("type") or ""))[:100],
                    "length": length if isinstance(length, int) else None,
                }
            )
    return enclosures


def _entry(ally: Ally, raw: Any, config: dict[str, Any], fetched: dt.datetime | None) -> RiverEntry | None:
    """One cached entry checked again (HTML sanitized, URLs checked, text cut to size), or None."""
    if not isinstance(raw, dict):
        return None
    dates = _dates(raw, fetched)
    if dates is None:
        return None
    published, updated = dates
    link = safe_url(raw.get("link"))
    content = sanitize(str(raw.get("content") or raw.get("summary") or "")[: int(config["max_entry_bytes"]) * 2])
    summary = words(content, int(config["summary_words"]))
    title = plain_text(str(raw.get("title") or ""))[:300] or words(content, 12) or "(untitled)"
    entry_id = plain_text(str(raw.get("id") or ""))[:500] or link or f"{ally.slug}:{title}"
    keys = _dedupe_keys(entry_id, link, raw.get("hash"))
    enclosures = _enclosures(raw)
    return RiverEntry(
        ally=ally,
        id=entry_id,
        title=title,
        link=link,
        author=plain_text(str(raw.get("author") or ""))[:200],
        content=content if ally.full_text else "",
        summary=summary,
        published=published,
        updated=updated,
        dated=bool(raw.get("dated", True)),
        truncated=bool(raw.get("truncated")),
        enclosures=enclosures,
        categories=[plain_text(str(c))[:60] for c in (raw.get("categories") or [])[:10] if isinstance(c, str)],
        keys=keys,
        links=tuple(dict.fromkeys(hrefs(content)))[:100],
    )


def load_river(
    allies: list[Ally],
    base: Path,
    health: dict[str, dict[str, Any]],
    config: dict[str, Any],
    sample: Path | None = None,
) -> list[RiverEntry]:
    """Every cached entry worth showing, deduplicated, newest first.

    ``sample`` (``ALLIES["sample_cache"]``) holds feeds in the cache's own format for allies
    that were never fetched: the demo ships one, so a fresh clone shows allied posts.
    """
    entries: list[RiverEntry] = []
    backfill = dt.timedelta(days=int(config["backfill_days"]))
    for ally in allies:
        data = cache.read_feed(base, ally.slug)
        if data is None and sample is not None and ally.slug not in health:
            data = cache.read_feed(sample, ally.slug)
        if data is None:
            continue
        fetched = _moment(data.get("fetched"))
        first_fetch = _moment(health.get(ally.slug, {}).get("first_fetch")) or fetched
        cutoff = first_fetch - backfill if first_fetch else None
        kept = 0
        for raw in data["entries"]:
            entry = _entry(ally, raw, config, fetched)
            if entry is None or (cutoff and entry.published < cutoff):
                continue
            entries.append(entry)
            kept += 1
            if kept >= int(config["max_entries"]):
                break
    return dedupe(entries)


def dedupe(entries: list[RiverEntry]) -> list[RiverEntry]:
    """One story once: the earliest copy stays and names the allies that also ran it."""
    owner: dict[str, RiverEntry] = {}
    kept: list[RiverEntry] = []
    for entry in sorted(entries, key=lambda e: (e.published, e.ally.slug)):
        first = next((owner[key] for key in entry.keys if key in owner), None)
        if first is not None:
            if entry.ally is not first.ally and entry.ally not in first.also:
                first.also.append(entry.ally)
            for key in entry.keys:
                owner.setdefault(key, first)
            continue
        for key in entry.keys:
            owner[key] = entry
        kept.append(entry)
    kept.sort(key=lambda e: (e.published, e.ally.slug), reverse=True)
    return kept


def summary_html(entry: RiverEntry) -> str:
    """The plain-text summary as safe HTML, for feeds."""
    return f"<p>{html.escape(entry.summary)}</p>" if entry.summary else ""
