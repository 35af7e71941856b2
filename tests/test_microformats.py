"""Findable and followable: h-entry, h-card, rel="me", each page's own feeds, members named in feeds."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import feedparser
import mf2py
import pytest
from conftest import FIXTURES, TODAY, build_site, read


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    os.environ["NETROOTS_TODAY"] = TODAY
    root = tmp_path_factory.mktemp("mf")
    shutil.copytree(FIXTURES / "basic", root, dirs_exist_ok=True)
    member = root / "content" / "members" / "ana.yaml"
    member.write_text(
        member.read_text(encoding="utf-8")
        + "links:\n  - {label: Blog, url: 'https://ana.example.org/'}\n  - {label: Mastodon, url: 'https://social.example.org/@ana'}\n",
        encoding="utf-8",
    )
    result = build_site(root / "content", root / "output")
    assert not result.errors, result.errors
    return root / "output"


def parse(built: Path, path: str) -> dict:
    return mf2py.parse(doc=read(built, path), url=f"http://localhost:8000/{path.removesuffix('index.html')}")


def test_diary_page_is_an_h_entry(built: Path) -> None:
    data = parse(built, "diaries/ana/rent-strike-notes/index.html")
    entry = next(item for item in data["items"] if "h-entry" in item["type"])
    props = entry["properties"]
    assert props["name"] == ["Rent strike notes"]
    assert props["published"][0].startswith("2026-03-01T18:00:00")
    assert props["url"] == ["http://localhost:8000/diaries/ana/rent-strike-notes/"]
    author = props["author"][0]
    assert author["type"] == ["h-card"] and author["properties"]["name"] == ["Ana Ruiz"]
    assert author["properties"]["url"] == ["http://localhost:8000/members/ana/"]
    assert "laundry room" in props["content"][0]["value"]


def test_member_page_is_an_h_card_with_rel_me_links(built: Path) -> None:
    data = parse(built, "members/ana/index.html")
    card = next(item for item in data["items"] if "h-card" in item["type"])
    props = card["properties"]
    assert props["name"] == ["Ana Ruiz"]
    assert props["nickname"] == ["@ana"]
    assert props["locality"] == ["Columbus"] and props["region"] == ["OH"]
    assert props["note"] == ["Organizes tenants in Columbus."]
    assert "https://ana.example.org/" in props["url"] and "http://localhost:8000/members/ana/" in props["url"]
    assert data["rels"]["me"] == ["https://ana.example.org/", "https://social.example.org/@ana"]


def test_member_tag_and_group_pages_advertise_their_own_feeds(built: Path) -> None:
    expected = {
        "members/ana/index.html": "http://localhost:8000/feeds/members/ana.atom.xml",
        "tags/housing/index.html": "http://localhost:8000/feeds/tags/housing.atom.xml",
        "groups/tenants/index.html": "http://localhost:8000/feeds/groups/tenants.atom.xml",
    }
    for page, feed in expected.items():
        alternates = parse(built, page)["rel-urls"]
        assert feed in alternates, page
        assert alternates[feed]["type"] == "application/atom+xml"
        assert (built / feed.removeprefix("http://localhost:8000/")).is_file(), feed
        rss = feed.replace(".atom.xml", ".rss.xml")
        assert alternates[rss]["type"] == "application/rss+xml"


def test_diary_feeds_name_the_member_not_the_handle(built: Path) -> None:
    for path in ("feeds/all.atom.xml", "feeds/members/ana.atom.xml", "feeds/tags/housing.atom.xml"):
        feed = feedparser.parse(read(built, path))
        authors = {entry.author for entry in feed.entries}
        assert "ana" not in authors and "Ana Ruiz" in authors, path
    rss = feedparser.parse(read(built, "feeds/all.rss.xml"))
    assert "Ana Ruiz" in {entry.get("author", "") for entry in rss.entries} or any(
        "Ana Ruiz" in str(entry.get("author_detail", "")) for entry in rss.entries
    )
