"""Growth benchmark: full, warm, unchanged and one-edit builds at 1k, 5k, 10k (50k) diaries.

``python tasks.py bench scale [--sizes 1000,5000,10000] [--edits 2]``. For each size, in
fresh processes: plain Pelican on the same diaries (the baseline, no cache), Netroots'
first build of a clone (no ``.cache/``, no output), a warm full build (``.cache/`` kept,
output folder removed, as CI builds), a build with nothing changed, and builds after
editing one diary. Every process of a build is sampled from ``/proc`` (the build,
its rendering workers, Pagefind) for peak memory: the largest single process, the
largest sum of resident sizes at one moment, and the largest sum of proportional sizes
(``Pss``: a page shared by forked processes counted once, split between them; read every
2 s and after each new peak of resident sizes), which is what the machine holds. Each run
also counts its CPU time: user + system of the build and every process it waited for.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import click

from bench.common import ROOT, machine, save
from bench.diaries import PLAIN_SETTINGS
from bench.synthetic import diaries, today_after, vocabulary_option, write_netroots, write_plain

PAGE = 4096


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(child) for child in handle.read().split()]
    except OSError:
        pass
    return found


def _rss(pid: int) -> tuple[str, int]:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            resident = int(handle.read().split()[1]) * PAGE
        with open(f"/proc/{pid}/comm") as handle:
            name = handle.read().strip()
    except (OSError, ValueError, IndexError):
        return "", 0
    return name, resident


def _pss(pid: int) -> int:
    """Proportional set size in bytes (0 when the process is gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def run_measured(
    command: list[str], env: dict[str, str], pss_every: float = 2.0
) -> dict[str, float | dict[str, float]]:
    """Wall time, CPU time and peak memory (MB) of ``command`` and every process it starts;
    resident sizes every 0.05 s, proportional sizes every ``pss_every`` s. CPU time is user +
    system of ``command`` and the processes it waited for (its workers, Pagefind), as
    ``/usr/bin/time`` counts it: this process must start no other child meanwhile."""
    started, used = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peaks: dict[str, int] = {}
    total_peak = proportional_peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal total_peak, proportional_peak
        last_pss, pss_cost, pending = 0.0, 0.0, False
        while not done.is_set():
            todo, seen, total = [process.pid], set(), 0
            while todo:
                pid = todo.pop()
                if pid in seen:
                    continue
                seen.add(pid)
                name, resident = _rss(pid)
                if name:
                    key = "pagefind" if "pagefind" in name else ("build" if pid == process.pid else name)
                    peaks[key] = max(peaks.get(key, 0), resident)
                    total += resident
                todo += _children(pid)
            # Reading Pss walks the page tables under the process's memory lock (40-300 ms for a
            # 1.4 GB build): every ``pss_every`` s, and after a new peak of resident sizes once 25
            # times its last cost has passed, so it takes under 4% of a core and still sees a
            # short run's peak.
            now, pending = time.perf_counter(), pending or total > total_peak
            if now - last_pss >= pss_every or (pending and now - last_pss >= max(0.25, 25 * pss_cost)):
                proportional_peak = max(proportional_peak, sum(_pss(pid) for pid in seen))
                last_pss, pss_cost, pending = time.perf_counter(), time.perf_counter() - now, False
            total_peak = max(total_peak, total)
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = process.communicate()
    except BaseException:  # Ctrl-C or a signal: the build stops too, before its folders go
        process.kill()
        process.wait()
        raise
    finally:
        elapsed = time.perf_counter() - started
        done.set()
        sampler.join()
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        sys.stderr.write(out[-2000:] + err[-4000:])
        raise SystemExit(f"benchmark command failed: {' '.join(command)}")
    summary = next((line for line in (out + "\n" + err).splitlines()[::-1] if line.startswith("Built ")), "")
    return {
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(ended.ru_utime - used.ru_utime + ended.ru_stime - used.ru_stime, 2),
        "peak_total_mb": round(total_peak / 2**20),
        "peak_pss_mb": round(proportional_peak / 2**20),
        "peak_mb": {name: round(value / 2**20) for name, value in sorted(peaks.items())},
        "summary": summary,
    }


def edit_diary(content: Path, index: int) -> None:
    """Append a line to one diary, the same one for the same ``index`` on the same network."""
    files = sorted((content / "diaries").rglob("*.md"))
    path = files[(index * 7919) % len(files)]
    path.write_text(path.read_text(encoding="utf-8") + f"\nAn edit, number {index}.\n", encoding="utf-8")


def measure(count: int, members: int, edits: int, work: Path, vocabulary: str = "topics") -> dict:
    items = diaries(count, members, vocabulary=vocabulary)
    write_netroots(work / "netroots" / "content", items, members)
    write_plain(work / "plain" / "content", items)
    conf = work / "plain" / "pelicanconf.py"
    conf.write_text(PLAIN_SETTINGS.format(content=str(work / "plain/content"), output=str(work / "plain/output")))
    python = sys.executable
    plain = [python, "-m", "pelican", "-s", str(conf), "-q"]
    content, output = work / "netroots" / "content", work / "netroots" / "output"
    netroots = [python, str(ROOT / "tasks.py"), "--content", str(content), "--output", str(output), "build"]
    env = {"NETROOTS_TODAY": today_after(items)}
    result: dict = {"diaries": count, "members": members, "vocabulary": vocabulary}
    result["plain"] = run_measured(plain, env)
    result["first"] = run_measured(netroots, env)
    shutil.rmtree(output)
    result["warm_full"] = run_measured(netroots, env)
    result["unchanged"] = run_measured(netroots, env)
    result["one_edit"] = []
    for index in range(edits):
        edit_diary(content, index)
        result["one_edit"].append(run_measured(netroots, env))
    plain_s = result["plain"]["seconds"]
    for kind in ("first", "warm_full", "unchanged"):
        result[kind]["ratio"] = round(result[kind]["seconds"] / plain_s, 2)
    for entry in result["one_edit"]:
        entry["ratio"] = round(entry["seconds"] / plain_s, 3)
    result["pages"] = sum(1 for _ in output.rglob("*.html"))
    return result


def _line(label: str, entry: dict) -> str:
    memory = ", ".join(f"{name} {mb} MB" for name, mb in entry["peak_mb"].items())
    ratio = f" ({entry['ratio']}x)" if "ratio" in entry else ""
    return (
        f"  {label:<10} {entry['seconds']:>8.2f} s{ratio}, {entry['cpu_seconds']:.2f} s CPU; peak {entry['peak_total_mb']} MB in all ({memory}),"
        f" {entry['peak_pss_mb']} MB with shared pages once"
    )


def growth(results: list[dict]) -> list[str]:
    """How each kind of build grows from the smallest network measured to the others: its time
    at each size, as a multiple of the smallest's, and the seconds each further diary adds (a
    build whose time is flat in the network's size adds none). One edit: the median of the
    edits at a size. Memory: the first build's peak resident sum."""
    results = sorted(results, key=lambda result: result["diaries"])
    smallest = results[0]
    lines = [f"How it grows from {smallest['diaries']:,} diaries:"]
    for label, seconds in (
        ("plain", lambda result: result["plain"]["seconds"]),
        ("first", lambda result: result["first"]["seconds"]),
        ("warm_full", lambda result: result["warm_full"]["seconds"]),
        ("unchanged", lambda result: result["unchanged"]["seconds"]),
        ("one edit", lambda result: statistics.median(entry["seconds"] for entry in result["one_edit"])),
    ):
        if label == "one edit" and not all(result["one_edit"] for result in results):
            continue
        base = seconds(smallest)
        cells = [f"{smallest['diaries']:,}: {base:.2f} s"]
        for result in results[1:]:
            cells.append(f"{result['diaries']:,}: {seconds(result):.2f} s ({seconds(result) / base:.1f}x)")
        largest = results[-1]
        added = (seconds(largest) - base) / (largest["diaries"] - smallest["diaries"]) * 1000
        lines.append(f"  {label:<10} {', '.join(cells)}; {added:+.3f} ms a diary")
    base = smallest["first"]["peak_total_mb"]
    cells = [f"{smallest['diaries']:,}: {base:,} MB"]
    cells += [f"{result['diaries']:,}: {result['first']['peak_total_mb']:,} MB" for result in results[1:]]
    lines.append(f"  {'memory':<10} {', '.join(cells)} (the first build's peak, every process)")
    return lines


@click.command()
@click.option(
    "--sizes", default="1000,5000,10000", show_default=True, help="Diary counts, comma-separated (50000 too)."
)
@click.option("--members", default=100, show_default=True, help="How many members write them.")
@click.option("--edits", default=2, show_default=True, help="One-diary edits (one build each) per size.")
@vocabulary_option
def command(sizes: str, members: int, edits: int, vocabulary: str) -> None:
    """How build time and memory grow with the network: full, warm and one-edit builds."""
    results = []
    for count in [int(size) for size in sizes.split(",") if size.strip()]:
        with tempfile.TemporaryDirectory(prefix="netroots-scale-") as folder:
            result = measure(count, members, edits, Path(folder), vocabulary)
        results.append(result)
        click.echo(f"{count} diaries ({result['pages']} pages):")
        click.echo(_line("plain", result["plain"]))
        for kind in ("first", "warm_full", "unchanged"):
            click.echo(_line(kind, result[kind]))
        for entry in result["one_edit"]:
            click.echo(_line("one edit", entry))
            click.echo(f"             {entry['summary']}")
    if len(results) > 1:
        for line in growth(results):
            click.echo(line)
    record = {
        "results": results,
        "machine": machine(),
        "command": f"python tasks.py bench scale --sizes {sizes} --members {members} --edits {edits}"
        + f" --vocabulary {vocabulary}",
    }
    path = save("scale" if vocabulary == "topics" else f"scale-{vocabulary}", record)
    click.echo(f"Machine: {record['machine']}. Saved {path.relative_to(ROOT)}")
