"""Page budgets: Lighthouse scores and page weight of the published demo.

``python tasks.py bench pages [--runs 1] [--kinds front,diary]``. Builds the demo with
publishconf.py for a local address, serves it the way a good static host does
(precompressed .gz, long cache for versioned assets), and runs Lighthouse (npm, pinned,
installed by scripts/install-lighthouse.sh) in the system Chromium on one page of each
kind. Targets: 100 in performance, accessibility, best practices and SEO; a diary page's
HTML (its comment thread measured apart) and CSS under 30 kB.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click
from publish.kinds import PAGE_KINDS, sample_page

from bench.browser import CHROMIUM, CHROMIUM_ARGS
from bench.common import ROOT, machine, median, save
from netroots.budget import BUDGET_BYTES, diary_weight

LIGHTHOUSE = ROOT / ".cache" / "node" / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = " ".join(["--headless=new", *CHROMIUM_ARGS])


class StaticHost(SimpleHTTPRequestHandler):
    """Serves ``name.gz`` when the browser accepts gzip, like nginx's gzip_static, and
    lets browsers cache versioned assets (``?v=``) for a year."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        packed = path.with_name(path.name + ".gz")
        if path.is_file() and packed.is_file() and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = packed.open("rb")
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
            self.send_header("Content-Length", str(packed.stat().st_size))
            self.end_headers()
            return body
        return super().send_head()

    def end_headers(self) -> None:
        versioned = "?v=" in self.path
        self.send_header("Cache-Control", "public, max-age=31536000, immutable" if versioned else "public, max-age=600")
        super().end_headers()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build_demo(output: Path, site: str) -> None:
    """The demo content with publishconf.py, its addresses pointing at ``site``."""
    from netroots.build import build, load_settings

    os.environ.setdefault("NETROOTS_TODAY", "2026-11-22")
    settings = load_settings(publish=True, overrides={"SITEURL": site, "FEED_DOMAIN": site, "OUTPUT_PATH": str(output)})
    result = build(settings)
    if result.errors:
        raise SystemExit(f"the demo build had errors: {result.errors[:3]}")


def page_weight(output: Path) -> dict:
    """The heaviest diary page's HTML (without its comment thread) plus site.css, and the largest
    thread apart (netroots.budget: the same measure as the budget test)."""
    weight = diary_weight(output)
    return {
        "page": weight.page,
        "html_bytes": weight.html_bytes,
        "css_bytes": weight.css_bytes,
        "total_bytes": weight.total_bytes,
        "total_gzip_bytes": weight.gzip_bytes,
        "budget_bytes": BUDGET_BYTES,
        "within_budget": weight.within_budget,
        "thread_page": weight.thread_page,
        "thread_bytes": weight.thread.bytes,
        "thread_comments": weight.thread.comments,
        "comments_css_bytes": weight.comments_css_bytes,
        "summary": weight.summary(),
    }


def lighthouse(url: str, report: Path) -> dict[str, float]:
    """Category scores (0-100) of one Lighthouse run, and the failing audits."""
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--quiet",
    ]
    done = subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"lighthouse failed on {url}:\n{done.stderr[-2000:]}")
    data = json.loads(report.read_text(encoding="utf-8"))
    scores = {name: round((data["categories"][name]["score"] or 0) * 100) for name in CATEGORIES}
    failing = sorted(
        f"{audit_id} ({audit.get('score')})"
        for category in CATEGORIES
        for ref in data["categories"][category]["auditRefs"]
        if ref.get("weight", 0) > 0
        for audit_id, audit in [(ref["id"], data["audits"][ref["id"]])]
        if audit.get("score") is not None and audit["score"] < 1
    )
    return {**scores, "failing": failing}


@click.command()
@click.option("--runs", default=1, show_default=True, help="Lighthouse runs per page; the median score is kept.")
@click.option(
    "--kinds", default=",".join(PAGE_KINDS), show_default=True, help="Page kinds to measure, comma-separated."
)
def command(runs: int, kinds: str) -> None:
    """Lighthouse scores (target 100) and a diary page's weight (under 30 kB)."""
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: run `make browser` (or set CHROME_PATH)")
    subprocess.run(["bash", str(ROOT / "scripts" / "install-lighthouse.sh")], check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as work:
        output = Path(work) / "output"
        build_demo(output, site)
        weight = page_weight(output)
        click.echo(weight["summary"])
        server = ThreadingHTTPServer(("127.0.0.1", port), partial(StaticHost, directory=str(output)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        pages: dict[str, dict] = {}
        try:
            for kind in [k.strip() for k in kinds.split(",") if k.strip()]:
                page = sample_page(output, kind)
                if page is None:
                    click.echo(f"{kind:8} (no such page in the demo)")
                    continue
                address = page.relative_to(output).as_posix().removesuffix("index.html")
                results = [lighthouse(f"{site}/{address}", Path(work) / f"{kind}-{run}.json") for run in range(runs)]
                scores = {name: median([r[name] for r in results]) for name in CATEGORIES}
                pages[kind] = {"path": address, **scores, "failing": results[-1]["failing"]}
                line = "  ".join(f"{name} {scores[name]:>3.0f}" for name in CATEGORIES)
                click.echo(f"{kind:8} {line}  /{address}")
                for audit in results[-1]["failing"]:
                    click.echo(f"{'':8} below 1: {audit}")
        finally:
            server.shutdown()
    path = save("pages", {"machine": machine(), "runs": runs, "weight": weight, "pages": pages})
    click.echo(f"Saved {path.relative_to(ROOT)}")
    if not weight["within_budget"] or any(p[c] < 100 for p in pages.values() for c in CATEGORIES):
        sys.exit(1)
