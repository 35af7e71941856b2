"""The record of the pages and feeds a build wrote into one output folder, kept between builds.

For each page: its size and modification time after the build wrote it, its fingerprint
(``netroots.fingerprint.page_fingerprint``), the keys it read of each large dict and, for a
diary's page, its ``basis`` (what it takes with the other diaries' pages, its diary's digest);
with the record, the build's ``world``, the context names each template reads, and what each
key the diaries' pages read gave (``KeyParts``). A row a page
(``.cache/build/pages-<output>.sqlite``), so a build writes the rows of what it rendered
and deleted, not the whole record: at 50,000 diaries the record was a 32 MB JSON file,
written again whole after any edit (0.4 s) and parsed whole by every build (0.6 s).
"""

from __future__ import annotations

import json
import json.scanner
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .site import cache_database

FORMAT = "3"  # of the tables below; a file of another is no record (a full render) and is made again
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pages (
    path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, fingerprint TEXT, keys TEXT, basis BLOB
);
CREATE TABLE IF NOT EXISTS parts (item TEXT PRIMARY KEY, part BLOB NOT NULL) WITHOUT ROWID;
"""

# {"stat": [size, mtime_ns] | None, "fingerprint": str, "keys": {name: [key, ...]}, "basis": bytes}
Entry = dict[str, Any]


@dataclass
class KeyParts:
    """What each key the diaries' pages read gave when their fingerprints were made (``item``:
    the context name, ``SEPARATOR``, the key -> the part ``page_fingerprint`` writes for it), the
    frames their bases name (``netroots.incremental.Diaries``) and the rows when the table was
    last made whole from the pages (it is made again when it has grown by half since)."""

    parts: dict[str, bytes]
    loaded: dict[str, bytes] | None  # as loaded: only the rows that differ are written; None: all
    frames: dict[str, list[Any]] = field(default_factory=dict)  # hex -> [template, names read by key]
    made: int = 0


SEPARATOR = "\x1f"  # between a name and a key in ``KeyParts.parts``: no context name holds it


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
        self.loaded: tuple[Any, Any, Any] | None = None  # (world, names, extras) as loaded: kept if unchanged
        self.extras: dict[str, Any] = {}  # the key parts' frames and size as loaded (``KeyParts``)

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
                extras = json.loads(meta.get("parts", "{}"))
                pages = {
                    path: _entry(size, mtime, fingerprint, keys, basis)
                    for path, size, mtime, fingerprint, keys, basis in connection.execute("SELECT * FROM pages")
                }
        except (sqlite3.Error, KeyError, ValueError):  # damaged, foreign or of another format: no record,
            self.path.unlink(missing_ok=True)  # so every page renders, and the record is made again
            return None
        if not isinstance(world, dict) or not isinstance(names, dict) or not isinstance(extras, dict):
            return None
        self.loaded, self.extras = (world, names, extras), extras
        return world, pages, names

    def key_parts(self) -> KeyParts | None:
        """The key parts as the last build left them; None without them (no record, or one
        saved without them: a diary's page is then checked as any page)."""
        frames, made = self.extras.get("frames"), self.extras.get("made")
        if not isinstance(frames, dict) or not isinstance(made, int):
            return None
        try:
            with _connect(self.path) as connection:
                parts = dict(connection.execute("SELECT item, part FROM parts"))
        except sqlite3.Error:
            return None
        return KeyParts({}, parts, frames, made)

    def save(
        self,
        world: dict[str, Any],
        pages: dict[str, Entry],
        names: dict[str, Any],
        before: dict[str, Entry] | None,
        parts: KeyParts | None = None,
    ) -> int:
        """Write the rows of ``pages`` that are not the very entries loaded (``before``), delete
        the rows of pages no longer written, and the world and names; all of it when there was no
        record. ``parts``: this build's key parts, their rows written where they changed (None:
        the table is left as it was). Returns the number of page rows written or deleted."""
        rows = [
            (path, *_row(entry)) for path, entry in pages.items() if before is None or before.get(path) is not entry
        ]
        gone = [] if before is None else [(path,) for path in before.keys() - pages.keys()]
        extras, changes = self._parts(parts, before is None)
        if before is not None and not rows and not gone and not any(changes) and self.loaded == (world, names, extras):
            return 0  # an unchanged build leaves the file alone
        meta = [("format", FORMAT), ("world", _json(world)), ("template_names", _json(names)), ("parts", _json(extras))]
        if before is None:
            self.path.with_suffix(".json").unlink(missing_ok=True)  # the record in its earlier form
        try:
            self._write(rows, gone, meta, before is None, changes)
        except sqlite3.DatabaseError:  # a damaged file: start it again
            self.path.unlink(missing_ok=True)
            rows = [(path, *_row(entry)) for path, entry in pages.items()]
            if parts is None:  # no table: no page's basis counts (``key_parts`` None)
                meta[-1] = ("parts", "{}")
            part_rows = [] if parts is None else list(parts.parts.items())
            self._write(rows, [], meta, True, (part_rows, [], True))
        return len(rows) + len(gone)

    def _parts(self, parts: KeyParts | None, fresh: bool) -> tuple[dict[str, Any], tuple[list, list, bool]]:
        """The meta entry of the key parts, and their rows to write, to delete, and whether the
        table is emptied first. None: the table as it was (every page with a basis was kept
        or checked against it), unless the record is made afresh."""
        if parts is None:
            return (self.extras if not fresh else {}), ([], [], fresh)
        loaded = parts.loaded or {}
        rows = [(item, part) for item, part in parts.parts.items() if loaded.get(item) != part]
        gone = [(item,) for item in loaded.keys() - parts.parts.keys()]
        return {"frames": parts.frames, "made": parts.made}, (rows, gone, parts.loaded is None)

    def _write(
        self,
        rows: list[tuple],
        gone: list[tuple],
        meta: list[tuple[str, str]],
        fresh: bool,
        parts: tuple[list[tuple], list[tuple], bool],
    ) -> None:
        part_rows, parts_gone, parts_fresh = parts
        with _connect(self.path) as connection:
            connection.execute("BEGIN")
            if fresh:
                connection.execute("DELETE FROM pages")
            if fresh or parts_fresh:
                connection.execute("DELETE FROM parts")
            connection.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?)", rows)
            connection.executemany("DELETE FROM pages WHERE path = ?", gone)
            connection.executemany("INSERT OR REPLACE INTO parts VALUES (?, ?)", part_rows)
            connection.executemany("DELETE FROM parts WHERE item = ?", parts_gone)
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


def _entry(
    size: int | None, mtime: int | None, fingerprint: str | None, keys: str | None, basis: bytes | None
) -> Entry:
    entry: Entry = {"stat": None if size is None else [size, mtime]}
    if fingerprint is not None:
        entry["fingerprint"] = fingerprint
    if keys is not None:
        entry["keys"] = keys
    if basis is not None:
        entry["basis"] = basis
    return entry


def _row(entry: Mapping[str, Any]) -> tuple[int | None, int | None, str | None, str | None, bytes | None]:
    stat = entry.get("stat")
    keys = entry.get("keys")
    if keys is not None and not isinstance(keys, str):
        keys = _json(keys)
    size, mtime = stat if stat else (None, None)
    return size, mtime, entry.get("fingerprint"), keys, entry.get("basis")


def keys_text(entry: Mapping[str, Any]) -> str:
    """The keys a page read as its row holds them (JSON text), without decoding them."""
    keys = entry.get("keys")
    return keys if isinstance(keys, str) else _json(keys or {})


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
