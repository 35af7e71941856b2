"""Responses from allied blogs: cached allied posts that link to one of our diaries.

The static form of a trackback. Only the allies' cache is read (the ``allies_river``
the allies plugin publishes), never the network; each entry was sanitized and its
URLs checked by the allies plugin, and the template escapes every value again.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import Any
from urllib.parse import urlsplit

from netroots.html import hrefs

DIARY_PATH = re.compile(r"^/(?:[^?#]*/)?diaries/(?P<handle>[a-z0-9-]+)/(?P<slug>[a-z0-9-]+)/?(?:index\.html)?$")


def site_hosts(settings: dict[str, Any], extra: Iterable[str]) -> set[str]:
    hosts = {h.lower() for h in extra}
    for key in ("SITEURL", "FEED_DOMAIN"):
        host = urlsplit(str(settings.get(key) or "")).hostname
        if host:
            hosts.add(host.lower())
    return hosts


def linked_diaries(links: Iterable[str], hosts: Collection[str], published: Collection[str]) -> list[str]:
    """The published diary ids that ``links`` point to on this site."""
    found: list[str] = []
    for link in links:
        try:
            parts = urlsplit(link.strip())
        except ValueError:
            continue
        if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() not in hosts:
            continue
        match = DIARY_PATH.match(parts.path)
        if match:
            diary_id = f"{match['handle']}/{match['slug']}"
            if diary_id in published and diary_id not in found:
                found.append(diary_id)
    return found


def allied_responses(
    river: Iterable[Any], hosts: Collection[str], published: Collection[str], limit: int
) -> dict[str, list[Any]]:
    """``diary id -> [allied entries linking to it]``, newest first (the river's order)."""
    found: dict[str, list[Any]] = {}
    if not hosts or limit <= 0:
        return found
    for entry in river:
        links = getattr(entry, "links", None)
        if links is None:
            links = hrefs(getattr(entry, "content", "") or "")
        for diary_id in linked_diaries(links, hosts, published):
            kept = found.setdefault(diary_id, [])
            if len(kept) < limit:
                kept.append(entry)
    return found
