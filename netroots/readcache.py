"""A cache of what a reader made of a content file, so a warm build does not parse it again.

Keyed by the file's bytes, what else reading consults (the names in its folder, in
``members/`` and ``groups/``, its member file's size and time), and the build's settings and code (the same
``world`` as incremental rendering): any of these changing means the file is read
again. The file's bytes enter the key as their hash (``content_digests``), kept per path with
the file's device, inode, size, modification and change times: a later build trusts a kept
hash only when all five are unchanged and both times are at least ``SETTLED_NS`` older than
the moment the hash was made (git's "racily clean" rule). Any write sets the change time to
the clock's now, and no program can set it back, so a file written after its hash was made
has a new change time, and one written in the same clock tick as its hash is read again
next build; a file saved twice within one tick at the same size cannot keep its first save.
This spares reading 10,000 files (one ``lstat`` each instead: on a cold disk cache, reading
was 1.6 s of an unchanged 10k build).
Only reads that reported nothing (no problem in their report, nothing logged at warning
level or above) are kept, so every error and warning is reported again by every build.
Stored in ``.cache/build/reads.sqlite``.

When many files miss the cache (the first build of a clone, or after a change of settings or
code), ``read_ahead`` reads them in forked worker processes, one per core, before Pelican's
generators run; the parent stores their results, so Pelican's own read then finds them cached.
Workers log nothing: a file whose read reported a problem is not stored, and the parent reads it
again in Pelican's order, reporting its problems exactly once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import sqlite3
import stat as stat_kind
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from .contentfiles import content_files
from .site import cache_dir


@lru_cache(maxsize=4096)
def _listing(folder: str, changed: int) -> bytes:
    try:
        return "\n".join(sorted(os.listdir(folder))).encode()
    except OSError:
        return b"-"


def listing(folder: Path | str) -> bytes:
    """The names in ``folder`` (cached until the folder changes)."""
    try:
        changed = os.stat(folder).st_mtime_ns
    except OSError:
        return b"-"
    return _listing(str(folder), changed)


def stamp(path: Path | str) -> bytes:
    """A file's size and modification time (``-`` when it is missing)."""
    try:
        found = os.stat(path)
    except OSError:
        return b"-"
    return f"{found.st_size}:{found.st_mtime_ns}".encode()


# How much older than its kept hash a file's times must be for the hash to be trusted: more
# than any file system's time resolution (FAT's is 2 s) plus clock steps between processes.
SETTLED_NS = 3_000_000_000


def content_digest(path: str) -> str | None:
    """A hash of the file's bytes (None: unreadable, or a symbolic link)."""
    try:
        if os.path.islink(path):
            return None
        with open(path, "rb") as file:
            return hashlib.blake2b(file.read(), digest_size=20).hexdigest()
    except OSError:
        return None


class ReadCache:
    """``get``/``put`` a reader's result for one file; a no-op when it cannot open its store."""

    def __init__(self, settings: dict[str, Any], world: dict[str, str]) -> None:
        self.stamp = json.dumps(world, sort_keys=True).encode()
        self._keyed = hashlib.blake2b(self.stamp, digest_size=20)  # every key starts so: hashed once
        self.settings = settings
        self.connection: sqlite3.Connection | None = None
        self.digests: dict[str, str | None] = {}  # made this build: each file's bytes are hashed once
        self._kept: dict[str, tuple[str, str, int]] | None = None  # the kept hashes, read once a build
        self._shorts: dict[bytes, bytes] = {}  # what a read consults -> its hash (``key``)
        try:
            path = cache_dir(settings, "build") / "reads.sqlite"
            self.connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA synchronous=OFF")
            self.connection.execute("CREATE TABLE IF NOT EXISTS reads (key TEXT PRIMARY KEY, value BLOB)")
            self.connection.execute(
                "CREATE TABLE IF NOT EXISTS digests (path TEXT PRIMARY KEY, stat TEXT, digest TEXT, made INTEGER)"
            )
        except (OSError, sqlite3.Error):
            self.connection = None

    def key(self, path: Path | str, content: str, around: list[bytes]) -> str:
        """``content``: the file's ``content_digest``; ``around``: what else the read consults
        (``listing(folder)``, ``stamp(file)``)."""
        digest = self._keyed.copy()
        digest.update(str(path).encode() + b"\0" + content.encode())
        shorts = self._shorts
        for part in around:
            # A folder's names are the same bytes for every file in it: hashed once, not once a file.
            short = shorts.get(part)
            if short is None:
                short = shorts[part] = hashlib.blake2b(part, digest_size=20).digest()
            digest.update(b"\0" + short)
        return digest.hexdigest()

    def get(self, key: str) -> Any | None:
        if self.connection is None:
            return None
        try:
            row = self.connection.execute("SELECT value FROM reads WHERE key = ?", (key,)).fetchone()
            return pickle.loads(row[0]) if row else None
        except (sqlite3.Error, pickle.PickleError, EOFError, AttributeError, ImportError):
            return None

    def content_digests(self, paths: list[str]) -> dict[str, str | None]:
        """Each file's ``content_digest``, from the kept hashes where they can be trusted (see
        the module's docstring), else by reading it (and keeping the new hash); None for a
        missing file or a symbolic link."""
        kept = self._kept_digests()
        lstat = content_files(self.settings).lstat  # the build's walk took each file's kind; its lstat is kept
        found: dict[str, str | None] = {}
        made: list[tuple[str, str, str, int]] = []
        for path in paths:
            try:
                info = lstat(path)
            except OSError:
                found[path] = None
                continue
            if not stat_kind.S_ISREG(info.st_mode):
                found[path] = None
                continue
            shown = f"{info.st_dev}:{info.st_ino}:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}"
            record = kept.get(path)
            if record and record[0] == shown and max(info.st_mtime_ns, info.st_ctime_ns) < record[2] - SETTLED_NS:
                found[path] = record[1]
                continue
            now = time.time_ns()
            found[path] = digest = content_digest(path)
            if digest is not None:
                made.append((path, shown, digest, now))
                kept[path] = (shown, digest, now)
        self._write("INSERT OR REPLACE INTO digests VALUES (?, ?, ?, ?)", made)
        self.digests.update(found)
        return found

    def _kept_digests(self) -> dict[str, tuple[str, str, int]]:
        """``path -> (stat, digest, made)`` as the last builds kept them (read once a build)."""
        if self._kept is None:
            self._kept = {}
            if self.connection is not None:
                try:
                    rows = self.connection.execute("SELECT path, stat, digest, made FROM digests")
                    self._kept = {row[0]: row[1:] for row in rows}
                except sqlite3.Error:
                    self._kept = {}
        return self._kept

    def digests_of(self, paths: list[str]) -> dict[str, str | None]:
        """:meth:`content_digests`, those made earlier in this build taken as they were: what
        a reader made of a file and what a plugin hashes of it come from the same bytes."""
        missing = [path for path in paths if path not in self.digests]
        if missing:
            self.content_digests(missing)
        return {path: self.digests.get(path) for path in paths}

    def known(self, keys: list[str]) -> set[str]:
        """Which of ``keys`` are stored (without reading their values)."""
        if self.connection is None:
            return set()
        found: set[str] = set()
        try:
            for start in range(0, len(keys), 500):
                batch = keys[start : start + 500]
                marks = ",".join("?" * len(batch))
                rows = self.connection.execute(f"SELECT key FROM reads WHERE key IN ({marks})", batch)
                found.update(row[0] for row in rows)
        except sqlite3.Error:
            return found
        return found

    def put(self, key: str, value: Any) -> None:
        try:
            self.put_blobs([(key, pickle.dumps(value, protocol=5))])
        except pickle.PickleError:
            pass

    def put_blobs(self, rows: list[tuple[str, bytes]]) -> None:
        """Store already pickled values (what ``read_ahead``'s workers send), in one transaction."""
        self._write("INSERT OR REPLACE INTO reads (key, value) VALUES (?, ?)", rows)

    def _write(self, statement: str, rows: list[tuple[Any, ...]]) -> None:
        """``statement`` for every row, in one transaction; a cache that cannot be written is no error."""
        if self.connection is None or not rows:
            return
        try:
            with self.connection:
                self.connection.execute("BEGIN")
                self.connection.executemany(statement, rows)
        except sqlite3.Error:
            pass


