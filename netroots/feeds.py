"""Atom and RSS feeds written with feedgen, for every feed a plugin publishes, and the store
of feeds already made (:class:`FeedStore`), so a build into an empty output folder copies
them instead of making them again."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from feedgen.feed import FeedGenerator

from .html import plain_text, remove_xml_invalid
from .manifest import produced
from .plugin import build_state
from .site import cache_database, cache_dir, write_output


@dataclass(frozen=True)
class FeedEntry:
    """One entry; ``content`` and ``summary`` are already-sanitized HTML."""

    id: str
    title: str
    link: str
    updated: dt.datetime
    published: dt.datetime | None = None
    summary: str = ""
    content: str = ""
    author: str = ""
    categories: tuple[str, ...] = ()
    # Media files: ``(url, MIME type, length in bytes or 0)``; podcast apps and readers play them.
    enclosures: tuple[tuple[str, str, int], ...] = ()


def absolute(site_url: str, path: str) -> str:
    """Join the site's address and a site path; feeds need absolute links."""
    if path.startswith(("http://", "https://")):
        return path
    base = site_url.rstrip("/") if site_url else "http://localhost:8000"
    return f"{base}/{path.lstrip('/')}"


def write_feeds(
    output: Path,
    *,
    atom_path: str | None,
    rss_path: str | None = None,
    title: str,
    site_url: str,
    page_path: str,
    entries: Iterable[FeedEntry],
    subtitle: str = "",
    limit: int = 100,
) -> list[Path]:
    """Write the Atom (and RSS) feed for ``entries``, newest first; return the files."""
    made = feed_bytes(
        atom_path=atom_path,
        rss_path=rss_path,
        title=title,
        site_url=site_url,
        page_path=page_path,
        entries=entries,
        subtitle=subtitle,
        limit=limit,
    )
    # through write_output: a group or action that is gone takes its feeds with it
    return [write_output(output, path, data) for path, data in made.items()]


def feed_bytes(
    *,
    atom_path: str | None,
    rss_path: str | None = None,
    title: str,
    site_url: str,
    page_path: str,
    entries: Iterable[FeedEntry],
    subtitle: str = "",
    limit: int = 100,
) -> dict[str, bytes]:
    """The Atom (and RSS) feed for ``entries``, newest first, by output path: what
    :func:`write_feeds` writes."""
    ordered = sorted(entries, key=lambda e: e.updated, reverse=True)[:limit]
    values = feed_values(atom_path, rss_path, title, subtitle, site_url, page_path)
    if ordered or not values["title"]:  # (feedgen refuses a feed without a title)
        made = _feedgen(values, ordered, bool(atom_path), bool(rss_path))
    else:  # most comment feeds (two a diary): feedgen's empty feed, made once with slots, filled in
        made = {kind: _fill(parts, values) for kind, parts in _empty(bool(atom_path), bool(rss_path)).items()}
    return {path: made[kind] for kind, path in (("atom", atom_path), ("rss", rss_path)) if path}


def feed_values(
    atom_path: str | None, rss_path: str | None, title: str, subtitle: str, site_url: str, page_path: str
) -> dict[str, str]:
    """The feed's own id, title, subtitle, page and self link, as it shows them."""
    plain = plain_text(title)
    return {
        "id": absolute(site_url, atom_path or rss_path or page_path),
        "title": plain,
        "subtitle": (plain_text(subtitle) if subtitle else "") or plain,
        "page": absolute(site_url, page_path),
        "self": absolute(site_url, atom_path) if atom_path else "",
    }


def _feedgen(values: dict[str, str], ordered: list[FeedEntry], atom: bool, rss: bool) -> dict[str, bytes]:
    """The feeds by kind (``atom``, ``rss``), as feedgen writes them."""
    feed = FeedGenerator()
    feed.id(values["id"])
    feed.title(values["title"])
    feed.subtitle(values["subtitle"])
    feed.description(values["subtitle"])
    feed.link(href=values["page"], rel="alternate")
    feed.language("en")
    newest = ordered[0].updated if ordered else dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    feed.updated(newest)
    feed.lastBuildDate(newest)
    for entry in reversed(ordered):
        _add_entry(feed, entry)
    made = {}
    if atom:  # before the RSS: its self link is in both
        made["atom"] = _atom(feed, values["self"], ordered)
    if rss:
        made["rss"] = feed.rss_str(pretty=False)
    return made


# Private-use characters standing for each value in the empty feed's bytes (never in a value:
# plain_text and absolute() pass text through, and the slots are looked up, not guessed).
SLOTS = {name: f"\ue000{name}\ue001" for name in ("id", "title", "subtitle", "page", "self")}
SLOT = re.compile("\ue000([a-z]+)\ue001")


