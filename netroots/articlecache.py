"""Diaries kept as Pelican made them, so a build makes ``Article`` objects only for what changed.

Pelican makes an ``Article`` for every diary in every build: its metadata from the settings
and the path, the reader's result, the ``article_generator_context`` receivers (the tags
plugin's spellings), ``Content.__init__`` (dates, zones, slugs, paths) and the
``content_object_init`` receivers (the media plugin, ``format_address``). With the read
cache (netroots/readcache.py) that was still 1.4 s of CPU a build at 10,000 diaries. Each
diary's finished object is kept in ``.cache/build/reads.sqlite`` (table ``articles``, one row
a path), keyed by its read-cache key (the file's bytes, what reading it consults, the build's
settings, templates and code) and by what every receiver of those two signals says it reads
(``netroots.fingerprint.reads``; the tags plugin: its vocabulary), joined: that digest is made
once a build, not hashed again with each diary's key. A later build with the same
key unpickles the object instead of making it (Pelican's own hook for a content cache,
``get_cached_data``/``cache_data``, which Netroots' ``ArticlesGenerator`` answers).

Kept only when it is safe to skip making the object again:
- every receiver of those signals is marked with ``reads`` (an unmarked one turns the cache off);
- a receiver that did something a build needs besides the object (the media plugin records
  pictures to publish) calls ``made_fresh(article)``: that diary is made again every build;
- nothing was logged at warning level or above while the diary was made (warnings are
  reported by every build);
- not a preview, and incremental builds are on.
The settings and the build's context are not stored (restored as this build's), and a Tag,
Author or Category is stored as its name (one object a name a build, as the reader does),
once a pickle: a later reference to it is a reference back (a diary names its author three
times, each a call of ``_Names.load`` when it was named again).

A kept diary (stored or restored this build) is digested for pages' fingerprints from its
pickle, not by walking it (``netroots.fingerprint.Kept``, registered in ``kept_objects``):
the walk of 10,000 diaries was half a second of every build that renders nothing. The
pickle's hash (``pickle_state``) is stored in its row beside it, made once when the row is
written (hashing 10,000 pickles was 0.05 s of every build); under ``CHECK_KEPT`` (the test
suite) a restored pickle is hashed again and a row whose hash does not match fails the build.

A pickle names what every diary holds alike by its number in ``VOCABULARY`` (Pelican's
classes, the attribute names, their common values), as if those had been stored in it
before, instead of spelling them out: restoring 10,000 diaries imported four classes and
decoded forty names a diary (a quarter of the time it took). The rows' key holds the
vocabulary's digest, so a pickle is never read with another vocabulary than it was made with.

A build reads the rows of its own content folder only (one ``.cache`` may have served others,
or a moved copy of the site), and drops the rows of diaries Pelican no longer asks for
(deleted, renamed or excluded). The rows are kept in path order (``WITHOUT ROWID``), the
order the build reads them in, and read as memory (``mmap_size``): kept by rowid, each row
read in path order was an index entry and a seek into the table, and each page a read call
(0.49 s of every build at 50,000 diaries). A store of an older shape (a row without its
hash, rows kept by rowid) is made again, not an error.
"""

from __future__ import annotations

import datetime
import functools
import gc
import hashlib
import io
import logging
import os
import pickle
import sqlite3
import struct
import sys
import zoneinfo
from itertools import chain
from typing import Any

from pelican import signals
from pelican.contents import Article
from pelican.urlwrappers import Author, Category, Tag, URLWrapper
from pelican.utils import SafeDatetime

from .changelog import DiaryChanges, diary_changes, log_changes
from .contentfiles import joined
from .fingerprint import CHECK_KEPT, Digester, Kept, KeptChanged, pickle_state, receiver_inputs
from .plugin import STATE_KEY, build_state
from .readcache import LoggedProblems
from .site import cache_database, cache_dir, preview_of

__all__ = ["DiaryChanges", "KeptArticles", "diary_changes", "kept_objects", "made_fresh"]

