"""The end of the build: Pagefind over the output folder, and the other kinds into Whoosh.

Pagefind runs as its own CLI (the binary the ``pagefind[extended]`` PyPI package ships):
it indexes only elements marked ``data-pagefind-body``, with the filters and metadata
``pagefind_meta`` wrote. The index is split into parts of about 1,000 pages
(``SEARCH['pagefind_part_pages']``; a page's part comes from a hash of its path, so it
never moves while the count of parts stays): ``output/pagefind/<n>/`` is one Pagefind bundle, ``output/pagefind/parts.json``
lists them, and the search page merges them in the browser (Pagefind's ``mergeIndex``).
A build re-indexes only the parts where a page was added, changed or removed, each from
a folder of hard links to its pages, two at a time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from netroots.site import cache_dir, read_json, write_json, write_output

from .documents import HTML_PREFIX, html_document, scan_output
from .generator import search_index, search_state
from .spec import search_settings

logger = logging.getLogger(__name__)


def pagefind_executable() -> Path:
    """The Pagefind binary bundled by ``pagefind_bin_extended`` (or ``PAGEFIND_BINARY_PATH``)."""
    from pagefind.service import get_executable

    found = get_executable()
    if found is None:
        raise FileNotFoundError("the Pagefind binary is missing: pip install -r requirements.txt")
    return Path(found)


def start_pagefind(output: Path, extra: list[str] | tuple[str, ...] = ()) -> subprocess.Popen:
    """Start indexing ``output`` into ``output/pagefind/`` (old bundle files are removed first)."""
    shutil.rmtree(output / "pagefind", ignore_errors=True)
    command = [str(pagefind_executable()), "--site", str(output), "--silent", *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run_pagefind(output: Path, extra: list[str] | tuple[str, ...] = (), timeout: float = 300) -> float:
    """Index ``output`` and wait; return the seconds it took."""
    started = time.perf_counter()
    finish_pagefind(start_pagefind(output, extra), timeout)
    return time.perf_counter() - started


def finish_pagefind(process: subprocess.Popen, timeout: float) -> None:
    try:
        _, errors = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    if process.returncode != 0:
        raise RuntimeError(f"Pagefind failed ({process.returncode}): {errors.strip()[-2000:]}")


BUNDLE = "pagefind"
LIST = "parts.json"


def _stamp(settings: dict[str, Any], output: Path) -> Path:
    name = hashlib.blake2b(str(output.resolve()).encode(), digest_size=8).hexdigest()
    return cache_dir(settings, "search") / f"pagefind-{name}.json"


def part_count(pages: int, previous: int | None, size: int) -> int:
    """How many parts: kept while each holds between a quarter and twice ``size`` pages
    (so a few diaries more or less never re-index everything), else ``size`` to twice that each."""
    if previous and previous * size // 4 <= pages <= previous * size * 2:
        return previous
    return max(1, pages // size)


def part_of(relative: str, parts: int) -> int:
    return int.from_bytes(hashlib.blake2b(relative.encode(), digest_size=4).digest(), "big") % parts


def split(pages: dict[str, str], parts: int) -> list[dict[str, str]]:
    found: list[dict[str, str]] = [{} for _ in range(parts)]
    for relative, page_hash in pages.items():
        found[part_of(relative, parts)][relative] = page_hash
    return found


def _fingerprint(pages: dict[str, str]) -> str:
    hasher = hashlib.blake2b(digest_size=16)
    for relative in sorted(pages):
        hasher.update(f"{relative}\0{pages[relative]}\n".encode())
    return hasher.hexdigest()


def _stage(output: Path, pages: dict[str, str], folder: Path) -> None:
    """A folder holding just ``pages`` (hard links, or copies across file systems)."""
    shutil.rmtree(folder, ignore_errors=True)
    for relative in pages:
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(output / relative, target)
        except OSError:
            shutil.copy2(output / relative, target)


def index_parts(
    settings: dict[str, Any],
    output: Path,
    pages: dict[str, str],
    state: dict[str, Any],
    search: dict[str, Any],
) -> tuple[dict[str, Any], int]:
    """Re-index the parts whose pages changed; returns the new state and how many parts ran."""
    parts = part_count(len(pages), state.get("parts"), int(search["pagefind_part_pages"]))
    bundle = output / BUNDLE
    if parts != state.get("parts"):
        shutil.rmtree(bundle, ignore_errors=True)
    old = state.get("fingerprints", []) if parts == state.get("parts") else []
    groups = split(pages, parts)
    fingerprints = [_fingerprint(group) for group in groups]
    todo = _changed_parts(bundle, groups, fingerprints, old)
    for number, group in enumerate(groups):
        if not group:
            shutil.rmtree(bundle / str(number), ignore_errors=True)
    stage = cache_dir(settings, "search") / "pagefind-stage"
    failed = _run_parts(output, bundle, stage, {number: groups[number] for number in todo}, search)
    for number in failed:
        fingerprints[number] = ""  # try again next build
    listed = [str(number) for number, group in enumerate(groups) if group]
    write_output(output, f"{BUNDLE}/{LIST}", json.dumps({"parts": listed}))
    return {"parts": parts, "fingerprints": fingerprints}, len(todo)


def _changed_parts(bundle: Path, groups: list[dict[str, str]], fingerprints: list[str], old: list[str]) -> list[int]:
    """Parts with pages whose fingerprint differs from the last build's, or whose bundle is missing."""
    return [
        number
        for number, group in enumerate(groups)
        if group
        and (
            number >= len(old)
            or old[number] != fingerprints[number]
            or not (bundle / str(number) / "pagefind-entry.json").is_file()
        )
    ]


