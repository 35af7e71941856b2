"""Search benchmark: Whoosh indexing, Pagefind indexing and a cold query in the browser.

``python tasks.py bench search [--diaries 10000]``. On N synthetic diaries (bench/synthetic.py):

1. Whoosh: a full index from empty, related diaries for all, then the incremental update a
   build does after one edited diary (hash every file, re-index one, recompute its related).
2. Pagefind: the site is built once without search work, then the Pagefind CLI indexes the
   output folder; wall time and peak memory (RSS) of that process.
3. Browser: the site is served on 127.0.0.1 and opened in headless Chromium (cold cache):
   bytes fetched before the search box is used, then bytes and time to first results for
   a typed query. Targets: incremental < 2 s; cold query < 300 kB and < 500 ms; zero
   search bytes before use.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click

from bench.browser import CHROMIUM, launch_chromium
from bench.common import ROOT, machine, median, save
from bench.synthetic import diaries, write_netroots


def _settings(content: Path, output: Path, **search: object) -> dict:
    sys.path[:0] = [str(ROOT), str(ROOT / "plugins")]
    from netroots.build import load_settings

    return load_settings(
        overrides={
            "PATH": str(content),
            "OUTPUT_PATH": str(output),
            "NETROOTS_CACHE": str(content.parent / ".cache"),
            "SEARCH": {"whoosh": True, "pagefind": True, **search},
        }
    )


def whoosh_times(content: Path, output: Path) -> dict:
    """The terminal's Whoosh index (full and one edit, as ``tasks.py search`` brings it up to
    date) and related diaries (all, then one edit, as a build computes them)."""
    from search.documents import source_documents
    from search.generator import search_index
    from search.index import UpdateStats
    from search.related import update_related

    from netroots.members import load_members
    from netroots.report import Report

    settings = _settings(content, output)
    members = load_members(content, Report())
    current, make = source_documents(content, members, settings)
    started = time.perf_counter()
    documents = {key: make(key) for key in current}
    render_s = time.perf_counter() - started
    documents = {key: document for key, document in documents.items() if document is not None}

    def related(current: dict[str, str]) -> list[str]:
        found = {key: (current[key], document.kind, document.url) for key, document in documents.items()}
        return update_related(found, documents.__getitem__, index.folder.parent, 5)[1]

    index = search_index(settings)
    index.clear()
    started = time.perf_counter()
    stats = index.update(current, documents.__getitem__)
    full_s = time.perf_counter() - started
    started = time.perf_counter()
    recomputed = related(current)
    related_s = time.perf_counter() - started

    started = time.perf_counter()
    current, make = source_documents(content, members, settings)
    index.update(current, make)
    related(current)
    noop_s = time.perf_counter() - started

    edited = sorted((content / "diaries").glob("*/*.md"))[len(current) // 2]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nAn edit about zeppelins.\n", encoding="utf-8")
    started = time.perf_counter()
    current, make = source_documents(content, members, settings)
    one = index.update(current, make)
    key = one.changed[0]
    documents[key] = make(key)
    again = related(current)
    incremental_s = time.perf_counter() - started
    assert len(one.changed) == 1 and not one.added and not one.removed, one
    assert isinstance(one, UpdateStats) and stats.added

    started = time.perf_counter()
    hits = index.search("tenants union", limit=10)
    query_ms = (time.perf_counter() - started) * 1000
    size = sum(p.stat().st_size for p in index.folder.rglob("*") if p.is_file())
    return {
        "documents": len(documents),
        "render_documents_s": round(render_s, 2),
        "full_index_s": round(full_s, 2),
        "related_all_s": round(related_s, 2),
        "related_computed": len(recomputed),
        "no_change_update_s": round(noop_s, 2),
        "incremental_one_edit_s": round(incremental_s, 3),
        "incremental_related_recomputed": len(again),
        "terminal_query_ms": round(query_ms, 1),
        "terminal_query_hits": len(hits),
        "index_mb": round(size / 1e6, 1),
    }


def pagefind_times(content: Path, output: Path) -> dict:
    """Build the site without search work, then time Pagefind on its output and its peak RSS."""
    from search.pagefind import pagefind_executable

    from netroots.build import build

    started = time.perf_counter()
    result = build(_settings(content, output, whoosh=False, pagefind=False))
    build_s = time.perf_counter() - started
    if result.errors:
        raise SystemExit(f"the synthetic site did not build: {result.errors[:3]}")
    probe = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    command = [sys.executable, "-c", probe, str(pagefind_executable()), "--site", str(output), "--silent"]
    seconds, peak_kib = subprocess.run(command, check=True, capture_output=True, text=True).stdout.split()
    bundle = output / "pagefind"
    files = [p for p in bundle.rglob("*") if p.is_file()]
    return {
        "html_pages": sum(1 for _ in output.rglob("*.html")),
        "site_build_without_search_s": round(build_s, 1),
        "pagefind_s": round(float(seconds), 2),
        "pagefind_peak_mb": round(int(peak_kib) / 1024, 1),
        "pagefind_bundle_mb": round(sum(p.stat().st_size for p in files) / 1e6, 1),
        "pagefind_files": len(files),
    }


def build_overhead(count: int, members: int, rounds: int = 3) -> dict:
    """What search adds to a whole build at ``count`` diaries: off, cold cache, warm, one edit (medians)."""
    from netroots.build import build

    with tempfile.TemporaryDirectory(prefix="netroots-bench-build-") as folder:
        content, output = Path(folder) / "content", Path(folder) / "output"
        write_netroots(content, diaries(count, members), members)

        def timed(**search: object) -> float:
            started = time.perf_counter()
            result = build(_settings(content, output, **search))
            if result.errors:
                raise SystemExit(f"the synthetic site did not build: {result.errors[:3]}")
            return round(time.perf_counter() - started, 2)

        times: dict[str, list[float]] = {"search_off_s": [timed(whoosh=False, pagefind=False)]}
        times["cold_s"] = [timed()]
        times["warm_no_change_s"], times["warm_one_edit_s"] = [], []
        files = sorted((content / "diaries").glob("*/*.md"))
        for turn in range(rounds):  # alternate, so machine noise hits both
            times["search_off_s"].append(timed(whoosh=False, pagefind=False))
            times["warm_no_change_s"].append(timed())
            edited = files[(turn + 1) * count // (rounds + 1)]
            edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
            times["warm_one_edit_s"].append(timed())
        shutil.rmtree(content.parent / ".cache" / "search", ignore_errors=True)
        times["whoosh_only_cold_s"] = [timed(pagefind=False)]
    result: dict = {"diaries": count, "rounds": rounds, "timings": times}
    result.update({key: round(median(value), 2) for key, value in times.items()})
    off = result["search_off_s"]
    for key in ("cold_s", "warm_no_change_s", "warm_one_edit_s", "whoosh_only_cold_s"):
        result[key[:-2] + "_ratio"] = round(result[key] / off, 2)
    return result


class Counting(SimpleHTTPRequestHandler):
    """Serves the site like a good static host (text gzipped when the browser accepts it;
    Pagefind's own files are already compressed) and counts the bytes sent per path."""

    sent: list[tuple[str, int, int]]  # path, bytes on the wire, bytes uncompressed
    TEXT = (".html", ".css", ".js", ".json", ".svg", ".xml")

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix in self.TEXT and path.is_file() and "gzip" in self.headers.get("Accept-Encoding", ""):
            raw = path.read_bytes()
            packed = gzip.compress(raw, 6)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(packed)))
            self.end_headers()
            self.sent.append((self.path.split("?")[0], len(packed), len(raw)))
            return io.BytesIO(packed)
        return super().send_head()

    def copyfile(self, source, outputfile) -> None:  # type: ignore[override]
        data = source.read()
        outputfile.write(data)
        if not isinstance(source, io.BytesIO):
            self.sent.append((self.path.split("?")[0], len(data), len(data)))


