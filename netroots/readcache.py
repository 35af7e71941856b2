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

The keys of a folder's files are kept together too (``read_keys``, table ``folders``): a
summary of the folder (the world, what reading a file there consults, and each file's name
and ``lstat`` as above) with each file's hash and key. A later build whose summary of the
folder is the same takes them without a look-up a file (the kept hashes, the key, whether it
is stored: 0.2 s at 10,000 diaries). It holds because a summary is written only when every
file's hash would be trusted by the rule above and every key is stored: the same names and
the same five numbers of each file then mean the same hashes (the rule holds for as long as
the numbers do), so the same keys; and a stored read is deleted only with every summary (``_prune``, in the first
build after settings or code changed), with its folder's summary (``put_blobs``: one read a file and
world is kept), or when its file is gone (``_gone``).
What is kept of files and folders that are gone (their hashes, their summaries) is dropped by
the next build that looks a folder up or finds a summary of a folder it does not read
(``_gone``): nothing a build can use, since a file made again has a new change time.
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
from .contentroots import forget_copied_roots
from .fingerprint import CHECK_KEPT
from .site import cache_database, cache_dir, chunks, preview_of

logger = logging.getLogger(__name__)


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


# Worlds (settings and code) whose reads are kept: this build's and the two built before it,
# so builds that alternate (``build`` and ``build --publish``, a change and its revert) still
# find their reads.
KEPT_WORLDS = 3

# How much older than its kept hash a file's times must be for the hash to be trusted: more
# than any file system's time resolution (FAT's is 2 s) plus clock steps between processes.
SETTLED_NS = 3_000_000_000


def content_digest(path: str) -> str | None:
    """A hash of the file's bytes (None: unreadable, or a symbolic link)."""
    try:
        return None if os.path.islink(path) else _bytes_digest(path)
    except OSError:
        return None


def _bytes_digest(path: str) -> str:
    with open(path, "rb") as file:
        return hashlib.blake2b(file.read(), digest_size=20).hexdigest()


