"""A cache of what a reader made of a content file, so a warm build does not parse it again.

Keyed by the file's bytes, what else reading consults (the names in its folder, in
``members/`` and ``groups/``, its member file's size and time), and the build's settings and code (the same
``world`` as incremental rendering): any of these changing means the file is read
again. Only reads that reported nothing are kept, so every error and warning is
reported again by every build. Stored in ``.cache/build/reads.sqlite``.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any

from .site import cache_dir


@lru_cache(maxsize=4096)
def _listing(folder: str, changed: int) -> bytes:
    try:
        return "\n".join(sorted(os.listdir(folder))).encode()
    except OSError:
        return b"-"


def listing(folder: Path) -> bytes:
    """The names in ``folder`` (cached until the folder changes)."""
    try:
        changed = os.stat(folder).st_mtime_ns
    except OSError:
        return b"-"
    return _listing(str(folder), changed)


def stamp(path: Path) -> bytes:
    """A file's size and modification time (``-`` when it is missing)."""
    try:
        found = os.stat(path)
    except OSError:
        return b"-"
    return f"{found.st_size}:{found.st_mtime_ns}".encode()


class ReadCache:
    """``get``/``put`` a reader's result for one file; a no-op when it cannot open its store."""

    def __init__(self, settings: dict[str, Any], world: dict[str, str]) -> None:
        self.stamp = json.dumps(world, sort_keys=True).encode()
        self.connection: sqlite3.Connection | None = None
        try:
            path = cache_dir(settings, "build") / "reads.sqlite"
            self.connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA synchronous=OFF")
            self.connection.execute("CREATE TABLE IF NOT EXISTS reads (key TEXT PRIMARY KEY, value BLOB)")
        except (OSError, sqlite3.Error):
            self.connection = None

    def key(self, path: Path, data: bytes, around: list[bytes]) -> str:
        """``around``: what else the read consults (``listing(folder)``, ``stamp(file)``)."""
        digest = hashlib.blake2b(self.stamp, digest_size=20)
        digest.update(str(path).encode() + b"\0" + data)
        for part in around:
            digest.update(b"\0" + part)
        return digest.hexdigest()

    def get(self, key: str) -> Any | None:
        if self.connection is None:
            return None
        try:
            row = self.connection.execute("SELECT value FROM reads WHERE key = ?", (key,)).fetchone()
            return pickle.loads(row[0]) if row else None
        except (sqlite3.Error, pickle.PickleError, EOFError, AttributeError, ImportError):
            return None

    def put(self, key: str, value: Any) -> None:
        if self.connection is None:
            return
        try:
            self.connection.execute(
                "INSERT OR REPLACE INTO reads (key, value) VALUES (?, ?)", (key, pickle.dumps(value, protocol=5))
            )
        except (sqlite3.Error, pickle.PickleError):
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
