"""Full-build benchmark: Netroots against plain Pelican on the same synthetic diaries.

``python tasks.py bench diaries [--diaries 1000] [--repeat 3]``. Both builds run in
fresh processes, alternating, so machine noise hits both; the ratio is what counts.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import click

from bench.common import ROOT, machine, median, save, time_command
from bench.synthetic import diaries, today_after, vocabulary_option, write_comments, write_netroots, write_plain

PLAIN_SETTINGS = """
PATH = {content!r}
OUTPUT_PATH = {output!r}
SITENAME = "Plain"
TIMEZONE = "America/New_York"
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
AUTHOR_FEED_ATOM = "feeds/author/{{slug}}.atom.xml"
AUTHOR_FEED_RSS = "feeds/author/{{slug}}.rss.xml"
TAG_FEED_ATOM = "feeds/tag/{{slug}}.atom.xml"
TAG_FEED_RSS = "feeds/tag/{{slug}}.rss.xml"
DEFAULT_PAGINATION = 20
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
"""


@click.command()
@click.option("--diaries", "count", default=1000, show_default=True, help="How many synthetic diaries (try 10000).")
@click.option("--members", default=100, show_default=True, help="How many members write them.")
@click.option("--repeat", default=3, show_default=True, help="Builds of each kind; the median is reported.")
@click.option("--comments", default=0, show_default=True, help="Comments under each diary (Netroots only).")
@vocabulary_option
def command(count: int, members: int, repeat: int, comments: int, vocabulary: str) -> None:
    """Time a full Netroots build against plain Pelican on the same diaries."""
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="netroots-bench-") as folder:
        work = Path(folder)
        items = diaries(count, members, vocabulary=vocabulary)
        write_netroots(work / "netroots" / "content", items, members)
        comment_files = (
            write_comments(work / "netroots" / "content", items, members, comments, vocabulary=vocabulary)
            if comments
            else 0
        )
        write_plain(work / "plain" / "content", items)
        plain_conf = work / "plain" / "pelicanconf.py"
        plain_conf.write_text(
            PLAIN_SETTINGS.format(content=str(work / "plain/content"), output=str(work / "plain/output"))
        )
        plain = [python, "-m", "pelican", "-s", str(plain_conf), "-q"]
        netroots = [
            python, str(ROOT / "tasks.py"), "--content", str(work / "netroots/content"),
            "--output", str(work / "netroots/output"), "build",
        ]  # fmt: skip
        env = {"NETROOTS_TODAY": today_after(items)}
        timings: dict[str, list[float]] = {"plain": [], "netroots_cold": [], "netroots": []}
        cache = work / "netroots" / ".cache"
        with click.progressbar(range(repeat), label=f"Building {count} diaries, {repeat}x each") as rounds:
            for _ in rounds:
                timings["plain"].append(time_command(plain, env))
                shutil.rmtree(cache, ignore_errors=True)  # first build of a clone: no search index yet
                timings["netroots_cold"].append(time_command(netroots, env))
                timings["netroots"].append(time_command(netroots, env))  # CI keeps .cache between runs
        pages = sum(1 for _ in (work / "netroots/output").rglob("*.html"))
        plain_pages = sum(1 for _ in (work / "plain/output").rglob("*.html"))
    plain_s, netroots_s = median(timings["plain"]), median(timings["netroots"])
    cold_s = median(timings["netroots_cold"])
    result = {
        "diaries": count,
        "members": members,
        "comments_per_diary": comments,
        "vocabulary": vocabulary,
        "comment_files": comment_files,
        "repeat": repeat,
        "plain_pelican_s": round(plain_s, 2),
        "netroots_s": round(netroots_s, 2),
        "ratio": round(netroots_s / plain_s, 2),
        "netroots_cold_s": round(cold_s, 2),
        "cold_ratio": round(cold_s / plain_s, 2),
        "netroots_pages": pages,
        "plain_pages": plain_pages,
        "timings": timings,
        "machine": machine(),
        "command": f"python tasks.py bench diaries --diaries {count} --members {members} --repeat {repeat}"
        + (f" --comments {comments}" if comments else "")
        + f" --vocabulary {vocabulary}",
    }
    path = save(f"diaries-{count}" + (f"-comments-{comments}" if comments else "") + f"-{vocabulary}", result)
    click.echo(
        (f"{comment_files} comments; " if comments else "")
        + f"{count} diaries: plain Pelican {plain_s:.2f} s ({plain_pages} pages); Netroots {netroots_s:.2f} s with its "
        f"cache ({pages} pages): {result['ratio']:.2f}x (target <= 1.5x); first build with no cache {cold_s:.2f} s: "
        f"{result['cold_ratio']:.2f}x. Saved {path.relative_to(ROOT)}"
    )
    click.echo(f"Machine: {result['machine']}")
