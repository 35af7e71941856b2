"""The threads' HTML earlier builds rendered, a row a diary (``.cache/comments/threads.sqlite``).

A diary's page includes its thread's kept HTML while the thread's view hashes the same
(render.py). A row a diary, so a build that renders one thread reads and writes that row:
at 50,000 diaries the kept threads were one 28 MB JSON file, read whole as soon as any
thread rendered (0.4 s of every edit) and written whole again.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Collection
from pathlib import Path

from netroots.site import cache_database

FORMAT = "1"  # of the tables below; a file of another (or a damaged one) holds no thread and is made again
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS threads (diary_id TEXT PRIMARY KEY, key TEXT NOT NULL, html TEXT NOT NULL);
"""

Rendered = dict[str, tuple[str, str]]  # diary id -> (the view's key, the thread's HTML)


class ThreadStore:
    """Read by key while pages render (in the build's process and its forked workers), written
    once by the build's process when the pages are written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._pid = 0  # the process ``_connection`` belongs to: a forked worker opens its own

    def get(self, diary_id: str) -> tuple[str, str] | None:
        """The kept (key, HTML) of ``diary_id``'s thread, or None."""
        connection = self._reader()
        if connection is None:
            return None
        try:
            return connection.execute("SELECT key, html FROM threads WHERE diary_id = ?", (diary_id,)).fetchone()
        except sqlite3.Error:
            return None

    def _reader(self) -> sqlite3.Connection | None:
        if self._pid != os.getpid():
            self._connection, self._pid = None, os.getpid()
            if self.path.is_file():
                try:
                    connection = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True)
                    if _format(connection) == FORMAT:
                        self._connection = connection
                    else:
                        connection.close()
                except sqlite3.Error:
                    pass
        return self._connection

    def save(self, rendered: Rendered, keep: Callable[[str], bool], gone: Collection[str] | None = None) -> int:
        """Write the threads rendered this build that differ from their rows, and delete the
        rows of diaries ``keep`` no longer wants (removed or unpublished ones): among ``gone``
        when given (the diaries gone since the last save), else among every row. A damaged
        store, or one of another format, is made again with ``rendered``. Returns the rows
        written or deleted."""
        self.close()
        self.path.with_suffix(".json").unlink(missing_ok=True)  # the threads in their earlier form
        try:
            return self._write(rendered, keep, gone)
        except sqlite3.DatabaseError:
            self.path.unlink(missing_ok=True)
            return self._write(rendered, keep, gone)

    def _write(self, rendered: Rendered, keep: Callable[[str], bool], gone: Collection[str] | None) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = cache_database(self.path, wal=False)
        try:
            connection.executescript(SCHEMA)
            connection.execute("BEGIN")
            if _format(connection) != FORMAT:
                connection.execute("DELETE FROM threads")
                connection.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (FORMAT,))
            select = "SELECT key, html FROM threads WHERE diary_id = ?"
            rows = [
                (diary_id, *found)
                for diary_id, found in rendered.items()
                if connection.execute(select, (diary_id,)).fetchone() != found
            ]
            if gone is None:
                gone = [diary_id for (diary_id,) in connection.execute("SELECT diary_id FROM threads")]
            dropped = [(diary_id,) for diary_id in gone if diary_id not in rendered and not keep(diary_id)]
            connection.executemany("INSERT OR REPLACE INTO threads VALUES (?, ?, ?)", rows)
            connection.executemany("DELETE FROM threads WHERE diary_id = ?", dropped)
            connection.execute("COMMIT")
        finally:
            connection.close()
        return len(rows) + len(dropped)

    def close(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection, self._pid = None, 0


def _format(connection: sqlite3.Connection) -> str | None:
    try:
        found = connection.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
    except sqlite3.Error:
        return None
    return found[0] if found else None