# A folder ``read_keys`` looks up file by file: its path, its summary (None: none can be
# kept), its files and the short hashes of what their reads consult.
Looked = tuple[str, "str | None", list[str], list[bytes]]


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
        self.settled: set[str] = set()  # files whose hash a later build trusts while they are unchanged
        self.check = bool(os.environ.get(CHECK_KEPT))  # the test suite's: what is kept is also made
        self.world_id = hashlib.blake2b(self.stamp, digest_size=10).hexdigest()  # its reads are marked so
        try:
            path = cache_dir(settings, "build") / "reads.sqlite"
            self.connection = cache_database(path, threads=True)
            self.connection.execute(
                "CREATE TABLE IF NOT EXISTS reads (key TEXT PRIMARY KEY, value BLOB, world TEXT, path TEXT)"
            )
            if "path" not in {row[1] for row in self.connection.execute("PRAGMA table_info(reads)")}:
                self.connection.execute("ALTER TABLE reads ADD COLUMN path TEXT")  # a store from before: NULL
            self.connection.execute("CREATE INDEX IF NOT EXISTS reads_by_path ON reads (path)")
            self.connection.execute(
                "CREATE TABLE IF NOT EXISTS digests (path TEXT PRIMARY KEY, stat TEXT, digest TEXT, made INTEGER)"
            )
            self.connection.execute(
                "CREATE TABLE IF NOT EXISTS folders (folder TEXT PRIMARY KEY, summary TEXT, files TEXT)"
            )
            self.connection.execute("CREATE TABLE IF NOT EXISTS worlds (world TEXT PRIMARY KEY, used INTEGER)")
            if not preview_of(settings):
                self._prune()
                if settings.get("PATH"):
                    forget_copied_roots(self.connection, os.path.abspath(settings["PATH"]), str(path.resolve()))
        except (OSError, sqlite3.Error):
            self.connection = None

    def _prune(self) -> None:
        """The first build in a new world (settings or code changed) drops the reads of all but
        the ``KEPT_WORLDS`` worlds built last: no key of another world can match (each starts
        with its world), and a CI cache grew by a whole network's reads at every change of
        code (1 GB at 10,000 diaries after five). Folder summaries go too: they promise that
        every key they hold is stored, and the next build makes them again. A preview (its own
        settings, its own world) neither counts as a world nor drops anything."""
        assert self.connection is not None
        now = time.time_ns()
        if self.connection.execute("UPDATE worlds SET used = ? WHERE world = ?", (now, self.world_id)).rowcount:
            return
        columns = [row[1] for row in self.connection.execute("PRAGMA table_info(reads)")]
        with self.connection:
            self.connection.execute("BEGIN")
            dropped = 0
            if "world" not in columns:  # a store from before reads were marked with their world
                dropped = self.connection.execute("DELETE FROM reads").rowcount or 1
                self.connection.execute("ALTER TABLE reads ADD COLUMN world TEXT")
            self.connection.execute("INSERT INTO worlds VALUES (?, ?)", (self.world_id, now))
            worlds = [row[0] for row in self.connection.execute("SELECT world FROM worlds ORDER BY used DESC")]
            kept, gone = worlds[:KEPT_WORLDS], worlds[KEPT_WORLDS:]
            self.connection.executemany("DELETE FROM worlds WHERE world = ?", [(world,) for world in gone])
            marks = ",".join("?" * len(kept))
            dropped += self.connection.execute(
                f"DELETE FROM reads WHERE world IS NULL OR world NOT IN ({marks})", kept
            ).rowcount
            if dropped:
                self.connection.execute("DELETE FROM folders")
        if dropped:
            try:
                self.connection.execute("VACUUM")  # the file shrinks to what is kept, not only stops growing
            except sqlite3.Error:
                pass  # another connection reads it: the freed pages are used again instead
            logger.debug("read cache: the reads of older settings or code dropped (%d)", dropped)

    def key(self, path: Path | str, content: str, around: list[bytes]) -> str:
        """``content``: the file's ``content_digest``; ``around``: what else the read consults
        (``listing(folder)``, ``stamp(file)``)."""
        return self._key_of(str(path), content, self._short(around))

    def _short(self, around: list[bytes]) -> list[bytes]:
        """Each of ``around`` as a short hash: a folder's names are the same bytes for every
        file in it, hashed once a build, not once a file."""
        shorts = self._shorts
        found = []
        for part in around:
            short = shorts.get(part)
            if short is None:
                short = shorts[part] = hashlib.blake2b(part, digest_size=20).digest()
            found.append(short)
        return found

    def read_keys(self, paths: list[str], around: Callable[[str], list[bytes]]) -> tuple[dict[str, str], list[str]]:
        """The ``key`` of each of ``paths`` (absolute, normalized) that can be read (``around(folder)``: what
        reading a file in ``folder`` consults), and those of them not stored. A folder whose
        summary is the one kept takes its files' hashes and keys from it (module docstring)."""
        folders = _by_folder(paths)
        kept, others = self._summaries(list(folders))
        keys: dict[str, str] = {}
        looked: list[Looked] = []  # folders looked up file by file
        for folder, inside in folders.items():
            consulted = self._short(around(folder))
            cut = len(os.path.join(folder, ""))
            names = [path[cut:] for path in inside]
            summary = self._summary(folder, names, inside, consulted)
            held = kept.get(folder)
            files = _files(held[1], names) if summary is not None and held is not None and held[0] == summary else None
            if files is None:
                looked.append((folder, summary, inside, consulted))
                continue
            hashes, held_keys = files
            if self.check:
                for path, digest, key in zip(inside, hashes, held_keys, strict=True):
                    self._verify(path, digest, key, consulted)
            keys.update(zip(inside, held_keys, strict=True))
            self.digests.update(zip(inside, hashes, strict=True))
        if not looked:
            if others:  # a folder summarized before is gone, or none of its files is read now
                self._write_all(self._forgetting([], folders, kept))
            return keys, []
        made, unknown = self._look_up(looked, folders, kept)
        keys.update(made)
        return keys, unknown

    def _look_up(
        self, looked: list[Looked], asked: dict[str, list[str]], kept: dict[str, tuple[str, str]]
    ) -> tuple[dict[str, str], list[str]]:
        """``read_keys`` for folders whose summary is not the kept one: each file's hash and
        key, and those not stored; each folder summarized again when the rule allows it (and
        what is kept of files and folders that are gone dropped: ``_gone``)."""
        made: dict[str, str] = {}
        digests = self.content_digests([path for _, _, inside, _ in looked for path in inside])
        for _, _, inside, consulted in looked:
            for path in inside:
                if digests.get(path):
                    made[path] = self._key_of(path, digests[path], consulted)
        known = self.known(list(made.values()))
        summaries = [
            (folder, summary, json.dumps([[os.path.basename(p), digests[p], made[p]] for p in inside]))
            for folder, summary, inside, _ in looked
            if summary is not None and all(p in self.settled and made.get(p) in known for p in inside)
        ]
        self._write_all(
            [("INSERT OR REPLACE INTO folders VALUES (?, ?, ?)", summaries), *self._forgetting(looked, asked, kept)]
        )
        return made, [path for path, key in made.items() if key not in known]

    def _forgetting(
        self, looked: list[Looked], asked: dict[str, list[str]], kept: dict[str, tuple[str, str]]
    ) -> list[tuple[str, list[tuple[str]]]]:
        """The statements that drop what ``_gone`` finds."""
        files, folders = self._gone(looked, asked, kept)
        return [
            ("DELETE FROM digests WHERE path = ?", [(path,) for path in files]),
            ("DELETE FROM reads WHERE path = ? AND world = ?", [(path, self.world_id) for path in files]),
            ("DELETE FROM folders WHERE folder = ?", [(folder,) for folder in folders]),
        ]

    def _gone(
        self, looked: list[Looked], asked: dict[str, list[str]], kept: dict[str, tuple[str, str]]
    ) -> tuple[list[str], list[str]]:
        """The kept hashes of files under content/ that are gone, and the kept summaries of
        folders none of whose files is read now: a deleted or renamed diary's hash and a deleted
        or renamed folder's summary were kept for ever (CI keeps ``.cache/``). Only a build in
        which some folder changed or one is gone asks (an unchanged build looks nothing up).
        The files gone are those a folder's kept summary names and the folder no longer holds,
        or, when the build read every kept hash anyway (``_kept``: a clone's or CI's fresh
        checkout, a new world), every file under content/ not read now that no longer exists.
        Dropping them loses nothing a build can use: a kept hash is trusted only for a file with
        the same inode and change time, and a file made again at that path has a new change
        time; a summary names its folder's files, and one whose files are read again is made
        again. A file still there (read this build or not) keeps its hash."""
        if self.connection is None or preview_of(self.settings):
            return [], []
        root = self._root()
        try:
            rows = self.connection.execute(
                "SELECT folder, files FROM folders WHERE folder > ? AND folder < ?", (root, root[:-1] + "0")
            )
            folders = {folder: files for folder, files in rows if folder not in asked}
        except sqlite3.Error:
            return [], []
        if self._kept is not None:  # every kept hash, read anyway: those no summary names too
            candidates = _not_read(self._kept, root, asked, {folder: inside for folder, _, inside, _ in looked})
        else:
            candidates = [path for folder, files in folders.items() for path in _named(folder, files)]
            for folder, _, inside, _ in looked:
                if folder in kept:
                    present = set(inside)
                    candidates += [path for path in _named(folder, kept[folder][1]) if path not in present]
        return [path for path in candidates if not os.path.lexists(path)], list(folders)

    def _verify(self, path: str, digest: str, key: str, consulted: list[bytes]) -> None:
        """``CHECK_KEPT``: a key taken from its folder's summary is the one its bytes give now."""
        if (_bytes_digest(path), self._key_of(path, digest, consulted)) != (digest, key):
            raise StaleSummary(f"{path}: the read key its folder's summary kept is not the one its file gives now")

    def _key_of(self, path: str, content: str, shorts: list[bytes]) -> str:
        """``key`` from what the read consults already made short."""
        digest = self._keyed.copy()
        digest.update(path.encode() + b"\0" + content.encode())
        for short in shorts:
            digest.update(b"\0" + short)
        return digest.hexdigest()

    def _summary(self, folder: str, names: list[str], inside: list[str], consulted: list[bytes]) -> str | None:
        """What a folder's kept keys hold for: the world, the folder, what its reads consult,
        and each file's name (``names``, of the paths ``inside``) and ``lstat``; None when a
        file is not a regular file."""
        lstat = content_files(self.settings).lstat
        try:
            found = [lstat(path) for path in inside]
        except OSError:
            return None
        if not all([stat_kind.S_ISREG(info.st_mode) for info in found]):
            return None
        digest = self._keyed.copy()
        digest.update(folder.encode() + b"\0" + b"".join(consulted))
        digest.update(
            "".join(
                [
                    f"\0{name}\0{info.st_dev}:{info.st_ino}:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}"
                    for name, info in zip(names, found, strict=True)
                ]
            ).encode()
        )
        return digest.hexdigest()

    def _summaries(self, folders: list[str]) -> tuple[dict[str, tuple[str, str]], int]:
        """``folder -> (summary, files)`` as the last builds kept them, and how many kept folders
        under content/ are not among ``folders`` (gone, or no file of theirs is read now): the
        rows under content/ come in one indexed range, which holds those of ``folders``."""
        found: dict[str, tuple[str, str]] = {}
        if self.connection is None:
            return found, 0
        root = self._root()
        asked = set(folders)
        others = 0
        try:
            rows = self.connection.execute(
                "SELECT folder, summary, files FROM folders WHERE folder > ? AND folder < ?", (root, root[:-1] + "0")
            )
            for folder, summary, files in rows:
                if folder in asked:
                    found[folder] = (summary, files)
                else:
                    others += 1
            outside = [folder for folder in folders if not folder.startswith(root)]
            for batch in chunks(outside):
                marks = ",".join("?" * len(batch))
                rows = self.connection.execute(
                    f"SELECT folder, summary, files FROM folders WHERE folder IN ({marks})", batch
                )
                found.update((row[0], (row[1], row[2])) for row in rows)
        except sqlite3.Error:
            return {}, 0
        return found, others

    def _root(self) -> str:
        """The content folder as the paths asked start (with a ``/``)."""
        return os.path.join(os.path.abspath(self.settings["PATH"]), "")

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
        kept = self._kept_for(paths)
        lstat = content_files(self.settings).lstat  # the build's walk took each file's kind; its lstat is kept
        found: dict[str, str | None] = {}
        made: list[tuple[str, str, str, int]] = []
        for path in paths:
            self.settled.discard(path)
            try:
                info = lstat(path)
            except OSError:
                found[path] = None
                continue
            if not stat_kind.S_ISREG(info.st_mode):
                found[path] = None
                continue
            shown = _shown(info)
            record = kept.get(path)
            if record and record[0] == shown and max(info.st_mtime_ns, info.st_ctime_ns) < record[2] - SETTLED_NS:
                found[path] = record[1]
                self.settled.add(path)
                continue
            now = time.time_ns()
            found[path] = digest = content_digest(path)
            if digest is not None:
                made.append((path, shown, digest, now))
                kept[path] = (shown, digest, now)
                if max(info.st_mtime_ns, info.st_ctime_ns) < now - SETTLED_NS:
                    self.settled.add(path)  # as the next build will judge it
        self._write("INSERT OR REPLACE INTO digests VALUES (?, ?, ?, ?)", made)
        self.digests.update(found)
        return found

    def _kept_for(self, paths: list[str]) -> dict[str, tuple[str, str, int]]:
        """The kept hashes of ``paths``: every kept hash, read once a build, when many are asked;
        else only theirs (the few files of the folders an edit changed)."""
        if self._kept is not None or len(paths) > 500 or self.connection is None:
            return self._kept_digests()
        try:
            marks = ",".join("?" * len(paths))
            rows = self.connection.execute(
                f"SELECT path, stat, digest, made FROM digests WHERE path IN ({marks})", paths
            )
            return {row[0]: row[1:] for row in rows}
        except sqlite3.Error:
            return {}

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
            for batch in chunks(keys):
                marks = ",".join("?" * len(batch))
                rows = self.connection.execute(f"SELECT key FROM reads WHERE key IN ({marks})", batch)
                found.update(row[0] for row in rows)
        except sqlite3.Error:
            return found
        return found

    def put(self, key: str, value: Any, path: str) -> None:
        """Store what was read of ``path`` (absolute) under ``key``."""
        try:
            self.put_blobs([(key, pickle.dumps(value, protocol=5), path)])
        except pickle.PickleError:
            pass

    def put_blobs(self, rows: list[tuple[str, bytes, str]]) -> None:
        """Store already pickled values (``(key, value, path)``, what ``read_ahead``'s workers
        send), in one transaction. One read a file and world is kept: the file's older reads
        in this world go (each edit stored a new read and the old one stayed until settings or
        code changed, so a kept ``.cache/`` grew by every edit), and so does its folder's
        summary, which may name them (a summary promises its reads are stored; a folder with
        a read stored now was not summarized this build: its key was not stored). A key holds
        the world, the path, the file's hash and what its read consults, so a dropped read
        could serve again only after an edit is put back exactly: then the file is read again."""
        world = self.world_id
        self._write_all(
            [
                ("DELETE FROM reads WHERE path = ? AND world = ? AND key != ?", [(p, world, k) for k, _, p in rows]),
                ("DELETE FROM folders WHERE folder = ?", [(os.path.dirname(p),) for p in {p for _, _, p in rows}]),
                (
                    "INSERT OR REPLACE INTO reads (key, value, world, path) VALUES (?, ?, ?, ?)",
                    [(k, v, world, p) for k, v, p in rows],
                ),
            ]
        )

    def _write(self, statement: str, rows: list[tuple[Any, ...]]) -> None:
        """``statement`` for every row, in one transaction; a cache that cannot be written is no error."""
        self._write_all([(statement, rows)])

    def _write_all(self, statements: list[tuple[str, list[tuple[Any, ...]]]]) -> None:
        """Each statement for each of its rows, all in one transaction."""
        statements = [(statement, rows) for statement, rows in statements if rows]
        if self.connection is None or not statements:
            return
        try:
            with self.connection:
                self.connection.execute("BEGIN")
                for statement, rows in statements:
                    self.connection.executemany(statement, rows)
        except sqlite3.Error:
            pass


