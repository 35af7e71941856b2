"""Members' Markdown is untrusted: nothing in it may run script, in pages or feeds."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from conftest import read

from netroots.html import plain_text, sanitize

HOSTILE_PAGE = "diaries/ben/hostile/index.html"
DANGEROUS = re.compile(
    r"<script|<iframe|<object|<embed|<form|<base|<meta http-equiv|<style|<svg|<math"
    r"|<[^>]+\son\w+\s*=|javascript:|data:text|data:image/svg|style=\"position",
    re.I,
)


def _article(html: str) -> str:
    """The diary's own markup, without the theme around it."""
    return html[html.index('<article class="diary"') : html.index("</article>")]


@pytest.fixture
def hostile_output(site) -> Path:
    result = site("hostile")
    assert (result.output / HOSTILE_PAGE).exists(), result.errors
    return result.output


def test_hostile_diary_page_keeps_text_and_drops_everything_active(hostile_output: Path) -> None:
    article = _article(read(hostile_output, HOSTILE_PAGE))
    assert not DANGEROUS.search(article), DANGEROUS.search(article)
    assert "Click me" in article
    assert '<a href="https://example.org/ok"' in article
    assert 'src="https://example.org/cat.jpg"' in article
    assert 'referrerpolicy="no-referrer"' in article


def test_titles_tags_and_summaries_are_escaped_text(hostile_output: Path) -> None:
    page = read(hostile_output, HOSTILE_PAGE)
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; Totally normal" in page
    assert "<script>alert('title')" not in page
    assert "<img src=x onerror" not in page
    index = read(hostile_output, "diaries/index.html")
    assert "<b onmouseover" not in index


def test_every_feed_is_sanitized(hostile_output: Path) -> None:
    feeds = sorted((hostile_output / "feeds").rglob("*.xml"))
    assert len(feeds) >= 6
    for path in feeds:
        parsed = feedparser.parse(path)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        for entry in parsed.entries:
            for field in ("content", "summary_detail"):
                values = entry.get(field) or []
                for value in values if isinstance(values, list) else [values]:
                    assert not DANGEROUS.search(value.get("value", "")), (path, entry.title)
    raw = read(hostile_output, "feeds/all.atom.xml")
    assert "<script>alert('body')" not in raw and "&lt;script&gt;alert('body')" not in raw


@pytest.mark.parametrize(
    "fragment",
    [
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JAVASCRIPT:alert(1)">x</a>',
        '<a href="java\tscript:alert(1)">x</a>',
        '<a href="&#x6A;avascript:alert(1)">x</a>',
        '<a href=" javascript:alert(1)">x</a>',
        '<img src="x" onerror="alert(1)">',
        '<div onmouseover="alert(1)">x</div>',
        '<a href="vbscript:msgbox(1)">x</a>',
        '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
        "<scr<script>ipt>alert(1)</script>",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
        '<abbr title="<img onmouseover=alert(1)//">hover</abbr><img src="https://example.org/a.png">',
        '<a title="<img onfocus=alert(1) autofocus x=" href="https://example.org">x</a><img src="https://e.org/b.png">',
    ],
)
def test_sanitizer_neutralizes_known_vectors(fragment: str) -> None:
    cleaned = sanitize(fragment)
    elements = parsed_elements(cleaned)
    assert all(tag not in {"script", "iframe", "object", "embed", "svg", "math", "noscript"} for tag, _ in elements)
    for _tag, attrs in elements:
        for name, value in attrs:
            assert not name.startswith("on") and name not in {"style", "autofocus"}, cleaned
            assert not re.match(r"\s*(javascript|vbscript|data):", value or "", re.I), cleaned


def parsed_elements(fragment: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Elements as a browser's tokenizer sees them: (tag, attributes)."""
    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

    collector = Collector()
    collector.feed(fragment)
    collector.close()
    return found


def test_images_get_alt_and_links_stay_valid_without_their_bad_address() -> None:
    cleaned = sanitize('<a href="javascript:alert(1)">x</a><img src="https://example.org/a.png">')
    assert cleaned.startswith('<a>x</a><img alt="" ')


def test_plain_text_drops_markup_and_control_characters() -> None:
    assert plain_text("<b>Bold</b> &amp; <script>x()</script>more\x00\x07") == "Bold & more"
