"""Markdown rendering and HTML sanitizing for everything written by people.

Members' Markdown and allies' feeds are untrusted: only an allowlist of tags,
attributes and URL schemes survives, so nothing they write runs script.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import markdown
import nh3
from markupsafe import Markup

from . import limits

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


# The only class a writer may set: a fenced code block's language. Any other (`visually-hidden`,
# `banner`, `button`) would dress member text up as the site's own interface.
_CODE_CLASS = re.compile(r'(<code\b[^>]*?) class="([^"]*)"')
_LANGUAGE = re.compile(r"language-[A-Za-z0-9_+#.-]{1,30}\Z")


def _only_language_classes(match: re.Match[str]) -> str:
    kept = [name for name in match.group(2).split() if _LANGUAGE.match(name)][:1]
    return f'{match.group(1)} class="{kept[0]}"' if kept else match.group(1)


def sanitize(fragment: str) -> str:
    """Return ``fragment`` with only allowlisted tags, attributes, URL schemes and classes."""
    cleaned = _cleaner().clean(remove_xml_invalid(fragment))
    if ' class="' in cleaned:
        cleaned = _CODE_CLASS.sub(_only_language_classes, cleaned)
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


# Remote images in members' and allies' HTML (PRIVACY["remote_images"], netroots/core.py;
# docs/maintainers.md, "Remote images"): "drop" (the default) shows each as a link to the
# picture with its alt text, and the site's CSP then allows images only from the site itself
# (img-src 'self' data:); "keep" shows them, and any host they come from learns who read the page.
IMG_SRC = re.compile(r"img-src[^;]*")


def remote_images(settings: Mapping[str, Any]) -> str:
    """``PRIVACY["remote_images"]``: "keep" only when set so (a wrong value is reported by
    ``netroots.plugin.start`` and counts as the default, "drop")."""
    privacy = settings.get("PRIVACY")
    return "keep" if isinstance(privacy, Mapping) and privacy.get("remote_images") == "keep" else "drop"


def content_security_policy(settings: Mapping[str, Any]) -> str:
    """``CONTENT_SECURITY_POLICY`` with ``img-src 'self' data:`` when remote images are dropped."""
    policy = str(settings.get("CONTENT_SECURITY_POLICY") or "")
    if remote_images(settings) != "drop" or not policy:
        return policy
    if IMG_SRC.search(policy):
        return IMG_SRC.sub("img-src 'self' data:", policy)
    return f"{policy.rstrip('; ')}; img-src 'self' data:"


def is_remote(url: str, own: Iterable[str] = ()) -> bool:
    """An absolute or protocol-relative address on another host than the site's own."""
    parts = urlsplit(url.strip())
    if not parts.netloc:
        return False
    return parts.netloc.lower() not in {host.lower() for host in own}


class _RemoteImagesAsLinks(_Rewriter):
    """Each remote ``<img>`` becomes a link to it named by its alt text; inside a link, the text alone."""

    def __init__(self, own: tuple[str, ...]) -> None:
        super().__init__(frozenset({"img"}), self._as_link)
        self.own = own
        self.links = 0

    def handle_starttag(self, tag: str, attrs: Attrs) -> None:
        super().handle_starttag(tag, attrs)
        self.links += tag == "a"

    def handle_endtag(self, tag: str) -> None:
        super().handle_endtag(tag)
        if tag == "a":
            self.links = max(0, self.links - 1)

    def _as_link(self, _tag: str, attrs: Attrs) -> str | None:
        values = dict(attrs)
        src = values.get("src") or ""
        if not is_remote(src, self.own):
            return None
        name = html.escape(
            (values.get("alt") or "").strip() or f"picture at {urlsplit(src.strip()).netloc}", quote=False
        )
        return name if self.links else f"{render_tag('a', [('href', src)])}{name}</a>"


def drop_remote_images(cleaned: str, own: Iterable[str] = ()) -> str:
    """Sanitized HTML with each remote ``<img>`` replaced by a link to the picture, named by
    its alt text (or "picture at HOST"), so no reader's browser asks another host for it."""
    if "<img" not in cleaned:
        return cleaned
    rewriter = _RemoteImagesAsLinks(tuple(own))
    rewriter.feed(cleaned)
    rewriter.close()
    return "".join(rewriter.parts)


