"""The fetch budget is a hard limit: ``python tasks.py fetch`` against hostile allies.

``python tasks.py bench budget [--allies 12] [--budget 60]``. A server on 127.0.0.1 (in
its own process) serves, for each scenario, ALLIES feeds:

1. the baseline: ordinary feeds (10 entries of 55 words);
2. nested divs: 4.8 MB of nested ``<div>`` in one entry (kept nh3 busy for 325 s, issue 12);
3. link tags: an HTML page of 200 kB of ``<link `` (the feed-link scan was quadratic: 117 s);
4. one ally with nested divs (a scheduled re-fetch where one feed changed: before per-feed
   processes, a single feed was parsed in a thread that could not be stopped).

Each scenario runs the whole fetch in a fresh Python process, as ``tasks.py fetch`` does
(settings, fetch, parse processes, the cache, the report, exit), and times it from start to
exit against the budget. Every other setting is the default (parse_timeout, parse_workers).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

from bench.allies import FeedServer, synthetic_feed
from bench.common import ROOT, machine, save

CHILD = """
import json, sys
sys.path[:0] = [{root!r}, {plugins!r}]
from netroots.build import load_settings
from allies.cli import fetch_allies
settings = load_settings(overrides={{"PATH": {content!r}, "NETROOTS_CACHE": {cache!r}, "ALLIES": {allies!r}}})
summary = fetch_allies(settings)
print(json.dumps({{slug: o.error for slug, o in summary.outcomes.items()}}))
"""


def nested_divs(size: int = 4_800_000) -> bytes:
    """An RSS feed of ``size`` bytes whose entry is nested ``<div>``s (escaped, as feeds carry HTML)."""
    head = b"<?xml version='1.0'?><rss version='2.0'><channel><title>Deep</title><link>http://example.org/</link>"
    item = b"<item><title>Deep</title><link>http://example.org/1</link><description>"
    tail = b"</description></item></channel></rss>"
    return head + item + b"&lt;div&gt;" * ((size - len(head) - len(item) - len(tail)) // 11) + tail


def link_tags(size: int = 200_000) -> bytes:
    """An HTML page of ``size`` bytes of ``<link ``."""
    return b"<!doctype html>" + b"<link " * (size // 6)


def run_fetch_process(feeds: list[bytes], budget: float, folder: Path) -> dict:
    """One whole fetch in a new process; wall seconds and each ally's error."""
    with FeedServer(feeds, 0.0) as server:
        content = folder / "content"
        content.mkdir(parents=True)
        (content / "allies.yaml").write_text(
            "".join(f"- name: Ally {n}\n  slug: ally-{n}\n  feed: {server.url(n)}\n" for n in range(len(feeds))),
            encoding="utf-8",
        )
        allies = {"budget": budget, "progress": False, "allow_private_addresses": True, "per_host": 100}
        code = CHILD.format(
            root=str(ROOT),
            plugins=str(ROOT / "plugins"),
            content=str(content),
            cache=str(folder / "cache"),
            allies=allies,
        )
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=budget * 10 + 60)
        seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"the fetch failed: {done.stderr[-2000:]}")
    errors = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "seconds": round(seconds, 2),
        "ok": sum(1 for e in errors.values() if not e),
        "cut": sum(1 for e in errors.values() if "budget" in e or "cut:" in e),
        "other_errors": sorted({e[:80] for e in errors.values() if e and "budget" not in e and "cut:" not in e}),
        "report": done.stderr.strip().splitlines()[:4],
    }


@click.command()
@click.option("--allies", "count", default=12, show_default=True, help="Allies in each scenario.")
@click.option("--budget", default=60.0, show_default=True, help="The fetch budget, seconds (ALLIES['budget']).")
def command(count: int, budget: float) -> None:
    """Time a whole fetch against hostile allies (nested divs, link tags) and its budget."""
    load_before = [round(x, 2) for x in os.getloadavg()]
    rng = random.Random(20261122)
    scenarios = {
        "baseline (ordinary feeds)": [synthetic_feed(n, 10, rng) for n in range(count)],
        "nested divs (4.8 MB each)": [nested_divs()] * count,
        "link tags (200 kB each)": [link_tags()] * count,
        "one ally, nested divs": [nested_divs()],
    }
    results = {}
    with tempfile.TemporaryDirectory(prefix="netroots-bench-budget-") as folder:
        for number, (name, feeds) in enumerate(scenarios.items()):
            click.echo(f"{name}…", err=True)
            results[name] = run_fetch_process(feeds, budget, Path(folder) / str(number))
    base = results["baseline (ordinary feeds)"]["seconds"]
    result = {
        "allies": count,
        "budget_s": budget,
        "machine": machine(),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "scenarios": results,
    }
    path = save("budget", result)
    click.echo(
        f"Machine: {result['machine']}; load average before/after: {load_before[0]} / {result['load_average_after'][0]}"
    )
    click.echo(f"{count} allies, budget {budget:g} s, `tasks.py fetch` from process start to exit:")
    for name, found in results.items():
        click.echo(
            f"  {name:28} {found['seconds']:7.2f} s  ({found['seconds'] / base:5.1f}x baseline, "
            f"{found['seconds'] - budget:+.1f} s against the budget; {found['ok']} fetched, {found['cut']} cut)"
        )
    click.echo(f"Saved {path.relative_to(ROOT)}")