def _run_parts(
    output: Path, bundle: Path, stage: Path, todo: dict[int, dict[str, str]], search: dict[str, Any]
) -> list[int]:
    """Pagefind over each part's staged pages, a few processes at a time; returns the parts that failed."""
    extra, timeout = list(search["pagefind_args"]), float(search["pagefind_timeout"])
    jobs = max(1, min(os.cpu_count() or 1, 4))
    running: list[tuple[int, subprocess.Popen]] = []
    failed: dict[int, str] = {}

    def finish(number: int, process: subprocess.Popen) -> None:
        try:
            finish_pagefind(process, timeout)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            failed[number] = f"part {number}: {exc}"
        shutil.rmtree(stage / str(number), ignore_errors=True)

    for number, group in todo.items():
        while len(running) >= jobs:
            finish(*running.pop(0))
        _stage(output, group, stage / str(number))
        target = bundle / str(number)
        shutil.rmtree(target, ignore_errors=True)
        command = [str(pagefind_executable()), "--site", str(stage / str(number)), "--output-path", str(target)]
        process = subprocess.Popen(
            [*command, "--silent", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        running.append((number, process))
    for number, process in running:
        finish(number, process)
    if failed:
        logger.error("search: the in-browser search index was not built: %s", "; ".join(failed.values()))
    return sorted(failed)


def finalized(pelican: Any) -> None:
    """Signal receiver: runs after every page of the build is written."""
    settings = pelican.settings
    build = search_state(settings)
    search = build.get("settings") or search_settings(settings)
    if not (search["whoosh"] or search["pagefind"]):
        return
    started = time.perf_counter()
    output = Path(pelican.output_path)
    stamp = _stamp(settings, output)
    state = read_json(stamp)
    state = state if isinstance(state, dict) else {}
    seen = state.get("seen") if isinstance(state.get("seen"), dict) else {}
    current, pages = scan_output(output, build.get("skip", set()), seen)
    pagefind: dict[str, Any] = {}
    worker = None
    if search["pagefind"]:  # in a thread: Pagefind's processes run while Whoosh indexes below

        def run() -> None:
            nonlocal pagefind
            previous = state.get("pagefind") if isinstance(state.get("pagefind"), dict) else {}
            try:
                pagefind, ran = index_parts(settings, output, pages, previous, search)
            except Exception as exc:  # in a thread: say it, the build goes on
                logger.error("search: the in-browser search index was not built: %s: %s", type(exc).__name__, exc)
                return
            if ran:
                logger.info(
                    "search: Pagefind indexed %d of %d parts of %s in %.2f s",
                    ran,
                    pagefind["parts"],
                    output,
                    time.perf_counter() - started,
                )
            else:
                logger.info("search: no indexed page changed; Pagefind's bundle is up to date")

        worker = threading.Thread(target=run, name="pagefind")
        worker.start()
    if search["whoosh"]:
        stats = search_index(settings).update(
            current,
            lambda key: html_document(output, key.removeprefix(HTML_PREFIX)),
            scope=lambda key: key.startswith(HTML_PREFIX),
        )
        logger.info("search: indexed built pages (%s)", stats)
    if worker is not None:
        worker.join()
    write_json(stamp, {"seen": seen, "pagefind": pagefind})
