"""The tags' company kept between builds, so a build redoes only the diaries that changed.

``tag_company`` reads every diary's writer, groups and tags each build (0.19 s at 50,000
diaries). Kept in ``.cache/tags/company.sqlite``: what it read of each listed diary (``Facts``,
a row a path), each tag's counts (how many of its diaries have each writer, group and tag
name: ``Counts``) with the column made from them, and the build's serial in the log of changed
diaries (netroots/changelog.py). A later build takes the diaries that
``diary_changes(settings).since(serial)`` names: their kept facts off their tags' counts, their
new facts on, and makes the column of those tags only: the neighbouring tags from the counts,
the writers and groups by walking the tag's diaries newest first until every writer (at most
``SHOWN``) and group the counts hold is found (a few diaries, not the tag's thousands).

The whole pass, when there is no store, when it was made from other inputs (the settings a
tag's address is made from, the vocabulary, this code: ``inputs_key``), when ``since`` does
not know, or when a tag's kept count of diaries is not the length of its list this build.
Without a serial (a preview, the kept diaries off) nothing is kept or read.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pelican.utils import posixize_path

from netroots.articlecache import diary_changes
from netroots.fingerprint import CHECK_KEPT
from netroots.site import cache_database, cache_dir, chunks

from .company import SHOWN, TagCompany, most_used, tag_company

logger = logging.getLogger(__name__)

# What a tag's address and slug are made from (pelican.urlwrappers.URLWrapper).
TAG_SETTINGS = (
    "PATH",
    "TAG_URL",
    "SLUG_REGEX_SUBSTITUTIONS",
    "TAG_REGEX_SUBSTITUTIONS",
    "SLUGIFY_PRESERVE_CASE",
    "SLUGIFY_USE_UNICODE",
)
TABLES = (
    "CREATE TABLE IF NOT EXISTS kept (name TEXT PRIMARY KEY, value) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS diaries (path TEXT PRIMARY KEY, facts BLOB NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS tags (slug TEXT PRIMARY KEY, name TEXT NOT NULL, size INTEGER NOT NULL,"
    " counts BLOB NOT NULL, company BLOB NOT NULL) WITHOUT ROWID",
)

# A listed diary's writer, groups and tags as (name, slug, address).
Facts = tuple[str, tuple[str, ...], tuple[tuple[str, str, str], ...]]


class StaleCompany(RuntimeError):
    """The kept company is not what the whole pass makes (``CHECK_KEPT`` found it)."""


def facts_of(article: Any, urls: dict[str, str]) -> Facts:
    """What a tag's column reads of one of its diaries (``company.company_of`` reads the same).
    ``urls``: the addresses formatted so far, by tag name (a ``Tag`` formats its own at each ask)."""
    tags = []
    for tag in article.tags:
        name = tag.name
        url = urls.get(name)
        if url is None:
            url = urls[name] = tag.url
        tags.append((name, tag.slug, url))
    return article.author.name, tuple(getattr(article, "groups", None) or ()), tuple(tags)


@dataclass
class Counts:
    """One tag's diaries counted: an entry a diary in its list (a diary is listed twice under
    two of its tags with one slug), by writer, group and tag name (its own too)."""

    size: int = 0
    writers: dict[str, int] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)
    names: dict[str, int] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)  # each name's address

    @classmethod
    def of(cls, entries: list[Facts]) -> Counts:
        """The counts of a tag whose entries are ``entries`` (the whole pass: counted in C)."""
        tags = [tag for _writer, _groups, tags in entries for tag in tags]
        return cls(
            size=len(entries),
            writers=dict(Counter(writer for writer, _groups, _tags in entries)),
            groups=dict(Counter(group for _writer, groups, _tags in entries for group in groups)),
            names=dict(Counter(name for name, _slug, _url in tags)),
            urls={name: url for name, _slug, url in tags},
        )

    def add(self, facts: Facts, step: int) -> None:
        """Count one entry in (``step`` 1) or out (-1)."""
        writer, groups, tags = facts
        self.size += step
        _count(self.writers, (writer,), step)
        _count(self.groups, groups, step)
        _count(self.names, (name for name, _slug, _url in tags), step)
        if step > 0:
            self.urls.update((name, url) for name, _slug, url in tags)
        else:
            for gone in [name for name in self.urls if name not in self.names]:
                del self.urls[gone]

    def state(self) -> tuple:
        """What is stored (``Counts(*state)`` makes it again): plain values, no class of ours."""
        return self.size, self.writers, self.groups, self.names, self.urls

    def company(self, name: str, articles: Iterable[Any]) -> TagCompany:
        """The column of the tag ``name`` whose list is ``articles``, newest first: what
        ``company.company_of`` makes, walking only as far as the first writers and every group."""
        writers: dict[str, None] = {}
        groups: dict[str, None] = {}
        wanted = min(SHOWN, len(self.writers))
        for article in articles:
            if len(writers) >= wanted and len(groups) >= len(self.groups):
                break
            writers.setdefault(article.author.name)
            for slug in getattr(article, "groups", None) or []:
                groups.setdefault(slug)
        others = {other: count for other, count in self.names.items() if other != name}
        if len({other.lower() for other in others}) < len(others):
            others = _first_used(others, articles)
        return TagCompany(
            writers=tuple(list(writers)[:SHOWN]),
            groups=tuple(groups),
            tags=tuple((other, self.urls[other]) for other in most_used(others)),
        )


def _first_used(counts: dict[str, int], articles: Iterable[Any]) -> dict[str, int]:
    """``counts`` with the names that differ only in case (``Labor``, ``labor``) in the order
    the list first uses them: ``most_used`` keeps that order among them, as ``company_of``
    counts them in it. Walks the list as far as the last of them (its tags read)."""
    spellings = Counter(other.lower() for other in counts)
    alike = {other for other in counts if spellings[other.lower()] > 1}
    order: dict[str, None] = {}
    for article in articles:
        for tag in article.tags:
            if tag.name in alike:
                order.setdefault(tag.name)
        if len(order) == len(alike):
            break
    return {other: count for other, count in counts.items() if other not in alike} | {
        other: counts[other] for other in (*order, *sorted(alike - order.keys()))
    }


def _state(company: TagCompany) -> tuple:
    return company.writers, company.groups, company.tags


def _count(counts: dict[str, int], keys: Iterable[str], step: int) -> None:
    for key in keys:
        left = counts.get(key, 0) + step
        if left:
            counts[key] = left
        else:
            del counts[key]


def inputs_key(generator: Any, vocabulary: Mapping[str, str]) -> str:
    """What the kept company was made from besides the diaries: the settings a tag's address
    is made from, the vocabulary's spellings and this code."""
    digest = hashlib.blake2b(digest_size=16)
    settings = generator.settings
    digest.update(repr([(name, settings.get(name)) for name in TAG_SETTINGS]).encode())
    digest.update(repr(sorted(vocabulary.items())).encode())
    for module in (Path(__file__), Path(__file__).with_name("company.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()


def kept_company(generator: Any, vocabulary: Mapping[str, str]) -> dict[str, TagCompany]:
    """``tag_company(generator.tags)``, redoing only the diaries changed since the kept build.
    ``vocabulary``: the vocabulary's spellings (folded -> canonical)."""
    changes = diary_changes(generator.settings)
    if changes.serial is None:
        return tag_company(generator.tags)
    try:
        connection = cache_database(cache_dir(generator.settings, "tags") / "company.sqlite")
    except sqlite3.Error:
        return tag_company(generator.tags)
    try:
        made = _Pass(generator, connection, changes.serial).made(changes, inputs_key(generator, vocabulary))
    finally:
        connection.close()
    if os.environ.get(CHECK_KEPT):
        whole = tag_company(generator.tags)
        if list(made.items()) != list(whole.items()):
            wrong = next((name for name in whole if made.get(name) != whole[name]), "(the order)")
            raise StaleCompany(f"the kept company of the tag {wrong!r} is not the whole pass's")
    return made


class _Pass:
    """One build's pass over the store."""

    def __init__(self, generator: Any, connection: sqlite3.Connection, serial: int) -> None:
        self.generator = generator
        self.connection = connection
        self.serial = serial

    def made(self, changes: Any, key: str) -> dict[str, TagCompany]:
        try:
            for table in TABLES:
                self.connection.execute(table)
            kept = dict(self.connection.execute("SELECT name, value FROM kept"))
            changed = changes.since(kept.get("serial")) if kept.get("key") == key else None
            made = None if changed is None else self._update(changed)
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, KeyError, TypeError, ValueError):
            made = None  # a store that cannot be read is no store
        return self._whole(key) if made is None else made

    def _whole(self, key: str) -> dict[str, TagCompany]:
        """Every listed diary's facts, every tag's counts and column, all stored anew."""
        facts: dict[str, Facts] = {}
        entries: dict[str, list[Facts]] = {}
        urls: dict[str, str] = {}
        for article in self.generator.articles:
            if getattr(article, "tags", None):
                found = facts[article.source_path] = facts_of(article, urls)
                for _name, slug, _url in found[2]:
                    listed = entries.get(slug)
                    if listed is None:
                        listed = entries[slug] = []
                    listed.append(found)
        counts = {slug: Counts.of(listed) for slug, listed in entries.items()}
        made = self._columns(counts, {}, set(counts))
        if made is None:  # the lists are not what Pelican makes from the diaries' tags: keep nothing
            self._write([("DELETE FROM kept", [()])])
            return tag_company(self.generator.tags)
        self._write(
            [("DELETE FROM diaries", [()]), ("DELETE FROM tags", [()])],
            facts.items(),
            counts,
            made,
            key,
        )
        return made

    def _update(self, changed: frozenset[str]) -> dict[str, TagCompany] | None:
        """The kept company with the ``changed`` diaries' facts made again; None when the kept
        counts do not match this build's lists."""
        old = self._kept_facts(changed)
        new = {path: facts for path in changed if (facts := self._listed_facts(path)) is not None}
        touched = {slug for facts in (*old.values(), *new.values()) for _name, slug, _url in facts[2]}
        counts = self._kept_counts(touched)
        for facts in old.values():
            _counted(counts, facts, -1)
        for facts in new.values():
            _counted(counts, facts, 1)
        columns = {
            slug: (name, size, company)
            for slug, name, size, company in self.connection.execute("SELECT slug, name, size, company FROM tags")
        }
        made = self._columns(counts, columns, touched)
        if made is None:
            return None
        if changed:  # the serial moves on even when no changed diary is tagged
            gone = [(path,) for path in old if path not in new]
            self._write([("DELETE FROM diaries WHERE path = ?", gone)], new.items(), counts, made)
        return made

    def _columns(
        self, counts: dict[str, Counts], columns: dict[str, tuple[str, int, bytes]], touched: set[str]
    ) -> dict[str, TagCompany] | None:
        """Each tag's column in the order of Pelican's tags: made again for ``touched`` slugs,
        else the kept one (``columns``); None when a count is not the length of a list."""
        made: dict[str, TagCompany] = {}
        listed = 0
        for tag, articles in self.generator.tags.items():
            slug = tag.slug
            if slug in touched:
                if counts[slug].size != len(articles):
                    return None
                made[tag.name] = counts[slug].company(tag.name, articles)
            else:
                name, size, company = columns.get(slug, (None, -1, b""))
                if (name, size) != (tag.name, len(articles)):
                    return None
                made[tag.name] = TagCompany(*pickle.loads(company))
            listed += 1
        still = sum(1 for slug in touched if counts[slug].size) + len(columns.keys() - touched)
        return made if still == listed else None

    def _listed_facts(self, path: str) -> Facts | None:
        """The facts of the diary at ``path`` when it is in its tags' lists this build."""
        base = os.path.abspath(self.generator.settings["PATH"])
        article = self.generator.context["generated_content"].get(posixize_path(os.path.relpath(path, base)))
        tags = getattr(article, "tags", None)
        if not tags or article.source_path != path or article not in self.generator.tags.get(tags[0], ()):
            return None
        return facts_of(article, {})

    def _kept_facts(self, paths: frozenset[str]) -> dict[str, Facts]:
        found: dict[str, Facts] = {}
        for part in chunks(sorted(paths)):
            rows = self.connection.execute(
                f"SELECT path, facts FROM diaries WHERE path IN ({','.join('?' * len(part))})", part
            )
            found.update((path, pickle.loads(facts)) for path, facts in rows)
        return found

    def _kept_counts(self, slugs: set[str]) -> dict[str, Counts]:
        found = {slug: Counts() for slug in slugs}
        for part in chunks(sorted(slugs)):
            rows = self.connection.execute(
                f"SELECT slug, counts FROM tags WHERE slug IN ({','.join('?' * len(part))})", part
            )
            found.update((slug, Counts(*pickle.loads(counts))) for slug, counts in rows)
        return found

    def _write(
        self,
        deletes: list[tuple[str, list[tuple[str, ...]]]],
        facts: Iterable[tuple[str, Facts]] = (),
        counts: Mapping[str, Counts] | None = None,
        made: Mapping[str, TagCompany] | None = None,
        key: str | None = None,
    ) -> None:
        """One transaction: ``deletes``, the diaries' ``facts``, the tags of ``counts`` with
        their columns in ``made``, and this build's serial (and ``key``) when ``made``."""
        dump = pickle.dumps
        names = {tag.slug: tag.name for tag in self.generator.tags}
        try:
            with self.connection:
                self.connection.execute("BEGIN")
                for statement, values in deletes:
                    self.connection.executemany(statement, values)
                if made is None:
                    return
                self.connection.executemany(
                    "INSERT OR REPLACE INTO diaries VALUES (?, ?)", [(path, dump(one)) for path, one in facts]
                )
                counted = (counts or {}).items()
                self.connection.executemany(
                    "DELETE FROM tags WHERE slug = ?", [(slug,) for slug, count in counted if not count.size]
                )
                self.connection.executemany(
                    "INSERT OR REPLACE INTO tags VALUES (?, ?, ?, ?, ?)",
                    [
                        (slug, names[slug], count.size, dump(count.state()), dump(_state(made[names[slug]])))
                        for slug, count in counted
                        if count.size
                    ],
                )
                kept = [("serial", self.serial)] + ([("key", key)] if key else [])
                self.connection.executemany("INSERT OR REPLACE INTO kept VALUES (?, ?)", kept)
        except sqlite3.Error as error:  # kept as it was: the next build takes the changes since its serial
            logger.debug("tags' company not kept: %s", error)


def _counted(counts: dict[str, Counts], facts: Facts, step: int) -> None:
    """Count a diary's entries in (or out of) the counts of each of its tags."""
    for _name, slug, _url in facts[2]:
        counted = counts.get(slug)
        if counted is None:
            counted = counts[slug] = Counts()
        counted.add(facts, step)