logger = logging.getLogger(__name__)

WRAPPERS: dict[str, type[URLWrapper]] = {"Tag": Tag, "Author": Author, "Category": Category}
# The kept diaries' table, rows in path order; a store of another shape (an older version's) is made again.
TABLE = "CREATE TABLE articles (path TEXT PRIMARY KEY, key TEXT, state BLOB, value BLOB) WITHOUT ROWID"
# How much of reads.sqlite the kept rows' connection reads as memory (SQLite's mmap_size).
MAPPED = 1 << 31
# Receivers connected without a sender (every plugin's) answer this one.
_ANY_ARTICLE = object()
_UNKNOWN = object()

# What every diary's pickle would spell out (attribute names, metadata keys, the values all
# diaries share, the names a zone is pickled with), stored as a number into this list. Only
# a shorter pickle depends on it: a name missing here is spelled out in the pickle.
VOCABULARY_NAMES = (
    *("settings", "_content", "_context", "_summary", "_status", "translations", "translation"),
    *("metadata", "reader", "template", "in_default_lang", "lang", "source_path", "relative_source_path"),
    *("title", "date", "modified", "slug", "author", "authors", "category", "tags", "status", "summary"),
    *("date_format", "timezone", "locale_date", "locale_modified", "override_url", "override_save_as"),
    *("groups", "updates", "html", "diary_id", "kind", "raw_tags", "media", "media_info", "scheduled"),
    *("netroots", "published", "draft", "hidden", "diary", "article", "diaries", "en", "context", "_unpickle"),
)
# The classes every diary's pickle names, stored likewise (restoring one imported each).
VOCABULARY_CLASSES = (Article, SafeDatetime, datetime.datetime, datetime.date, zoneinfo.ZoneInfo, getattr)
VOCABULARY: tuple[Any, ...] = tuple(dict.fromkeys((*VOCABULARY_CLASSES, *map(sys.intern, VOCABULARY_NAMES))))


def kept_objects(settings: dict[str, Any]) -> dict[int, Kept]:
    """This build's kept diaries by id, for the pages' digester (netroots/incremental.py)."""
    return build_state(settings, "kept_digests")


def made_fresh(article: Any) -> None:
    """``content_object_init`` receivers: this diary's object must be made again next build
    (the receiver did more than set attributes on it, e.g. recorded files to publish)."""
    settings = getattr(article, "settings", None)
    if isinstance(settings, dict):
        build_state(settings, "articles").setdefault("fresh", set()).add(id(article))


