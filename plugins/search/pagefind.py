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
import importlib.util
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

from netroots.keptrows import KeptRows, Listing, Row, as_json
from netroots.manifest import built_listing
from netroots.site import cache_dir, html_files, output_record, write_output

from .bundles import ENTRY, FOLDER, KeptBundles, link_or_copy
from .documents import scan_output
from .generator import search_state
from .spec import search_settings

logger = logging.getLogger(__name__)


def pagefind_executable() -> Path:
    """The Pagefind binary bundled by ``pagefind_bin_extended`` (or ``PAGEFIND_BINARY_PATH``),
    found where that package keeps it without importing it or ``pagefind.service`` (which
    imports asyncio: 0.1 s at every build that runs Pagefind); anywhere else, as
    ``pagefind.service`` finds it."""
    named = os.environ.get("PAGEFIND_BINARY_PATH")
    if named:
        return Path(named)
    bundled = importlib.util.find_spec("pagefind_bin_extended")
    for name in ("pagefind_extended", "pagefind") if bundled is not None and bundled.origin else ():
        candidate = Path(bundled.origin).parent / name
        if candidate.is_file():
            return candidate
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


SUM = 1 << 128


def _term(relative: str, page_hash: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"{relative}\0{page_hash}".encode(), digest_size=16).digest(), "big")


def part_sums(groups: list[dict[str, str]]) -> tuple[list[int], list[int]]:
    """Each part's sum of its pages' terms and its count of pages: what its fingerprint is made
    of. A sum, not a digest of the sorted pages, so an edit adds the terms of the pages it
    changed to the kept sums instead of reading every page again (:meth:`_Scan.edited`)."""
    sums = [sum(_term(relative, page_hash) for relative, page_hash in group.items()) % SUM for group in groups]
    return sums, [len(group) for group in groups]


def _fingerprint(total: int, count: int, tool: str) -> str:
    return hashlib.blake2b(f"{tool}\n{count}\n{total:032x}".encode(), digest_size=16).hexdigest()


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
    sums: tuple[list[int], list[int]] | None = None,
) -> tuple[dict[str, Any], int, int]:
    """Bring ``output/pagefind/`` up to date: Pagefind indexes the parts whose pages changed,
    the others are kept or restored from ``.cache/``. Returns the new state and how many
    parts were indexed and restored.

    ``sums``: each part's sum and count of ``pages`` (:func:`part_sums`) at ``state``'s count of
    parts and Pagefind, when the caller has them (every page as the last build found it, or
    an edit's pages added to the kept sums): ``pages`` are then read only should a part need
    indexing again (11,800 pages hashed into parts at 10,000 diaries)."""
    parts = part_count(len(pages), state.get("parts"), int(search["pagefind_part_pages"]))
    bundle = output / BUNDLE
    kept = KeptBundles(settings)
    if parts != state.get("parts"):
        shutil.rmtree(bundle, ignore_errors=True)
    tool = _tool(search)
    groups: list[dict[str, str]] | None = None
    if sums is None or parts != state.get("parts") or tool != state.get("tool") or len(sums[0]) != parts:
        groups = split(pages, parts)
        sums = part_sums(groups)
    fingerprints = [_fingerprint(total, count, tool) for total, count in zip(*sums, strict=True)]
    used = [number for number, count in enumerate(sums[1]) if count]
    in_use = set() if state.get("parts") not in (None, parts) else set(used)
    kept.prune(in_use)  # parts that are gone; every part when their count changed
    todo, restored = _changed_parts(bundle, parts, set(used), fingerprints, kept)
    stage = cache_dir(settings, "search") / "pagefind-stage"
    # A part that fails has no kept record, so the next build tries it again.
    if todo:
        with _staging(stage) as staging:
            parts_todo = _groups(pages, groups, todo, parts, kept)
            _run_parts(output, bundle, staging, stage, parts_todo, search, kept, fingerprints)
    listed = [str(number) for number in used]
    write_output(output, f"{BUNDLE}/{LIST}", json.dumps({"parts": listed}))
    new = {
        "parts": parts,
        "listed": len(listed),
        "tool": tool,
        "sums": [f"{total:032x}" for total in sums[0]],
        "counts": sums[1],
    }
    return new, len(todo), restored


