"""The allies plugin's contract: the ``ALLIES = {...}`` settings and content/allies.yaml.

Light on purpose: ``tasks.py fetch`` and its parsing processes import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netroots.plugin import Content, PluginSpec
from netroots.settings import FLAG, TEXT, Setting, number, optional, whole

SPEC = PluginSpec(
    name="allies",
    doc="A river of allied blogs' feeds, fetched safely into a cache by `python tasks.py fetch`, built offline.",
    settings_name="ALLIES",
    settings=(
        Setting("file", "allies.yaml", TEXT, "The list of allied blogs, under content/."),
        Setting("concurrency", 100, whole(minimum=1), "Requests in flight at once, overall."),
        Setting("per_host", 4, whole(minimum=1), "Requests in flight at once to one host."),
        Setting("timeout", 15.0, number(above=0), "Seconds for one request, start to last byte."),
        Setting(
            "budget", 60.0, number(above=0), "Seconds for the whole fetch; unfinished feeds keep their last good copy."
        ),
        Setting("max_bytes", 5_000_000, whole(minimum=1), "Largest feed accepted, after decompression."),
        Setting("max_redirects", 5, whole(minimum=0), "Redirects followed for one feed."),
        Setting("max_entries", 50, whole(minimum=1), "Entries kept per feed (the newest)."),
        Setting(
            "max_entry_bytes", 200_000, whole(minimum=1), "HTML kept per entry; longer entries are cut, then sanitized."
        ),
        Setting("max_retry_after", 86_400, number(minimum=0), "Seconds: a longer Retry-After is capped to this."),
        Setting(
            "retry_wait",
            5.0,
            number(minimum=0),
            "Seconds: a shorter Retry-After is retried once within the same fetch.",
        ),
        Setting(
            "backoff",
            1800,
            number(minimum=0),
            "Seconds after the first failure before trying again; doubles each time.",
        ),
        Setting("max_backoff", 86_400, number(minimum=0), "The longest wait between tries of a failing feed."),
        Setting("failing_after", 3, whole(minimum=1), "Consecutive failures after which an ally is shown as failing."),
        Setting(
            "strict_max_failing",
            0,
            whole(minimum=0),
            "`fetch --strict` exits 1 when more allies than this are failing.",
        ),
        Setting(
            "backfill_days",
            14,
            number(minimum=0),
            "A new feed shows entries up to this many days before its first fetch.",
        ),
        Setting("summary_words", 60, whole(minimum=1), "Words shown for allies with `full_text: false`."),
        Setting("river_entries", 60, whole(minimum=1), "Entries on /allies/."),
        Setting("front_entries", 5, whole(minimum=0), "Entries in the front page's short list."),
        Setting("feed_entries", 50, whole(minimum=0), "Entries in /feeds/allies.atom.xml."),
        Setting(
            "allow_private_addresses",
            False,
            FLAG,
            "Fetch from loopback, private and link-local addresses too. Off: every host, at every redirect, "
            "must resolve only to public addresses (tests and benchmarks on 127.0.0.1 turn it on).",
        ),
        Setting(
            "parse_workers",
            None,
            optional(whole(minimum=0)),
            "Feeds parsed at once, each in a process of its own that is stopped at its deadline "
            "(None: one per CPU; 0: parse in threads, which cannot be stopped).",
        ),
        Setting(
            "parse_timeout",
            20.0,
            number(above=0),
            "Seconds to parse and clean one feed; past it (or past the budget) its process is stopped "
            "and the feed keeps its last good copy.",
        ),
        Setting("user_agent", "Netroots/0.1 (allied feeds; +{site})", TEXT, "The User-Agent of fetches."),
        Setting("progress", None, optional(FLAG), "None: a progress bar on a terminal, a summary line in CI."),
        Setting(
            "sample_cache",
            None,
            optional(TEXT),
            "A folder of feeds in the cache's format (feeds/<slug>.json) shown for allies never fetched; "
            "the demo ships demo/allies-cache/ so a fresh clone has allied posts. None in a real network.",
        ),
    ),
    content=(Content("allies.yaml", "the allied blogs and their feeds"),),
    provides=("allies", "front_allies", "allies_fetched", "allies_zone", "allies_river"),
    optional=True,
    docs="docs/allies.md",
)


def allies_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``ALLIES`` over the defaults; a bad value is logged and replaced by its default."""
    return SPEC.options(settings)
