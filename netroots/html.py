"""Markdown rendering and HTML sanitizing for everything written by people.

Members' Markdown and allies' feeds are untrusted: only an allowlist of tags,
attributes and URL schemes survives, so nothing they write runs script.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from html.parser import HTMLParser
from urllib.parse import urljoin

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
}  # fmt: skip
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# No "smarty": curly quotes would triple the time Markdown takes on every build.
MARKDOWN_EXTENSIONS = ["tables", "fenced_code", "def_list", "abbr", "sane_lists"]
VOID_TAGS = frozenset({"br", "hr", "img"})

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
        link_rel=None,  # no rel: an <a> whose bad href was dropped must stay valid HTML
        set_tag_attribute_values={"img": {"loading": "lazy", "referrerpolicy": "no-referrer", "decoding": "async"}},
        strip_comments=True,
    )


def sanitize(fragment: str) -> str:
    """Return ``fragment`` with only allowlisted tags, attributes and URL schemes."""
    cleaned = _cleaner().clean(remove_xml_invalid(fragment))
    return _add_missing_alt(cleaned) if "<img" in cleaned else cleaned


Attrs = list[tuple[str, str | None]]


def render_tag(tag: str, attrs: Attrs) -> str:
    """``<tag a="v">`` with every value escaped (valueless attributes written as ``a=""``)."""
    rendered = "".join(f' {name}="{html.escape(value or "", quote=True)}"' for name, value in attrs)
    return f"<{tag}{rendered}>"


class _Rewriter(HTMLParser):
    """Re-serializes sanitized HTML, letting ``change`` replace chosen start tags.

    A real parser, never a regex: ``<`` may stand inside attribute values, and text
    spliced into the wrong place there would open a hole the sanitizer had closed.
    """

    def __init__(self, tags: frozenset[str], change) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags = tags
        self.change = change

    def _tag(self, tag: str, attrs: Attrs) -> str:
        if tag in self.tags:
            replaced = self.change(tag, attrs)
            if replaced is not None:
                return replaced
        return render_tag(tag, attrs)

    def handle_starttag(self, tag: str, attrs: Attrs) -> None:
        self.parts.append(self._tag(tag, attrs))

    def handle_startendtag(self, tag: str, attrs: Attrs) -> None:
        self.parts.append(self._tag(tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID_TAGS:
            self.parts.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.parts.append(html.escape(data, quote=False))


def rewrite_tags(cleaned: str, tags: Iterable[str], change: Callable[[str, Attrs], str | None]) -> str:
    """Sanitized HTML with each start tag in ``tags`` replaced by ``change(tag, attrs)``
    (``None`` keeps it). What ``change`` returns is trusted: build it with ``render_tag``."""
    rewriter = _Rewriter(frozenset(tags), change)
    rewriter.feed(cleaned)
    rewriter.close()
    return "".join(rewriter.parts)


def _with_alt(tag: str, attrs: Attrs) -> str | None:
    if any(name == "alt" for name, _ in attrs):
        return None
    return render_tag(tag, [("alt", ""), *attrs])


def _add_missing_alt(cleaned: str) -> str:
    """Every image gets an ``alt`` (empty: decorative)."""
    return rewrite_tags(cleaned, ("img",), _with_alt)


_URL_ATTRIBUTES = frozenset({"href", "src", "poster", "cite"})


def absolute_urls(fragment: str, base: str) -> str:
    """``fragment`` with relative links and image sources resolved against ``base``
    (a page's address): feeds and e-mails are read away from the page."""

    def resolve(tag: str, attrs: Attrs) -> str | None:
        if not any(name in _URL_ATTRIBUTES or name == "srcset" for name, _ in attrs):
            return None
        fixed: Attrs = []
        for name, value in attrs:
            if value and name in _URL_ATTRIBUTES:
                value = urljoin(base, value.strip())
            elif value and name == "srcset":
                value = ", ".join(
                    " ".join([urljoin(base, part.split()[0]), *part.split()[1:]])
                    for part in value.split(",")
                    if part.strip()
                )
            fixed.append((name, value))
        return render_tag(tag, fixed)

    if "=" not in fragment:
        return fragment
    return rewrite_tags(fragment, ("a", "img", "source", "audio", "video", "track", "blockquote", "q"), resolve)


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


# Inside <script>, `</script` or `<!--` would end or change the element, `&` could start an
# entity, and U+2028/2029 end a line for older JavaScript parsers. JSON's \uXXXX escapes read
# the same to every JSON parser.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(data: object) -> str:
    """``data`` as JSON that can sit between ``<script type="application/ld+json">`` tags unchanged."""
    return json.dumps(data, ensure_ascii=False, indent=1).translate(_SCRIPT_SAFE)


def words(fragment: str, count: int) -> str:
    """The first ``count`` words of an HTML fragment, as plain text with an ellipsis."""
    parts = plain_text(fragment).split()
    if len(parts) <= count:
        return " ".join(parts)
    return " ".join(parts[:count]) + "…"
