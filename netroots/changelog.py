"""Which diaries changed since an earlier build: stage 1 of the flat build (docs/architecture.md).

A pass that keeps what it made of the diaries (a plugin's index, the tags' company) needs
to know which diaries to make again. Every build already knows: the kept diaries
(netroots/articlecache.py) restore each unchanged diary from its pickle, and Pelican makes
the others anew. The paths Pelican made anew, and those of files gone, are logged in
``.cache/build/reads.sqlite`` (table ``changes``), in the same transaction as the kept rows,
under a serial number that grows with each build that changed something. A pass saves the
build's serial with what it made; a later build answers ``since(serial)`` with every path
logged after it, so a pass that missed builds (a plugin turned off a while, a build that
failed before it ran) still hears of every change.

The log keeps the last ``KEEP_BUILDS`` builds' changes. A build that makes more than
``LOG_MOST`` diaries anew (a change of code: every key changed) logs none and raises the
log's floor instead: a serial older than it is answered None, and the pass makes everything.
A new log (no ``reads.sqlite``, or one of before this log) starts at the clock's
microseconds, so a serial saved with an older log is below its floor, never mistaken.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from typing import Any

from .plugin import build_state

KEEP_BUILDS = 200
LOG_MOST = 5000
TABLES = (
    "CREATE TABLE IF NOT EXISTS changes (serial INTEGER NOT NULL, path TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS changes_log (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
)


class DiaryChanges:
    """This build's answer to "which diaries changed since build ``serial``?"."""

    __slots__ = ("floor", "logged", "serial")

    def __init__(self, serial: int | None = None, floor: int = 0, logged: Iterable[tuple[int, str]] = ()) -> None:
        """``serial``: this build's (None: not known, the kept diaries are off); ``floor``: the
        oldest serial the log answers for; ``logged``: (serial, path) of each change after it."""
        self.serial = serial
        self.floor = floor
        self.logged = tuple(logged)

    def since(self, serial: int | None) -> frozenset[str] | None:
        """The source paths of the diaries added, changed or removed after the build that
        handed out ``serial``; None when that is not known: make everything again."""
        if serial is None or self.serial is None or serial < self.floor or serial > self.serial:
            return None
        return frozenset(path for number, path in self.logged if number > serial)

    def __repr__(self) -> str:
        return f"DiaryChanges(serial={self.serial}, floor={self.floor}, logged={len(self.logged)})"


def diary_changes(settings: dict[str, Any]) -> DiaryChanges:
    """This build's ``DiaryChanges``, once the diaries are made (``ArticlesGenerator.
    generate_context`` logs them); one answering None to everything before, or when the kept
    diaries are off (a preview, incremental builds off, a receiver that does not say what it reads)."""
    return build_state(settings, "articles").get("changes") or DiaryChanges()


def log_changes(connection: sqlite3.Connection, changed: Iterable[str]) -> DiaryChanges:
    """Log this build's ``changed`` paths (in the caller's transaction) and answer for the
    build: its serial, and what the log holds."""
    for table in TABLES:  # one statement each: ``executescript`` would commit the caller's transaction
        connection.execute(table)
    found = dict(connection.execute("SELECT name, value FROM changes_log"))
    if "serial" not in found or "floor" not in found:  # a new log: below no serial handed out before it
        start = time.time_ns() // 1000
        serial, floor = start, start
        connection.execute("DELETE FROM changes")
    else:
        serial, floor = found["serial"], found["floor"]
    paths = sorted(set(changed))
    if paths:
        serial += 1
        if len(paths) > LOG_MOST:
            floor = serial
        else:
            connection.executemany("INSERT INTO changes VALUES (?, ?)", [(serial, path) for path in paths])
        floor = max(floor, serial - KEEP_BUILDS)
        connection.execute("DELETE FROM changes WHERE serial <= ?", (floor,))
    if (found.get("serial"), found.get("floor")) != (serial, floor):
        connection.executemany(
            "INSERT OR REPLACE INTO changes_log VALUES (?, ?)", [("serial", serial), ("floor", floor)]
        )
    return DiaryChanges(serial, floor, connection.execute("SELECT serial, path FROM changes"))
