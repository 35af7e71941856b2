"""The passes at the end of a build that read every page (the sitemap, Pagefind's parts) and
every diary's comment feeds cost what changed, not the size of the network (issue 19).

These tests count work (folders listed, files checked), never time.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import build_site, pagefind_pages, read

from netroots.manifest import manifest_path


def _listed_folders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every folder ``os.scandir`` lists from now on."""
    listed: list[str] = []
    original = os.scandir

    def counted(path: Any = ".") -> Any:
        if not isinstance(path, int):  # a folder's descriptor: shutil.rmtree's
            listed.append(os.fspath(path))
        return original(path)

    monkeypatch.setattr(os, "scandir", counted)
    return listed


def _under(output: Path, listed: list[str]) -> list[str]:
    """The paths in ``listed`` inside ``output``, relative to it."""
    root = os.path.realpath(output)
    found = []
    for path in listed:
        real = os.path.realpath(path)
        if real == root or real.startswith(root + os.sep):
            found.append(os.path.relpath(real, root))
    return found


def _pages_of(output: Path, listed: list[str]) -> list[str]:
    """Listed folders of output/ that hold pages (not Pagefind's own bundle, not feeds)."""
    return [folder for folder in _under(output, listed) if folder.split(os.sep)[0] not in ("pagefind", "feeds")]


