"""``.cache/search/related.sqlite``: what related diaries keep from build to build, a row a diary.

Each diary's row holds its number, its signature and the content hash it was made from, its
scored list and the keys it names, and what its page showed of them (each related diary's card
and the list's digest: plugins/search/shown.py); table ``holders`` holds, for each word, the
numbers of the diaries whose signature holds it and their weights for it (what scoring one
signature against all others needs, so an edit reads the signatures of the few diaries it can
be listed with, not all of them: :class:`KeptSignatures`); table ``weights`` holds the word
weights the signatures used, ``meta`` the format and the state of the documents the rows were
computed from. A build writes, in one transaction, only the rows whose values changed (one edit: its
own row and those of the lists it entered or left), where the three pickles it replaces were
written whole (23 MB at 50,000 diaries for one changed diary), and reads only what it needs:
an unchanged build the names and what was shown, never the signatures or scores.

A store of another format (:data:`FORMAT`, the list length, the words per signature) is
emptied; a damaged file is removed and made again. Either way every list is computed anew.
"""

from __future__ import annotations

import pickle
import sqlite3
from array import array
from collections.abc import Container, Iterable, Mapping
from itertools import compress
from operator import ne
from pathlib import Path
from typing import Any

from netroots.site import KeyedView, cache_database, chunks

STORE_FILE = "related.sqlite"
FORMAT = 4  # of the tables below (holders since 2, made since 3, id and tags since 4); another value empties the store
# Keys a list names, joined: no file name holds a NUL.
SEPARATOR = "\0"

# Each diary's row: ``number`` (its number in ``holders``, kept while the row lives), ``scored``, ``needed`` (the score a diary must pass to enter the list:
# its last one when full, else 0) and ``names`` are written together, ``shown`` is the
# digest of what the page showed of ``names`` (NULL once ``names`` changed), ``card`` what the
# page of another diary shows of this one and ``made`` the state of the diary object it was
# made from (plugins/search/shown.py), ``id`` the diary's ``diary_id`` (what the walk of the diaries
# found: plugins/search/generator.py). Not WITHOUT ROWID: rows of 1 KB spill over a page
# each there (46 MB at 10,000 diaries, 10 MB with rowids).
TABLE = (
    "CREATE TABLE IF NOT EXISTS diaries (key TEXT PRIMARY KEY, number INTEGER, hash TEXT, signature BLOB,"
    " scored BLOB, needed REAL, names TEXT, card TEXT, made BLOB, shown BLOB, id TEXT)"
)
# What :meth:`RelatedStore.computed` and :meth:`RelatedStore.rows` read of every row, each
# scanned without the rows' signatures, lists and cards (a scan of the table read them all:
# 113 MB at 50,000 diaries; these hold about 100 and 150 bytes a row).
INDEXES = (
    "CREATE INDEX IF NOT EXISTS diaries_computed ON diaries (key, number, hash, needed)",
    "CREATE INDEX IF NOT EXISTS diaries_rows ON diaries (key, names, made, shown, id)",
)
# Each word's holders: their numbers (int32) and their weights for it (float64), in one order.
HOLDERS = "CREATE TABLE IF NOT EXISTS holders (word TEXT PRIMARY KEY, numbers BLOB, weights BLOB)"
Held = dict[str, tuple[bytes, bytes]]
# Each diary's tags (their names joined by :data:`SEPARATOR`), for the count of every tag in
# meta ``tags`` (what /search/ offers): a build reads the rows of the diaries that changed.
TAGS = "CREATE TABLE IF NOT EXISTS tags (key TEXT PRIMARY KEY, names TEXT)"


