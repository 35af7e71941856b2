"""Diaries: publishing, drafts, updates, feeds and hostile Markdown."""

from __future__ import annotations

import feedparser
from conftest import read


def test_diary_published_at_folder_url_with_author_from_folder(site) -> None:
    result = site("basic")
    page = read(result.output, "diaries/ana/rent-strike-notes/index.html")
    assert "<h1>Rent strike notes</h1>" in page
    assert 'href="../../../members/ana/">Ana Ruiz</a>' in page
    assert "<strong>laundry room</strong>" in page


def test_draft_is_not_published_anywhere(site) -> None:
    result = site("basic")
    assert not (result.output / "diaries/ana/draft-thoughts").exists()
    assert "Draft thoughts" not in read(result.output, "diaries/index.html")
    assert "Draft thoughts" not in read(result.output, "feeds/all.atom.xml")


def test_updates_render_oldest_first_and_set_feed_updated_time(site) -> None:
    result = site("basic")
    page = read(result.output, "diaries/ana/rent-strike-notes/index.html")
    assert page.index("First update.") < page.index("The landlord agreed")
    feed = feedparser.parse(result.output / "feeds/all.atom.xml")
    assert not feed.bozo
    entry = next(e for e in feed.entries if e.title == "Rent strike notes")
    assert entry.updated.startswith("2026-03-10T09:00")