def _groups(
    pages: Mapping[str, str], groups: list[dict[str, str]] | None, todo: list[int], parts: int, kept: KeptBundles
) -> dict[int, dict[str, str]]:
    """The pages of each part in ``todo``: each from its kept pages where they prove to be the
    part's (:meth:`_ScannedPages.group`), else every page split into parts."""
    if groups is None and isinstance(pages, _ScannedPages):
        found = {number: pages.group(number, parts, kept) for number in todo}
        if all(group is not None for group in found.values()):
            return {number: group for number, group in found.items() if group is not None}
    groups = split(pages, parts) if groups is None else groups
    return {number: groups[number] for number in todo}


def _kept_sums(state: dict[str, Any]) -> tuple[list[int], list[int]] | None:
    """The last build's sum and count of each part (:func:`part_sums`), when it left them whole."""
    sums, counts, parts = state.get("sums"), state.get("counts"), state.get("parts")
    if not isinstance(sums, list) or not isinstance(counts, list) or not len(sums) == len(counts) == parts:
        return None
    try:
        return [int(total, 16) for total in sums], [int(count) for count in counts]
    except (TypeError, ValueError):
        return None


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
            kept.keep_pages(number, todo[number])
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
    """The pages the last scan found, with ``changes`` (a page's new hash, None: no longer
    indexed), read from the record only when a part must be indexed again; their count is
    known. Should the rows not be there to read, output/ is scanned again (``rescan``)."""

    def __init__(
        self,
        record: KeptRows,
        count: int,
        rescan: Callable[[], dict[str, str]],
        changes: Mapping[str, str | None],
        kept: tuple[int, list[int], list[int]] | None,
    ) -> None:
        self.record, self.count, self.rescan, self.changes, self.kept = record, count, rescan, changes, kept
        self._pages: dict[str, str] | None = None

    def group(self, number: int, parts: int, bundles: KeptBundles) -> dict[str, str] | None:
        """Part ``number``'s pages from its kept pages (``KeptBundles.pages``) and ``changes``,
        when the kept pages are the part's as the last build left it (their sum and count are
        ``kept``'s, the last build's ``(parts, sums, counts)``): no row is read. None otherwise."""
        if self._pages is not None or self.kept is None or self.kept[0] != parts:
            return None
        found = bundles.pages(number)
        if found is None or part_sums([found]) != ([self.kept[1][number]], [self.kept[2][number]]):
            return None
        return self._changed(found, lambda relative: part_of(relative, parts) == number)

    def _changed(self, found: dict[str, str], among: Callable[[str], bool] | None = None) -> dict[str, str]:
        """``found`` (the pages as kept) with ``changes`` made (those ``among`` takes), sorted."""
        for relative, page_hash in self.changes.items():
            if among is not None and not among(relative):
                continue
            if page_hash is None:
                found.pop(relative, None)
            else:
                found[relative] = page_hash
        return dict(sorted(found.items()))

    @property
    def pages(self) -> dict[str, str]:
        if self._pages is None:
            rows = self.record.rows("hash IS NOT NULL")
            found = self._changed({relative: row[2] for relative, row in (rows or {}).items()})
            self._pages = found if rows is not None and len(found) == self.count else None
            if self._pages is None:
                self._pages = self.rescan()
        return self._pages

    def __getitem__(self, relative: str) -> str:
        return self.pages[relative]

    def __iter__(self) -> Iterator[str]:
        return iter(self.pages)

    def __len__(self) -> int:
        return self.count if self._pages is None else len(self._pages)