_CACHES: dict[int, tuple[dict[str, Any], ReadCache]] = {}


def read_cache(settings: dict[str, Any]) -> ReadCache:
    """One cache per build's settings (the code and settings digest is made once)."""
    from .incremental import world

    found = _CACHES.get(id(settings))
    if found is None or found[0] is not settings:
        _CACHES.clear()
        found = _CACHES[id(settings)] = (settings, ReadCache(settings, world(settings)))
    return found[1]


class LoggedProblems(logging.Handler):
    """Counts warnings and errors logged while it is attached (a read that logs one is not kept)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@contextmanager
def watching_logs() -> Iterator[LoggedProblems]:
    """``with watching_logs() as logged: ...``; ``logged.count`` says whether anything was logged."""
    handler = LoggedProblems()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


def workers_for(settings: dict[str, Any], count: int) -> int:
    """Worker processes for ``count`` reads: ``NETROOTS_BUILD["jobs"]`` (0: one per core), and
    none (1) below ``parallel_min``, where forking costs more than it saves."""
    from .incremental import build_settings

    options = build_settings(settings)
    jobs = int(options["jobs"]) or (os.cpu_count() or 1)
    if jobs < 2 or count < int(options["parallel_min"]):
        return 1
    return min(jobs, count)


# What a worker makes of one file: its cache key and value, or None (a problem: the parent reads it).
Fresh = Callable[[str], "tuple[str, Any] | None"]


def read_ahead(settings: dict[str, Any], paths: list[str], fresh: Fresh, cache: ReadCache) -> int:
    """Read ``paths`` (those that missed ``cache``) in worker processes and store what they
    made; returns how many were stored. Nothing is done for fewer than ``parallel_min``."""
    from .workers import in_workers

    workers = workers_for(settings, len(paths))
    if workers < 2:
        return 0
    stored = 0
    for ok, answer in in_workers(workers, lambda share, shares: _read_share(paths[share::shares], fresh)):
        if not ok:
            # Nothing is lost: Pelican reads the files this worker did not store, in the build's process.
            logging.getLogger(__name__).debug("reading ahead failed in a worker: %s", answer)
            continue
        cache.put_blobs(answer)
        stored += len(answer)
    return stored


def _read_share(paths: list[str], fresh: Fresh) -> list[tuple[str, bytes]]:
    """A worker: read each file silently (its problems are the parent's to report); the
    keys and pickled values of the clean ones."""
    # No handler prints, and no filter (Pelican's drops repeated warnings) hides a problem from the count.
    for logger in [logging.getLogger(), *logging.root.manager.loggerDict.values()]:
        for handler in list(getattr(logger, "handlers", [])):
            logger.removeHandler(handler)
        for dropped in list(getattr(logger, "filters", [])):
            logger.removeFilter(dropped)
    rows = []
    for path in paths:
        with watching_logs() as logged:
            made = fresh(path)
        if made is not None and not logged.count:
            rows.append((made[0], pickle.dumps(made[1], protocol=5)))
    return rows