def dumps(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def names_of(text: str | None) -> list[str]:
    return text.split(SEPARATOR) if text else []


class Names(KeyedView[list[str]]):
    """Each diary's list as the keys it names, held as the text the store keeps (``text``:
    joined by :data:`SEPARATOR`) and split when asked: an unchanged build hands 50,000 lists
    on without splitting one."""

    def __init__(self, texts: dict[str, str | None]) -> None:
        self.texts = texts
        self.keys_held = texts

    def __getitem__(self, key: str) -> list[str]:
        return names_of(self.texts[key])


class Damaged(Exception):
    """A kept row could not be read: nothing kept is trusted, everything is computed again."""


class RelatedStore:
    """One connection to ``related.sqlite`` for one build; the writes of a build are one
    transaction (:meth:`close` commits it), so the rows and ``meta`` always agree. Reads that
    fail (a damaged file) give nothing, so everything is computed again; the file is then
    made anew."""

    def __init__(self, path: Path, version: str) -> None:
        self.path = path
        self.version = f"{FORMAT} {version}"
        self.connection: sqlite3.Connection | None = None
        self.writing = False
        self._rows: dict[str, tuple[str | None, bytes | None, bytes | None, str | None]] | None = None
        self._computed: list[tuple] | None = None
        self._names: dict[str, str | None] = {}
        self.written = 0  # rows written or deleted this build (tests count them)
        self.signatures_read = 0  # kept signatures read this build (tests count them)
        self.opened = False
        try:
            self._open()
        except sqlite3.DatabaseError:  # not a database, or damaged: made again
            self._remove()
            try:
                self._open()
            except sqlite3.Error:
                self.connection = None

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = cache_database(self.path)
        self.connection.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
        if self.meta("version") != self.version:
            with self.connection:
                self.connection.execute("BEGIN")
                self.connection.execute("DROP TABLE IF EXISTS diaries")
                self.connection.execute("DROP TABLE IF EXISTS weights")
                self.connection.execute("DROP TABLE IF EXISTS holders")
                self.connection.execute("DROP TABLE IF EXISTS tags")
                self.connection.execute("DELETE FROM meta")
                self.connection.execute("INSERT INTO meta VALUES ('version', ?)", (self.version,))
        self.connection.execute(TABLE)
        for index in INDEXES:
            self.connection.execute(index)
        self.connection.execute(HOLDERS)
        self.connection.execute(TAGS)
        self.connection.execute("CREATE TABLE IF NOT EXISTS weights (word TEXT PRIMARY KEY, weight REAL)")
        self.connection.execute("SELECT 1 FROM diaries LIMIT 1").fetchone()  # fails when damaged

    def _remove(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def meta(self, name: str) -> str | None:
        if self.connection is None:
            return None
        try:
            row = self.connection.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        except sqlite3.Error:
            return None
        return row[0] if row else None

    def _select(self, query: str, parameters: Iterable[Any] = ()) -> list[tuple]:
        """Rows of ``query``; none when the store cannot be read (then its meta is forgotten
        too, so no build trusts what it could not read)."""
        if self.connection is None:
            return []
        try:
            return self.connection.execute(query, tuple(parameters)).fetchall()
        except sqlite3.Error:
            self.reset()
            return []

    # What the related step reads.

    def computed(self) -> tuple[KeptSignatures, KeptLists, dict[str, str]]:
        """The kept signatures and lists (:class:`KeptSignatures`, :class:`KeptLists`: each read
        when asked) and every content hash: what a build that computes lists reads."""
        keys, number, found, least = self._computed_columns()
        if not set(map(type, number)) <= {int} or not set(map(type, least)) <= {float, int}:
            self.reset()  # a row that is not whole: nothing kept is trusted
            return KeptSignatures(self, {}, 0), KeptLists(self, {}), {}
        numbers = dict(zip(keys, number, strict=True))
        needed = dict(zip(keys, map(float, least), strict=True))
        hashes = dict(zip(keys, found, strict=True))
        following = max(max(numbers.values(), default=-1) + 1, int(self.meta("numbered") or 0))
        return KeptSignatures(self, numbers, following), KeptLists(self, needed), hashes

    def _computed_columns(self) -> list[tuple]:
        """Each row's key, number, hash and ``needed``, read once a build (before any write)."""
        if self._computed is None:
            self._computed = columns(self._select("SELECT key, number, hash, needed FROM diaries"), 4)
        return self._computed

    def hashes(self) -> dict[str, str]:
        """Each row's content hash (what :meth:`computed` reads with it)."""
        keys, _, found, _ = self._computed_columns()
        return dict(zip(keys, found, strict=True))

    def reset(self) -> None:
        """Empty the store (it was found damaged): everything is computed and written again."""
        self._remove()
        self._rows = None
        self._computed = None
        self._names = {}
        self.writing = False
        try:
            self._open()
        except sqlite3.Error:
            self.connection = None

    def scored(self, key: str) -> list[tuple[str, float]]:
        found = self._select("SELECT scored FROM diaries WHERE key = ?", (key,))
        try:
            scored = pickle.loads(found[0][0])
        except Exception as exc:
            raise Damaged(f"{self.path}: the list of {key}") from exc
        if not isinstance(scored, list):
            raise Damaged(f"{self.path}: the list of {key}")
        return scored

    def signatures(self, keys: list[str]) -> dict[str, dict[str, float]]:
        """The kept signatures of ``keys`` (each has a row)."""
        found: dict[str, dict[str, float]] = {}
        for chunk in chunks(keys):
            rows = self._select(
                f"SELECT key, signature FROM diaries WHERE key IN ({','.join('?' * len(chunk))})", chunk
            )
            try:
                found.update((key, pickle.loads(signature)) for key, signature in rows)
            except Exception as exc:
                raise Damaged(f"{self.path}: a signature of {chunk}") from exc
        missing = [key for key in keys if not isinstance(found.get(key), dict)]
        if missing:
            raise Damaged(f"{self.path}: the signature of {missing[0]}")
        self.signatures_read += len(found)
        return found

    def holders(self, words: Iterable[str]) -> Held:
        """``word -> (numbers, weights)`` of the kept holders of ``words`` (those any diary holds)."""
        found: Held = {}
        for chunk in chunks(sorted(words)):
            query = f"SELECT word, numbers, weights FROM holders WHERE word IN ({','.join('?' * len(chunk))})"
            found.update((word, (numbers, weights)) for word, numbers, weights in self._select(query, chunk))
        return found

    def tags(self, keys: list[str] | None = None) -> dict[str, str]:
        """The kept tags of ``keys`` (None: of every diary), each as its names joined."""
        if keys is None:
            return dict(self._select("SELECT key, names FROM tags"))
        found: dict[str, str] = {}
        for chunk in chunks(keys):
            found.update(
                self._select(f"SELECT key, names FROM tags WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            )
        return found

    def weights(self) -> dict[str, float]:
        return dict(self._select("SELECT word, weight FROM weights"))

    def rows(self) -> dict[str, tuple[str | None, bytes | None, bytes | None, str | None]]:
        """``key -> (names, made, shown, id)`` of every row as the build found them, read once (an
        unchanged build reads these and nothing else; the cards only where ``made`` differs:
        :meth:`cards`); none once the store was found damaged."""
        if self._rows is None:
            keys, names, made, shown, ids = columns(self._select("SELECT key, names, made, shown, id FROM diaries"), 5)
            self._rows = dict(zip(keys, zip(names, made, shown, ids, strict=True), strict=True))
            self._names = dict(zip(keys, names, strict=True))
        return self._rows

    def names(self) -> dict[str, str | None]:
        """``key -> names`` of every row as the build found them (:meth:`rows`, made with them)."""
        self.rows()
        return self._names

    def cards(self, keys: list[str]) -> dict[str, str]:
        """The kept cards of ``keys`` (of those that have one)."""
        found: dict[str, str] = {}
        for chunk in chunks(keys):
            query = f"SELECT key, card FROM diaries WHERE card IS NOT NULL AND key IN ({','.join('?' * len(chunk))})"
            found.update(self._select(query, chunk))
        return found

    # Writes: one transaction a build.

    def _begin(self) -> sqlite3.Connection | None:
        if self.connection is not None and not self.writing:
            try:
                self.connection.execute("BEGIN")
                self.writing = True
            except sqlite3.Error:
                self.connection = None
        return self.connection

    def _write(self, query: str, rows: Iterable[tuple]) -> None:
        connection = self._begin()
        if connection is None:
            return
        rows = list(rows)
        if not rows:
            return
        try:
            connection.executemany(query, rows)
            self.written += len(rows)
        except sqlite3.Error:
            self._abandon()

    def _abandon(self) -> None:
        """A write failed: nothing of this build is kept, and the store starts over next build."""
        if self.connection is not None:
            try:
                self.connection.rollback()
            except sqlite3.Error:
                pass
        self.writing = False
        self._remove()

    def set_meta(self, name: str, value: str | None) -> None:
        if value is None:
            self._write("DELETE FROM meta WHERE name = ?", [(name,)])
        else:
            self._write("INSERT OR REPLACE INTO meta VALUES (?, ?)", [(name, value)])

    def save_related(
        self,
        signatures: Mapping[str, dict[str, float]],
        hashes: Mapping[str, str],
        fresh: Mapping[str, list[tuple[str, float]]],
        old: tuple[Mapping[str, dict[str, float]], Mapping[str, list[tuple[str, float]]], Mapping[str, str]],
        count: int,
        numbers: Mapping[str, int],
        remade: Iterable[str] | None = None,
    ) -> None:
        """Write the rows whose signature or hash differ from ``old`` (what :meth:`computed`
        gave) and those whose ``fresh`` list (the lists computed this build) differs from the
        kept one; delete those of diaries gone. Only the signatures of ``remade`` (None: of
        all) can differ: the others are not read. A new row takes its number in ``numbers``.
        A row whose list names other diaries loses its shown digest (it was made for the old
        names)."""
        old_signatures, old_lists, old_hashes = old
        self._save_signatures(signatures, hashes, old_signatures, old_hashes, numbers, remade)
        moved = [key for key in fresh if key not in old_lists or fresh[key] != old_lists[key]]
        renamed = {
            key
            for key in moved
            if key not in old_lists or [name for name, _ in fresh[key]] != [name for name, _ in old_lists[key]]
        }
        self._write(
            "UPDATE diaries SET scored = ?, needed = ?, names = ?, shown = CASE WHEN ? THEN NULL ELSE shown END"
            " WHERE key = ?",
            [
                (
                    dumps(fresh[key]),
                    fresh[key][-1][1] if len(fresh[key]) >= count else 0.0,
                    SEPARATOR.join(name for name, _ in fresh[key]),
                    key in renamed,
                    key,
                )
                for key in moved
            ],
        )

    def _save_signatures(
        self,
        signatures: Mapping[str, dict[str, float]],
        hashes: Mapping[str, str],
        old_signatures: Mapping[str, dict[str, float]],
        old_hashes: Mapping[str, str],
        numbers: Mapping[str, int],
        remade: Iterable[str] | None,
    ) -> None:
        """The signature rows of :meth:`save_related`, and meta ``numbered``. Which rows changed is
        found by set operations on the keys and hashes (in C), not a diary at a time."""
        current = set(signatures)
        self._write("DELETE FROM diaries WHERE key = ?", [(key,) for key in sorted(set(old_signatures) - current)])
        redone = current if remade is None else set(remade)
        old = keys_of(old_signatures)
        changed = {key for key in differing(hashes, old_hashes) if key in current}
        changed |= current.difference(old)
        changed |= {key for key in redone - changed if signatures[key] != old_signatures[key]}
        made = list(signatures) if len(changed) == len(current) else sorted(changed)
        following = max(numbers.values(), default=-1) + 1
        if following > int(self.meta("numbered") or 0):
            self.set_meta("numbered", str(following))
        self._write(
            "INSERT INTO diaries (key, number, hash, signature) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE"
            " SET hash = excluded.hash, signature = excluded.signature",
            [(key, numbers[key], hashes[key], dumps(signatures[key])) for key in made],
        )

    def save_holders(self, held: Mapping[str, tuple[bytes, bytes]], everything: bool = False) -> None:
        """Write the holders of each word of ``held`` (none: its row is deleted); with
        ``everything``, ``held`` replaces every row."""
        if everything:
            self._write("DELETE FROM holders", [()])
        self._write(
            "DELETE FROM holders WHERE word = ?", [(word,) for word, (numbers, _) in held.items() if not numbers]
        )
        self._write(
            "INSERT OR REPLACE INTO holders VALUES (?, ?, ?)",
            [(word, numbers, weights) for word, (numbers, weights) in held.items() if numbers],
        )

    def save_weights(self, weights: Mapping[str, float], before: Mapping[str, float]) -> None:
        """Write the weights that moved, delete those of words no document holds any more."""
        self._write("DELETE FROM weights WHERE word = ?", [(word,) for word in before if word not in weights])
        self._write(
            "INSERT OR REPLACE INTO weights VALUES (?, ?)",
            [(word, weight) for word, weight in weights.items() if before.get(word) != weight],
        )

    def save_shown(
        self, cards: Iterable[tuple[str, bytes | None, str, str]], shown: Iterable[tuple[bytes, str]]
    ) -> None:
        """``(card, made, id, key)`` of the rows whose card, what it was made from or diary_id
        changed, ``(shown, key)`` of those whose digest did."""
        self._write("UPDATE diaries SET card = ?, made = ?, id = ? WHERE key = ?", cards)
        self._write("UPDATE diaries SET shown = ? WHERE key = ?", shown)

    def save_tags(self, tags: Mapping[str, str], gone: Iterable[str]) -> None:
        """Write the tags of ``tags`` (key -> names joined), delete those of ``gone``."""
        self._write("DELETE FROM tags WHERE key = ?", [(key,) for key in gone])
        self._write("INSERT OR REPLACE INTO tags VALUES (?, ?)", sorted(tags.items()))

    def close(self, commit: bool = True) -> None:
        """Commit this build's writes (all or none; none when not ``commit``) and close."""
        if self.connection is None:
            return
        try:
            if self.writing:
                self.connection.execute("COMMIT" if commit else "ROLLBACK")
        except sqlite3.Error:
            self._abandon()
        finally:
            if self.connection is not None:
                self.connection.close()
                self.connection = None


def columns(rows: list[tuple], width: int) -> list[tuple]:
    """The ``width`` columns of ``rows``, each a tuple (made in C: a dict a row was 0.08 s at
    50,000 diaries)."""
    return list(zip(*rows, strict=True)) if rows else [()] * width


def differing(values: Mapping[str, Any], old: Mapping[str, Any]) -> list[str]:
    """The keys of ``values`` whose value is not ``old``'s (or that ``old`` lacks), in their
    order; compared in C, not a key at a time (50,000 content hashes a computation)."""
    return list(compress(values, map(ne, values.values(), map(old.get, values))))


class ReadWhenAsked(KeyedView[Any]):
    """Kept values by key, each read from the store when first asked (``fetch``); ``known`` holds
    the keys kept. ``in`` asks ``known``, not the store (Mapping's would read the value)."""

    def __init__(self, known: Mapping[str, Any]) -> None:
        self.known = known
        self.keys_held = self.known
        self.read: dict[str, Any] = {}

    def fetch(self, key: str) -> Any:
        raise NotImplementedError

    def __getitem__(self, key: str) -> Any:
        found = self.read.get(key)
        if found is None:
            if key not in self.known:
                raise KeyError(key)
            found = self.read[key] = self.fetch(key)
        return found


def keys_of(values: Mapping[str, Any]) -> Container[str]:
    """What ``key in values`` asks, without a call of :meth:`ReadWhenAsked.__contains__` a key:
    a comprehension asks it of each of 50,000 diaries."""
    return values.known if isinstance(values, ReadWhenAsked) else values


class KeptSignatures(ReadWhenAsked):
    """The kept signatures by key, each read from the store when asked (:meth:`load` reads
    many at once): an edit asks for those of the diaries it may be listed with, where reading
    all was 0.8 s at 50,000 diaries. ``numbers`` is each row's number in ``holders``,
    ``following`` the first number no row was ever given (meta ``numbered``)."""

    def __init__(self, store: RelatedStore, numbers: dict[str, int], following: int) -> None:
        super().__init__(numbers)
        self.store = store
        self.numbers = numbers
        self.following = following

    def fetch(self, key: str) -> dict[str, float]:
        self.load([key])
        return self.read[key]

    def load(self, keys: Iterable[str]) -> None:
        """Read the signatures of ``keys`` not read yet (of those kept), in a few statements."""
        wanted = sorted({key for key in keys if key in self.numbers and key not in self.read})
        if wanted:
            self.read.update(self.store.signatures(wanted))


# Up to this many changed diaries, a kept list's names are tested for each as a substring
# before they are split.
FEW = 8


class KeptLists(ReadWhenAsked):
    """The kept scored lists, each read from the store when asked: an edit asks for a few (those
    naming a changed diary, those it may enter), where reading them all was 0.15 s at 50,000
    diaries. ``needed`` is each list's :data:`TABLE` ``needed``, read with the signatures."""

    def __init__(self, store: RelatedStore, needed: dict[str, float]) -> None:
        super().__init__(needed)
        self.store = store
        self.needed = needed

    def fetch(self, key: str) -> list[tuple[str, float]]:
        return self.store.scored(key)

    def naming(self, keys: Iterable[str]) -> dict[str, list[tuple[str, float]]]:
        """The kept lists that name one of ``keys``, found in the names the build read
        (:meth:`RelatedStore.rows`; a scan of the table for each key was 0.26 s at 50,000
        diaries): a substring test first when the keys are few, then the names themselves."""
        wanted = set(keys)
        rows = self.store.rows()
        if len(wanted) <= FEW:  # a substring test a row and key, no generator a row
            maybe: set[str] = set()
            for other in wanted:
                maybe.update([key for key, row in rows.items() if row[0] and other in row[0]])
        else:
            maybe = set(rows)
        found = [
            key
            for key in sorted(maybe)
            if (names := rows[key][0]) and key in self.needed and not wanted.isdisjoint(names.split(SEPARATOR))
        ]
        return {key: self[key] for key in found}


def kept_rows(path: Path) -> dict | None:
    """What the store at ``path`` holds (``signatures``, ``lists``, ``hashes``, ``weights``,
    ``holders``: word -> sorted ``(key, weight)``), read as it is; None when there is none
    (tests and benchmarks)."""
    if not path.is_file():
        return None
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT key, number, hash, signature, scored FROM diaries ORDER BY key").fetchall()
        weights = dict(connection.execute("SELECT word, weight FROM weights"))
        held = connection.execute("SELECT word, numbers, weights FROM holders").fetchall()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    keys = {number: key for key, number, _, _, _ in rows}
    return {
        "signatures": {key: pickle.loads(signature) for key, _, _, signature, _ in rows},
        "lists": {key: pickle.loads(scored) for key, _, _, _, scored in rows},
        "hashes": {key: found for key, _, found, _, _ in rows},
        "weights": weights,
        "holders": {
            word: sorted(zip([keys[number] for number in array("i", numbers)], array("d", weights), strict=True))
            for word, numbers, weights in held
        },
    }