@lru_cache(maxsize=4)
def _empty(atom: bool, rss: bool) -> dict[str, tuple[tuple[str, str, bool], ...]]:
    """feedgen's feeds without entries, made with slots for the values and cut at them:
    ``(text before, slot, in an attribute)`` parts, the last with no slot."""
    cut = {}
    for kind, made in _feedgen(SLOTS, [], atom, rss).items():
        text, parts, start = made.decode("utf-8"), [], 0
        for found in SLOT.finditer(text):
            before = text[start : found.start()]
            parts.append(
                (before, found.group(1), text.rfind("<", 0, found.start()) > text.rfind(">", 0, found.start()))
            )
            start = found.end()
        parts.append((text[start:], "", False))
        cut[kind] = tuple(parts)
    return cut


def _fill(parts: tuple[tuple[str, str, bool], ...], values: dict[str, str]) -> bytes:
    """The empty feed with ``values`` in their slots, escaped as lxml escapes text and attributes."""
    out = []
    for before, slot, attribute in parts:
        out.append(before)
        if slot:
            out.append(_escape(values[slot], attribute))
    return "".join(out).encode("utf-8")


def _escape(value: str, attribute: bool) -> str:
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    if attribute:
        value = value.replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
    return value


def _add_entry(feed: FeedGenerator, entry: FeedEntry) -> None:
    """One entry, its text made plain or XML-safe (a feed reader rejects a whole feed for one bad character)."""
    item = feed.add_entry()
    item.id(entry.id)
    item.guid(entry.id, permalink=entry.id.startswith("http"))
    item.title(plain_text(entry.title) or "(untitled)")
    item.link(href=entry.link)
    item.updated(entry.updated)
    item.published(entry.published or entry.updated)
    if entry.author:
        item.author(name=plain_text(entry.author))
    for url, mime, length in entry.enclosures:
        item.enclosure(url, str(length or 0), mime or "application/octet-stream")
    for category in entry.categories:
        item.category(term=plain_text(category))
    if entry.content:
        item.content(remove_xml_invalid(entry.content), type="html")
    if entry.summary:
        item.summary(remove_xml_invalid(entry.summary), type="html")
    elif entry.content:
        item.description(remove_xml_invalid(entry.content))


def _atom(feed: FeedGenerator, self_link: str, ordered: list[FeedEntry]) -> bytes:
    """The Atom feed, with its ``self`` link and complete enclosure links."""
    feed.link(href=self_link, rel="self", replace=False)
    atom = feed.atom_str(pretty=False)
    if any(entry.enclosures for entry in ordered):
        atom = _mark_enclosures(atom, {entry.id: entry.enclosures for entry in ordered})
    return atom


ATOM = "{http://www.w3.org/2005/Atom}"


def _mark_enclosures(atom: bytes, enclosures: dict[str, tuple[tuple[str, str, int], ...]]) -> bytes:
    """Give enclosure links their ``rel``, ``type`` and ``length``: feedgen 1.0 writes
    every Atom ``<link>`` with its ``href`` only, so podcast apps would not see the media."""
    from lxml import etree

    root = etree.fromstring(atom)
    for element in root.iter(f"{ATOM}entry"):
        wanted = {url: (mime, length) for url, mime, length in enclosures.get(element.findtext(f"{ATOM}id") or "", ())}
        for link in element.iter(f"{ATOM}link"):
            if link.get("href") in wanted and not link.get("rel"):
                mime, length = wanted.pop(link.get("href"))
                link.set("rel", "enclosure")
                link.set("type", mime or "application/octet-stream")
                if length:
                    link.set("length", str(length))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


