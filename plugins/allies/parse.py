"""Turn one fetched feed body into clean entries. Everything in a feed is hostile.

``parse_body`` runs in a process of its own during ``fetch`` (workers.py) and returns plain data
(JSON-ready dicts), so the build never runs feedparser and never sees raw HTML.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import html
import io
import re
from typing import Any
from urllib.parse import urljoin

import feedparser

from netroots.html import plain_text, remove_xml_invalid, sanitize

from .model import normalize_url, safe_url

ELEMENT_START = re.compile(rb"<[A-Za-z_]")
XML_DECLARATION = re.compile(rb"^\s*(<\?xml[^>]{0,200}\?>)")
HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S)
FEED_TYPE = re.compile(rb"type=[\"']application/(?:rss|atom)\+xml[\"']", re.I)
HREF = re.compile(rb"href=[\"']([^\"']{1,500})[\"']", re.I)
# Each attempt stops at the next quote of its kind, or 4 kB on: linear on any input.
URL_ATTRIBUTE = re.compile(r"""\b(href|src)\s*=\s*(?:"([^"]{0,4096})"|'([^']{0,4096})')""", re.I)
URL_SCHEME = re.compile(r"^\s*[a-zA-Z][a-zA-Z0-9+.-]*:")
TITLE_LIMIT = 300
TEXT_INPUT_LIMIT = 20_000  # characters of a title, author or id read at all (nh3 is slow on deep markup)
MIN_HASH_TEXT = 40


class NotAFeed(Exception):
    """The body is not a feed we can read; the message tells the maintainer why."""


def strip_declarations(body: bytes) -> tuple[bytes, bool]:
    """Remove the DOCTYPE and every ENTITY declaration before the first element.

    Entity expansion ("billion laughs") and external entities then cannot happen
    whatever the parser below does; feeds never need their own entities.
    """
    match = ELEMENT_START.search(body)
    if not match:
        return body, False
    head = body[: match.start()]
    if b"<!" not in head.replace(b"<!--", b""):
        return body, False
    declaration = XML_DECLARATION.match(head)
    kept = declaration.group(1) + b"\n" if declaration else b""
    return kept + body[match.start() :], b"<!ENTITY" in head.upper()


def feed_link(page: bytes) -> bytes | None:
    """The first ``<link ... type="application/rss+xml">`` tag of a web page. Each tag is
    looked at through a window of 2 kB, so 200 kB of ``<link `` costs linear time (a regular
    expression over the whole page took quadratic time)."""
    lowered = page.lower()
    position = lowered.find(b"<link")
    while position >= 0:
        end = lowered.find(b">", position, position + 2000)
        tag = page[position:end] if end >= 0 else b""
        if b"application/" in tag and FEED_TYPE.search(tag):
            return tag[tag.rfind(b"<link") :]
        position = lowered.find(b"<link", position + 5)
    return None


def html_instead_of_feed(body: bytes) -> str | None:
    """If ``body`` is a web page, say so (and name the feed it links to, if any)."""
    if not HTML_START.match(body[:4096]):
        return None
    hint = ""
    link = feed_link(body[:200_000])
    if link:
        href = HREF.search(link)
        if href:
            hint = f"; the page links to a feed at {href.group(1).decode('utf-8', 'replace')[:200]}"
    return f"this is an HTML page, not a feed: check the feed address{hint}"


def parse_body(
    body: bytes,
    content_type: str,
    base_url: str,
    fetched_at: str,
    max_entries: int,
    max_entry_bytes: int,
) -> dict[str, Any]:
    """Parse and clean a feed. Returns ``{"format", "title", "link", "entries", "warnings"}``.

    Raises ``NotAFeed`` for HTML pages and anything feedparser cannot read as a feed.
    """
    page = html_instead_of_feed(body)
    if page:
        raise NotAFeed(page)
    body, had_entities = strip_declarations(body)
    warnings = ["entity declarations were removed, not expanded"] if had_entities else []
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers={"content-type": content_type or "application/xml", "content-location": base_url},
        resolve_relative_uris=False,  # done below, on the entry's own HTML, before nh3
        sanitize_html=False,  # nh3 (netroots.html.sanitize) is the one allowlist, and 3x faster
    )
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        detail = f" ({_short(problem)})" if problem else ""
        raise NotAFeed(f"not an RSS or Atom feed{detail}")
    if parsed.get("bozo"):
        warnings.append(f"feed is not well-formed, read leniently: {_short(parsed.get('bozo_exception'))}")
    now = dt.datetime.fromisoformat(fetched_at)
    feed_link = safe_url(parsed.feed.get("link"), base_url) or base_url
    entries = [_entry(raw, feed_link, now, max_entry_bytes) for raw in parsed.entries[: max_entries * 4]]
    entries = [e for e in entries if e is not None]
    entries.sort(key=lambda e: e["published"] or "", reverse=True)
    return {
        "format": parsed.get("version") or "unknown",
        "encoding": parsed.get("encoding") or "",
        "title": plain_text(_cut(parsed.feed.get("title")))[:TITLE_LIMIT],
        "link": feed_link,
        "entries": entries[:max_entries],
        "warnings": warnings,
    }


