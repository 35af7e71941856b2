"""Allies: the allied blogs of ``content/allies.yaml``, their settings, and URL checks.

``allies.yaml`` is a list; each item is one allied blog::

    - name: Prairie Dispatch
      site: https://prairiedispatch.example.org/
      feed: https://prairiedispatch.example.org/feed.xml
      tags: [Rural organizing]
      locale: {state: NE, city: Lincoln}
      full_text: false      # show a summary and a link instead of the whole post
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from slugify import slugify

from netroots import schema
from netroots.members import LOCALE_FIELDS
from netroots.report import Report

from .spec import allies_settings

ALLY_FIELDS = (
    schema.Field("name", schema.text, required=True, help="e.g. `name: Prairie Dispatch`"),
    schema.Field(
        "feed", schema.url, required=True, help="the feed's address, e.g. `feed: https://example.org/feed.xml`"
    ),
    schema.Field("site", schema.url),
    schema.Field("slug", schema.slug),
    schema.Field("tags", schema.string_list, default=list),
    schema.Field("locale", schema.mapping(LOCALE_FIELDS, example="`{state: OH, city: Columbus}`"), default=dict),
    schema.Field("full_text", schema.boolean, default=True),
)
ALLY_EXAMPLE = "- name: Prairie Dispatch\n  feed: https://prairiedispatch.example.org/feed.xml"

SAFE_SCHEMES = ("http", "https")
TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|_hsenc|_hsmi|ref|ref_src|source)$", re.I
)


@dataclass
class Ally:
    """One allied blog."""

    slug: str
    name: str
    feed: str
    site: str
    tags: list[str] = field(default_factory=list)
    locale: dict[str, Any] = field(default_factory=dict)
    full_text: bool = True
    line: int = 1

    @property
    def host(self) -> str:
        return (urlsplit(self.feed).hostname or "").lower()


def allies_file(settings: dict[str, Any]) -> Path:
    return Path(settings["PATH"]).resolve() / allies_settings(settings)["file"]


def load_allies(path: Path, report: Report) -> list[Ally]:
    """Read and validate ``allies.yaml``; bad items are reported and left out. An empty file has no allies."""
    try:
        if path.is_file() and not path.read_bytes().strip():
            return []
    except OSError:
        pass
    data, lines = schema.read_yaml_list(path, report, example=f"\n{ALLY_EXAMPLE}")
    allies: list[Ally] = []
    seen_slugs: dict[str, int] = {}
    seen_feeds: dict[str, int] = {}
    for index, item in enumerate(data):
        line = lines.get(str(index), 1)
        if not isinstance(item, dict):
            report.error(
                path, line, f"ally {index + 1}: must be a mapping with at least `name` and `feed`, e.g.\n{ALLY_EXAMPLE}"
            )
            continue
        clean, ok = _validate(item, index, lines, path, report)
        if not ok:
            continue
        slug = clean["slug"] or slugify(clean["name"], max_length=60, word_boundary=True) or f"ally-{index + 1}"
        if slug in seen_slugs:
            report.error(
                path,
                line,
                f"ally {index + 1}: '{slug}' is already used by the ally on line {seen_slugs[slug]}; "
                "give one of them another name or a `slug:`",
            )
            continue
        feed_key = normalize_url(clean["feed"])
        if feed_key in seen_feeds:
            report.error(path, line, f"ally {index + 1}: this feed is already listed on line {seen_feeds[feed_key]}")
            continue
        seen_slugs[slug] = line
        seen_feeds[feed_key] = line
        site = clean["site"] or _site_of(clean["feed"])
        allies.append(
            Ally(
                slug=slug,
                name=clean["name"],
                feed=clean["feed"],
                site=site,
                tags=clean["tags"],
                locale=clean["locale"] or {},
                full_text=clean["full_text"],
                line=line,
            )
        )
    return allies


def _validate(item: dict[str, Any], index: int, lines: dict[str, int], path: Path, report: Report) -> tuple[dict, bool]:
    clean: dict[str, Any] = {}
    ok = True
    known = {spec.name for spec in ALLY_FIELDS}
    for spec in ALLY_FIELDS:
        raw = item.get(spec.name)
        if raw is None:
            if spec.required:
                report.error(path, lines.get(str(index), 1), f"ally {index + 1}: missing `{spec.name}` ({spec.help})")
                ok = False
            clean[spec.name] = spec.default() if callable(spec.default) else spec.default
            continue
        try:
            clean[spec.name] = spec.convert(raw)
        except schema.Invalid as exc:
            line = lines.get(f"{index}.{spec.name}", lines.get(str(index), 1))
            report.error(path, line, f"{spec.name}: {exc.message}")
            ok = False
    for key in item:
        if str(key) not in known:
            report.warning(
                path,
                lines.get(f"{index}.{key}", 1),
                f"unknown field `{key}` in an ally (known fields: {', '.join(sorted(known))})",
            )
    return clean, ok


def _site_of(feed: str) -> str:
    parts = urlsplit(feed)
    return f"{parts.scheme}://{parts.netloc}/"


def safe_url(value: Any, base: str | None = None) -> str | None:
    """``value`` as an absolute http(s) URL, or None; relative URLs are resolved against ``base``."""
    from urllib.parse import urljoin

    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or any(ch in value for ch in "\x00\r\n\t<>\"' ") or len(value) > 2048:
        return None
    if base:
        value = urljoin(base, value)
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES or not parts.hostname:
        return None
    if "@" in parts.netloc:
        return None  # user:password@ is never fetched, followed or published
    return value


def normalize_url(value: str) -> str:
    """A key for "the same story": scheme, ``www.``, trailing slash, fragment and tracking parameters folded."""
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return value
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = parts.path.rstrip("/") or ""
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k))
    return urlunsplit(("https", host, path, urlencode(query), ""))
