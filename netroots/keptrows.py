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
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .site import cache_database, chunks

Row = tuple[Any, ...]


def listing_digest(files: Sequence[tuple[str, int, int]]) -> str:
    """One hash of ``(path, size, mtime)`` triples (``netroots.site.html_files``): equal when no
    page was added, removed or written since, so nothing kept of the pages is out of date
    (0.025 s for 60,000 pages; their ``repr`` hashed was 0.07)."""
    return Listing(files).digest()


class Listing:
    """``(path, size, mtime)`` triples as three values: the paths joined, the sizes and times as
    arrays. Two listings of the same paths are compared a block of 512 at a time, in C: an edit
    finds the dozen pages it wrote among 60,000 without a Python object a page."""

    BLOCK = 512

    def __init__(self, files: Sequence[tuple[str, int, int]]) -> None:
        self.files = files
        paths, sizes, mtimes = zip(*files, strict=True) if files else ((), (), ())
        self.paths = "\0".join(paths)
        self.sizes, self.mtimes = array("q", sizes), array("q", mtimes)
        self._digest: str | None = None

    def digest(self) -> str:
        if self._digest is None:
            hasher = hashlib.blake2b(self.paths.encode(), digest_size=16)
            hasher.update(self.sizes.tobytes())
            hasher.update(self.mtimes.tobytes())
            self._digest = hasher.hexdigest()
        return self._digest

    def stored(self) -> tuple[str, bytes, bytes]:
        return self.paths, self.sizes.tobytes(), self.mtimes.tobytes()

    def changed_since(self, stored: Sequence[Any]) -> list[tuple[str, int, int]] | None:
        """The files whose size or time is not ``stored``'s (:meth:`stored` of an earlier listing);
        None when that listing is not of the same paths."""
        if len(stored) != 3 or stored[0] != self.paths:
            return None
        sizes, mtimes = array("q"), array("q")
        try:
            sizes.frombytes(stored[1])
            mtimes.frombytes(stored[2])
        except (TypeError, ValueError):
            return None
        if len(sizes) != len(self.sizes) or len(mtimes) != len(self.mtimes):
            return None
        changed = []
        for start in range(0, len(sizes), self.BLOCK):
            end = start + self.BLOCK
            if sizes[start:end] != self.sizes[start:end] or mtimes[start:end] != self.mtimes[start:end]:
                changed += [
                    self.files[index]
                    for index in range(start, min(end, len(sizes)))
                    if sizes[index] != self.sizes[index] or mtimes[index] != self.mtimes[index]
                ]
        return changed


