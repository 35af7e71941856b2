"""OPML: export the allies as ``/allies.opml``; import another reader's subscriptions.

Imported files come from elsewhere, so the parser refuses DOCTYPEs and entities
(no entity expansion, no external fetches) and every URL is checked by scheme.
"""

from __future__ import annotations

import datetime as dt
import xml.parsers.expat
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from netroots.html import plain_text, remove_xml_invalid

from .model import Ally, safe_url

MAX_OPML_BYTES = 10_000_000


class OPMLError(Exception):
    pass


@dataclass
class Subscription:
    name: str
    feed: str
    site: str | None
    tags: list[str]


def export_opml(allies: list[Ally], title: str, owner_url: str, now: dt.datetime) -> str:
    """OPML 2.0 with one outline per ally."""

    def attr(value: str) -> str:
        return quoteattr(remove_xml_invalid(value))

    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "<head>",
        f"<title>{attr(title)[1:-1]}</title>",
        f"<dateCreated>{now.strftime('%a, %d %b %Y %H:%M:%S %z')}</dateCreated>",
        f"<ownerId>{attr(owner_url)[1:-1]}</ownerId>",
        "</head>",
        "<body>",
    ]
    for ally in allies:
        category = f" category={attr(','.join(ally.tags))}" if ally.tags else ""
        lines.append(
            f'<outline type="rss" text={attr(ally.name)} title={attr(ally.name)} '
            f"xmlUrl={attr(ally.feed)} htmlUrl={attr(ally.site)}{category}/>"
        )
    lines += ["</body>", "</opml>", ""]
    return "\n".join(lines)


def read_opml(path: Path) -> list[Subscription]:
    """Every ``<outline xmlUrl=...>`` of an OPML file (folders become tags)."""
    data = path.read_bytes()
    if len(data) > MAX_OPML_BYTES:
        raise OPMLError(f"the file is larger than {MAX_OPML_BYTES:,} bytes")
    parser = xml.parsers.expat.ParserCreate()
    found: list[Subscription] = []
    folders: list[str | None] = []

    def refuse(*_args: object) -> None:
        raise OPMLError("the file declares a DOCTYPE or entities; OPML needs neither (refused for safety)")

    def start(name: str, attrs: dict[str, str]) -> None:
        if name != "outline":
            return
        feed = safe_url(attrs.get("xmlUrl") or attrs.get("xmlurl"))
        label = plain_text(attrs.get("title") or attrs.get("text") or "")[:200]
        if feed:
            tags = [t for t in folders if t]
            tags += [c.strip() for c in plain_text(attrs.get("category", "")).split(",") if c.strip() and "/" not in c]
            site = safe_url(attrs.get("htmlUrl") or attrs.get("htmlurl"))
            found.append(Subscription(name=label or feed, feed=feed, site=site, tags=list(dict.fromkeys(tags))))
            folders.append(None)
        else:
            folders.append(label or None)

    def end(name: str) -> None:
        if name == "outline" and folders:
            folders.pop()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise OPMLError(
            f"not well-formed XML at line {exc.lineno}: {xml.parsers.expat.errors.messages[exc.code]}"
        ) from None
    return found


def yaml_item(sub: Subscription) -> str:
    """One ``allies.yaml`` item, quoted so any name survives YAML."""
    import json

    lines = [f"- name: {json.dumps(sub.name, ensure_ascii=False)}", f"  feed: {json.dumps(sub.feed)}"]
    if sub.site:
        lines.append(f"  site: {json.dumps(sub.site)}")
    if sub.tags:
        lines.append(f"  tags: {json.dumps(sub.tags, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"