class KeptArticles:
    """``get``/``put`` for one ``ArticlesGenerator``'s build; does nothing when turned off."""

    def __init__(self, generator: Any) -> None:
        from .incremental import build_settings

        self.generator = generator
        self.prefix = os.path.join(os.path.abspath(generator.path), "")  # the diaries' paths start so
        self.settings = generator.settings
        self.context = generator.context
        self.on = bool(build_settings(self.settings)["incremental"]) and not preview_of(self.settings)
        self.inputs: bytes | None = None
        self.suffix = ""  # ends every diary's key, after its read key: the digest of ``inputs``, made once
        self.article_keys: dict[str, Any] = {}  # each extension's reader's ``article_key`` (or None)
        self.registered: dict[int, Kept] | None = None  # ``kept_objects``, looked up once
        self.connection: sqlite3.Connection | None = None
        self.rows: list[tuple[str, str, bytes, bytes]] = []
        self.stored: sqlite3.Cursor | None = None  # the kept rows in path order, read as Pelican asks
        self.ahead: tuple[str, str, bytes, bytes] | None = None  # the next of them
        self.asked = ""  # the last path asked for
        self.passed: set[str] = set()  # kept rows no diary asked for (deleted, renamed, excluded)
        self.fresh: list[str] = []  # the paths asked for that were not restored (netroots/changelog.py)
        self.check = bool(os.environ.get(CHECK_KEPT))  # read once a build, not once a diary
        self._named_settings: dict[str, dict[str, Any]] | None = None
        self.watch: tuple[str, LoggedProblems, str] | None = None
        self.names: _Names | None = None  # what the pickles name, made once a build
        self.vocabulary = _vocabulary(VOCABULARY)
        self.restored = 0
        self.made = 0
        self.paused = False  # collections paused by ``_pause``

    def _start(self) -> bool:
        """The receivers' inputs and the store, once (receivers are all connected by now)."""
        if self.inputs is not None or not self.on:
            return self.on
        marked = [
            receiver_inputs(signals.article_generator_preread.receivers_for(self.generator), self.context),
            receiver_inputs(signals.article_generator_context.receivers_for(self.generator), self.context),
            receiver_inputs(signals.content_object_init.receivers_for(_ANY_ARTICLE), self.context),
        ]
        if any(found is None for found in marked):
            logger.debug("kept diaries: off (a content receiver does not say what it reads)")
            self.on = False
            return False
        digest = Digester(opaque=[self.settings, self.context, self.settings.get(STATE_KEY)])
        self.inputs = digest(marked) + self.vocabulary.format  # rows of another vocabulary are never read
        self.suffix = "\0" + hashlib.blake2b(self.inputs, digest_size=16).hexdigest()
        try:
            path = cache_dir(self.settings, "build") / "reads.sqlite"
            self.connection = cache_database(path)
            self.connection.execute(f"PRAGMA mmap_size={MAPPED}")
            _make_table(self.connection)
        except (OSError, sqlite3.Error):
            self.connection = None
            self.on = False
        return self.on

    def _key(self, filename: str) -> str | None:
        extension = filename.rsplit(".", 1)[-1]
        article_key = self.article_keys.get(extension, _UNKNOWN)
        if article_key is _UNKNOWN:
            reader = self.generator.readers.readers.get(extension)
            article_key = self.article_keys[extension] = getattr(reader, "article_key", None)
        read_key = article_key(filename) if article_key is not None else None
        if read_key is None or self.inputs is None:
            return None
        return read_key + self.suffix

    def get(self, filename: str) -> Any | None:
        """The kept object of ``filename`` (under the content folder), or None (then Pelican
        makes it, with collections on)."""
        found = self._kept(filename)
        if found is None:
            self.resume()
            self.fresh.append(joined(self.prefix, filename))
        return found

    def _kept(self, filename: str) -> Any | None:
        if self.watch is not None:
            self._unwatch()
        if (self.inputs is None and not self._start()) or not self.on or self.connection is None:
            return None
        path = joined(self.prefix, filename)  # as Pelican's read_file
        key = self._key(path)
        if key is None:
            return None
        try:
            row = self._row(path)
        except sqlite3.Error:
            row = None
        if row is not None and row[0] == key:
            if self.check and pickle_state(row[2]) != row[1]:
                raise KeptChanged(f"{path}: its kept object does not match the hash stored with it (reads.sqlite)")
            self._pause()
            try:
                article = self._load(row[2], row[1])
            except Exception:
                article = None
            if article is not None:
                self.restored += 1
                return article
        handler = LoggedProblems()
        logging.getLogger().addHandler(handler)
        self.watch = (path, handler, key)  # the key the object is made from (Pelican's read uses it)
        return None

    def _pause(self) -> None:
        """Restoring 10,000 diaries makes some 150,000 objects that live until the build
        ends: Python's young collections walked each about twice as they were made, finding
        nothing (~0.05 s of CPU). Collections pause while kept diaries are restored one after
        another; ``resume`` moves what was made meanwhile to the oldest generation unwalked (a
        build makes no full collection: ``netroots.build.no_full_collections``)."""
        if not self.paused and gc.isenabled():
            gc.disable()
            self.paused = True

    def resume(self) -> None:
        """Collections on again (before Pelican makes a diary, and when it has asked for all).
        Objects someone else froze (``gc.freeze`` before forking) stay frozen: then what was
        restored is left to the collections as it was made."""
        if self.paused:
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()
            self.paused = False

    def _row(self, path: str) -> tuple[str, bytes, bytes] | None:
        """The kept (key, pickle's hash, pickle) of ``path``. Pelican asks for the diaries in
        path order, so one query reads those under the content folder in that order (a query
        a diary took 0.15 s at 10,000); the rows it passes over are no diary's now."""
        assert self.connection is not None
        if path < self.asked:  # asked out of order: look it up alone
            self.passed.discard(path)
            return self.connection.execute("SELECT key, state, value FROM articles WHERE path = ?", (path,)).fetchone()
        self.asked = path
        if self.stored is None:
            self.stored = self.connection.execute(
                "SELECT path, key, state, value FROM articles WHERE path > ? AND path < ? ORDER BY path",
                _under(self.prefix[:-1]),
            )
            self.ahead = self.stored.fetchone()
        while self.ahead is not None and self.ahead[0] < path:  # rows of deleted diaries
            self.passed.add(self.ahead[0])
            self.ahead = self.stored.fetchone()
        if self.ahead is None or self.ahead[0] != path:
            return None
        found, self.ahead = self.ahead, self.stored.fetchone()
        return found[1], found[2], found[3]

    def put(self, filename: str, article: Any) -> None:
        """Pelican made ``article`` for ``filename`` and found it valid: keep it if it is safe."""
        path = joined(self.prefix, filename)  # as Pelican's read_file
        watched = self.watch
        self._unwatch()
        self.made += 1
        if not self.on or watched is None or watched[0] != path or watched[1].count:
            return
        if id(article) in build_state(self.settings, "articles").get("fresh", ()):
            return
        key = watched[2]
        if self._key(path) != key:  # the file changed while it was read: its next build makes it again
            return
        try:
            blob = self._dump(article)
        except Exception:
            return
        self.rows.append((path, key, pickle_state(blob), blob))

    def save(self) -> None:
        """Store what this build made, drop the rows no diary asked for, and log which diaries
        changed (``diary_changes``), in one transaction (Pelican has asked for every diary by now)."""
        self.resume()
        self._unwatch()
        logging_on = self.on and not self.generator._pelicans_cache() and self._start()
        gone: list[tuple[str]] = []
        if self.stored is not None:
            try:
                while self.ahead is not None:  # after the last diary asked for
                    self.passed.add(self.ahead[0])
                    self.ahead = self.stored.fetchone()
            except sqlite3.Error:
                self.passed.clear()
                logging_on = False
            gone = [(path,) for path in sorted(self.passed)]
            self.stored.close()
            self.stored, self.ahead, self.passed = None, None, set()
        elif logging_on and self.connection is not None:  # no diary asked for: every row under content/ is gone
            gone = self.connection.execute(
                "SELECT path FROM articles WHERE path > ? AND path < ?", _under(self.prefix[:-1])
            ).fetchall()
        logger.debug(
            "kept diaries: %d restored, %d made, %d kept, %d dropped",
            self.restored,
            self.made,
            len(self.rows),
            len(gone),
        )
        if logging_on:  # a diary made and not kept: a row no key matches (its older one would be
            # restored later, unlogged, though it changed since the last build; and its file's
            # deletion is logged as a row's)
            kept = {row[0] for row in self.rows}
            self.rows += [(path, "", b"", b"") for path in self.fresh if path not in kept]
        if self.connection is None or not (self.rows or gone or logging_on):
            return
        try:
            with self.connection:
                self.connection.execute("BEGIN")
                self.connection.executemany("DELETE FROM articles WHERE path = ?", gone)
                self.connection.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?)", self.rows)
                if logging_on:
                    changes = log_changes(self.connection, chain(self.fresh, (path for (path,) in gone)))
                    build_state(self.settings, "articles")["changes"] = changes
        except sqlite3.Error:
            build_state(self.settings, "articles").pop("changes", None)
        self.rows = []

    def _unwatch(self) -> None:
        if self.watch is not None:
            logging.getLogger().removeHandler(self.watch[1])
            self.watch = None

    def _settings(self) -> dict[str, dict[str, Any]]:
        """The settings dicts a diary's objects may hold, by name: the build's and each reader's
        own copy (the diaries reader makes Authors with its own). Once a build, not once a diary."""
        found = self._named_settings
        if found is None:
            found = self._named_settings = {"settings": self.settings}
            for extension, reader in sorted(self.generator.readers.readers.items()):
                if isinstance(getattr(reader, "settings", None), dict) and reader.settings is not self.settings:
                    found[f"reader:{extension}"] = reader.settings
        return found

    def _dump(self, article: Any) -> bytes:
        out = io.BytesIO()
        pickler = _Pickler(out, self.vocabulary, self._settings(), self.context)
        pickler.dump(article)
        blob = out.getvalue()
        self._register(article, pickle_state(blob), pickler.shared)
        return blob

    def _load(self, blob: bytes, state: bytes) -> Any:
        names = self.names
        if names is None:
            names = self.names = _Names(self._settings(), self.context)
        names.shared = []
        unpickler = pickle.Unpickler(io.BytesIO(blob))
        unpickler.memo = self.vocabulary.memo
        unpickler.persistent_load = names.load
        article = unpickler.load()
        self._register(article, state, names.shared)
        return article

    def _register(self, article: Any, state: bytes, shared: list[Any]) -> None:
        """The pages' digester digests ``article`` from ``state`` (the hash of the pickle it
        was stored as or restored from) and ``shared`` (what the pickle names), as built now."""
        if type(article) is Article:
            registered = self.registered
            if registered is None:
                registered = self.registered = kept_objects(self.settings)
            registered[id(article)] = Kept(article, state, shared, self.check)


