"""Markdown rendering and HTML sanitizing for everything written by people.

Members' Markdown and allies' feeds are untrusted: only an allowlist of tags,
attributes and URL schemes survives, so nothing they write runs script.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import markdown
import nh3

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del",
        "details", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5",
        "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
        "small", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot",
        "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
    "code": {"class"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"},
}  # fmt: skip
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
LINK_REL = "noopener noreferrer nofollow ugc"
MARKDOWN_EXTENSIONS = ["extra", "sane_lists", "smarty"]

# Characters XML 1.0 forbids; feeds that carry them are unreadable.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
WHITESPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math"},
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        set_tag_attribute_values={"img": {"loading": "lazy", "referrerpolicy": "no-referrer", "decoding": "async"}},
        strip_comments=True,
    )


def sanitize(fragment: str) -> str:
    """Return ``fragment`` with only allowlisted tags, attributes and URL schemes."""
    return _cleaner().clean(remove_xml_invalid(fragment))


def remove_xml_invalid(value: str) -> str:
    return XML_INVALID.sub("", value)


def plain_text(value: str) -> str:
    """Text with every tag dropped and entities decoded, for titles and authors."""
    stripped = nh3.clean(remove_xml_invalid(value), tags=set(), clean_content_tags={"script", "style"})
    return WHITESPACE.sub(" ", html.unescape(stripped)).strip()


def new_markdown() -> markdown.Markdown:
    """A Markdown converter with Netroots' extensions (reuse it with ``reset()``)."""
    return markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, output_format="html")


@lru_cache(maxsize=1)
def _shared_markdown() -> markdown.Markdown:
    return new_markdown()


def render_markdown(source: str) -> str:
    """Markdown to sanitized HTML."""
    return sanitize(_shared_markdown().reset().convert(source))


def render_inline(source: str) -> str:
    """Markdown for one short line (an update, a note), without the wrapping <p>."""
    rendered = render_markdown(source).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        rendered = rendered[3:-4]
    return rendered


def words(fragment: str, count: int) -> str:
    """The first ``count`` words of an HTML fragment, as plain text with an ellipsis."""
    parts = plain_text(fragment).split()
    if len(parts) <= count:
        return " ".join(parts)
    return " ".join(parts[:count]) + "…"