def cold_query(chromium, base: str, sent: list, query: str) -> dict:
    """A fresh browser context: /search/, then type ``query``; bytes and ms to first results."""
    context = chromium.new_context()
    page = context.new_page()
    sent.clear()
    page.goto(f"{base}/search/")
    page.wait_for_load_state("networkidle")
    before = list(sent)
    sent.clear()
    page.evaluate("() => { window.benchStart = performance.now(); }")
    page.locator("#search-q").fill(query)
    page.wait_for_function("() => /result/.test(document.getElementById('search-status').textContent)", timeout=30000)
    elapsed = page.evaluate("() => performance.now() - window.benchStart")
    status = page.locator("#search-status").inner_text()
    page.wait_for_load_state("networkidle")
    during = list(sent)
    context.close()
    return {
        "query": query,
        "status": status,
        "page_bytes_before_use": sum(wire for _, wire, _ in before),
        "pagefind_bytes_before_use": sum(wire for path, wire, _ in before if "/pagefind/" in path),
        "search_js_bytes": sum(wire for path, wire, _ in before if path.endswith("/search.js")),
        "cold_query_bytes": sum(wire for _, wire, _ in during),
        "cold_query_bytes_uncompressed": sum(raw for _, _, raw in during),
        "cold_query_requests": len(during),
        "cold_query_ms": round(elapsed),
        "cold_query_files": {path.rsplit("/", 1)[-1]: wire for path, wire, _ in during},
    }


