"""Finished Pagefind bundles kept between builds, in ``.cache/search/pagefind-bundles/``.

CI removes output/ before every deploy and keeps ``.cache/``. A part of the index whose
pages did not change is then put back into ``output/pagefind/<n>/`` from here (hard
links, or copies across file systems) instead of running Pagefind over its pages again.

``<n>/`` is part n's bundle as Pagefind wrote it; ``<n>.json`` records the fingerprint of
the pages it was made from and each file's size and modification time; ``<n>.pages.json``
those pages and their hashes (an edit reads its part's pages from there, not every page's). The record is
written only once the bundle is whole and removed before the bundle is replaced, so an
interrupted build leaves a folder without a record, which is indexed again. Nothing
writes into a linked file: Pagefind writes only into memory or here (``<n>.new/``), a
changed file is replaced by a rename (:meth:`KeptBundles.sync`, :meth:`KeptBundles.put`), and
files in output/ are replaced, never rewritten (``netroots.site``); should anything write into one anyway,
its size or time no longer matches the record and the part is indexed again.
"""

from __future__ import annotations

import filecmp
import os
import shutil
from pathlib import Path
from stat import S_ISDIR
from typing import Any

from netroots.site import cache_dir, read_json, write_json

FOLDER = "pagefind-bundles"
ENTRY = "pagefind-entry.json"

Listing = dict[str, list[int]]