def _make_table(connection: sqlite3.Connection) -> None:
    """The ``articles`` table, made again when an earlier version left it in another shape
    (another statement made it: other columns, or rows kept by rowid)."""
    found = connection.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'articles'").fetchone()
    if found is not None and found[0] != TABLE:
        connection.execute("DROP TABLE articles")
    connection.execute(TABLE.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS", 1))


def _under(folder: str) -> tuple[str, str]:
    """Bounds (exclusive) between which the paths of the files under ``folder`` sort, as
    SQLite compares text (by bytes: as Python compares ``str``)."""
    return folder + os.sep, folder + chr(ord(os.sep) + 1)


class _Pickler(pickle._Pickler):
    """Settings and the build's context by name; a Tag, Author or Category by its name and
    the name of the settings it holds; what the vocabulary holds by its number there.

    Python's own pickler (protocol 5), writing each object it keeps for later references
    with its number (``BINPUT``) where protocol 4 writes "the next number" (``MEMOIZE``): a
    pickle counts on the vocabulary's numbers, which the unpickler is handed as its memo
    before it reads (``_Vocabulary.memo``), and which its "next number" does not count
    (CPython's ``Unpickler.memo`` setter leaves it at 0)."""

    def __init__(
        self,
        out: io.BytesIO,
        vocabulary: _Vocabulary,
        settings: dict[str, dict[str, Any]],
        context: dict[str, Any],
    ) -> None:
        super().__init__(out, protocol=5)
        self.memo = dict(vocabulary.numbers)
        self.words = vocabulary.words
        self.names = {id(value): name for name, value in settings.items()}
        self.context = context
        self.shared: list[Any] = []  # the objects stored by name, in the pickle's order
        self.spelled: dict[tuple[str, str, str], str] = {}  # one string a name (stored once a pickle)

    def put(self, idx: int) -> bytes:
        if idx < 256:
            return pickle.BINPUT + bytes((idx,))
        return pickle.LONG_BINPUT + struct.pack("<I", idx)

    def save(self, obj: Any, save_persistent_id: bool = True) -> None:
        """A word of the vocabulary by its number, whichever string object spells it (what
        a diary's reader made came from another process, not as Python's own strings); an
        object stored by name is kept for later references like any other (its author is
        named three times a diary: each a call of ``_Names.load`` restoring it)."""
        if type(obj) is str:
            number = self.words.get(obj)
            if number is not None:
                self.write(self.get(number))
                return
        found = self.memo.get(id(obj))
        if found is not None:
            self.write(self.get(found[0]))
            return
        named = self.persistent_id(obj) if save_persistent_id else None
        if named is None:
            super().save(obj, save_persistent_id)
        else:
            self.save_pers(named)
            self.memoize(obj)

    def persistent_id(self, obj: Any) -> Any:
        found = self._name(obj)
        if found is not None:
            self.shared.append(obj)
        return found

    def _name(self, obj: Any) -> str | None:
        if obj is self.context:
            return "context"
        if type(obj) is dict:
            return self.names.get(id(obj))
        if type(obj) in _WRAPPED:
            held = self.names.get(id(obj.settings))
            if held is None:
                raise pickle.PicklingError("a Tag, Author or Category with other settings")
            named = (type(obj).__name__, obj._name, held)
            found = self.spelled.get(named)
            if found is None:
                found = self.spelled[named] = "\0".join(named)
            return found
        return None


class _Names:
    """``_Pickler``'s names undone with this build's settings and context, and one Tag,
    Author or Category a name (and settings) a build: a diary names ten objects, each looked
    up, not worked out, again. ``shared`` lists what the pickle being read named, in its order."""

    def __init__(self, settings: dict[str, dict[str, Any]], context: dict[str, Any]) -> None:
        self.settings, self.context = settings, context
        self.named: dict[str, Any] = {}
        self.shared: list[Any] = []

    def load(self, pid: Any) -> Any:
        found = self.named.get(pid)
        if found is None:
            found = self.named[pid] = self._object(pid)
        self.shared.append(found)
        return found

    def _object(self, pid: Any) -> Any:
        if not isinstance(pid, str):
            raise pickle.UnpicklingError(f"not a name of _Pickler's: {pid!r}")
        if pid == "context":
            return self.context
        if "\0" not in pid:
            return self.settings[pid]
        kind, rest = pid.split("\0", 1)
        name, held = rest.rsplit("\0", 1)
        return WRAPPERS[kind](name, self.settings[held])


class _Vocabulary:
    """``VOCABULARY`` as the pickler and the unpickler take it: each word's number by its id
    (the pickler's memo) and each string's by its value, an unpickler's memo holding each
    word at its number (for each unpickler to copy: CPython's ``Unpickler.memo`` setter
    copies another unpickler's memo, and drops a dict's), and the digest the rows' key holds."""

    def __init__(self, words: tuple[Any, ...]) -> None:
        self.numbers = {id(word): (number, word) for number, word in enumerate(words)}
        self.words = {word: number for number, word in enumerate(words) if type(word) is str}
        if len(self.numbers) != len(words):
            raise ValueError("a word twice in the kept diaries' vocabulary")
        body = b"".join(  # stores each word at its number as it is handed over
            pickle.BININT
            + struct.pack("<i", number)
            + pickle.BINPERSID
            + pickle.LONG_BINPUT
            + struct.pack("<I", number)
            + pickle.POP
            for number in range(len(words))
        )
        reader = pickle.Unpickler(io.BytesIO(pickle.PROTO + b"\x05" + body + pickle.NONE + pickle.STOP))
        reader.persistent_load = words.__getitem__
        reader.load()
        self.memo = reader.memo  # holds the reader
        held = self.memo.copy()
        if any(held.get(number) is not word for number, word in enumerate(words)):
            raise RuntimeError("the kept diaries' vocabulary did not come back at its numbers")
        spelled = [f"{word.__module__}.{word.__qualname__}" if callable(word) else repr(word) for word in words]
        self.format = hashlib.blake2b("\n".join(spelled).encode(), digest_size=16).digest()


@functools.cache
def _vocabulary(words: tuple[Any, ...]) -> _Vocabulary:
    return _Vocabulary(words)


_WRAPPED = frozenset(WRAPPERS.values())