def browser_times(output: Path, queries: list[str]) -> dict:
    """Search bytes on an ordinary page, then a cold query for each of ``queries``."""
    from playwright.sync_api import sync_playwright

    sent: list[tuple[str, int, int]] = []
    handler = type("Handler", (Counting,), {"sent": sent})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(output)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with sync_playwright() as playwright:
            chromium = launch_chromium(playwright)
            page = chromium.new_page()
            page.goto(f"{base}/diaries/")
            page.wait_for_load_state("networkidle")
            other = sum(wire for path, wire, _ in sent if "/pagefind/" in path or path.endswith("/search.js"))
            page.close()
            result = {
                "other_page_search_bytes": other,
                "queries": [cold_query(chromium, base, sent, q) for q in queries],
            }
            chromium.close()
    finally:
        server.shutdown()
        server.server_close()
    return result


@click.command()
@click.option("--diaries", "count", default=10000, show_default=True, help="How many synthetic diaries.")
@click.option("--members", default=100, show_default=True, help="How many members write them.")
@click.option(
    "--query",
    "queries",
    multiple=True,
    default=["tenants union", "5000"],
    show_default=True,
    help="Cold queries typed in the browser: a common one (words in nearly every diary) and a specific one.",
)
@click.option("--no-browser", is_flag=True, help="Skip the headless Chromium part.")
@click.option(
    "--build-diaries", default=1000, show_default=True, help="Also time whole builds with and without search (0: skip)."
)
def command(count: int, members: int, queries: tuple[str, ...], no_browser: bool, build_diaries: int) -> None:
    """Time Whoosh (full and one edit), Pagefind, a cold in-browser query, and the build overhead."""
    os.environ.setdefault("NETROOTS_TODAY", "2026-11-22")
    overhead = None
    if build_diaries:
        click.echo(f"Whole builds of {build_diaries} diaries: search off, cold, warm, one edit…")
        overhead = build_overhead(build_diaries, members)
    with tempfile.TemporaryDirectory(prefix="netroots-bench-search-") as folder:
        work = Path(folder)
        content, output = work / "content", work / "output"
        click.echo(f"Writing {count} synthetic diaries by {members} members…")
        write_netroots(content, diaries(count, members), members)
        click.echo("Whoosh: full index, related diaries, one edit…")
        result: dict = {"diaries": count, "members": members, "whoosh": whoosh_times(content, output)}
        click.echo("Building the site, then Pagefind…")
        result["pagefind"] = pagefind_times(content, output)
        if not no_browser and Path(CHROMIUM).exists():
            click.echo("Headless Chromium: a cold query…")
            result["browser"] = browser_times(output, list(queries))
    if overhead:
        result["build"] = overhead
    result["machine"] = machine()
    result["command"] = (
        f"python tasks.py bench search --diaries {count} --members {members} --build-diaries {build_diaries}"
    )
    path = save(f"search-{count}", result)
    w, p = result["whoosh"], result["pagefind"]
    click.echo(
        f"Whoosh: full index {w['full_index_s']} s + related for all {w['related_all_s']} s; "
        f"one edit {w['incremental_one_edit_s']} s (target < 2 s); no change {w['no_change_update_s']} s"
    )
    click.echo(f"Pagefind: {p['pagefind_s']} s, peak {p['pagefind_peak_mb']} MB, {p['html_pages']} pages")
    if "browser" in result:
        click.echo(f"Browser: {result['browser']['other_page_search_bytes']} search bytes on an ordinary page")
        for b in result["browser"]["queries"]:
            click.echo(
                f"  {b['query']!r}: {b['pagefind_bytes_before_use']} search bytes before use; cold query "
                f"{b['cold_query_bytes'] / 1000:.0f} kB (target < 300 kB) in {b['cold_query_ms']} ms "
                f"(target < 500 ms); {b['status']}"
            )
    if overhead:
        o = overhead
        click.echo(
            f"Build of {o['diaries']} diaries: search off {o['search_off_s']} s; with search cold {o['cold_s']} s "
            f"({o['cold_ratio']}x), warm {o['warm_no_change_s']} s ({o['warm_no_change_ratio']}x), "
            f"one edit {o['warm_one_edit_s']} s ({o['warm_one_edit_ratio']}x)"
        )
    click.echo(f"Saved {path.relative_to(ROOT)}. Machine: {result['machine']}")
