"""Diaries: publishing, drafts, updates, feeds and hostile Markdown."""

from __future__ import annotations

import os
import re
from pathlib import Path

import feedparser
import pytest
from conftest import ROOT, build_site, read, site_settings


def test_diary_published_at_folder_url_with_author_from_folder(site) -> None:
    result = site("basic")
    page = read(result.output, "diaries/ana/rent-strike-notes/index.html")
    assert '<h1 class="p-name">Rent strike notes</h1>' in page
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


def test_member_page_lists_their_diaries_and_links_valid_feeds(site) -> None:
    result = site("basic")
    page = read(result.output, "members/ana/index.html")
    assert (
        '<h1 class="p-name">Ana Ruiz</h1>' in page
        and "Columbus, OH" in re.sub(r"<[^>]+>", "", page)
        and "Mentor" in page
    )
    assert "Rent strike notes" in page and "Draft thoughts" not in page
    for suffix in ("atom", "rss"):
        feed = feedparser.parse(result.output / f"feeds/members/ana.{suffix}.xml")
        assert not feed.bozo
        assert [entry.title for entry in feed.entries] == ["Rent strike notes"]
    assert "Ana Ruiz" in read(result.output, "members/index.html")


def test_group_page_and_feeds_carry_the_groups_diaries(site) -> None:
    result = site("basic")
    page = read(result.output, "groups/tenants/index.html")
    assert "<h1>Tenants Together</h1>" in page and "Rent strike notes" in page
    assert "Bus routes matter" not in page
    for suffix in ("atom", "rss"):
        feed = feedparser.parse(result.output / f"feeds/groups/tenants.{suffix}.xml")
        assert not feed.bozo, feed.get("bozo_exception")
        assert [entry.title for entry in feed.entries] == ["Rent strike notes"]
        assert "laundry room" in (feed.entries[0].get("content") or [feed.entries[0].summary_detail])[0]["value"]


