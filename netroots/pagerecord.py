"""The record of the pages and feeds a build wrote into one output folder, kept between builds.

For each page: its size and modification time after the build wrote it, its fingerprint
(``netroots.fingerprint.page_fingerprint``) and the keys it read of each large dict; with
the record, the build's ``world`` and the context names each template reads. A row a page
(``.cache/build/pages-<output>.sqlite``), so a build writes the rows of what it rendered
and deleted, not the whole record: at 50,000 diaries the record was a 32 MB JSON file,
written again whole after any edit (0.4 s) and parsed whole by every build (0.6 s).
"""

from __future__ import annotations

import json
import json.scanner
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .site import cache_database

FORMAT = "2"  # of the tables below; a file of another is no record (a full render) and is made again
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pages (
    path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, fingerprint TEXT, keys TEXT
);
"""

Entry = dict[str, Any]  # {"stat": [size, mtime_ns] | None, "fingerprint": str, "keys": {name: [key, ...]}}


def entry_keys(entry: Mapping[str, Any]) -> dict[str, list[str]]:
    """The keys a page read, by dict name (kept as the row's JSON text until asked)."""
    keys = entry.get("keys")
    if isinstance(keys, str):
        keys = _decode(keys)
    return keys if isinstance(keys, dict) else {}


_scan = json.scanner.make_scanner(json.JSONDecoder())  # what ``json.loads`` calls, less its two frames


def _decode(text: str) -> Any:
    """``json.loads(text)``, None for what is not JSON: each page's keys are decoded every
    build (59,000 rows at 50,000 diaries), and the row's text is ours (``_json``: no spaces)."""
    try:
        found, end = _scan(text, 0)
        if end == len(text):
            return found
    except (StopIteration, ValueError):
        pass
    try:
        return json.loads(text)  # whitespace around the value, or no JSON
    except ValueError:
        return None


class PageRecord:
    """One output folder's record: ``load`` once a build, ``save`` what changed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.loaded: tuple[Any, Any] | None = None  # (world, names) as loaded: unchanged ones are not written

    def load(self) -> tuple[dict[str, Any], dict[str, Entry], dict[str, Any]] | None:
        """(world, pages, template names), or None when there is no usable record."""
        if not self.path.exists():
            return None
        try:
            with _connect(self.path) as connection:
                meta = dict(connection.execute("SELECT name, value FROM meta"))
                if meta.get("format") != FORMAT:
                    raise ValueError("another format")
                world, names = json.loads(meta["world"]), json.loads(meta["template_names"])
                pages = {
                    path: _entry(size, mtime, fingerprint, keys)
                    for path, size, mtime, fingerprint, keys in connection.execute("SELECT * FROM pages")
                }
        except (sqlite3.Error, KeyError, ValueError):  # damaged, foreign or of another format: no record,
            self.path.unlink(missing_ok=True)  # so every page renders, and the record is made again
            return None
        if not isinstance(world, dict) or not isinstance(names, dict):
            return None
        self.loaded = world, names
        return world, pages, names

    def save(
        self,
        world: dict[str, Any],
        pages: dict[str, Entry],
        names: dict[str, Any],
        before: dict[str, Entry] | None,
    ) -> int:
        """Write the rows of ``pages`` that are not the very entries loaded (``before``), delete
        the rows of pages no longer written, and the world and names; all of it when there was no
        record. Returns the number of page rows written or deleted."""
        rows = [
            (path, *_row(entry)) for path, entry in pages.items() if before is None or before.get(path) is not entry
        ]
        gone = [] if before is None else [(path,) for path in before.keys() - pages.keys()]
        if before is not None and not rows and not gone and self.loaded == (world, names):
            return 0  # an unchanged build leaves the file alone
        meta = [("format", FORMAT), ("world", _json(world)), ("template_names", _json(names))]
        if before is None:
            self.path.with_suffix(".json").unlink(missing_ok=True)  # the record in its earlier form
        try:
            self._write(rows, gone, meta, fresh=before is None)
        except sqlite3.DatabaseError:  # a damaged file: start it again
            self.path.unlink(missing_ok=True)
            rows = [(path, *_row(entry)) for path, entry in pages.items()]
            self._write(rows, [], meta, fresh=True)
        return len(rows) + len(gone)

    def _write(self, rows: list[tuple], gone: list[tuple], meta: list[tuple[str, str]], fresh: bool) -> None:
        with _connect(self.path) as connection:
            connection.execute("BEGIN")
            if fresh:
                connection.execute("DELETE FROM pages")
            connection.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?)", rows)
            connection.executemany("DELETE FROM pages WHERE path = ?", gone)
            old = dict(connection.execute("SELECT name, value FROM meta"))
            changed = [(name, value) for name, value in meta if old.get(name) != value]
            connection.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", changed)
            connection.execute("COMMIT")


class _connect:
    """A connection for one load or save, closed after it (a build opens the record twice)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = cache_database(self.path, wal=False)
        self.connection.executescript(SCHEMA)
        return self.connection

    def __exit__(self, *_: Any) -> None:
        self.connection.close()


def _entry(size: int | None, mtime: int | None, fingerprint: str | None, keys: str | None) -> Entry:
    entry: Entry = {"stat": None if size is None else [size, mtime]}
    if fingerprint is not None:
        entry["fingerprint"] = fingerprint
    if keys is not None:
        entry["keys"] = keys
    return entry


def _row(entry: Mapping[str, Any]) -> tuple[int | None, int | None, str | None, str | None]:
    stat = entry.get("stat")
    keys = entry.get("keys")
    if keys is not None and not isinstance(keys, str):
        keys = _json(keys)
    size, mtime = stat if stat else (None, None)
    return size, mtime, entry.get("fingerprint"), keys


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
