"""`serve` at scale: how long after saving a diary the open page in a browser shows it.

``python tasks.py bench serve [--diaries 10000] [--edits 3]``. Writes the synthetic network,
starts ``tasks.py serve`` on 127.0.0.1 (its first build is not timed), opens the diary in
headless Chromium, then for each edit appends a marked sentence to the diary and records:
the rebuild (save to the server printing ``Rebuilt``) and the reload (``Rebuilt`` to the
marked sentence on screen: the page polls the server every half second). The target is a
reload within 2 s of the rebuild. The baseline, in the same run, is plain Pelican building the
same diaries once (no cache), as in ``bench scale``.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import click

from bench.browser import launch_chromium
from bench.common import ROOT, machine, save
from bench.diaries import PLAIN_SETTINGS
from bench.synthetic import diaries, today_after, write_netroots, write_plain

SERVING = re.compile(r"Serving .* at (http://127\.0\.0\.1:\d+/)")


def _lines(process: subprocess.Popen) -> queue.Queue:
    """The server's output, line by line, each with the moment it arrived."""
    lines: queue.Queue = queue.Queue()

    def read() -> None:
        for line in process.stdout:
            lines.put((time.perf_counter(), line.rstrip("\n")))

    threading.Thread(target=read, daemon=True).start()
    return lines


def _wait_for(lines: queue.Queue, pattern: str, timeout: float) -> tuple[float, str]:
    """The first line matching ``pattern`` and when it arrived; stops the bench after ``timeout``."""
    deadline = time.perf_counter() + timeout
    while (left := deadline - time.perf_counter()) > 0:
        try:
            moment, line = lines.get(timeout=left)
        except queue.Empty:
            break
        if re.search(pattern, line):
            return moment, line
    raise SystemExit(f"serve said nothing matching {pattern!r} in {timeout:.0f} s")


def measure(count: int, members: int, edits: int, work: Path) -> dict:
    from playwright.sync_api import sync_playwright

    items = diaries(count, members)
    content = work / "netroots" / "content"
    write_netroots(content, items, members)
    env = {**os.environ, "NETROOTS_TODAY": today_after(items), "PYTHONUNBUFFERED": "1"}
    write_plain(work / "plain" / "content", items)
    conf = work / "plain" / "pelicanconf.py"
    conf.write_text(PLAIN_SETTINGS.format(content=str(work / "plain/content"), output=str(work / "plain/output")))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pelican", "-s", str(conf), "-q"], env=env, check=True, capture_output=True)
    plain = time.perf_counter() - started
    command = [sys.executable, str(ROOT / "tasks.py"), "--content", str(content)]
    command += ["--output", str(work / "netroots" / "output"), "serve", "--port", "0"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = _lines(server)
    result: dict = {"diaries": count, "plain": round(plain, 2), "edits": []}
    try:
        _, line = _wait_for(lines, SERVING.pattern, timeout=1800)
        address = SERVING.search(line).group(1)
        diary = sorted((content / "diaries").rglob("*.md"))[count // 2]
        handle, slug = diary.parent.name, diary.stem.split("-", 3)[3]
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page()
            page.goto(f"{address}diaries/{handle}/{slug}/")
            for number in range(edits):
                marker = f"Edited for the benchmark, number {number}."
                saved = time.perf_counter()
                diary.write_text(diary.read_text(encoding="utf-8") + f"\n{marker}\n", encoding="utf-8")
                built, summary = _wait_for(lines, r"^Rebuilt", timeout=1800)
                page.wait_for_function("text => document.body.innerText.includes(text)", arg=marker, timeout=120_000)
                shown = time.perf_counter()
                result["edits"].append(
                    {
                        "rebuild": round(built - saved, 2),
                        "reload": round(shown - built, 2),
                        "ratio": round((built - saved) / plain, 3),
                        "summary": summary,
                    }
                )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return result


@click.command()
@click.option("--diaries", "count", default=10000, show_default=True, help="How many synthetic diaries.")
@click.option("--members", default=100, show_default=True, help="How many members write them.")
@click.option("--edits", default=3, show_default=True, help="Diary saves to time (one rebuild each).")
def command(count: int, members: int, edits: int) -> None:
    """`serve`: from saving a diary to the open page showing it, at a network's size."""
    with tempfile.TemporaryDirectory(prefix="netroots-serve-") as folder:
        result = measure(count, members, edits, Path(folder))
    click.echo(f"{count} diaries; plain Pelican (baseline, one full build): {result['plain']:.2f} s")
    for entry in result["edits"]:
        click.echo(
            f"  save -> rebuilt {entry['rebuild']:.2f} s ({entry['ratio']}x plain); "
            f"rebuilt -> page shows it {entry['reload']:.2f} s  [{entry['summary']}]"
        )
    record = {
        "result": result,
        "machine": machine(),
        "command": f"python tasks.py bench serve --diaries {count} --members {members} --edits {edits}",
    }
    path = save("serve", record)
    click.echo(f"Machine: {record['machine']}. Saved {path.relative_to(ROOT)}")