def images_for_readers(cleaned: str, settings: Mapping[str, Any]) -> str:
    """Members' or allies' sanitized HTML as ``PRIVACY["remote_images"]`` says readers get it."""
    if remote_images(settings) == "keep":
        return cleaned
    return drop_remote_images(cleaned, own_hosts(settings))


def own_hosts(settings: Mapping[str, Any]) -> tuple[str, ...]:
    """The site's own host names (its published address), whose images are not remote."""
    from .site import site_address

    host = urlsplit(site_address(settings)).netloc
    return (host,) if host else ()


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


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.found.extend(value for name, value in attrs if name == "href" and value)


def hrefs(fragment: str) -> list[str]:
    """The targets of the links in an HTML fragment, parsed (never a regex over markup)."""
    parser = _Links()
    parser.feed(fragment or "")
    parser.close()
    return parser.found


def remove_xml_invalid(value: str) -> str:
    return XML_INVALID.sub("", value)


LINE_BREAKS = re.compile("[\r\n\v\f\x85\u2028\u2029]+")


def one_line(value: str) -> str:
    """``value`` on one line: every kind of line break (CR too) becomes a space, for formats
    where a line break ends a field (iCalendar, vCard, headers)."""
    return LINE_BREAKS.sub(" ", value).strip()


def plain_text(value: str) -> str:
    """Text with every tag dropped and entities decoded, for titles and authors."""
    stripped = nh3.clean(remove_xml_invalid(value), tags=set(), clean_content_tags={"script", "style"})
    # again after decoding: "&#1;" is a control character, and one makes a whole feed invalid
    return WHITESPACE.sub(" ", remove_xml_invalid(html.unescape(stripped))).strip()


def new_markdown() -> markdown.Markdown:
    """A Markdown converter with Netroots' extensions (reuse it with ``reset()``)."""
    return markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, output_format="html")


@lru_cache(maxsize=1)
def _shared_markdown() -> markdown.Markdown:
    return new_markdown()


def render_markdown_within(source: str, convert=None, seconds: float | None = None) -> str:
    """Markdown to sanitized HTML in at most ``seconds`` (``limits.TimeLimit`` past them).

    Some Markdown takes quadratic time (60 kB of ``[``) or deep recursion (nested lists);
    the deadline keeps one file from holding up the whole build. ``convert`` is the
    converter to use (a reader's own); Netroots' shared one by default.
    """
    convert = convert or (lambda text: _shared_markdown().reset().convert(text))
    try:
        return limits.within(seconds or limits.MARKDOWN_SECONDS, lambda: sanitize(convert(source)))
    except limits.TimeLimit:
        _shared_markdown.cache_clear()  # an interrupted converter may hold half a document
        raise


def render_markdown(source: str) -> str:
    """Markdown to sanitized HTML; text that cannot render within the time limit is shown
    as plain, escaped text instead (the diaries plugin reports such a file as an error)."""
    try:
        return render_markdown_within(source)
    except limits.TimeLimit:
        return f"<p>{html.escape(source[:10_000])}</p>"


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


def _finite(data: object) -> object:
    """``data`` with NaN and infinities as ``null``: JSON has no such numbers."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(value) for value in data]
    return data


def script_json(data: object) -> str:
    """``data`` as JSON that can sit between ``<script type="application/ld+json">`` tags unchanged
    (and is valid JSON: a number that is not finite becomes ``null``)."""
    return json.dumps(_finite(data), ensure_ascii=False, indent=1, allow_nan=False).translate(_SCRIPT_SAFE)


def words(fragment: str, count: int) -> str:
    """The first ``count`` words of an HTML fragment, as plain text with an ellipsis."""
    parts = plain_text(fragment).split()
    if len(parts) <= count:
        return " ".join(parts)
    return " ".join(parts[:count]) + "…"


def paragraphs(text: str | None) -> Markup:
    """Plain text (a call script, a letter) as HTML paragraphs, reflowed to the reader's
    screen: a blank line starts a new paragraph, a line break inside one becomes a space
    (YAML block text keeps the file's hard wraps, which read badly on a phone)."""
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    return Markup(
        "".join(f"<p>{html.escape(' '.join(block.split()), quote=False)}</p>" for block in blocks if block.strip())
    )