def absolutize(fragment: str, base: str) -> str:
    """Resolve relative ``href`` and ``src`` values against ``base`` (sanitizing checks the result)."""

    def resolve(match: re.Match[str]) -> str:
        quote = '"' if match.group(2) is not None else "'"
        value = html.unescape(match.group(2) if match.group(2) is not None else match.group(3))
        if URL_SCHEME.match(value):
            return match.group(0)
        try:
            joined = urljoin(base, value)
        except ValueError:
            return match.group(0)
        return f"{match.group(1)}={quote}{html.escape(joined, quote=True)}{quote}"

    return URL_ATTRIBUTE.sub(resolve, fragment) if "=" in fragment else fragment


def _short(problem: Any) -> str:
    return plain_text(_cut(problem))[:200]


def _cut(value: Any) -> str:
    """A field's text, no longer than ``TEXT_INPUT_LIMIT`` before any parsing."""
    return str(value or "")[:TEXT_INPUT_LIMIT]


def _entry(raw: Any, base: str, now: dt.datetime, max_bytes: int) -> dict[str, Any] | None:
    """One feed entry as plain, sanitized data; None when it has no title, text or link to show."""
    link = _entry_link(raw, base)
    body, truncated = _body(raw, max_bytes)
    content = sanitize(absolutize(body, link or base)) if body else ""
    summary = _summary(raw, body, link or base, max_bytes)
    title = plain_text(_cut(raw.get("title")))[:TITLE_LIMIT]
    text = plain_text(content or summary)
    if not title and not text and not link:
        return None
    published, updated = _entry_dates(raw, now)
    digest = _text_hash(text)
    return {
        "id": _entry_id(raw, link, digest, title),
        "link": link,
        "url_key": normalize_url(link) if link else None,
        "hash": digest,
        "title": title,
        "author": plain_text(_cut(raw.get("author")))[:200],
        "content": content,
        "summary": summary,
        "truncated": truncated,
        "published": published.isoformat() if published else None,
        "updated": updated.isoformat() if updated else None,
        "enclosures": _enclosures(raw, base),
        "categories": _categories(raw),
    }


def _entry_link(raw: Any, base: str) -> str | None:
    """The entry's own page: its ``link``, else its first usable ``rel="alternate"`` link."""
    link = safe_url(raw.get("link"), base)
    if not link:
        for alternate in raw.get("links") or []:
            if alternate.get("rel", "alternate") == "alternate":
                link = safe_url(alternate.get("href"), base)
                if link:
                    break
    return link


def _summary(raw: Any, body: str, base: str, max_bytes: int) -> str:
    """The entry's summary as sanitized HTML, or "" when it is only the body again."""
    summary_html = str(raw.get("summary") or "")
    if not summary_html or summary_html == body:
        return ""
    return sanitize(absolutize(summary_html[:max_bytes], base))


def _entry_dates(raw: Any, now: dt.datetime) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(published, updated), neither later than the fetch: a feed's clock can't date a post ahead."""
    published = _date(raw.get("published_parsed")) or _date(raw.get("updated_parsed"))
    updated = _date(raw.get("updated_parsed")) or published
    if published and published > now:
        published = now
    if updated and updated > now:
        updated = now
    return published, updated


def _text_hash(text: str) -> str | None:
    """A hash of the words, so the same post syndicated under other ids and links is seen as one;
    None for texts too short to tell posts apart."""
    if len(text) < MIN_HASH_TEXT:
        return None
    return hashlib.sha256(" ".join(text.lower().split()).encode()).hexdigest()[:32]


def _entry_id(raw: Any, link: str | None, digest: str | None, title: str) -> str:
    """The feed's id, else the link, else a hash of the text (or title): every entry needs one."""
    entry_id = plain_text(_cut(raw.get("id")))[:500] or link
    if not entry_id:
        entry_id = "hash:" + (digest or hashlib.sha256(title.encode()).hexdigest()[:32])
    return entry_id


def _body(raw: Any, max_bytes: int) -> tuple[str, bool]:
    """The entry's fullest HTML, cut to ``max_bytes`` (sanitizing closes what the cut left open)."""
    best = ""
    for part in raw.get("content") or []:
        value = str(part.get("value") or "")
        if len(value) > len(best):
            best = value
    best = best or str(raw.get("summary") or "")
    best = remove_xml_invalid(best)
    if len(best.encode("utf-8", "replace")) <= max_bytes:
        return best, False
    cut = best.encode("utf-8", "replace")[:max_bytes].decode("utf-8", "ignore")
    return cut[: cut.rfind("<")] if cut.rfind("<") > cut.rfind(">") else cut, True


def _date(parsed: Any) -> dt.datetime | None:
    if not parsed:
        return None
    try:
        moment = dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return moment if moment.year >= 1990 else None


def _enclosures(raw: Any, base: str) -> list[dict[str, Any]]:
    found = []
    for enclosure in (raw.get("enclosures") or [])[:5]:
        url = safe_url(enclosure.get("href"), base)
        if not url:
            continue
        length = str(enclosure.get("length") or "")
        found.append(
            {
                "url": url,
                "type": plain_text(_cut(enclosure.get("type")))[:100],
                "length": int(length) if length.isdigit() and len(length) < 15 else None,
            }
        )
    return found


def _categories(raw: Any) -> list[str]:
    names = []
    for tag in (raw.get("tags") or [])[:10]:
        term = plain_text(_cut(tag.get("term") or tag.get("label")))[:60]
        if term and term not in names:
            names.append(term)
    return names
