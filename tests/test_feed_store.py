"""Feeds in a build into an emptied output folder (what CI does on every deploy, `.cache/` kept).

The feeds' bytes are taken from the store of feeds made by earlier builds
(netroots.feeds.FeedStore) when their inputs are unchanged, and the output is still what a
clean build writes: after edits (hostile titles and comments), and after a change of the
site's address (every feed made again).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import feedparser
import pytest
from conftest import ROOT, build_site
from pelican.writers import Writer
from test_incremental import SEARCH, _files

import netroots.feeds

HOSTILE = r"A <script>alert(1)</script> & \a \x01 ]]> diary"  # YAML escapes: control characters


def _feeds(output: Path) -> dict[str, bytes]:
    return {name: data for name, data in _files(output).items() if name.endswith((".atom", ".rss", ".xml"))}


def _feeds_made(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The feeds the build makes from now on (not taken from the store): Pelican's (the diary
    feeds) and netroots.feeds' (comment feeds, and other plugins' few), by path."""
    made: dict[str, list[str]] = {"pelican": [], "netroots": []}
    pelican_feed, netroots_feed = Writer.write_feed, netroots.feeds.feed_bytes

    def pelican(self: Writer, elements: object, context: object, path: str | None = None, *args: object, **kw: object):
        made["pelican"].append(str(path))
        return pelican_feed(self, elements, context, path, *args, **kw)

    def ours(**kwargs: object) -> dict[str, bytes]:
        made["netroots"].extend(str(kwargs.get(kind)) for kind in ("atom_path", "rss_path"))
        return netroots_feed(**kwargs)

    monkeypatch.setattr(Writer, "write_feed", pelican)  # the diary feeds
    monkeypatch.setattr(netroots.feeds, "feed_bytes", ours)  # comment feeds, and other plugins' few
    return made


def test_an_emptied_output_folder_gets_the_same_feeds_without_making_them_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    content, output = tmp_path / "content", tmp_path / "output"
    build_site(content, output, SEARCH=SEARCH)
    first = _files(output)
    assert any(name.startswith("feeds/comments/") for name in first)
    shutil.rmtree(output)
    with monkeypatch.context() as patched:
        made = _feeds_made(patched)
        result = build_site(content, output, SEARCH=SEARCH)
    assert result.errors == []
    assert _files(output) == first
    comment_feeds = [name for name in first if name.startswith("feeds/comments")]
    assert len(comment_feeds) > 20 and "feeds/all.atom.xml" in first
    assert made["pelican"] == []
    assert [path for path in made["netroots"] if path.startswith("feeds/comments")] == []


def test_after_hostile_edits_an_emptied_output_folder_equals_a_clean_build(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "kept" / "content")
    content, output = tmp_path / "kept" / "content", tmp_path / "kept" / "output"
    build_site(content, output, SEARCH=SEARCH)
    diary = sorted((content / "diaries").rglob("*.md"))[0]
    text = diary.read_text(encoding="utf-8")
    head, _, rest = text.partition("\ntitle:")
    diary.write_text(f'{head}\ntitle: "{HOSTILE}"\n{rest.split(chr(10), 1)[1]}', encoding="utf-8")
    comment = sorted((content / "comments").rglob("*.md"))[0]
    comment.write_text(
        comment.read_text(encoding="utf-8") + "\nMarker2 <script>alert(2)</script> & [a link](../x/) \x07.\n",
        encoding="utf-8",
    )
    shutil.rmtree(output)
    build_site(content, output, SEARCH=SEARCH)
    shutil.copytree(content, tmp_path / "clean" / "content")
    build_site(tmp_path / "clean" / "content", tmp_path / "clean" / "output", SEARCH=SEARCH)
    feeds = _feeds(output)
    assert feeds == _feeds(tmp_path / "clean" / "output")
    assert any(b"alert(1)" in data for data in feeds.values()) and any(b"Marker2" in data for data in feeds.values())
    for name, data in feeds.items():
        parsed = feedparser.parse(data)
        assert not parsed.bozo, (name, parsed.bozo_exception)
        assert b"<script>" not in data, name


