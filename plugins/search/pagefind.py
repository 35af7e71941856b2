"""The end of the build: Pagefind over the output folder.

Pagefind runs as its own CLI (the binary the ``pagefind[extended]`` PyPI package ships):
it indexes only elements marked ``data-pagefind-body``, with the filters and metadata
``pagefind_meta`` wrote. The index is split into parts of about 500 pages
(``SEARCH['pagefind_part_pages']``; a page's part comes from a hash of its path, so it
never moves while the count of parts stays): ``output/pagefind/<n>/`` is one Pagefind bundle, ``output/pagefind/parts.json``
lists them, and the search page merges them in the browser (Pagefind's ``mergeIndex``).
A build re-indexes only the parts where a page was added, changed or removed, each from
a folder of hard links to its pages, two at a time. Each finished part is kept in
``.cache/`` (``bundles.py``), so a build after output/ was removed puts the unchanged parts
back instead of indexing them again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from netroots.keptrows import KeptRows, Row, as_json, listing_digest
from netroots.site import cache_dir, html_files, output_record, write_output

from .bundles import ENTRY, FOLDER, KeptBundles, link_or_copy
from .documents import scan_output
from .generator import search_state
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
    return output_record(settings, "search", "pagefind", output, ".sqlite")


def part_count(pages: int, previous: int | None, size: int) -> int:
    """How many parts: kept while each holds between a quarter and twice ``size`` pages
    (so a few diaries more or less never re-index everything), else ``size`` to twice that each."""
    if previous and previous * size // 4 <= pages <= previous * size * 2:
        return previous
    return max(1, pages // size)


def part_of(relative: str, parts: int) -> int:
    return int.from_bytes(hashlib.blake2b(relative.encode(), digest_size=4).digest(), "big") % parts


def split(pages: Mapping[str, str], parts: int) -> list[dict[str, str]]:
    found: list[dict[str, str]] = [{} for _ in range(parts)]
    for relative, page_hash in pages.items():
        found[part_of(relative, parts)][relative] = page_hash
    return found


def _tool(search: dict[str, Any]) -> str:
    """What a bundle depends on besides its pages: which Pagefind (version, or the binary
    ``PAGEFIND_BINARY_PATH`` names) and its arguments."""
    named = os.environ.get("PAGEFIND_BINARY_PATH")
    if named:
        which = f"{named} ({os.stat(named).st_size if os.path.isfile(named) else 'missing'})"
    else:
        found = []
        for name in ("pagefind_bin_extended", "pagefind_bin", "pagefind"):
            try:
                found.append(f"{name} {version(name)}")
            except PackageNotFoundError:
                pass
        which = ", ".join(found)
    return json.dumps([which, list(search["pagefind_args"])])


def _fingerprint(pages: Mapping[str, str], tool: str) -> str:
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(tool.encode() + b"\n")
    for relative in sorted(pages):
        hasher.update(f"{relative}\0{pages[relative]}\n".encode())
    return hasher.hexdigest()


# Parts are staged in memory where the system has a file system there with this much room:
# a staged part is a folder a page (a page's address is a folder), and a disk that frees
# blocks as it goes (``discard``) took 0.75-10 s to remove one part's 700 folders on a busy
# machine, at every edit; in memory, 0.03 s.
MEMORY_FOLDER = Path("/dev/shm")
MEMORY_ROOM = 256 * 1024 * 1024


@contextlib.contextmanager
def _staging(disk: Path) -> Iterator[Path]:
    """A folder to stage parts in for one build, removed afterwards: a new one in memory
    (``MEMORY_FOLDER``) when it has ``MEMORY_ROOM`` free, else ``disk``."""
    try:
        room = shutil.disk_usage(MEMORY_FOLDER).free if MEMORY_FOLDER.is_dir() else 0
        root = Path(tempfile.mkdtemp(prefix="netroots-pagefind-", dir=MEMORY_FOLDER)) if room >= MEMORY_ROOM else disk
    except OSError:
        root = disk
    try:
        yield root
    finally:
        if root != disk:
            shutil.rmtree(root, ignore_errors=True)


def _stage(output: Path, pages: dict[str, str], folder: Path, disk: Path) -> Path:
    """Stage ``pages`` in ``folder``, or in ``disk`` when ``folder`` fills up (memory is shared
    with every other program); returns where."""
    if folder != disk:
        try:
            _link_all(output, pages, folder)
            return folder
        except OSError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            logger.debug("search: a part staged on disk, not in %s: %s", folder.parent, exc)
    _link_all(output, pages, disk)
    return disk


def _link_all(output: Path, pages: dict[str, str], folder: Path) -> None:
    """``folder`` holding just ``pages`` (hard links, or copies across file systems)."""
    shutil.rmtree(folder, ignore_errors=True)
    for relative in pages:
        link_or_copy(output / relative, folder / relative)


def index_parts(
    settings: dict[str, Any],
    output: Path,
    pages: Mapping[str, str],
    state: dict[str, Any],
    search: dict[str, Any],
    same_pages: bool = False,
) -> tuple[dict[str, Any], int, int]:
    """Bring ``output/pagefind/`` up to date: Pagefind indexes the parts whose pages changed,
    the others are kept or restored from ``.cache/``. Returns the new state and how many
    parts were indexed and restored.

    ``same_pages``: every page is as the last build found it (``state`` came with it), so its
    parts and their fingerprints are the ones it kept: taken from ``state``, not made again
    (11,800 pages hashed into parts and sorted into fingerprints at 10,000 diaries)."""
    parts = part_count(len(pages), state.get("parts"), int(search["pagefind_part_pages"]))
    bundle = output / BUNDLE
    kept = KeptBundles(settings)
    if parts != state.get("parts"):
        shutil.rmtree(bundle, ignore_errors=True)
    tool = _tool(search)
    found = _kept_parts(state, parts, tool) if same_pages else None
    if found is None:
        groups: list[dict[str, str]] | None = split(pages, parts)
        fingerprints = [_fingerprint(group, tool) for group in groups]
        used = [number for number, group in enumerate(groups) if group]
    else:
        groups, (fingerprints, used) = None, found
    in_use = set() if state.get("parts") not in (None, parts) else set(used)
    kept.prune(in_use)  # parts that are gone; every part when their count changed
    todo, restored = _changed_parts(bundle, parts, set(used), fingerprints, kept)
    if todo and groups is None:
        groups = split(pages, parts)
    stage = cache_dir(settings, "search") / "pagefind-stage"
    # A part that fails has no kept record, so the next build tries it again.
    if todo:
        assert groups is not None
        with _staging(stage) as staging:
            parts_todo = {number: groups[number] for number in todo}
            _run_parts(output, bundle, staging, stage, parts_todo, search, kept, fingerprints)
    listed = [str(number) for number in used]
    write_output(output, f"{BUNDLE}/{LIST}", json.dumps({"parts": listed}))
    new = {"parts": parts, "listed": len(listed), "tool": tool, "fingerprints": fingerprints, "used": used}
    return new, len(todo), restored


def _kept_parts(state: dict[str, Any], parts: int, tool: str) -> tuple[list[str], list[int]] | None:
    """The last build's fingerprint of each part and the parts holding pages, when it made
    them from the same count of parts with the same Pagefind."""
    fingerprints, used = state.get("fingerprints"), state.get("used")
    if state.get("parts") != parts or state.get("tool") != tool:
        return None
    if not isinstance(fingerprints, list) or len(fingerprints) != parts or not isinstance(used, list):
        return None
    return fingerprints, used


def _changed_parts(
    bundle: Path, parts: int, used: set[int], fingerprints: list[str], kept: KeptBundles
) -> tuple[list[int], int]:
    """The parts Pagefind must index: those without a whole kept bundle of their pages. The
    others are restored from it where output/ is missing or differs (``(todo, restored)``).
    A kept bundle is the only one trusted: a file in output/ written in place through its link
    changed the kept file too, so output/ alone proves nothing unless it matches the kept
    record (then neither was written into: ``KeptBundles.in_place``)."""
    todo, restored = [], 0
    for number in range(parts):
        target = bundle / str(number)
        if number not in used:
            shutil.rmtree(target, ignore_errors=True)
            continue
        recorded = kept.record(number, fingerprints[number])
        if recorded is not None and kept.in_place(recorded, target):
            continue  # output/ holds the kept bundle untouched (one listing, of output/ only)
        files = kept.files(number, fingerprints[number], recorded) if recorded is not None else None
        if files is None:
            todo.append(number)
        else:
            kept.restore(number, files, target)
            restored += 1
    return todo, restored


def _run_parts(
    output: Path,
    bundle: Path,
    staging: Path,
    disk: Path,
    todo: dict[int, dict[str, str]],
    search: dict[str, Any],
    kept: KeptBundles,
    fingerprints: list[str],
) -> None:
    """Pagefind over each part's pages, staged under ``staging`` (``disk`` when it fills up),
    a few processes at a time, into ``.cache/`` and output/. A part staged in memory that has
    a kept bundle is written there too and only the files that changed reach the disk
    (``KeptBundles.sync``); any other is written into ``.cache/`` whole."""
    extra, timeout = list(search["pagefind_args"]), float(search["pagefind_timeout"])
    jobs = max(1, min(os.cpu_count() or 1, 4))
    running: list[tuple[int, subprocess.Popen, Path, Path | None]] = []
    failed: dict[int, str] = {}

    def finish(number: int, process: subprocess.Popen, staged: Path, made: Path | None) -> None:
        target = bundle / str(number)
        try:
            finish_pagefind(process, timeout)
            if made is None:
                kept.keep(number, fingerprints[number])
                files = kept.files(number, fingerprints[number])
            else:
                files = kept.sync(number, fingerprints[number], made)[0] if (made / ENTRY).is_file() else None
            if files is None:
                raise RuntimeError(f"Pagefind wrote no {ENTRY}")
            kept.put(number, files, target)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
            failed[number] = f"part {number}: {exc}"
            shutil.rmtree(target, ignore_errors=True)
        shutil.rmtree(staged, ignore_errors=True)
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)

    for number, group in todo.items():
        while len(running) >= jobs:
            finish(*running.pop(0))
        staged = _stage(output, group, staging / str(number), disk / str(number))
        # In memory only to be compared with a kept bundle: a new part is written to disk once.
        made = staging / f"{number}.bundle" if staged.parent == staging != disk and kept.holds(number) else None
        command = [str(pagefind_executable()), "--site", str(staged), "--output-path"]
        process = subprocess.Popen(
            [*command, str(kept.start(number) if made is None else made), "--silent", *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        running.append((number, process, staged, made))
    for running_part in running:
        finish(*running_part)
    if failed:
        logger.error("search: the in-browser search index was not built: %s", "; ".join(failed.values()))


# What the last scan of output/ found of each page (documents.scan_output) and Pagefind's
# state, a row a page: an edit writes the rows of the pages it changed, where a JSON file of
# them all was written (6.4 MB at 50,000 diaries).
SCAN_COLUMNS = ("size", "mtime", "hash", "kind")
SCAN_VERSION = "1"


def scan_record(settings: dict[str, Any], output: Path) -> KeptRows:
    return KeptRows(_stamp(settings, output), SCAN_COLUMNS, SCAN_VERSION)


class _ScannedPages(Mapping[str, str]):
    """The pages the last scan found (every page as it was: the listing of output/ is the one it
    scanned), read from the record only when a part must be indexed again; their count is kept.
    Should the rows not be there to read, output/ is scanned again (``rescan``)."""

    def __init__(self, record: KeptRows, count: int, rescan: Callable[[], dict[str, str]]) -> None:
        self.record, self.count, self.rescan = record, count, rescan
        self._pages: dict[str, str] | None = None

    @property
    def pages(self) -> dict[str, str]:
        if self._pages is None:
            rows = self.record.rows("hash IS NOT NULL")
            if rows is not None and len(rows) == self.count:
                self._pages = {relative: row[2] for relative, row in sorted(rows.items())}
            else:
                self._pages = self.rescan()
        return self._pages

    def __getitem__(self, relative: str) -> str:
        return self.pages[relative]

    def __iter__(self) -> Iterator[str]:
        return iter(self.pages)

    def __len__(self) -> int:
        return self.count if self._pages is None else len(self._pages)


def _scanned(
    record: KeptRows, output: Path, files: list[tuple[str, int, int]], meta: dict[str, str] | None, listed: str
) -> tuple[Mapping[str, str], dict[str, Row] | None, dict[str, Row] | None]:
    """``(pages, seen, kept)``: each page Pagefind indexes and its hash; what the scan found of
    every page and the rows it read (None: no record). When output/ is listed as the last scan
    found it, nothing is read, not even the rows: both are empty (``seen`` is filled should the
    pages be asked for and the rows be unreadable)."""
    if meta is not None and meta.get("listing") == listed and meta.get("pages", "").isdigit():
        rescanned: dict[str, Row] = {}
        pages = _ScannedPages(record, int(meta["pages"]), lambda: scan_output(output, rescanned, files)[1])
        return pages, rescanned, {}
    kept = record.rows() if meta is not None else None
    seen = dict(kept or {})  # scan_output replaces an entry that changed, never alters one
    _, pages = scan_output(output, seen, files)
    return pages, seen, kept


def finalized(pelican: Any) -> None:
    """Signal receiver: runs after every page of the build is written."""
    settings = pelican.settings
    search = search_state(settings).get("settings") or search_settings(settings)
    if not search["pagefind"]:
        return
    started = time.perf_counter()
    output = Path(pelican.output_path)
    record = scan_record(settings, output)
    meta = record.meta()
    files = html_files(output)
    listed = listing_digest(files)
    pages, seen, kept = _scanned(record, output, files, meta, listed)
    previous = _state(meta)
    pagefind: dict[str, Any] = {}
    try:
        same = isinstance(pages, _ScannedPages) or seen == kept
        pagefind, ran, restored = index_parts(settings, output, pages, previous, search, same)
    except Exception as exc:  # say it, the build goes on
        logger.error("search: the in-browser search index was not built: %s: %s", type(exc).__name__, exc)
    else:
        if ran or restored:
            logger.info(
                "search: Pagefind indexed %d of %d parts of %s, restored %d from .cache/search/%s, in %.2f s",
                ran,
                pagefind["listed"],
                output,
                restored,
                FOLDER,
                time.perf_counter() - started,
            )
        else:
            logger.info("search: no indexed page changed; Pagefind's bundle is up to date")
    # Without a whole index (it failed), the next build scans output/ again whatever it finds.
    state = {"listing": listed if pagefind else "", "pages": str(len(pages)), "pagefind": as_json(pagefind)}
    if meta is None:  # no record: the one in its earlier form goes
        _stamp(settings, output).with_suffix(".json").unlink(missing_ok=True)
    if isinstance(pages, _ScannedPages) and seen:  # its rows could not be read: made again
        kept = None
    if seen != kept or state.items() - (meta or {}).items():  # an unchanged build writes nothing here
        record.save(seen, kept, state)


def _state(meta: dict[str, str] | None) -> dict[str, Any]:
    """Pagefind's state as the last build left it; {} when there is none."""
    try:
        found = json.loads((meta or {}).get("pagefind", "{}"))
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
