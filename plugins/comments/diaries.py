"""The published diaries as the comments plugin reads them, kept between builds.

The plugin asks for a few diaries by id (those with comments, the pages that render a
thread) and needs the digest of what every diary's comment feed is made from (its id, title
and address). Both were a pass over every diary each build: ``{diary_id: diary}`` of every
diary, and the feed inputs of each (0.07 + 0.11 s at 50,000 diaries). Now a row a diary is
kept in ``.cache/comments/diaries.sqlite`` (its id, its path under content/, the hash of its
feed inputs) with the sum of those hashes and the build's serial (netroots.changelog); a
later build remakes the rows of the diaries ``diary_changes(settings).since(serial)`` names
and looks the others up by id when asked, as this build's objects (Pelican's
``generated_content``). The rows also list the diaries gone since the kept threads last
dropped theirs (``gone``), so ``ThreadStore.save`` need not read every row.

Anything it cannot account for makes every row again from every diary: no serial (a
preview, the kept diaries off, a change of code), another today or content folder, a count
that does not add up, a diary without an id, two diaries with one id.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from netroots.articlecache import diary_changes
from netroots.generators import address
from netroots.site import cache_database
from netroots.today import build_today

logger = logging.getLogger("netroots")

FORMAT = "1"
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS diaries (diary_id TEXT PRIMARY KEY, path TEXT NOT NULL UNIQUE, hash TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS gone (diary_id TEXT PRIMARY KEY)",
)
MODULUS = 1 << 128  # the feed inputs' digest: the sum of each diary's hash, so one diary's change is two sums


def feed_hash(diary_id: str, article: Any) -> int:
    """What a diary's comment feed is made from besides its comments: its id, title and address."""
    raw = repr((diary_id, article.title, address(article))).encode()
    return int.from_bytes(hashlib.blake2b(raw, digest_size=16).digest(), "big")


# Ids looked up one query each before every diary is mapped in one pass: the pages' check asks
# for every diary's thread (50,000 queries, 0.6 s, against a pass of 0.01 s).
LOOKUPS_MOST = 1000


class Diaries(Mapping[str, Any]):
    """Diary id -> the published diary (Pelican's article) of this build; ``total``: the sum of
    every diary's ``feed_hash``."""

    def __init__(self, articles: list[Any], content: Mapping[str, Any], path: Path | None) -> None:
        self.articles = articles
        self.content = content  # relative path -> this build's object (Pelican's generated_content)
        self.path = path
        self.whole: dict[str, Any] | None = None  # every diary, when the pass was made whole
        self.found: dict[str, Any] = {}  # looked up by id this build (None: no such diary)
        self.total = 0
        self.count = 0
        self.gone_known = False
        self._connection: sqlite3.Connection | None = None
        self._pid = 0

    # -- the mapping ---------------------------------------------------------------
    def __getitem__(self, diary_id: str) -> Any:
        found = self._find(diary_id)
        if found is None:
            raise KeyError(diary_id)
        return found

    def __contains__(self, diary_id: object) -> bool:
        return isinstance(diary_id, str) and self._find(diary_id) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.every())

    def __len__(self) -> int:
        return len(self.whole) if self.whole is not None else self.count

    def every(self) -> dict[str, Any]:
        """Every published diary by id, in the articles' order (a pass over every diary)."""
        if self.whole is None:
            self.whole = {a.diary_id: a for a in self.articles if getattr(a, "diary_id", None)}
        return self.whole

    def _find(self, diary_id: str) -> Any:
        if self.whole is not None:
            return self.whole.get(diary_id)
        if diary_id in self.found:
            return self.found[diary_id]
        if len(self.found) >= LOOKUPS_MOST:
            return self.every().get(diary_id)
        try:
            row = self._row(diary_id)
        except sqlite3.Error:
            return self.every().get(diary_id)
        article = self.content.get(row[0]) if row is not None else None
        if row is not None and getattr(article, "diary_id", None) != diary_id:
            logger.warning("comments: the kept diaries disagree with the build's (%s); reading every diary", diary_id)
            self.forget_serial()
            self.total = _total(self.every())
            return self.whole.get(diary_id)
        self.found[diary_id] = article
        return article

    def _row(self, diary_id: str) -> tuple[str] | None:
        connection = self._reader()
        if connection is None:
            return None
        return connection.execute("SELECT path FROM diaries WHERE diary_id = ?", (diary_id,)).fetchone()

    def _reader(self) -> sqlite3.Connection | None:
        """Rendering workers are forked: each opens its own connection."""
        if self._pid != os.getpid() or self._connection is None:
            self._connection, self._pid = None, os.getpid()
            if self.path is not None:
                self._connection = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True)
        return self._connection

    # -- the threads' store --------------------------------------------------------
    def gone(self) -> list[str] | None:
        """The diaries gone since the kept threads last dropped theirs; None: not known."""
        if self.path is None or not self.gone_known:
            return None
        try:
            return [diary_id for (diary_id,) in self._reader().execute("SELECT diary_id FROM gone")]
        except (sqlite3.Error, AttributeError):
            return None

    def dropped(self, ids: list[str] | None) -> None:
        """The kept threads of ``ids`` (None: of every diary gone) are dropped."""
        if self.path is None:
            return
        try:
            connection = cache_database(self.path, wal=False)
            try:
                with connection:
                    connection.execute("BEGIN")
                    if ids is None:
                        connection.execute("DELETE FROM gone")
                        connection.execute("INSERT OR REPLACE INTO meta VALUES ('gone_known', '1')")
                    else:
                        connection.executemany("DELETE FROM gone WHERE diary_id = ?", [(i,) for i in ids])
            finally:
                connection.close()
        except sqlite3.Error as exc:
            logger.warning("comments: could not write %s (%s)", self.path, exc)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None

    def forget_serial(self) -> None:
        """The rows cannot be trusted: the next build makes them again from every diary."""
        if self.path is None:
            return
        try:
            connection = cache_database(self.path, wal=False)
            try:
                connection.execute("DELETE FROM meta WHERE name = 'serial'")
            finally:
                connection.close()
        except sqlite3.Error:
            self.path.unlink(missing_ok=True)