class FeedStore:
    """The bytes of each feed the last builds made, by output path, with the key they were made
    from (``.cache/build/feeds.sqlite``): a build into an empty output folder (what CI does on
    every deploy) writes a feed whose key is unchanged from here instead of making it again.

    A key is the caller's own (its feed's inputs) mixed with the build's ``world`` (settings,
    templates, Netroots and plugin code, library versions: netroots.incremental.world), so any
    change of those makes every feed again. Unusable store: no error, every feed is made.
    """

    def __init__(self, settings: dict[str, Any], world: Mapping[str, str]) -> None:
        self.world = json.dumps(dict(world), sort_keys=True).encode()
        # for a caller's own record of what it wrote (comments' feeds.json): new code, new feeds
        self.stamp = hashlib.blake2b(self.world, digest_size=8).hexdigest()
        self.pending: list[tuple[str, str, bytes]] = []
        self.path = cache_dir(settings, "build") / "feeds.sqlite"
        self.opened: tuple[int, sqlite3.Connection | None] | None = None
        self.usable = self._connection() is not None

    def _connection(self) -> sqlite3.Connection | None:
        """This process's connection: a worker forked from the build opens its own (SQLite's rule)."""
        if self.opened is not None and self.opened[0] == os.getpid():
            return self.opened[1]
        connection: sqlite3.Connection | None = None
        try:
            connection = cache_database(self.path, threads=True)
            connection.execute("CREATE TABLE IF NOT EXISTS feeds (path TEXT PRIMARY KEY, key TEXT, value BLOB)")
        except (OSError, sqlite3.Error):
            connection = None
        self.opened = (os.getpid(), connection)
        return connection

    def _key(self, key: str) -> str:
        return hashlib.blake2b(self.world + b"\0" + key.encode(), digest_size=16).hexdigest()

    def get(self, path: str, key: str) -> bytes | None:
        """The feed at ``path`` (relative to output/) as made from ``key``, or None."""
        connection = self._connection() if self.usable else None
        if connection is None:
            return None
        try:
            row = connection.execute(
                "SELECT value FROM feeds WHERE path = ? AND key = ?", (path, self._key(key))
            ).fetchone()
        except sqlite3.Error:
            return None
        return bytes(row[0]) if row else None

    def put(self, path: str, key: str, data: bytes) -> None:
        """Keep ``data`` as the feed at ``path`` made from ``key`` (stored by :meth:`save`)."""
        if self.usable:
            self.pending.append((path, self._key(key), data))

    def save(self) -> None:
        """Store what was put, in one transaction (from the build's process only)."""
        rows, self.pending = self.pending, []
        connection = self._connection() if self.usable and rows else None
        if connection is None:
            return
        try:
            with connection:
                connection.execute("BEGIN")
                connection.executemany("INSERT OR REPLACE INTO feeds (path, key, value) VALUES (?, ?, ?)", rows)
        except sqlite3.Error:
            pass

    def prune(self, keep: set[str]) -> None:
        """Forget the feeds not in ``keep`` (this build's files: a renamed diary's old feeds go)."""
        connection = self._connection() if self.usable and keep else None
        if connection is None:
            return
        try:
            gone = [(path,) for (path,) in connection.execute("SELECT path FROM feeds") if path not in keep]
            if gone:
                with connection:
                    connection.execute("BEGIN")
                    connection.executemany("DELETE FROM feeds WHERE path = ?", gone)
        except sqlite3.Error:
            pass


@dataclass
class FeedJob:
    """One feed (Atom, RSS or both) to put in output/: ``key`` names its inputs (the store's key),
    ``paths`` its files by kind (``atom``, ``rss``), ``made`` what :func:`feed_bytes` makes it from."""

    key: str
    paths: dict[str, str | None]
    made: dict[str, Any]


def write_feed_jobs(settings: dict[str, Any], jobs: list[FeedJob]) -> list[Path]:
    """Write every job's feeds (from the store when made before from the same key), in worker
    processes on every core when there are many (a network has two feeds per diary); returns
    the files, each recorded as this build's."""
    from .readcache import workers_for
    from .workers import in_workers

    output = Path(settings["OUTPUT_PATH"])
    store = feed_store(settings)
    workers = workers_for(settings, len(jobs))
    if workers < 2:
        answers = [_write_jobs(output, jobs, store)]
    else:
        answers = []
        results = in_workers(workers, lambda share, shares: _write_jobs(output, jobs[share::shares], store), here=True)
        for share, (ok, answer) in enumerate(results):
            # A worker that failed: its share again in this process (what goes wrong is raised here).
            answers.append(answer if ok else _write_jobs(output, jobs[share::workers], store))
    written = []
    for files, made in answers:
        for relative in files:
            written.append(output / relative)
            produced(output / relative)  # written in a worker: recorded here
        if store is not None:
            for path, key, data in made:
                store.put(path, key, data)
    return written


def _write_jobs(
    output: Path, jobs: list[FeedJob], store: FeedStore | None
) -> tuple[list[str], list[tuple[str, str, bytes]]]:
    """Write ``jobs``' feeds; returns the files and the feeds made (not from the store)."""
    files: list[str] = []
    made: list[tuple[str, str, bytes]] = []
    for job in jobs:
        targets = [path for path in job.paths.values() if path]
        found = {path: store.get(path, job.key) for path in targets} if store is not None else {}
        if store is None or not all(found.values()):
            found = feed_bytes(atom_path=job.paths.get("atom"), rss_path=job.paths.get("rss"), **job.made)
            made.extend((path, job.key, data) for path, data in found.items())
        for path, data in found.items():
            write_output(output, path, data)
            files.append(path)
    return files, made


def feed_store(settings: dict[str, Any]) -> FeedStore | None:
    """This build's :class:`FeedStore` (the incremental writer opens it), or None: no store
    (incremental builds off, a preview, another writer), every feed is made."""
    return build_state(settings, "feeds").get("store")
