"""Allies' pages and feeds, from the cache only: the build never fetches."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from pathlib import Path
from typing import Any

from pelican.generators import Generator

from netroots.feeds import FeedEntry, absolute, write_feeds
from netroots.html import images_for_readers
from netroots.report import Report
from netroots.site import site_address, write_output, write_page
from netroots.today import build_now, site_timezone

from . import cache
from .model import Ally, allies_file, allies_settings, load_allies
from .opml import export_opml
from .river import RiverEntry, load_river, summary_html

logger = logging.getLogger("netroots")

RIVER_PAGE = "allies/index.html"
HEALTH_PAGE = "allies/health/index.html"
FEED = "feeds/allies.atom.xml"
OPML = "allies.opml"


class AlliesGenerator(Generator):
    """Writes ``/allies/``, ``/allies/health/``, ``/feeds/allies.atom.xml`` and ``/allies.opml``."""

    def generate_context(self) -> None:
        self.config = allies_settings(self.settings)
        path = allies_file(self.settings)
        report = Report(root=Path(self.settings["PATH"]).resolve().parent)
        self.allies = load_allies(path, report)
        report.log()
        self.health: dict[str, dict[str, Any]] = {}
        self.river: list[RiverEntry] = []
        try:
            base = cache.folder(self.settings)
            self.health = cache.read_health(base)
            sample = self.config["sample_cache"]
            self.river = load_river(
                self.allies, base, self.health, self.config, Path(sample).resolve() if sample else None
            )
            for entry in self.river:  # remote pictures as PRIVACY["remote_images"] says (netroots.html)
                entry.content = images_for_readers(entry.content, self.settings)
        except Exception as exc:  # a bad cache must never break the build
            logger.warning("allies: could not read the feed cache (%s); showing no entries", exc)
        if self.allies and not self.river:  # readers see a friendly empty state; maintainers get the how-to
            logger.warning(  # the path keeps Pelican from muting the same line in a second build
                "%s: warning: no allied posts in the cache yet; run `python tasks.py fetch` "
                "(the scheduled build fetches on its own)",
                path,
            )
        zone = site_timezone(self.settings)
        self.days = [
            (day, list(items))
            for day, items in itertools.groupby(
                self.river[: int(self.config["river_entries"])], key=lambda e: e.published.astimezone(zone).date()
            )
        ]
        self.rows = [health_row(ally, self.health.get(ally.slug, {}), self.config) for ally in self.allies]
        self.context["allies"] = self.allies
        self.context["allies_river"] = self.river  # every cached entry, newest first (comments: responses)
        self.context["front_allies"] = self.river[: int(self.config["front_entries"])]
        self.context["allies_fetched"] = any(row["last_success"] for row in self.rows)
        self.context["allies_zone"] = zone

    def generate_output(self, writer: Any) -> None:
        output = Path(self.output_path)
        site_url = site_address(self.settings)
        common = {"allies_rows": self.rows, "allies_config": self.config}
        write_page(self, writer, "allies/index.html", RIVER_PAGE, allies_days=self.days, page_title="Allies", **common)
        write_page(self, writer, "allies/health.html", HEALTH_PAGE, page_title="Allied feed health", **common)
        write_feeds(
            output,
            atom_path=FEED,
            title=f"Allies of {self.settings['SITENAME']}",
            subtitle=f"What the allied blogs of {self.settings['SITENAME']} are writing",
            site_url=site_url,
            page_path="allies/",
            entries=[feed_entry(entry) for entry in self.river[: int(self.config["feed_entries"])]],
            limit=int(self.config["feed_entries"]),
        )
        opml = export_opml(
            self.allies, f"Allies of {self.settings['SITENAME']}", absolute(site_url, ""), build_now(self.settings)
        )
        write_output(output, OPML, opml)


def feed_entry(entry: RiverEntry) -> FeedEntry:
    link = entry.link or absolute(entry.ally.site, "")
    entry_id = entry.id if ":" in entry.id else f"urn:netroots:ally:{entry.ally.slug}:{entry.id}"
    author = f"{entry.author} ({entry.ally.name})" if entry.author else entry.ally.name
    return FeedEntry(
        id=entry_id,
        title=entry.title,
        link=link,
        updated=entry.updated,
        published=entry.published,
        content=entry.content,
        summary="" if entry.content else summary_html(entry),
        author=author,
        categories=tuple(entry.categories),
        enclosures=tuple((e["url"], e["type"], e["length"] or 0) for e in entry.enclosures),
    )


def health_row(ally: Ally, state: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """What the health page shows for one ally (the cache's values, checked)."""

    def moment(key: str) -> dt.datetime | None:
        value = state.get(key)
        try:
            parsed = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return None
        return parsed if parsed and parsed.tzinfo else None

    def number(key: str) -> int | None:
        value = state.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    same_feed = state.get("feed") == ally.feed
    failures = number("consecutive_failures") or 0
    if not same_feed or not moment("last_attempt"):
        status = "new"
    elif state.get("gone"):
        status = "gone"
    elif state.get("failing") or failures >= int(config["failing_after"]):
        status = "failing"
    elif failures:
        status = "flaky"
    else:
        status = "ok"
    text = {k: str(state.get(k) or "")[:300] for k in ("error", "moved_to", "skipped", "format")}
    return {
        "ally": ally,
        "status": status,
        "last_success": moment("last_success") if same_feed else None,
        "last_attempt": moment("last_attempt") if same_feed else None,
        "next_attempt": moment("next_attempt") if same_feed else None,
        "failures": failures if same_feed else 0,
        "http": number("status") if same_feed else None,
        "bytes": number("bytes"),
        "latency_ms": number("latency_ms"),
        "entries": number("entries"),
        "not_modified": bool(state.get("not_modified")),
        "warnings": [str(w)[:200] for w in state.get("warnings") or [] if isinstance(w, str)][:5],
        **(text if same_feed else {k: "" for k in text}),
    }