def test_a_groups_feed_makes_entries_of_the_diaries_it_shows_only(
    site, copy_fixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A group's feed shows its newest diaries (100): it made an entry, with the diary's HTML,
    of each of the group's diaries (10,000 at 50,000), every build. Same feed, newest first."""
    from groups import generator

    content = copy_fixture("basic")
    for day in range(1, 6):
        (content / f"diaries/ana/2026-07-0{day}-note-{day}.md").write_text(
            f"---\ntitle: Note {day}\ntags: [Notes]\ngroups: [tenants]\n---\n\nText {day}.\n", encoding="utf-8"
        )
    made: list[str] = []
    entry = generator.diary_entry

    def counted(article, site_url):
        made.append(article.title)
        return entry(article, site_url)

    monkeypatch.setattr(generator, "FEED_ENTRIES", 2)
    monkeypatch.setattr(generator, "diary_entry", counted)
    result = site(content)
    assert not result.errors
    tenants = [title for title in made if title.startswith("Note")]
    assert tenants == ["Note 5", "Note 4"]
    feed = feedparser.parse(result.output / "feeds/groups/tenants.atom.xml")
    assert [e.title for e in feed.entries] == ["Note 5", "Note 4"]


def test_all_diaries_paginate_into_folders(site, copy_fixture) -> None:
    content = copy_fixture("basic")
    for day in range(1, 6):
        (content / f"diaries/ben/2026-07-0{day}-note-{day}.md").write_text(
            f"---\ntitle: Note {day}\ntags: [Notes]\n---\n\nText {day}.\n", encoding="utf-8"
        )
    result = site(content, DIARIES_PAGINATION=3, PAGINATED_TEMPLATES={"diaries": 3, "tag": 3})
    first = read(result.output, "diaries/index.html")
    assert "Note 5" in first and "Page 1 of 3" in first
    assert 'href="../diaries/page/2/"' in first or "diaries/page/2/" in first
    third = read(result.output, "diaries/page/3/index.html")
    assert "Bus routes matter" in third


def test_a_groups_page_lists_its_diaries_a_page_at_a_time(site, copy_fixture) -> None:
    """A group's page lists its diaries in pages, as a tag's does: at 50,000 diaries a group of
    10,000 made one page of 7 MB, rendered again whenever one of its diaries changed. Its
    description (what search finds) is on the first page only; the group list counts them."""
    content = copy_fixture("basic")
    for day in range(1, 6):
        (content / f"diaries/ben/2026-07-0{day}-note-{day}.md").write_text(
            f"---\ntitle: Note {day}\ntags: [Notes]\ngroups: [tenants]\n---\n\nText {day}.\n", encoding="utf-8"
        )
    result = site(content, PAGINATED_TEMPLATES={"diaries": 20, "tag": 20, "group": 2})
    assert not result.errors
    first = read(result.output, "groups/tenants/index.html")
    second = read(result.output, "groups/tenants/page/2/index.html")
    third = read(result.output, "groups/tenants/page/3/index.html")
    assert "Note 5" in first and "Note 4" in first and "Note 3" not in first and "Page 1 of 3" in first
    assert "Note 3" in second and "Note 2" in second and "Page 2 of 3" in second
    assert "Note 1" in third and "Rent strike notes" in third
    assert 'rel="next"' in first and "groups/tenants/page/2/" in first
    assert "data-pagefind-body" in first and "data-pagefind-body" not in second
    assert "<h1>Tenants Together</h1>" in second and "Diaries in Tenants Together, page 2" in second
    assert "6 diaries" in read(result.output, "groups/index.html")
    for suffix in ("atom", "rss"):  # the feed is the group's newest diaries, not a page of them
        feed = feedparser.parse(result.output / f"feeds/groups/tenants.{suffix}.xml")
        assert [entry.title for entry in feed.entries][:3] == ["Note 5", "Note 4", "Note 3"]


def test_an_edit_of_a_groups_diary_renders_the_group_page_that_lists_it_only(
    copy_fixture, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Each of a group's pages holds its own diaries: an edit of one renders its page of the
    group, not all of them (the whole list was in every page's context: 100 pages an edit at
    10,000 diaries). Without the group in PAGINATED_TEMPLATES the page lists them all."""
    content = copy_fixture("basic")
    for day in range(1, 6):
        (content / f"diaries/ben/2026-07-0{day}-note-{day}.md").write_text(
            f"---\ntitle: Note {day}\ntags: [Notes]\ngroups: [tenants]\n---\n\nText {day}.\n", encoding="utf-8"
        )
    pages = {"diaries": 20, "tag": 20, "group": 2}
    output = tmp_path / "output"
    assert not build_site(content, output, PAGINATED_TEMPLATES=pages).errors
    edited = content / "diaries/ben/2026-07-04-note-4.md"  # on the group's first page
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    caplog.set_level("INFO", logger="netroots.incremental")
    result = build_site(content, output, PAGINATED_TEMPLATES=pages)
    written = [r.getMessage().split('"')[1] for r in caplog.records if r.getMessage().startswith("Writing ")]
    group_pages = sorted(os.path.relpath(path, output) for path in written if "/groups/tenants/" in path)
    assert group_pages == ["groups/tenants/index.html"], result.summary
    whole = build_site(content, tmp_path / "whole", PAGINATED_TEMPLATES={"diaries": 20, "tag": 20})
    page = read(whole.output, "groups/tenants/index.html")
    assert all(f"Note {day}" in page for day in range(1, 6)) and "Rent strike notes" in page
    assert not (whole.output / "groups" / "tenants" / "page").exists()


def test_404_page_links_from_the_site_root(site) -> None:
    page = read(site("basic").output, "404.html")
    assert "Page not found" in page
    assert 'href="/diaries/"' in page and 'href="/theme/css/all.css' in page
    assert '<meta name="robots" content="noindex">' in page


def test_demo_network_is_a_realistic_network(demo_output) -> None:
    import yaml
    from conftest import ROOT

    members = [yaml.safe_load(p.read_text()) for p in (ROOT / "content/members").glob("*.yaml")]
    states = {m["locale"]["state"] for m in members}
    assert len(members) >= 8 and len(states) >= 5
    assert any(m.get("mentor") for m in members)
    published = list((demo_output / "diaries").glob("*/*/index.html"))
    assert len([p for p in published if p.parent.parent.name != "page"]) >= 25
    assert len(list((demo_output / "groups").glob("*/index.html"))) >= 2
    assert (demo_output / "tags/ca-sen/index.html").exists()
    front = read(demo_output, "index.html")
    assert "Recent diaries" in front


def test_control_characters_in_front_matter_never_break_pages_or_feeds(site, copy_fixture) -> None:
    content = copy_fixture("basic")
    (content / "diaries/ben/2026-06-01-odd.md").write_text(
        '---\ntitle: "Odd\\x00 title\\x1b"\ntags: [Odd]\nsummary: "bell\\x07"\n---\n\nBody\x0b text.\n',
        encoding="utf-8",
    )
    result = site(content)
    assert not result.errors
    assert '<h1 class="p-name">Odd title</h1>' in read(result.output, "diaries/ben/odd/index.html")
    feed = feedparser.parse(result.output / "feeds/all.atom.xml")
    assert not feed.bozo and "Odd title" in [entry.title for entry in feed.entries]


@pytest.mark.parametrize("status", ["published", "draft"])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_diary_address_formatted_once_is_pelicans(tmp_path: Path, status: str, lang: str) -> None:
    """netroots.generators.format_address gives what Pelican's own formatting gives, for
    published and scheduled (draft) diaries, in the site's language and another."""
    from pelican import signals
    from pelican.contents import Article
    from pelican.urlwrappers import Author, Category
    from pelican.utils import SafeDatetime

    from netroots.generators import format_address

    settings = site_settings(ROOT / "content", tmp_path / "output", ARTICLE_LANG_URL="{lang}/{slug}/")
    metadata = {
        "title": "Rally at the statehouse",
        "date": SafeDatetime(2026, 11, 18, 19, 0),
        "slug": "rally",
        "author": Author("ana", settings),
        "category": Category("diaries", settings),
        "status": status,
        "lang": lang,
    }
    source = str(ROOT / "content" / "diaries" / "ana" / "2026-11-18-rally.md")
    signals.content_object_init.disconnect(format_address)  # an earlier build in this process connected it
    pelicans = Article("<p>Body</p>", dict(metadata), settings, source_path=source, context={})
    ours = Article("<p>Body</p>", dict(metadata), settings, source_path=source, context={})
    format_address(ours)
    assert (ours.override_url, ours.override_save_as) == (pelicans.url, pelicans.save_as)
    assert "override_url" not in vars(pelicans)