def test_the_sitemap_and_search_list_the_builds_pages_without_walking_the_output_folder(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder per diary: walking output/ twice (sitemap, then search) was 0.3 s of every
    build at 10,000 diaries. The build's record of the files it made lists them."""
    content = copy_fixture("basic")
    output = tmp_path / "output"
    assert not build_site(content, output).errors
    first = read(output, "sitemap.xml")
    cache = content.parent / ".cache"
    records = {
        p: p.stat().st_mtime_ns
        for p in [*(cache / "search").glob("pagefind-*.sqlite"), cache / "publish/noindex.sqlite"]
    }
    listed = _listed_folders(monkeypatch)
    assert not build_site(content, output).errors
    assert _pages_of(output, listed) == []
    # Pagefind's parts in output/ match their kept records: the kept copies are not listed too,
    # and what search and the sitemap remember of each page is not written again.
    assert [folder for folder in _under(cache, listed) if folder.startswith("search/pagefind-bundles/")] == []
    assert {p: p.stat().st_mtime_ns for p in records} == records
    assert read(output, "sitemap.xml") == first
    assert "<loc>http://localhost:8000/diaries/ana/rent-strike-notes/</loc>" in first
    assert any("rent-strike-notes" in url for url in pagefind_pages(output))


def test_pages_no_build_made_are_neither_in_the_sitemap_nor_searched(copy_fixture, tmp_path: Path) -> None:
    """A renamed diary's old page stays in output/ when the build's record of its files is gone
    (nothing may delete a file no build recorded); it is not the site's any more, so it is
    neither in the sitemap nor in the search index. A page deleted by hand is made again and
    listed; a file put in output/ by hand stays, unlisted."""
    content = copy_fixture("basic")
    output = tmp_path / "output"
    settings = {"PATH": str(content), "OUTPUT_PATH": str(output), "NETROOTS_CACHE": str(content.parent / ".cache")}
    assert not build_site(content, output).errors
    old = content / "diaries/ana/2026-03-01-rent-strike-notes.md"
    old.rename(old.with_name("2026-03-01-rent-strike-diary.md"))
    shutil.rmtree(manifest_path(settings).parent)  # the build's records: which files it made
    (output / "diaries/ben/bus-routes-matter/index.html").unlink()
    (output / "mine.html").write_text("<html><body><h1>Mine</h1></body></html>", encoding="utf-8")
    assert not build_site(content, output).errors

    assert (output / "diaries/ana/rent-strike-notes/index.html").is_file()  # left: no record of it
    assert (output / "mine.html").is_file()
    sitemap = read(output, "sitemap.xml")
    assert "/diaries/ana/rent-strike-diary/</loc>" in sitemap
    assert "/diaries/ben/bus-routes-matter/</loc>" in sitemap
    assert "rent-strike-notes" not in sitemap and "mine.html" not in sitemap
    searched = set(pagefind_pages(output))
    assert any("rent-strike-diary" in url for url in searched)
    assert not any("rent-strike-notes" in url for url in searched)
    assert any("bus-routes-matter" in url for url in searched)


def test_a_page_written_after_the_list_was_made_is_listed(tmp_path: Path) -> None:
    """The list is made once a build, after stale files are removed; a page a later receiver
    of the finalized signal writes is in it too."""
    from netroots import manifest
    from netroots.site import html_files, write_output

    output = (tmp_path / "output").resolve()
    write_output(output, "a/index.html", "<p>a</p>")
    manifest.STATE.update(made=(output, {"a/index.html", "gone/index.html"}), pages=None)
    try:
        assert [name for name, _, _ in html_files(output)] == ["a/index.html"]  # recorded, not there: left out
        write_output(output, "b/index.html", "<p>b</p>")
        write_output(output, "b/data.json", "{}")
        assert [name for name, _, _ in html_files(output)] == ["a/index.html", "b/index.html"]
        assert manifest.built_pages(tmp_path / "elsewhere") is None
    finally:
        manifest.untrack()
    shutil.rmtree(output / "b")
    assert [name for name, _, _ in html_files(output)] == ["a/index.html"]  # outside a build: a walk


def _stats(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path ``os.stat`` is asked about from now on (``os.path.isfile`` asks it too)."""
    asked: list[str] = []
    original = os.stat

    def counted(path: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(path, int):
            asked.append(os.fspath(path))
        return original(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", counted)
    return asked


FEEDS = "feeds/comments"


def test_unchanged_comment_feeds_cost_a_listing_of_their_folder_not_a_check_each(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two comment feeds a diary, most of them empty: checking each was 20,000 file checks a
    build at 10,000 diaries. One listing a member's folder tells which are there; a feed
    deleted by hand, a comment added or removed, a diary renamed still change the feeds."""
    content = copy_fixture("comments")
    output = tmp_path / "output"
    assert not build_site(content, output).errors
    feeds = sorted(p.relative_to(output).as_posix() for p in (output / FEEDS).rglob("*.xml"))
    assert feeds == [
        f"{FEEDS}/ana/rent-strike-notes.atom.xml",
        f"{FEEDS}/ana/rent-strike-notes.rss.xml",
        f"{FEEDS}/ben/bus-routes-matter.atom.xml",
        f"{FEEDS}/ben/bus-routes-matter.rss.xml",
    ]
    times = {name: (output / name).stat().st_mtime_ns for name in feeds}

    with monkeypatch.context() as patched:
        listed, asked = _listed_folders(patched), _stats(patched)
        assert not build_site(content, output).errors
    # No feed is stat'ed (a folder's own stamp is taken, comments.generator.CommentFeeds.all_kept).
    assert [path for path in _under(output, asked) if path.startswith(FEEDS + "/") and path.endswith(".xml")] == []
    assert sorted(path for path in _under(output, listed) if path.startswith(FEEDS)) == [
        f"{FEEDS}/ana",
        f"{FEEDS}/ben",
    ]
    assert {name: (output / name).stat().st_mtime_ns for name in feeds} == times  # kept, not written

    (output / feeds[2]).unlink()  # ben's Atom feed, by hand
    comment = content / "comments/cara/2026-03-04-0900-new-question.md"
    comment.write_text("---\non: ben/bus-routes-matter\ntitle: Which route next?\n---\n\nRoute 9?\n")
    (content / "comments/cara/2026-03-03-0800-another-root.md").unlink()
    assert not build_site(content, output).errors
    for name in feeds[2:]:
        assert "Which route next?" in read(output, name)
    assert "A second thread" not in read(output, feeds[0]) and "What about week two?" in read(output, feeds[0])

    diary = content / "diaries/ben/2026-02-14-bus-routes-matter.md"  # renamed, its comments moved with it
    diary.rename(diary.with_name("2026-02-14-bus-routes-still-matter.md"))
    for path in (comment, content / "comments/ana/2026-02-15-0800-route-12.md", content / "members/ana.yaml"):
        path.write_text(path.read_text().replace("ben/bus-routes-matter", "ben/bus-routes-still-matter"))
    assert not build_site(content, output).errors
    assert not (output / feeds[2]).exists() and not (output / feeds[3]).exists()
    assert "Which route next?" in read(output, f"{FEEDS}/ben/bus-routes-still-matter.atom.xml")


def test_recording_many_files_at_once_records_what_one_at_a_time_does(tmp_path: Path) -> None:
    from netroots import manifest

    output = (tmp_path / "output").resolve()
    names = ["feeds/a.xml", "./feeds/b.xml", "feeds//c.xml", "feeds/../d.xml", "../outside.xml", "/etc/passwd"]
    found = []
    for record in (
        lambda: [manifest.produced(os.path.join(output, name)) for name in names],
        lambda: manifest.produced_under(output, names),
    ):
        manifest.STATE.update(output=output, written=set())
        try:
            record()
            found.append(manifest.recorded())
        finally:
            manifest.untrack()
    assert found[0] == found[1] == {"feeds/a.xml", "feeds/b.xml", "feeds/c.xml", "d.xml"}


def test_the_sitemaps_exclusions_match_as_globs_each_did(copy_fixture, tmp_path: Path) -> None:
    """All patterns in one expression: a page left out by any of them, none by an empty list."""
    content = copy_fixture("basic")
    output = tmp_path / "output"
    assert not build_site(content, output, PUBLISH={"SITEMAP_EXCLUDE": ["404.html", "tags/*", "*/ben/*"]}).errors
    sitemap = read(output, "sitemap.xml")
    assert "/diaries/ana/rent-strike-notes/</loc>" in sitemap and "/theme/" not in sitemap
    assert "/tags/" not in sitemap and "/ben/" not in sitemap and "404" not in sitemap
    assert not build_site(content, output, PUBLISH={"SITEMAP_EXCLUDE": []}).errors
    sitemap = read(output, "sitemap.xml")
    assert "/tags/" in sitemap and "/diaries/ben/" in sitemap


def _dates_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The diaries (their paths under content/diaries/) whose dates the sitemap reads from now on."""
    from publish import hygiene

    read_from: list[str] = []
    original = hygiene._dated

    def counted(item: Any, members: dict[int, str]) -> Any:
        path = str(getattr(item, "source_path", ""))
        if "/diaries/" in path:
            read_from.append(path.split("/diaries/", 1)[1])
        return original(item, members)

    monkeypatch.setattr(hygiene, "_dated", counted)
    return read_from


def _clean_sitemap(content: Path, tmp_path: Path) -> str:
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    shutil.copytree(content, clean / "content")
    assert not build_site(clean / "content", clean / "output").errors
    return read(clean / "output", "sitemap.xml")


def test_the_sitemaps_dates_are_read_from_the_diaries_that_changed_only(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every diary's day was read at every build (0.12 s at 50,000 diaries); the days are kept
    and an edit reads the diaries that changed since (``diary_changes``). A diary moved to
    another day, one deleted and one added give the sitemap a clean build writes, its
    member's page's day included."""
    content = copy_fixture("basic")
    output = tmp_path / "output"
    assert not build_site(content, output).errors
    read_from = _dates_read(monkeypatch)
    assert not build_site(content, output).errors
    assert read_from == []

    moved = content / "diaries/ben/2026-02-14-bus-routes-matter.md"
    moved.write_text(moved.read_text().replace("date: 2026-02-14", "date: 2026-05-01"), encoding="utf-8")
    assert not build_site(content, output).errors
    assert read_from == ["ben/2026-02-14-bus-routes-matter.md"]
    sitemap = read(output, "sitemap.xml")
    assert "/members/ben/</loc><lastmod>2026-05-01</lastmod>" in sitemap
    assert sitemap == _clean_sitemap(content, tmp_path)

    read_from.clear()
    (content / "diaries/ana/2026-03-01-rent-strike-notes.md").unlink()
    added = content / "diaries/ben/2026-06-01-a-new-route.md"
    added.write_text(moved.read_text().replace("date: 2026-05-01", "date: 2026-06-01"), encoding="utf-8")
    assert not build_site(content, output).errors
    # A file added to ben's folder makes his other diary anew too (what its read consults changed).
    assert sorted(read_from) == ["ben/2026-02-14-bus-routes-matter.md", "ben/2026-06-01-a-new-route.md"]
    sitemap = read(output, "sitemap.xml")
    assert "rent-strike-notes" not in sitemap and "/members/ben/</loc><lastmod>2026-06-01</lastmod>" in sitemap
    assert sitemap == _clean_sitemap(content, tmp_path)


def test_an_unchanged_build_leaves_the_sitemap_without_listing_its_pages_again(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its pages matched against the exclusions and given their days: 60,000 entries at every
    build at 50,000 diaries. When the pages, the days and the settings are the last build's,
    and sitemap.xml is the file that build left, nothing is made again; a sitemap.xml removed
    or written by hand is made again, and an edit makes again only its pages' lines."""
    from publish import hygiene

    content = copy_fixture("basic")
    output = tmp_path / "output"
    assert not build_site(content, output).errors
    first = read(output, "sitemap.xml")
    made: list[Path] = []
    original = hygiene.sitemap_entries
    monkeypatch.setattr(
        hygiene,
        "sitemap_entries",
        lambda out, settings: (out == output and made.append(out)) or original(out, settings),
    )
    assert not build_site(content, output).errors
    assert made == [] and read(output, "sitemap.xml") == first

    (output / "sitemap.xml").unlink()
    assert not build_site(content, output).errors
    assert len(made) == 1 and read(output, "sitemap.xml") == first
    (output / "sitemap.xml").write_text("mine", encoding="utf-8")
    assert not build_site(content, output).errors
    assert len(made) == 2 and read(output, "sitemap.xml") == first

    edited = content / "diaries/ben/2026-02-14-bus-routes-matter.md"
    edited.write_text(edited.read_text().replace("date: 2026-02-14", "date: 2026-05-01"), encoding="utf-8")
    assert not build_site(content, output).errors
    # An edit: the lines of the pages it wrote and of the addresses whose day moved, not every line.
    assert len(made) == 2 and "/members/ben/</loc><lastmod>2026-05-01</lastmod>" in read(output, "sitemap.xml")
    assert read(output, "sitemap.xml") == _clean_sitemap(content, tmp_path)
    assert not build_site(content, output, PUBLISH={"SITEMAP_EXCLUDE": ["404.html", "theme/*", "tags/*"]}).errors
    assert len(made) == 3 and "/tags/" not in read(output, "sitemap.xml")


def test_the_sitemaps_kept_dates_are_read_again_whole_when_they_cannot_be_trusted(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No answer kept, a damaged record, another day: every diary's date is read again."""
    content = copy_fixture("basic")
    output = tmp_path / "output"
    assert not build_site(content, output).errors
    first = read(output, "sitemap.xml")
    read_from = _dates_read(monkeypatch)
    kept = content.parent / ".cache/publish"
    (kept / "dates.pickle").unlink()
    assert not build_site(content, output).errors
    assert sorted(read_from) == ["ana/2026-03-01-rent-strike-notes.md", "ben/2026-02-14-bus-routes-matter.md"]
    assert read(output, "sitemap.xml") == first

    read_from.clear()
    (kept / "dates.sqlite").write_bytes(b"not a database")
    assert not build_site(content, output).errors
    assert len(read_from) == 2 and read(output, "sitemap.xml") == first
    read_from.clear()
    assert not build_site(content, output).errors
    assert read_from == []
    monkeypatch.setenv("NETROOTS_TODAY", "2026-12-01")
    assert not build_site(content, output).errors
    assert len(read_from) == 2