def test_a_new_site_address_makes_every_feed_again(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    content, output = tmp_path / "content", tmp_path / "output"
    build_site(content, output, SEARCH=SEARCH, SITEURL="https://old.example.org")
    shutil.rmtree(output)
    build_site(content, output, SEARCH=SEARCH, SITEURL="https://new.example.org")
    feeds = _feeds(output)
    assert any(name.startswith("feeds/comments/") for name in feeds)
    stale = [name for name, data in feeds.items() if b"old.example.org" in data]
    assert stale == []


def test_the_store_gives_a_feed_only_for_the_key_it_was_made_from(tmp_path: Path) -> None:
    settings = {"PATH": str(tmp_path / "content"), "NETROOTS_CACHE": str(tmp_path / ".cache")}
    store = netroots.feeds.FeedStore(settings, {"code": "1"})
    store.put("a.atom", "key", b"<feed/>")
    store.save()
    again = netroots.feeds.FeedStore(settings, {"code": "1"})
    assert again.get("a.atom", "key") == b"<feed/>"
    assert again.get("a.atom", "other") is None
    assert again.get("b.atom", "key") is None
    assert netroots.feeds.FeedStore(settings, {"code": "2"}).get("a.atom", "key") is None  # code changed


def test_comment_feeds_written_on_every_core_equal_one_process_and_go_with_their_diary(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "one" / "content")
    one = {"jobs": 1, "incremental": False}  # and no store: every feed made
    build_site(tmp_path / "one" / "content", tmp_path / "one" / "output", SEARCH=SEARCH, NETROOTS_BUILD=one)
    shutil.copytree(ROOT / "content", tmp_path / "two" / "content")
    content, output = tmp_path / "two" / "content", tmp_path / "two" / "output"
    workers = {"jobs": 2, "parallel_min": 2}
    build_site(content, output, SEARCH=SEARCH, NETROOTS_BUILD=workers)
    feeds = _feeds(output)
    assert len([name for name in feeds if name.startswith("feeds/comments/")]) > 20
    assert feeds == _feeds(tmp_path / "one" / "output")
    diary = content / "diaries" / "maria-lopez" / "2026-05-14-what-meridian-did-to-kbrt.md"
    mine = [name for name in feeds if name.startswith("feeds/comments/maria-lopez/what-meridian-did-to-kbrt.")]
    assert len(mine) == 2
    diary.unlink()
    build_site(content, output, SEARCH=SEARCH, NETROOTS_BUILD=workers)  # the files were recorded as the build's
    assert [name for name in mine if (output / name).exists()] == []


def test_a_diary_in_many_feeds_has_its_links_made_absolute_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import diaries.feeds

    calls: list[tuple[str, str]] = []
    real = diaries.feeds.absolute_urls

    def counted(fragment: str, base: str) -> str:
        calls.append((fragment, base))
        return real(fragment, base)

    monkeypatch.setattr(diaries.feeds, "absolute_urls", counted)
    shutil.copytree(ROOT / "content", tmp_path / "content")
    build_site(tmp_path / "content", tmp_path / "output", SEARCH=SEARCH)
    everyone = (tmp_path / "output" / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert "maria-lopez" in everyone and list((tmp_path / "output" / "feeds" / "members").glob("maria-lopez*"))
    assert calls and len(calls) == len(set(calls))  # each diary's HTML once, though it is in several feeds


HOSTILE_TITLES = [
    "Comments on “A <script>alert(1)</script> & <b>bold</b>”: Site",
    "Quotes \" ' and &amp; &lt;tag&gt; ]]> -->",
    "Controls \x01\x07\x1b &#1; &#xFFFE; \r\n\t tab",
    "Unicode ☃ 𝄞 \u2028 \ue000title\ue001",
    "<script></script>",
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
@pytest.mark.parametrize("kinds", [(True, True), (True, False), (False, True)])
def test_an_empty_feed_is_byte_for_byte_what_feedgen_writes(title: str, kinds: tuple[bool, bool]) -> None:
    atom = "feeds/comments/a/b.atom.xml" if kinds[0] else None
    rss = "feeds/comments/a/b.rss.xml" if kinds[1] else None
    site, page = 'https://example.org/x&y"z<\n\t>', 'diaries/a/b/?q=1&r="2"'
    values = netroots.feeds.feed_values(atom, rss, title, "", site, page)
    if not values["title"]:
        with pytest.raises(ValueError):  # feedgen's rule: a feed has a title
            netroots.feeds.feed_bytes(
                atom_path=atom, rss_path=rss, title=title, site_url=site, page_path=page, entries=[]
            )
        return
    made = netroots.feeds.feed_bytes(
        atom_path=atom, rss_path=rss, title=title, site_url=site, page_path=page, entries=[]
    )
    by_feedgen = netroots.feeds._feedgen(values, [], bool(atom), bool(rss))
    assert list(made.values()) == list(by_feedgen.values())
    for data in made.values():
        parsed = feedparser.parse(data)
        assert not parsed.bozo, parsed.bozo_exception
        assert parsed.feed.title == (values["title"] or parsed.feed.title)
        assert b"<script>" not in data


def test_an_empty_feed_is_made_without_feedgen_once_its_shape_is_known(monkeypatch: pytest.MonkeyPatch) -> None:
    def write(title: str) -> dict[str, bytes]:
        return netroots.feeds.feed_bytes(
            atom_path="c/a.atom", rss_path="c/a.rss", title=title, site_url="https://e.org", page_path="a/", entries=[]
        )

    write("First")

    def refuse() -> None:
        raise AssertionError("feedgen made an empty feed again")

    monkeypatch.setattr(netroots.feeds, "FeedGenerator", refuse)
    made = write("Second & third")
    assert b"<title>Second &amp; third</title>" in made["c/a.atom"]


def test_the_store_forgets_the_feeds_of_a_renamed_diary(tmp_path: Path) -> None:
    import sqlite3

    shutil.copytree(ROOT / "content", tmp_path / "content")
    content, output = tmp_path / "content", tmp_path / "output"
    build_site(content, output, SEARCH=SEARCH)
    diary = content / "diaries" / "maria-lopez" / "2026-05-14-what-meridian-did-to-kbrt.md"
    diary.rename(diary.with_name("2026-05-14-renamed.md"))
    build_site(content, output, SEARCH=SEARCH)
    with sqlite3.connect(tmp_path / ".cache" / "build" / "feeds.sqlite") as store:
        paths = {path for (path,) in store.execute("SELECT path FROM feeds")}
    assert "feeds/comments/maria-lopez/renamed.atom.xml" in paths
    assert [path for path in paths if "what-meridian" in path] == []
    assert paths <= set(_files(output))


def test_new_code_makes_the_kept_comment_feeds_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import netroots.incremental

    shutil.copytree(ROOT / "content", tmp_path / "content")
    content, output = tmp_path / "content", tmp_path / "output"
    build_site(content, output, SEARCH=SEARCH)
    real_world, real_bytes = netroots.incremental.world, netroots.feeds.feed_bytes

    def new_world(settings: dict) -> dict[str, str]:
        return {**real_world(settings), "code": "new code"}

    def new_format(**kwargs: object) -> dict[str, bytes]:
        return {path: data + b"<!-- new format -->" for path, data in real_bytes(**kwargs).items()}

    monkeypatch.setattr(netroots.incremental, "world", new_world)
    monkeypatch.setattr(netroots.feeds, "feed_bytes", new_format)
    build_site(content, output, SEARCH=SEARCH)  # the output folder kept
    comment_feeds = [name for name in _feeds(output) if name.startswith("feeds/comments")]
    assert comment_feeds
    old = [name for name in comment_feeds if not (output / name).read_bytes().endswith(b"<!-- new format -->")]
    assert old == []