class _Scan:
    """What ``finalized`` found of output/'s pages: ``pages`` to index, the rows to save
    (``changed`` and ``gone`` keys; every row into a new file when ``fresh`` or ``rescanned``)
    and each part's sums when known without splitting every page."""

    def __init__(self, record: KeptRows, output: Path, files: list[tuple[str, int, int]]) -> None:
        self.record, self.output, self.files = record, output, files
        self.pages: Mapping[str, str] = {}
        self.changed: dict[str, Row] = {}
        self.gone: list[str] = []
        self.fresh = False
        self.sums: tuple[list[int], list[int]] | None = None
        self.rescanned: dict[str, Row] = {}

    def rescan(self) -> dict[str, str]:
        """Every page read again (the rows could not be): they are all written again."""
        return scan_output(self.output, self.rescanned, self.files)[1]

    def unchanged(self, count: int, state: dict[str, Any]) -> None:
        """output/ is listed as the last scan found it: nothing is read, not even the rows."""
        sums = _kept_sums(state)
        sums = sums if sums is not None and sum(sums[1]) == count else None
        kept = (state["parts"], *sums) if sums is not None else None
        self.pages, self.sums = _ScannedPages(self.record, count, self.rescan, {}, kept), sums

    def edited(self, count: int, state: dict[str, Any], listing: Listing) -> bool:
        """Only the pages written or removed since the last scan are read, rows and files, and
        their terms moved in the kept sums (an edit read 60,000 rows and hashed as many pages
        into parts to find the one it changed); False when the record cannot say which."""
        sums = _kept_sums(state)
        stale = self.record.stale(listing) if sums is not None and sum(sums[1]) == count else None
        if stale is None:
            return False
        written = [found for found in stale[0] if not found[0].startswith(f"{BUNDLE}/")]
        before = self.record.rows_of([relative for relative, _, _ in written] + stale[1])
        if before is None:
            return False
        seen = dict(before)
        scan_output(self.output, seen, written)
        totals, counts = list(sums[0]), list(sums[1])
        changes: dict[str, str | None] = {}
        for relative in before.keys() | seen.keys():
            was, now = (before.get(relative) or (None,) * 3)[2], (seen.get(relative) or (None,) * 3)[2]
            if was == now:
                continue
            number = part_of(relative, state["parts"])
            if was is not None:
                totals[number], counts[number] = (totals[number] - _term(relative, was)) % SUM, counts[number] - 1
            if now is not None:
                totals[number], counts[number] = (totals[number] + _term(relative, now)) % SUM, counts[number] + 1
            changes[relative] = now
        self.changed = {relative: row for relative, row in seen.items() if before.get(relative) is not row}
        self.gone = list(before.keys() - seen.keys())
        self.pages = _ScannedPages(self.record, sum(counts), self.rescan, changes, (state["parts"], *sums))
        self.sums = totals, counts
        return True

    def everything(self, kept: dict[str, Row] | None) -> None:
        """Every page's row compared with ``kept`` (the record's rows; None: no record)."""
        seen = dict(kept or {})  # scan_output replaces an entry that changed, never alters one
        _, self.pages = scan_output(self.output, seen, self.files)
        self.fresh = kept is None
        self.changed = {relative: row for relative, row in seen.items() if (kept or {}).get(relative) is not row}
        self.gone = list((kept or {}).keys() - seen.keys())

    def save(self, meta: dict[str, str] | None, state: dict[str, str], listing: Listing) -> None:
        """The rows that changed and ``state``: nothing when neither did."""
        if self.rescanned or self.fresh or meta is None:
            self.record.save(self.rescanned or self.changed, None, state, listing)
        elif self.changed or self.gone or state.items() - meta.items():
            self.record.update(self.changed, self.gone, state, self._all_rows, listing)

    def _all_rows(self) -> dict[str, Row]:
        seen: dict[str, Row] = {}
        scan_output(self.output, seen, self.files)
        return seen


def _scan(record: KeptRows, output: Path, meta: dict[str, str] | None, state: dict[str, Any]) -> tuple[_Scan, Listing]:
    """output/'s pages as :class:`_Scan` found them, from as little as tells: the listing alone
    when it is the last scan's, the rows and pages written since when the record says which,
    else every row and every page whose size or time changed."""
    listing = built_listing(output) or Listing(html_files(output))
    files = list(listing.files)
    scan = _Scan(record, output, files)
    count = (meta or {}).get("pages", "")
    if meta is not None and meta.get("listing") == listing.digest() and count.isdigit():
        scan.unchanged(int(count), state)
    elif meta is None or not count.isdigit() or not scan.edited(int(count), state, listing):
        scan.everything(record.rows() if meta is not None else None)
    return scan, listing


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
    previous = _state(meta)
    scan, listing = _scan(record, output, meta, previous)
    pagefind: dict[str, Any] = {}
    try:
        pagefind, ran, restored = index_parts(settings, output, scan.pages, previous, search, scan.sums)
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
    state = {
        "listing": listing.digest() if pagefind else "",
        "pages": str(len(scan.pages)),
        "pagefind": as_json(pagefind),
    }
    if meta is None:  # no record: the one in its earlier form goes
        _stamp(settings, output).with_suffix(".json").unlink(missing_ok=True)
    scan.save(meta, state, listing)


def _state(meta: dict[str, str] | None) -> dict[str, Any]:
    """Pagefind's state as the last build left it; {} when there is none."""
    try:
        found = json.loads((meta or {}).get("pagefind", "{}"))
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
