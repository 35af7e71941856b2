"""What a tag's page shows beside its diaries: who writes under the tag, the groups that
republish it and the tags it is most often used with.

Gathered once per build from all of a tag's diaries. The page template used to gather it
itself, on each of the tag's pages, so a tag's pages cost its size squared (at 10,000
diaries, most of a full build's rendering). In the context as ``tag_company`` (tag name ->
``TagCompany``); a tag page reads its own entry, so its fingerprint covers just that
(netroots/fingerprint.py), not every diary under the tag.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

SHOWN = 8  # writers and neighbouring tags a tag page lists


@dataclass(frozen=True)
class TagCompany:
    writers: tuple[str, ...]  # the first SHOWN handles, in the order of the tag's diaries (newest first)
    groups: tuple[str, ...]  # every group slug, in the same order
    tags: tuple[tuple[str, str], ...]  # (name, url) of the SHOWN tags used most often with it


def tag_company(tags: Mapping[Any, Iterable[Any]]) -> dict[str, TagCompany]:
    """Each tag's company, from Pelican's tag -> diaries mapping (the lists its pages show)."""
    return {tag.name: company_of(tag.name, articles) for tag, articles in tags.items()}


def company_of(name: str, articles: Iterable[Any]) -> TagCompany:
    writers: dict[str, None] = {}
    groups: dict[str, None] = {}
    counts: dict[str, int] = {}
    urls: dict[str, str] = {}
    for article in articles:
        writers.setdefault(article.author.name)
        for slug in getattr(article, "groups", None) or []:
            groups.setdefault(slug)
        for other in article.tags:
            known = other.name
            if known != name:
                counts[known] = counts.get(known, 0) + 1
                if known not in urls:  # a tag's address is formatted from the settings: once
                    urls[known] = other.url
    return TagCompany(
        writers=tuple(list(writers)[:SHOWN]),
        groups=tuple(groups),
        tags=tuple((other, urls[other]) for other in most_used(counts)),
    )


def most_used(counts: Mapping[str, int]) -> list[str]:
    """The SHOWN names used most, alphabetical without case among equals (a stable sort keeps
    that order)."""
    ranked = sorted(sorted(counts.items(), key=lambda item: item[0].lower()), key=lambda item: item[1], reverse=True)
    return [name for name, _ in ranked[:SHOWN]]