def link_or_copy(source: Path, target: Path) -> None:
    """``target`` as a hard link to ``source``, or a copy (same bytes and times) where links fail."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def listing(folder: Path) -> Listing:
    """Every file under ``folder``: relative path with ``/`` -> [size, mtime in ns]; {} if missing."""
    found: Listing = {}
    todo = [(str(folder), "")]
    while todo:
        where, prefix = todo.pop()
        try:
            entries = list(os.scandir(where))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                todo.append((entry.path, f"{prefix}{entry.name}/"))
            else:
                stat = entry.stat(follow_symlinks=False)
                found[prefix + entry.name] = [stat.st_size, stat.st_mtime_ns]
    return found


def _same(recorded: Listing, found: Listing) -> bool:
    """``found`` is what was recorded: same files, sizes and times."""
    if recorded.keys() != found.keys():
        return False
    return all(_same_file(recorded[name], size, mtime) for name, (size, mtime) in found.items())


def _same_file(was: list[int], size: int, mtime: int) -> bool:
    """A file's size and time are those recorded. A copy of the cache that kept times to the
    whole second only (tar's old formats) still counts; a write sets a time with its nanoseconds."""
    return size == was[0] and (mtime == was[1] or (not mtime % 10**9 and mtime // 10**9 == was[1] // 10**9))


def _listed_as(recorded: Listing, folder: Path) -> bool:
    """``_same(recorded, listing(folder))``, stopping at the first difference, with no listing
    made (the bundles in output/ are checked every build: 55,000 files at 50,000 diaries):
    each recorded file's ``lstat`` by its name in the open folder, then a count of the folder's
    files (names read, no ``stat``) finds any file not recorded."""
    try:
        opened = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        for name, was in recorded.items():
            stat = os.stat(name, dir_fd=opened, follow_symlinks=False)
            if (stat.st_mtime_ns != was[1] or stat.st_size != was[0]) and not _same_file(
                was, stat.st_size, stat.st_mtime_ns
            ):
                return False
            if S_ISDIR(stat.st_mode):
                return False
    except OSError:
        return False
    finally:
        os.close(opened)
    return _file_count(folder) == len(recorded)


def _file_count(folder: Path) -> int:
    """How many files (anything not a folder) are under ``folder``; -1 when it cannot be read."""
    count = 0
    todo = [str(folder)]
    while todo:
        try:
            entries = os.scandir(todo.pop())
        except OSError:
            return -1
        with entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    todo.append(entry.path)
                else:
                    count += 1
    return count


def _replace_with(source: Path, target: Path, link: bool) -> None:
    """``target`` replaced in one step by a link to ``source`` (a copy across file systems) or,
    with ``link`` False, by a copy: never written into, so no link to it sees a change."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    if link:
        link_or_copy(source, partial)
    else:
        partial.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, partial)
    os.replace(partial, target)


class KeptBundles:
    """The kept bundle of each part, checked against its record before any use."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.root = cache_dir(settings, "search") / FOLDER

    def holds(self, number: int) -> bool:
        """Is there a kept folder of part ``number`` (whole or not) to compare a new one with?"""
        return (self.root / str(number)).is_dir()

    def record(self, number: int, fingerprint: str) -> Listing | None:
        """Part ``number``'s recorded files (as :func:`listing` found them when it was kept) if it
        was made from pages with ``fingerprint``; the folder itself is not looked at."""
        record = read_json(self.root / f"{number}.json")
        if not isinstance(record, dict) or record.get("fingerprint") != fingerprint:
            return None
        files = record.get("files")
        return files if isinstance(files, dict) and ENTRY in files else None

    def files(self, number: int, fingerprint: str, recorded: Listing | None = None) -> Listing | None:
        """Part ``number``'s kept files (as :func:`listing` finds them) if they were made from pages
        with ``fingerprint`` and are whole (``recorded``: its :meth:`record`, when already read)."""
        files = self.record(number, fingerprint) if recorded is None else recorded
        if files is None:
            return None
        found = listing(self.root / str(number))
        return found if _same(files, found) else None

    @staticmethod
    def in_place(recorded: Listing, target: Path) -> bool:
        """Is ``target`` (``output/pagefind/<n>/``) the kept bundle as ``recorded``? Its files are
        links to the kept ones (or copies with their sizes and times): when they match the record,
        nothing was written into them or through them, so the kept files need no listing."""
        return _listed_as(recorded, target)

    def restore(self, number: int, files: Listing, target: Path) -> None:
        """Put the kept bundle at ``target`` in one step (a half restore never looks whole)."""
        partial = target.with_name(f".{target.name}.partial")
        shutil.rmtree(partial, ignore_errors=True)
        for relative in files:
            link_or_copy(self.root / str(number) / relative, partial / relative)
        shutil.rmtree(target, ignore_errors=True)
        os.replace(partial, target)

    def put(self, number: int, files: Listing, target: Path) -> int:
        """Make ``target`` (``output/pagefind/<n>/``) the kept bundle as recorded (``files``),
        touching only its files that differ (an edit changes ~30 of a part's ~540): those not
        kept are removed, the others linked again where their size or time is not the
        record's. Each file is replaced in one step; a half-done ``target`` does not match
        the record, so the next build puts it right. A missing one is restored whole.
        Returns how many files were linked or removed."""
        if not target.is_dir():
            self.restore(number, files, target)
            return len(files)
        found = listing(target)
        changed = 0
        for relative in found.keys() - files.keys():
            os.unlink(target / relative)
            changed += 1
        for relative, was in files.items():
            there = found.get(relative)
            if there is None or not _same_file(was, *there):
                _replace_with(self.root / str(number) / relative, target / relative, link=True)
                changed += 1
        return changed

    def sync(self, number: int, fingerprint: str, made: Path) -> tuple[Listing, int]:
        """Pagefind wrote part ``number`` into ``made`` (in memory): only the files whose bytes
        differ from the kept bundle's are written into it, and those it no longer has are
        removed (an edit changes ~30 of a part's ~540 files; replacing the whole folder removed
        and wrote them all, seconds on a busy disk). The record is dropped first and written
        once the folder is whole. Returns the record and how many files were written or removed."""
        (self.root / f"{number}.json").unlink(missing_ok=True)
        shutil.rmtree(self.root / f"{number}.new", ignore_errors=True)  # left by a run on disk
        folder = self.root / str(number)
        had, new = listing(folder), listing(made)
        changed = 0
        for relative in had.keys() - new.keys():
            os.unlink(folder / relative)
            changed += 1
        for relative, (size, _) in new.items():
            was = had.get(relative)
            if was is None or was[0] != size or not filecmp.cmp(made / relative, folder / relative, shallow=False):
                _replace_with(made / relative, folder / relative, link=False)
                changed += 1
        files = listing(folder)
        write_json(self.root / f"{number}.json", {"fingerprint": fingerprint, "files": files})
        return files, changed

    def start(self, number: int) -> Path:
        """The folder Pagefind writes part ``number`` into; its old record is dropped first."""
        (self.root / f"{number}.json").unlink(missing_ok=True)
        new = self.root / f"{number}.new"
        shutil.rmtree(new, ignore_errors=True)
        return new

    def keep(self, number: int, fingerprint: str) -> None:
        """Pagefind finished part ``number`` in :meth:`start`'s folder: it becomes the kept bundle."""
        folder = self.root / str(number)
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(self.root / f"{number}.new", folder)
        write_json(self.root / f"{number}.json", {"fingerprint": fingerprint, "files": listing(folder)})

    def keep_pages(self, number: int, pages: dict[str, str]) -> None:
        """Part ``number``'s pages (path -> hash) as Pagefind last indexed them, for the next
        edit of one of them (:meth:`pages`)."""
        write_json(self.root / f"{number}.pages.json", pages)

    def pages(self, number: int) -> dict[str, str] | None:
        """What :meth:`keep_pages` kept of part ``number``, unchecked (its owner compares it with
        the part's fingerprint); None when there is nothing readable."""
        found = read_json(self.root / f"{number}.pages.json")
        if not isinstance(found, dict) or not all(isinstance(value, str) for value in found.values()):
            return None
        return found

    def prune(self, numbers: set[int]) -> None:
        """Forget every part not in ``numbers`` (parts that are gone, or all when the count of parts changed)."""
        if not self.root.is_dir():
            return
        names = {str(number) for number in numbers}
        for entry in os.scandir(self.root):
            if entry.name.split(".")[0] not in names:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
