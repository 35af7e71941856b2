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
    return html[html.index('<article class="diary') : html.index("</article>")]


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
    assert '<a href="https://example.org/cat.jpg">' in article  # a remote picture is a link (PRIVACY["remote_images"])
    assert 'src="https://' not in article


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


# --- every kind of member file, not only diaries -------------------------------------------

ATTACK = "alert('raw')"


def _write(content: Path, relative: str, text: str) -> Path:
    path = content / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _assert_inert(html: str) -> None:
    """As a browser parses it: no script element, no event handler attribute (text may mention them)."""
    for tag, attrs in parsed_elements(html):
        assert tag not in {"script", "iframe", "object", "embed", "svg", "math"}, html
        assert all(not name.startswith("on") for name, _ in attrs), html


def test_only_the_sanitizing_reader_turns_files_into_pages(site, copy_fixture) -> None:
    """Pelican's own readers (HTML, reStructuredText, .mkd/.mdown Markdown) publish raw HTML."""
    content = copy_fixture("hostile")
    script = f"<script>{ATTACK}</script>"
    _write(content, "pages/raw-html.html", f"<html><head><title>Raw html</title></head><body>{script}</body></html>")
    _write(content, "pages/raw-mkd.mkd", f"Title: Raw mkd\n\n{script}\n")
    _write(content, "pages/raw-mdown.mdown", f"Title: Raw mdown\n\n{script}\n")
    _write(content, "pages/raw-rst.rst", f"Raw rst\n#######\n\n.. raw:: html\n\n   {script}\n")
    _write(
        content,
        "diaries/ben/2026-06-05-raw.html",
        f'<html><head><title>Raw diary</title><meta name="date" content="2026-06-05"></head><body>{script}</body></html>',
    )
    result = site(content)
    leaked = [p for p in result.output.rglob("*") if p.is_file() and ATTACK in p.read_text("utf-8", "replace")]
    assert leaked == []
    assert any("raw-html.html" in error and "outside the layout" in error for error in result.errors)


def test_images_folder_publishes_only_images(site, copy_fixture, tmp_path: Path) -> None:
    """A .html or .svg "image" would run script on the site's own origin; a symlink could leak the builder's files."""
    content = copy_fixture("hostile")
    _write(content, "images/evil.html", f"<script>{ATTACK}</script>")
    _write(content, "images/evil.svg", f'<svg xmlns="http://www.w3.org/2000/svg"><script>{ATTACK}</script></svg>')
    _write(content, "images/evil.js", ATTACK)
    (content / "images" / "cat.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (content / "images" / "Photo.JPG").write_bytes(b"\xff\xd8\xff")
    secret = tmp_path / "secret.txt"
    secret.write_text("BUILD-SECRET", encoding="utf-8")
    (content / "images" / "leak.png").symlink_to(secret)
    result = site(content)
    published = sorted(p.name for p in (result.output / "images").iterdir())
    assert published == ["Photo.JPG", "cat.png"]
    for name in ("evil.html", "evil.svg", "evil.js", "leak.png"):
        assert any(f"images/{name}" in error for error in result.errors), (name, result.errors)


def test_intrasite_links_cannot_reopen_a_sanitized_attribute(site, copy_fixture) -> None:
    """Pelican's {filename}/{static} replacement ran a regex over sanitized HTML and HTML-unescaped the URL."""
    content = copy_fixture("hostile")
    (content / "images").mkdir()
    (content / "images" / "a&b.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    _write(
        content,
        "diaries/ben/2026-06-03-links.md",
        "---\ntitle: Links\ndate: 2026-06-03 12:00\ntags: [Links]\n---\n\n"
        """<a href='{filename}/images/a&b.png?x=" onmouseover="alert(1)"><script>alert(2)</script>'>photo</a>\n\n"""
        """<abbr title="src='{filename}/images/a&b.png?&quot;&gt;&lt;img src=x onerror=alert(3)&gt;'">t</abbr>\n\n"""
        "[up]({static}/../outside.txt)\n",
    )
    (content.parent / "outside.txt").write_text("OUTSIDE", encoding="utf-8")
    result = site(content)
    page = read(result.output, "diaries/ben/links/index.html")
    article = _article(page)
    assert "photo" in article
    _assert_inert(article)
    for entry in feedparser.parse(read(result.output, "feeds/all.atom.xml")).entries:
        for value in entry.get("content") or []:
            _assert_inert(value["value"])
    assert not any("OUTSIDE" in p.read_text("utf-8", "replace") for p in result.output.rglob("*.txt"))


EVENT = """---
title: "Line\u2028separator\u2029and </script><script>alert('title')</script> & more"
start: 2026-12-10 18:00
timezone: America/New_York
location: {name: "Hall\\r\\nX-INJECTED:1", city: Columbus, state: OH}
online: "https://meet.example.org/room"
summary: "Summary\\r\\nATTACH:https://evil.example/\\r\\nDESCRIPTION:injected\u2028line"
---

Body.
"""


def _script_blocks(page: str) -> list[str]:
    return re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)


