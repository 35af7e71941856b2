"""Atom and RSS feeds written with feedgen, for every feed a plugin publishes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from feedgen.feed import FeedGenerator

from .html import plain_text, remove_xml_invalid
from .site import write_output


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
    ordered = sorted(entries, key=lambda e: e.updated, reverse=True)[:limit]
    feed = FeedGenerator()
    feed_id = absolute(site_url, atom_path or rss_path or page_path)
    feed.id(feed_id)
    feed.title(plain_text(title))
    feed.subtitle(plain_text(subtitle) or plain_text(title))
    feed.description(plain_text(subtitle) or plain_text(title))
    feed.link(href=absolute(site_url, page_path), rel="alternate")
    feed.language("en")
    newest = ordered[0].updated if ordered else dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    feed.updated(newest)
    feed.lastBuildDate(newest)
    for entry in reversed(ordered):
        _add_entry(feed, entry)
    written = []  # through write_output: a group or action that is gone takes its feeds with it
    if atom_path:
        written.append(_write_atom(feed, output, atom_path, site_url, ordered))
    if rss_path:
        written.append(write_output(output, rss_path, feed.rss_str(pretty=False)))
    return written


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


def _write_atom(feed: FeedGenerator, output: Path, atom_path: str, site_url: str, ordered: list[FeedEntry]) -> Path:
    """The Atom file, with its ``self`` link and complete enclosure links."""
    feed.link(href=absolute(site_url, atom_path), rel="self", replace=False)
    atom = feed.atom_str(pretty=False)
    if any(entry.enclosures for entry in ordered):
        atom = _mark_enclosures(atom, {entry.id: entry.enclosures for entry in ordered})
    return write_output(output, atom_path, atom)


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
