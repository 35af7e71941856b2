"""Which content folders' rows ``.cache/build/reads.sqlite`` keeps (table ``roots``).

The read cache and the kept diaries key their rows by absolute path (``digests``, ``folders``,
``reads``, ``articles``), and a build reads only the rows under its own content folder. A
``.cache/`` copied beside another content folder (a site folder copied whole, a CI cache
restored under a new checkout path) kept the first folder's rows for ever: no build of the
copy can use them, and the folder they name builds with its own ``.cache/``. Each content
folder is noted with the store it last built with; the first build of a folder this store
has not noted drops the rows of every noted folder that is gone or was noted by another
store (this one is a copy of it). Folders that build with one shared store (``NETROOTS_CACHE``
set to one place) keep each other's rows. Rows from before the note are left alone: their
folder is not known.
"""

from __future__ import annotations

import os
import sqlite3

ROOTS = "CREATE TABLE IF NOT EXISTS roots (root TEXT PRIMARY KEY, store TEXT)"
# Each table keyed by path, and its column: the rows of a folder are one indexed range.
KEYED_BY_PATH = (("digests", "path"), ("folders", "folder"), ("reads", "path"), ("articles", "path"))


def forget_copied_roots(connection: sqlite3.Connection, root: str, store: str) -> list[str]:
    """Note ``root`` (a content folder, absolute) as built with ``store`` (the store's path);
    when it was not noted so, drop the rows of noted folders that are gone or noted by another
    store. Returns those folders. An ordinary build reads one row here."""
    connection.execute(ROOTS)
    if connection.execute("SELECT 1 FROM roots WHERE root = ? AND store = ?", (root, store)).fetchone():
        return []
    noted = connection.execute("SELECT root, store FROM roots WHERE root != ?", (root,)).fetchall()
    gone = [other for other, kept_in in noted if kept_in != store or not os.path.isdir(other)]
    tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    with connection:
        connection.execute("BEGIN")
        for other in gone:
            under = (other, other + os.sep, other + chr(ord(os.sep) + 1))
            for table, column in KEYED_BY_PATH:
                if table in tables:
                    connection.execute(
                        f"DELETE FROM {table} WHERE {column} = ? OR ({column} > ? AND {column} < ?)", under
                    )
        connection.executemany("DELETE FROM roots WHERE root = ?", [(other,) for other in gone])
        connection.execute("INSERT OR REPLACE INTO roots VALUES (?, ?)", (root, store))
    if gone:
        try:
            connection.execute("VACUUM")  # the file shrinks to what is kept
        except sqlite3.Error:
            pass  # another connection reads it: the freed pages are used again instead
    return gone