def test_json_ld_escapes_what_could_end_or_break_the_script(site, copy_fixture) -> None:
    import json

    content = copy_fixture("hostile")
    _write(content, "events/party.md", EVENT)
    result = site(content)
    page = read(result.output, "events/party/index.html")
    (block,) = _script_blocks(page)
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in block, repr(raw)
    data = json.loads(block)
    assert data["name"].startswith("Line\u2028separator\u2029and </script>")
    calendar = read(result.output, "events/party.ics")
    lines = calendar.replace("\r\n ", "").split("\r\n")
    assert not any(line.startswith(("X-INJECTED", "ATTACH", "DESCRIPTION:injected")) for line in lines), lines


def test_contact_vcard_and_allies_opml_cannot_gain_lines_or_elements(site, copy_fixture) -> None:
    from xml.etree import ElementTree

    content = copy_fixture("hostile")
    _write(
        content,
        "contacts/station.yaml",
        'name: "Station\\r\\nEMAIL:attacker@evil.example"\nkind: media\n'
        'website: "https://station.example.org/"\n'
        'people:\n  - {name: "Dana\\nURL:javascript:alert(1)", role: "Editor\\rNOTE:x"}\n'
        'notes: "<script>alert(1)</script>Fine"\n',
    )
    _write(
        content,
        "allies.yaml",
        '- name: "Ally\\"/><outline xmlUrl=\\"javascript:alert(1)\\"/><x a=\\""\n'
        "  feed: https://ally.example.org/feed.xml\n",
    )
    result = site(content)
    vcard = read(result.output, "contacts/station/station.vcf")
    names = [line.split(":", 1)[0].split(";", 1)[0] for line in vcard.replace("\r\n ", "").split("\r\n") if line]
    assert "URL" not in names and "NOTE" not in names and names.count("EMAIL") == 0, names
    page = read(result.output, "contacts/station/index.html")
    assert "<script>alert" not in page
    opml = ElementTree.fromstring(read(result.output, "allies.opml"))
    outlines = opml.findall(".//outline")
    assert len(outlines) == 1 and outlines[0].get("xmlUrl") == "https://ally.example.org/feed.xml"


BAD_URLS = [
    "javascript:alert(1)",
    " javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\\tscript:alert(1)",
    "java\\nscript:alert(1)",
    "&#106;avascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example/x",
]


def test_url_fields_from_yaml_accept_only_http_and_https(site, copy_fixture) -> None:
    content = copy_fixture("hostile")
    for number, value in enumerate(BAD_URLS):
        quoted = '"' + value.replace('"', '\\"') + '"'
        _write(content, f"members/m{number}.yaml", f"name: M{number}\nlinks:\n  - {{label: Site, url: {quoted}}}\n")
        _write(
            content,
            f"events/meet-{number}.md",
            f"---\ntitle: Meet\nstart: 2026-12-10 18:00\ntimezone: America/New_York\nonline: {quoted}\n"
            f"rsvp: {quoted}\n---\n\nHi.\n",
        )
        _write(
            content,
            f"jobs/organizer-{number}.md",
            f"---\ntitle: Organizer\norganization: Union\norganization_url: {quoted}\nremote: true\ntype: contract\n"
            f"apply: {quoted}\nposted: 2026-11-20\n---\n\nWork.\n",
        )
        _write(content, f"contacts/paper-{number}.yaml", f"name: Paper\nkind: media\nwebsite: {quoted}\n")
    result = site(content)
    for number in range(len(BAD_URLS)):
        for name in (f"members/m{number}.yaml", f"events/meet-{number}.md", f"jobs/organizer-{number}.md"):
            assert any(name in error for error in result.errors), (name, result.errors)
        assert any(f"contacts/paper-{number}.yaml" in error for error in result.errors), number
    for path in result.output.rglob("*"):
        if path.suffix in {".html", ".xml", ".ics", ".vcf", ".opml", ".json"}:
            text = path.read_text("utf-8", "replace").lower()
            assert "javascript:" not in text and "data:text" not in text, path


@pytest.mark.parametrize(
    ("value", "convert"),
    [
        ("a?cc=boss@example.org&body=hi@example.org", "email"),
        ("press%0Abcc@example.org", "email"),
        ('https://example.org/a"onmouseover=alert(1)', "url"),
        ("https://example.org/a b", "url"),
        ("https://example.org/\r\nSet-Cookie:x", "url"),
    ],
)
def test_addresses_that_would_break_out_of_a_link_are_refused(value: str, convert: str) -> None:
    from netroots import schema

    with pytest.raises(schema.Invalid):
        getattr(schema, convert)(value)