class StaleSummary(RuntimeError):
    """A folder's kept keys no longer hold (``CHECK_KEPT`` found it): the summary's rule is broken."""


def _files(kept: str, names: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """A summary's hashes and keys of the files ``names`` (in order); None when it is damaged
    or names other files."""
    try:
        files = json.loads(kept)
        kept_names, digests, keys = zip(*files, strict=True) if isinstance(files, list) else ((), (), ())
    except (ValueError, TypeError):
        return None
    if list(kept_names) != names or {*map(type, digests), *map(type, keys)} != {str}:
        return None
    return digests, keys


def _by_folder(paths: list[str]) -> dict[str, list[str]]:
    """``paths`` (absolute, normalized) by their folder (``os.path.dirname``: what precedes
    the last separator but for a root), in order."""
    folders: dict[str, list[str]] = {}
    for path in paths:
        cut = path.rfind(os.sep)
        folder = path[:cut] if cut > 0 else os.path.dirname(path)
        inside = folders.get(folder)
        if inside is None:
            folders[folder] = [path]
        else:
            inside.append(path)
    return folders


def _named(folder: str, files: str) -> list[str]:
    """The paths of the files a kept summary (its ``files``) names; none when it is damaged."""
    try:
        return [os.path.join(folder, entry[0]) for entry in json.loads(files) if isinstance(entry[0], str)]
    except (ValueError, TypeError, IndexError):
        return []


def _not_read(kept: dict[str, Any], root: str, asked: dict[str, list[str]], looked: dict[str, list[str]]) -> list[str]:
    """The paths of ``kept`` under ``root`` that were not read this build: in a folder no file
    was read from, or not among the files read from a folder looked up."""
    sets = {folder: set(inside) for folder, inside in looked.items()}
    found = []
    for path in kept:
        if path.startswith(root):
            folder = os.path.dirname(path)
            if folder not in asked or (folder in sets and path not in sets[folder]):
                found.append(path)
    return found


def _shown(info: os.stat_result) -> str:
    """The numbers of a file's ``lstat`` a kept hash holds for."""
    return f"{info.st_dev}:{info.st_ino}:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}"


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


def _read_share(paths: list[str], fresh: Fresh) -> list[tuple[str, bytes, str]]:
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
            rows.append((made[0], pickle.dumps(made[1], protocol=5), path))
    return rows
