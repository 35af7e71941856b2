"""Allied feeds benchmark: Netroots' fetch against a plain sequential feedparser loop.

``python tasks.py bench allies [--feeds 200] [--delay 0.1] [--repeat 3]``. A server on
127.0.0.1 serves N synthetic feeds and delays every response (200 and 304 alike) by
DELAY seconds, like a slow real host. Each round times, over the same feeds:

1. the baseline: ``for url in urls: feedparser.parse(url)``;
2. Netroots' first fetch (empty cache: download, parse, sanitize, write the cache);
3. Netroots' second fetch (every feed answers 304 Not Modified).

All feeds come from one local server, so the per-host cap is raised to the overall cap
(real allies live on many hosts); every other setting is the default.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import multiprocessing.connection
import os
import random
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click
import feedparser

from bench.common import ROOT, machine, median, save

sys.path.insert(0, str(ROOT / "plugins"))

WORDS = [
    "tenants",
    "union",
    "council",
    "vote",
    "library",
    "budget",
    "canvass",
    "county",
    "ballot",
    "newsroom",
    "station",
    "advertiser",
    "boycott",
    "letter",
    "rally",
    "petition",
    "hearing",
    "school",
    "transit",
    "wages",
    "strike",
    "clinic",
    "rural",
    "water",
    "climate",
    "organize",
    "neighbors",
    "meeting",
    "volunteers",
    "phone",
    "bank",
    "precinct",
    "registration",
    "deadline",
    "court",
    "ruling",
]


def synthetic_feed(number: int, entries: int, rng: random.Random, words: int = 55) -> bytes:
    """An RSS 2.0 feed with ``entries`` items of ``words`` words of HTML each, in paragraphs of 50."""
    items = []
    for index in range(entries):
        paragraphs = "".join(
            f"&lt;p&gt;{' '.join(rng.choice(WORDS) for _ in range(min(50, words - start)))} "
            f"&lt;a href=&quot;https://ally{number}.example.org/{index}/more&quot;&gt;more&lt;/a&gt;&lt;/p&gt;"
            for start in range(0, words, 50)
        )
        day = 1 + (index % 20)
        items.append(
            f"<item><title>Ally {number} post {index}: {' '.join(rng.choice(WORDS) for _ in range(6))}</title>"
            f"<link>https://ally{number}.example.org/posts/{index}</link>"
            f"<guid>https://ally{number}.example.org/posts/{index}</guid>"
            f"<pubDate>{['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][day % 7]}, {day:02d} Nov 2026 09:00:00 GMT</pubDate>"
            f"<description>{paragraphs}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Ally {number}</title><link>https://ally{number}.example.org/</link><description>Synthetic ally</description>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def serve(feeds: list[bytes], delay: float, port: multiprocessing.connection.Connection) -> None:
    """Serve /feed/<n>.xml with an ETag, after ``delay`` seconds, on 127.0.0.1 (in its own process)."""
    tags = [f'"{hashlib.sha1(body).hexdigest()[:16]}"' for body in feeds]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls between headers and body

        def do_GET(self) -> None:
            time.sleep(delay)
            try:
                number = int(self.path.split("/")[-1].split(".")[0])
                body, tag = feeds[number], tags[number]
            except (ValueError, IndexError):
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.headers.get("If-None-Match") == tag:
                self.send_response(304)
                self.send_header("ETag", tag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", tag)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    ThreadingHTTPServer.request_queue_size = 512
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port.send(server.server_address[1])
    server.serve_forever()


class FeedServer:
    """The feed server in a separate process, so it never competes with the fetcher for the GIL."""

    def __init__(self, feeds: list[bytes], delay: float) -> None:
        receive, send = multiprocessing.Pipe(duplex=False)
        self.process = multiprocessing.get_context("fork").Process(target=serve, args=(feeds, delay, send), daemon=True)
        self.receive = receive
        self.port = 0

    def __enter__(self) -> FeedServer:
        self.process.start()
        if not self.receive.poll(30):
            raise SystemExit("the local feed server did not start")
        self.port = self.receive.recv()
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.join(5)

    def url(self, number: int) -> str:
        return f"http://127.0.0.1:{self.port}/feed/{number}.xml"


def baseline(urls: list[str]) -> float:
    started = time.perf_counter()
    for url in urls:
        result = feedparser.parse(url)
        if result.get("status") != 200 or not result.entries:
            raise SystemExit(f"baseline: {url} failed: {result.get('bozo_exception')}")
    return time.perf_counter() - started


def netroots_fetch(settings: dict, expect_not_modified: bool) -> float:
    from allies.update import run_fetch

    started = time.perf_counter()
    summary = run_fetch(settings)
    elapsed = time.perf_counter() - started
    bad = [o for o in summary.outcomes.values() if not o.ok or o.not_modified != expect_not_modified]
    if bad:
        raise SystemExit(
            f"netroots: {len(bad)} feed(s) failed, e.g. {bad[0].slug}: {bad[0].error or 'unexpected status'}"
        )
    return elapsed


@click.command()
@click.option("--feeds", "count", default=200, show_default=True, help="How many feeds.")
@click.option("--delay", default=0.1, show_default=True, help="Seconds the server waits before every response.")
@click.option("--entries", default=10, show_default=True, help="Entries per feed (WordPress's default is 10).")
@click.option("--words", default=55, show_default=True, help="Words per entry (WordPress's default excerpt is 55).")
@click.option("--repeat", default=3, show_default=True, help="Rounds; the median of each timing is reported.")
def command(count: int, delay: float, entries: int, words: int, repeat: int) -> None:
    """Time Netroots' concurrent fetch (cold, then all-304) against a sequential feedparser loop."""
    load_before = [round(x, 2) for x in os.getloadavg()]
    rng = random.Random(20261122)
    feeds = [synthetic_feed(n, entries, rng, words) for n in range(count)]
    timings: dict[str, list[float]] = {"baseline": [], "first": [], "second": []}
    from allies.spec import SPEC

    with FeedServer(feeds, delay) as server, tempfile.TemporaryDirectory(prefix="netroots-bench-allies-") as folder:
        urls = [server.url(n) for n in range(count)]
        content = Path(folder) / "content"
        content.mkdir()
        (content / "allies.yaml").write_text(
            "".join(f"- name: Ally {n}\n  slug: ally-{n}\n  feed: {url}\n" for n, url in enumerate(urls)),
            encoding="utf-8",
        )
        for round_number in range(repeat):
            settings = {
                "PATH": str(content),
                "SITEURL": "",
                "NETROOTS_CACHE": str(Path(folder) / f"cache-{round_number}"),
                "ALLIES": {
                    "per_host": SPEC.defaults()["concurrency"],
                    "progress": False,
                    "allow_private_addresses": True,
                },
            }
            click.echo(f"round {round_number + 1}/{repeat}: baseline…", err=True)
            timings["baseline"].append(baseline(urls))
            click.echo(f"round {round_number + 1}/{repeat}: netroots…", err=True)
            timings["first"].append(netroots_fetch(settings, expect_not_modified=False))
            timings["second"].append(netroots_fetch(settings, expect_not_modified=True))
    base, first, second = (median(timings[k]) for k in ("baseline", "first", "second"))
    result = {
        "feeds": count,
        "delay_s": delay,
        "entries_per_feed": entries,
        "words_per_entry": words,
        "feed_kb": round(sum(len(f) for f in feeds) / len(feeds) / 1024, 1),
        "repeat": repeat,
        "machine": machine(),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "concurrency": SPEC.defaults()["concurrency"],
        "timings": timings,
        "baseline_s": round(base, 2),
        "first_s": round(first, 2),
        "second_s": round(second, 2),
        "speedup_vs_baseline": round(base / first, 1),
        "second_vs_first": round(first / second, 1),
    }
    path = save("allies", result)
    click.echo(
        f"Machine: {result['machine']}; load average before/after: {load_before[0]} / {result['load_average_after'][0]}"
    )
    click.echo(
        f"{count} feeds of {entries} entries x {words} words (~{result['feed_kb']} KB), "
        f"{delay * 1000:.0f} ms delay, median of {repeat}:"
    )
    click.echo(f"  sequential feedparser loop: {base:6.2f} s")
    click.echo(f"  Netroots, first fetch:      {first:6.2f} s  ({base / first:.1f}x faster; target 10x)")
    click.echo(f"  Netroots, second (all 304): {second:6.2f} s  ({first / second:.1f}x faster than first; target 3x)")
    click.echo(f"Saved {path.relative_to(ROOT)}")