def kept_diaries(settings: dict[str, Any], context: dict[str, Any], folder: Path, keep: bool) -> Diaries:
    """This build's published diaries by id, their rows made again only for the diaries that
    changed since the build the rows were kept by (every diary when that is not known).
    ``keep`` False (a preview): nothing is kept, every diary read."""
    diaries = Diaries(context.get("articles", []), context.get("generated_content", {}), folder / "diaries.sqlite")
    changes = diary_changes(settings)
    if not keep:
        return _unkept(diaries)
    path = diaries.path
    prefix = os.path.join(os.path.abspath(settings["PATH"]), "")
    inputs = repr((FORMAT, prefix, build_today(settings).isoformat()))
    connection = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = cache_database(path, wal=False)
        try:
            _update(diaries, connection, inputs, prefix, changes)
        except sqlite3.DatabaseError:  # a damaged store, made again
            connection.close()
            path.unlink(missing_ok=True)
            connection = cache_database(path, wal=False)
            _update(diaries, connection, inputs, prefix, changes)
    except (OSError, sqlite3.Error) as exc:
        logger.warning("comments: could not write %s (%s); every diary is read", path, exc)
        _unkept(diaries)
    finally:
        if connection is not None:
            connection.close()
    return diaries


def _unkept(diaries: Diaries) -> Diaries:
    """Every diary read, nothing kept."""
    diaries.path = None
    diaries.total = _total(diaries.every())
    return diaries


def _update(diaries: Diaries, connection: sqlite3.Connection, inputs: str, prefix: str, changes: Any) -> None:
    for statement in SCHEMA:
        connection.execute(statement)
    connection.execute("BEGIN")
    meta = dict(connection.execute("SELECT name, value FROM meta"))
    if changes.serial is None:  # the kept diaries are off: no row made, and the next build makes every one
        connection.execute("DELETE FROM meta WHERE name = 'serial'")
        connection.execute("INSERT OR REPLACE INTO meta VALUES ('gone_known', '0')")
        connection.execute("COMMIT")
        _unkept(diaries)
        return
    known = meta.get("format") == FORMAT and meta.get("inputs") == inputs and "serial" in meta
    changed = changes.since(int(meta["serial"])) if known else None
    diaries.gone_known = meta.get("gone_known") == "1" and meta.get("format") == FORMAT
    if changed is None or not _changed(diaries, connection, changed, prefix, meta):
        _whole(diaries, connection, prefix, meta.get("format") == FORMAT)
    values = {
        "format": FORMAT,
        "inputs": inputs,
        "total": str(diaries.total),
        "count": str(diaries.count),
        "gone_known": "1" if diaries.gone_known else "0",
    }
    if diaries.path is not None:
        values["serial"] = str(changes.serial)
    else:
        connection.execute("DELETE FROM meta WHERE name = 'serial'")
    if any(meta.get(name) != value for name, value in values.items()):
        connection.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(values.items()))
    connection.execute("COMMIT")