class KeptRows:
    """``rows (key TEXT PRIMARY KEY, <columns>)`` and ``meta (name, value)`` at ``path``.

    Reads give None when the file is missing, damaged or of another format (a damaged or
    foreign file is removed); :meth:`save` then writes every row into a new file."""

    def __init__(self, path: Path, columns: tuple[str, ...], version: str) -> None:
        self.path = path
        self.columns = columns
        self.format = f"{version} {' '.join(columns)}"
        self.written = 0  # rows written or deleted by this object (tests count them)
        self.read = 0  # rows read whole by this object (tests count them)

    def meta(self) -> dict[str, str] | None:
        """The record's ``meta`` (without its format), or None when there is no usable record."""
        found = self._read(lambda connection: dict(connection.execute("SELECT name, value FROM meta")))
        if found is None or found.pop("format", None) != self.format:
            return None
        return found

    def rows(self, where: str = "", values: Sequence[Any] = ()) -> dict[str, Row] | None:
        """key -> values of every row (those matching the SQL condition ``where``, the owner's
        own text, with ``values`` for its ``?``), or None when there is no usable record; call
        after :meth:`meta`."""
        query = f"SELECT * FROM rows{f' WHERE {where}' if where else ''}"
        found = self._read(lambda connection: {row[0]: row[1:] for row in connection.execute(query, values)})
        if found is not None and any(len(values) != len(self.columns) for values in found.values()):
            return None
        self.read += len(found or ())
        return found

    def rows_of(self, keys: Iterable[str]) -> dict[str, Row] | None:
        """key -> values of the rows of ``keys`` that exist (an edit reads the dozen it wrote, not
        60,000), or None when there is no usable record; call after :meth:`meta`."""
        wanted = list(keys)

        def read(connection: sqlite3.Connection) -> dict[str, Row]:
            found: dict[str, Row] = {}
            for chunk in chunks(wanted):
                query = f"SELECT * FROM rows WHERE key IN ({', '.join('?' * len(chunk))})"
                found.update((row[0], row[1:]) for row in connection.execute(query, chunk))
            return found

        found = self._read(read)
        if found is not None and any(len(values) != len(self.columns) for values in found.values()):
            return None
        self.read += len(found or ())
        return found

    def stale(self, files: Listing) -> tuple[list[tuple[str, int, int]], list[str]] | None:
        """``(changed, gone)``: the ``(key, size, mtime)`` of ``files`` whose row is missing or
        holds another size or time (the first two columns), and the keys of rows no file has;
        None when there is no usable record. When the rows were last saved with a listing of
        the same paths (:meth:`update`'s ``listing``), the two listings are compared and no row
        is read; else only the keys and times are read, none made a row (an edit made a row of
        each of 60,000 pages to find the few it wrote)."""
        stored = self._read(self._stored_listing)
        changed = files.changed_since(stored) if stored else None
        if changed is not None:
            return changed, []
        size, mtime = self.columns[:2]
        files = files.files
        known = self._read(lambda connection: set(connection.execute(f"SELECT key, {size}, {mtime} FROM rows")))
        if known is None:
            return None
        changed = [found for found in files if found not in known]
        if len(known) == len(files) - len(changed):  # every row is one of the files'
            return changed, []
        keys = {found[0] for found in files}
        return changed, [key for key, _, _ in known if key not in keys]

    @staticmethod
    def _stored_listing(connection: sqlite3.Connection) -> Row | None:
        """The listing the rows were last saved with (a table older records lack), if any."""
        if connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'listing'").fetchone() is None:
            return None
        return connection.execute("SELECT paths, sizes, mtimes FROM listing").fetchone()

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

    def save(
        self,
        rows: Mapping[str, Row],
        before: Mapping[str, Row] | None,
        meta: Mapping[str, str],
        listing: Listing | None = None,
    ) -> int:
        """Write the rows of ``rows`` that are not the very values ``before`` held (the rows as
        read), delete those no longer in ``rows``, and the ``meta`` values that changed; with
        no ``before``, a new file of every row (``listing``: :meth:`update`'s). Returns the
        rows written or deleted."""
        if before is None:
            return self._fresh(rows, meta, listing)
        changed = {key: values for key, values in rows.items() if before.get(key) is not values}
        return self.update(changed, before.keys() - rows.keys(), meta, lambda: rows, listing)

    def update(
        self,
        changed: Mapping[str, Row],
        gone: Iterable[str],
        meta: Mapping[str, str],
        whole: Callable[[], Mapping[str, Row]],
        listing: Listing | None = None,
    ) -> int:
        """Write the rows ``changed``, delete the keys ``gone`` and the ``meta`` values that
        changed; should the file be of another format or damaged since it was read, a new
        file of ``whole()``'s rows (every row). ``listing``: what the rows are now of (each
        file's row at its size and time, for :meth:`stale`); without one, none is kept.
        Returns the rows written or deleted."""
        rows = [(key, *values) for key, values in changed.items()]
        keys = [(key,) for key in gone]
        try:
            connection = cache_database(self.path, wal=False)
            try:
                connection.execute("BEGIN")
                old = dict(connection.execute("SELECT name, value FROM meta"))
                if old.get("format") != self.format:
                    raise sqlite3.DatabaseError("another format")
                connection.executemany(f"INSERT OR REPLACE INTO rows VALUES ({self._marks})", rows)
                connection.executemany("DELETE FROM rows WHERE key = ?", keys)
                moved = [(name, value) for name, value in meta.items() if old.get(name) != value]
                connection.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", moved)
                self._keep_listing(connection, listing)
                connection.execute("COMMIT")
            finally:
                connection.close()
        except sqlite3.Error:  # damaged since it was read: made again
            return self._fresh(whole(), meta, listing)
        self.written += len(rows) + len(keys)
        return len(rows) + len(keys)

    @property
    def _marks(self) -> str:
        return ", ".join("?" * (len(self.columns) + 1))

    @staticmethod
    def _keep_listing(connection: sqlite3.Connection, listing: Listing | None) -> None:
        connection.execute("CREATE TABLE IF NOT EXISTS listing (paths TEXT, sizes BLOB, mtimes BLOB)")
        connection.execute("DELETE FROM listing")
        if listing is not None:
            connection.execute("INSERT INTO listing VALUES (?, ?, ?)", listing.stored())

    def _fresh(self, rows: Mapping[str, Row], meta: Mapping[str, str], listing: Listing | None = None) -> int:
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
            self._keep_listing(connection, listing)
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
