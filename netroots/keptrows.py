"""A record kept between builds a row a key in a SQLite file of its own, for records one edit
changes a few rows of: what search and the sitemap remember of each built page
(``plugins/search/pagefind.py``, ``plugins/publish/hygiene.py``). Each was a JSON file, parsed
whole by every build and written whole after any edit (6.4 MB at 50,000 diaries); a build
now writes the rows that changed, and one that changed nothing reads only ``meta``.

``meta`` holds the record's format (its version and columns) and what its owner says of the
rows as a whole (a digest of what they were made from, a small state). A file of another
format, or one that cannot be read, is no record: it is removed and made again whole.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from array import array
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .site import cache_database

Row = tuple[Any, ...]


def listing_digest(files: Sequence[tuple[str, int, int]]) -> str:
    """One hash of ``(path, size, mtime)`` triples (``netroots.site.html_files``): equal when no
    page was added, removed or written since, so nothing kept of the pages is out of date
    (0.025 s for 60,000 pages; their ``repr`` hashed was 0.07)."""
    paths, sizes, mtimes = zip(*files, strict=True) if files else ((), (), ())
    hasher = hashlib.blake2b("\0".join(paths).encode(), digest_size=16)
    hasher.update(array("q", sizes).tobytes())
    hasher.update(array("q", mtimes).tobytes())
    return hasher.hexdigest()


class KeptRows:
    """``rows (key TEXT PRIMARY KEY, <columns>)`` and ``meta (name, value)`` at ``path``.

    Reads give None when the file is missing, damaged or of another format (a damaged or
    foreign file is removed); :meth:`save` then writes every row into a new file."""

    def __init__(self, path: Path, columns: tuple[str, ...], version: str) -> None:
        self.path = path
        self.columns = columns
        self.format = f"{version} {' '.join(columns)}"
        self.written = 0  # rows written or deleted by this object (tests count them)

    def meta(self) -> dict[str, str] | None:
        """The record's ``meta`` (without its format), or None when there is no usable record."""
        found = self._read(lambda connection: dict(connection.execute("SELECT name, value FROM meta")))
        if found is None or found.pop("format", None) != self.format:
            return None
        return found

    def rows(self, where: str = "") -> dict[str, Row] | None:
        """key -> values of every row (those matching the SQL condition ``where``, the owner's
        own text), or None when there is no usable record; call after :meth:`meta`."""
        query = f"SELECT * FROM rows{f' WHERE {where}' if where else ''}"
        found = self._read(lambda connection: {row[0]: row[1:] for row in connection.execute(query)})
        if found is not None and any(len(values) != len(self.columns) for values in found.values()):
            return None
        return found

    def _read(self, read: Any) -> Any:
        if not self.path.is_file():
            return None
        try:
            connection = sqlite3.connect(self.path)  # not read-only: a write cut short is rolled back first
            try:
                return read(connection)
            finally:
                connection.close()
        except sqlite3.Error:  # damaged or foreign: no record, and the file is made again
            self._remove()
            return None

    def _remove(self) -> None:
        for suffix in ("", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def save(self, rows: Mapping[str, Row], before: Mapping[str, Row] | None, meta: Mapping[str, str]) -> int:
        """Write the rows of ``rows`` that are not the very values ``before`` held (the rows as
        read), delete those no longer in ``rows``, and the ``meta`` values that changed; with
        no ``before``, a new file of every row. Returns the rows written or deleted."""
        if before is None:
            return self._fresh(rows, meta)
        changed = [(key, *values) for key, values in rows.items() if before.get(key) is not values]
        gone = [(key,) for key in before.keys() - rows.keys()]
        try:
            connection = cache_database(self.path, wal=False)
            try:
                connection.execute("BEGIN")
                old = dict(connection.execute("SELECT name, value FROM meta"))
                if old.get("format") != self.format:
                    raise sqlite3.DatabaseError("another format")
                connection.executemany(f"INSERT OR REPLACE INTO rows VALUES ({self._marks})", changed)
                connection.executemany("DELETE FROM rows WHERE key = ?", gone)
                moved = [(name, value) for name, value in meta.items() if old.get(name) != value]
                connection.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", moved)
                connection.execute("COMMIT")
            finally:
                connection.close()
        except sqlite3.Error:  # damaged since it was read: made again
            return self._fresh(rows, meta)
        self.written += len(changed) + len(gone)
        return len(changed) + len(gone)

    @property
    def _marks(self) -> str:
        return ", ".join("?" * (len(self.columns) + 1))

    def _fresh(self, rows: Mapping[str, Row], meta: Mapping[str, str]) -> int:
        """Every row into a new file, which then replaces the old one (a half-written record is never read)."""
        new = self.path.with_name(f"{self.path.name}.new")
        new.unlink(missing_ok=True)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = cache_database(new, wal=False)
        try:
            connection.execute("PRAGMA journal_mode=OFF")
            connection.execute("BEGIN")
            connection.execute(f"CREATE TABLE rows (key TEXT PRIMARY KEY, {', '.join(self.columns)})")
            connection.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            connection.executemany(
                f"INSERT INTO rows VALUES ({self._marks})", ((key, *values) for key, values in rows.items())
            )
            connection.executemany("INSERT INTO meta VALUES (?, ?)", [("format", self.format), *meta.items()])
            connection.execute("COMMIT")
        finally:
            connection.close()
        self._remove()  # with a journal left by a write cut short, which belongs to the old file
        new.replace(self.path)
        self.written += len(rows)
        return len(rows)


def as_json(value: Any) -> str:
    """``value`` as the text a ``meta`` value holds (one spelling, so an equal value is not written again)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