def _relative(path: str, prefix: str) -> str | None:
    if not path.startswith(prefix) or os.path.normpath(path) != path:
        return None
    return path[len(prefix) :].replace(os.sep, "/")


def _changed(
    diaries: Diaries, connection: sqlite3.Connection, changed: frozenset[str], prefix: str, meta: dict
) -> bool:
    """Remake the rows of the ``changed`` diaries; False (nothing written) when their rows
    cannot be accounted for: then every row is made again."""
    total, count = int(meta.get("total", "0")), int(meta.get("count", "-1"))
    removed: list[str] = []
    added: dict[str, tuple[str, int]] = {}
    for source in sorted(changed):
        relative = _relative(source, prefix)
        if relative is None:
            return False
        row = connection.execute("SELECT diary_id, hash FROM diaries WHERE path = ?", (relative,)).fetchone()
        if row is not None:
            removed.append(row[0])
            total, count = total - int(row[1], 16), count - 1
        article = diaries.content.get(relative)
        if article is None or getattr(article, "status", None) != "published":
            continue
        diary_id = getattr(article, "diary_id", None)
        if not isinstance(diary_id, str) or diary_id in added:
            return False
        added[diary_id] = (relative, feed_hash(diary_id, article))
        total, count = total + added[diary_id][1], count + 1
    for diary_id, (relative, _hash) in added.items():
        row = connection.execute("SELECT path FROM diaries WHERE diary_id = ?", (diary_id,)).fetchone()
        if row is not None and row[0] != relative and diary_id not in removed:
            return False  # another diary, unchanged, has this id
    if count != len(diaries.articles):
        return False
    connection.executemany("DELETE FROM diaries WHERE diary_id = ?", [(i,) for i in removed])
    connection.executemany(
        "INSERT INTO diaries VALUES (?, ?, ?)",
        [(diary_id, relative, format(value, "032x")) for diary_id, (relative, value) in added.items()],
    )
    connection.executemany("INSERT OR IGNORE INTO gone VALUES (?)", [(i,) for i in removed if i not in added])
    connection.executemany("DELETE FROM gone WHERE diary_id = ?", [(i,) for i in added])
    diaries.found.update((diary_id, diaries.content[relative]) for diary_id, (relative, _hash) in added.items())
    diaries.total, diaries.count = total % MODULUS, count
    return True


def _whole(diaries: Diaries, connection: sqlite3.Connection, prefix: str, same_format: bool) -> None:
    """Every diary's row made again; nothing kept (no row) when a diary cannot be told by its
    path under content/ or its id."""
    every = diaries.every()
    rows = []
    total = 0
    for diary_id, article in every.items():
        relative = _relative(getattr(article, "source_path", "") or "", prefix)
        if relative is None or len(every) != len(diaries.articles):
            rows = None
            break
        value = feed_hash(diary_id, article)
        total += value
        rows.append((diary_id, relative, format(value, "032x")))
    if rows is None:
        diaries.path = None
        total = _total(every)
    if same_format:
        connection.execute("INSERT OR IGNORE INTO gone SELECT diary_id FROM diaries")
    else:
        diaries.gone_known = False
    connection.execute("DELETE FROM diaries")
    connection.executemany("INSERT INTO diaries VALUES (?, ?, ?)", rows or [])
    connection.execute("DELETE FROM gone WHERE diary_id IN (SELECT diary_id FROM diaries)")
    diaries.total, diaries.count = total % MODULUS, len(every)


def _total(every: Mapping[str, Any]) -> int:
    return sum(feed_hash(diary_id, article) for diary_id, article in every.items()) % MODULUS
