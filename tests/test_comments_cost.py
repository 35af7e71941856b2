"""What the comments plugin does in a build: what changed, not every diary again.

These tests count work (views made, threads digested, caches read, pages rendered), never
time: the floor at 10,000 diaries is measured by ``python tasks.py bench phases``
(docs/benchmarks.md).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import build_site

from netroots.fingerprint import TRACK_MIN
from netroots.incremental import IncrementalWriter

SERIAL = {"jobs": 1}  # pages rendered in this process, where the counters are
COMMENTED = TRACK_MIN


def _network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, diaries: int = 30, commented: int = COMMENTED
) -> tuple[Path, list[Any]]:
    """A synthetic network whose first 16 diaries have comments; the rest have none. (16: the
    comment counts, which diary cards show, are read by key from a dict that large, TRACK_MIN.)"""
    from bench.synthetic import diaries as make_diaries
    from bench.synthetic import today_after, write_comments, write_netroots

    items = make_diaries(diaries, 4)
    content = tmp_path / "content"
    write_netroots(content, items, 4)
    write_comments(content, items[:commented], 4, 2)
    monkeypatch.setenv("NETROOTS_TODAY", today_after(items))
    return content, items


def _rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages each following build renders (their output names)."""
    names: list[str] = []
    render = IncrementalWriter._render

    def counted(self: Any, job: Any) -> Any:
        names.append(job.name)
        return render(self, job)

    monkeypatch.setattr(IncrementalWriter, "_render", counted)
    return names


def _comment(content: Path, item: Any, words: str, body: str) -> Path:
    """A comment by member-001 on ``item``, a day after the diary (before the build's today)."""
    path = content / "comments" / "member-001" / f"{item.date + dt.timedelta(days=1):%Y-%m-%d-%H%M}-{words}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\non: {item.handle}/{item.slug}\n---\n\n{body}\n", encoding="utf-8")
    return path


def _diary_pages(names: list[str]) -> list[str]:
    """The diaries' own pages among ``names`` (not the lists of diaries: ``diaries/page/2/``)."""
    return sorted(name for name in names if name.startswith("diaries/member-") and name.count("/") == 3)


def _page(item: Any) -> str:
    return f"diaries/{item.handle}/{item.slug}/index.html"


def test_a_new_comment_renders_its_own_diarys_page_and_no_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each diary page read the whole ``comment_thread`` (every diary's thread): one new comment
    rendered every diary's page again. A page now depends on the thread it asked for."""
    content, items = _network(tmp_path, monkeypatch)
    output = tmp_path / "output"
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    rendered = _rendered(monkeypatch)
    blank, commented = items[20], items[1]

    added = _comment(content, blank, "first", "A first comment on a quiet diary.")
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    assert _diary_pages(rendered) == [_page(blank)]
    assert "A first comment on a quiet diary." in (output / _page(blank)).read_text(encoding="utf-8")

    rendered.clear()
    _comment(content, commented, "second", "One more on a busy diary.")
    added.write_text(added.read_text(encoding="utf-8").replace("A first", "An edited"), encoding="utf-8")
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    assert _diary_pages(rendered) == sorted([_page(blank), _page(commented)])
    assert "An edited comment on a quiet diary." in (output / _page(blank)).read_text(encoding="utf-8")

    rendered.clear()
    added.unlink()
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    assert _diary_pages(rendered) == [_page(blank)]
    assert "quiet diary" not in (output / _page(blank)).read_text(encoding="utf-8")

    rendered.clear()
    again = build_site(content, output, NETROOTS_BUILD=SERIAL)
    assert again.summary.startswith("rendered 0 of "), again.summary
    assert rendered == []


def test_a_networks_first_comments_render_the_pages_that_show_their_diaries_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comment counts diary cards show were digested whole while fewer than 16 diaries had
    comments (small dicts are not read by key): a network's first comments each rendered every
    page showing a card, most of the site. They are read by key at any size now."""
    content, items = _network(tmp_path, monkeypatch, commented=2)
    output = tmp_path / "output"
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    rendered = _rendered(monkeypatch)
    quiet = items[20]
    _comment(content, quiet, "first", "A first comment on a quiet diary.")
    result = build_site(content, output, NETROOTS_BUILD=SERIAL)
    assert not result.errors
    assert _diary_pages(rendered) == [_page(quiet)], result.summary
    lists = [name for name in rendered if not name.startswith("members/")]  # members' show their comments
    shown = [name for name in lists if f"/{quiet.slug}/" in (output / name).read_text(encoding="utf-8")]
    assert sorted(lists) == sorted(shown), rendered  # its page, and the lists that show its card
    assert len(lists) < 8, rendered


def _member_pages(names: list[str]) -> list[str]:
    return sorted(name for name in names if name.startswith("members/member-"))


def _comments_on(content: Path, item: Any) -> dict[str, str]:
    """Comment id -> its writer's handle, for the comments on ``item``."""
    on = f"on: {item.handle}/{item.slug}\n"
    return {
        f"{path.parent.name}/{path.stem}": path.parent.name
        for path in sorted(content.glob("comments/*/*.md"))
        if on in path.read_text(encoding="utf-8")
    }


def test_a_comment_renders_its_writers_member_page_and_no_other_members(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A member's page lists their newest comments. It read them from one dict of every
    member's comments, digested whole while fewer than 16 members had any, and as Nodes,
    which reach their whole thread: a new, edited or deleted comment rendered every member's
    page (2,000 pages on a network of 2,000 members). Now: its writer's page, and the page
    of the diary's member when the diary's count changes (its card shows it); not the page
    of the member it answers, nor anyone else's."""
    content, items = _network(tmp_path, monkeypatch)
    output = tmp_path / "output"
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    rendered = _rendered(monkeypatch)
    writer = "member-001"
    diary, parent, answered = next(
        (item, comment, who)
        for item in items[:COMMENTED]
        if item.handle != writer
        for comment, who in _comments_on(content, item).items()
        if who not in (writer, item.handle)
    )
    page = f"members/{writer}/index.html"

    newest = max(item.date for item in items) + dt.timedelta(hours=1)  # first on the writer's page
    path = content / "comments" / writer / f"{newest:%Y-%m-%d-%H%M}-a-reply.md"
    front = f"---\non: {diary.handle}/{diary.slug}\nparent: {parent}\ntitle: A reply worth listing\n---\n\n"
    path.write_text(front + "I agree with this.\n", encoding="utf-8")
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    assert _member_pages(rendered) == sorted([page, f"members/{diary.handle}/index.html"]), answered
    assert "A reply worth listing" in (output / page).read_text(encoding="utf-8")

    rendered.clear()
    path.write_text(front.replace("worth listing", "retitled") + "I agree with this.\n", encoding="utf-8")
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    assert _member_pages(rendered) == [page]
    assert "A reply retitled" in (output / page).read_text(encoding="utf-8")

    rendered.clear()  # the list shows no comment's text: an edit of it renders the diary's page only
    path.write_text(front.replace("worth listing", "retitled") + "I agree, mostly.\n", encoding="utf-8")
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    assert _member_pages(rendered) == [] and _diary_pages(rendered) == [_page(diary)]

    rendered.clear()  # older than the writer's ten newest: not on their page; the diary's count changes
    old = content / "comments" / writer / f"{diary.date + dt.timedelta(minutes=1):%Y-%m-%d-%H%M}-old.md"
    old.write_text(f"---\non: {diary.handle}/{diary.slug}\ntitle: An old remark\n---\n\nYes.\n", encoding="utf-8")
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    assert _member_pages(rendered) == [f"members/{diary.handle}/index.html"]
    assert "An old remark" in (output / _page(diary)).read_text(encoding="utf-8")
    assert "An old remark" not in (output / page).read_text(encoding="utf-8")

    rendered.clear()
    path.unlink()
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    assert _member_pages(rendered) == sorted([page, f"members/{diary.handle}/index.html"])
    assert "A reply retitled" not in (output / page).read_text(encoding="utf-8")

    rendered.clear()
    again = build_site(content, output, NETROOTS_BUILD=SERIAL)
    assert again.summary.startswith("rendered 0 of "), again.summary  # no page settles a build late
    clean = tmp_path / "clean"
    assert not build_site(content, clean, NETROOTS_BUILD=SERIAL).errors
    for name in (output / "members").rglob("*.html"):
        assert name.read_bytes() == (clean / name.relative_to(output)).read_bytes(), name


def test_an_unchanged_build_takes_each_comment_from_its_cache_entry_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A comment whose file is unchanged comes from ``.cache/comments/files.json``; its entry
    was made again from the comment every build (``asdict``: a tenth of a second at 4,000
    comments). Now it is kept as it was read; an edited file or a damaged entry is read again."""
    import json

    from comments import model

    content, _items = _network(tmp_path, monkeypatch)
    output = tmp_path / "output"
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    cache = next(tmp_path.glob("**/.cache/comments/files.json"))
    entries: list[str] = []
    read: list[str] = []
    to_json, read_comment = model._to_json, model.read_comment
    monkeypatch.setattr(model, "_to_json", lambda comment: entries.append(comment.id) or to_json(comment))
    monkeypatch.setattr(model, "read_comment", lambda path, *rest: read.append(path.name) or read_comment(path, *rest))
    written = cache.stat().st_mtime_ns
    assert build_site(content, output, NETROOTS_BUILD=SERIAL).summary.startswith("rendered 0 of ")
    assert entries == [] and read == [] and cache.stat().st_mtime_ns == written

    files = sorted(content.glob("comments/*/*.md"))
    edited, damaged = files[0], files[1]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA line added later.\n", encoding="utf-8")
    kept = json.loads(cache.read_text(encoding="utf-8"))
    kept["files"][damaged.relative_to(content).as_posix()][1] = "not a comment"
    cache.write_text(json.dumps(kept), encoding="utf-8")
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    assert sorted(read) == sorted([edited.name, damaged.name]) and len(entries) == 2
    pages = "".join(path.read_text(encoding="utf-8") for path in output.glob("diaries/*/*/index.html"))
    assert "A line added later." in pages

    # The content folder moved (a fresh clone elsewhere with the cache kept): the kept entries
    # name the old place; each comment is still told by where its file is now.
    entries.clear()
    read.clear()
    moved = tmp_path / "moved" / "content"
    shutil.copytree(content, moved, copy_function=shutil.copy2)
    shutil.copytree(cache.parent.parent, moved.parent / ".cache")
    loaded = model.load_comments(moved, _report(moved), moved.parent / ".cache" / "comments" / "files.json")
    assert read == [] and entries == [] and loaded
    assert all(Path(comment.path).is_relative_to(moved) for comment in loaded)


def _report(content: Path) -> Any:
    from netroots.report import Report

    return Report(root=content.parent)


def test_an_unchanged_build_makes_no_blank_thread_and_reads_no_kept_html(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """14 of 30 diaries have no comment: their views are made only when a page renders, and
    a kept thread is looked up (a row of .cache/comments/threads.sqlite) only when a thread renders."""
    from comments import generator, render, store
    from pelican.contents import Content

    content, items = _network(tmp_path, monkeypatch)
    output = tmp_path / "output"
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors

    views: list[str] = []
    digested: list[Any] = []
    cached: list[str] = []
    addresses: list[str] = []
    thread_view, blank_view, key = render.thread_view, render.Blank.view, render.ThreadRenderer.fingerprint_key
    get, url = store.ThreadStore.get, Content.url

    def counted_view(diary_id: str, *args: Any, **kwargs: Any) -> Any:
        views.append(diary_id)
        return thread_view(diary_id, *args, **kwargs)

    def counted_key(self: Any, diary_id: str) -> Any:
        digested.append(diary_id)
        return key(self, diary_id)

    def counted_get(self: Any, diary_id: str) -> Any:
        cached.append(diary_id)
        return get(self, diary_id)

    def counted_url(self: Any) -> str:
        if inside:
            addresses.append(self.source_path)
        return url.fget(self)

    inside: list[bool] = []
    generate_context = generator.CommentsGenerator.generate_context

    def comments_context(self: Any) -> None:
        inside.append(True)
        try:
            generate_context(self)
        finally:
            inside.clear()

    monkeypatch.setattr(generator, "thread_view", counted_view)
    monkeypatch.setattr(render, "thread_view", counted_view)
    monkeypatch.setattr(render.ThreadRenderer, "fingerprint_key", counted_key)
    monkeypatch.setattr(store.ThreadStore, "get", counted_get)
    monkeypatch.setattr(Content, "url", property(counted_url))
    monkeypatch.setattr(generator.CommentsGenerator, "generate_context", comments_context)

    result = build_site(content, output, NETROOTS_BUILD=SERIAL)
    assert result.summary.startswith("rendered 0 of "), result.summary
    assert sorted(views) == sorted(f"{item.handle}/{item.slug}" for item in items[:COMMENTED])  # the commented ones
    assert len(digested) == len(items)  # each diary page: its own thread, once
    assert cached == []  # no kept thread is read: none renders
    assert addresses == []  # the diaries' fixed addresses, for the 16 with comments

    # The blank views it did not make are the ones a clean build shows.
    views.clear()
    monkeypatch.setattr(render.Blank, "view", blank_view)
    shutil.rmtree(output)
    clean = build_site(content, output, NETROOTS_BUILD=SERIAL)
    assert not clean.errors
    assert "No comments yet." in (output / _page(items[20])).read_text(encoding="utf-8")
    assert len(cached) == len(items)  # each page looks its thread up


def test_a_kept_thread_is_still_shown_after_the_output_folder_is_emptied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CI starts from an empty output folder with the cache kept: every page renders, blank
    threads made when asked and the others from the kept HTML, as the first build wrote them."""
    content, _items = _network(tmp_path, monkeypatch, diaries=20)
    output = tmp_path / "output"
    assert not build_site(content, output).errors
    before = {path.relative_to(output): path.read_bytes() for path in output.rglob("*.html")}
    shutil.rmtree(output)
    assert not build_site(content, output).errors
    after = {path.relative_to(output): path.read_bytes() for path in output.rglob("*.html")}
    assert after == before


def test_comment_feeds_are_checked_without_formatting_their_addresses_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two comment feeds a diary: an unchanged build formatted both addresses of each of 10,000
    diaries to look them up. They are recorded with the formats they were made from; a new
    comment writes its diary's feeds and the recent comments', no other."""
    from comments import generator

    content, items = _network(tmp_path, monkeypatch)
    output = tmp_path / "output"
    assert not build_site(content, output).errors
    formatted: list[str] = []
    jobs: list[Any] = []
    paths, write = generator.diary_feed_paths, generator.write_feed_jobs

    def counted_paths(options: Any, diary_id: str) -> Any:
        if inside:  # the feeds' (the thread of a diary with comments shows them too)
            formatted.append(diary_id)
        return paths(options, diary_id)

    inside: list[bool] = []
    generate_output = generator.CommentsGenerator.generate_output

    def comments_output(self: Any, writer: Any) -> None:
        inside.append(True)
        try:
            generate_output(self, writer)
        finally:
            inside.clear()

    def counted_write(settings: Any, todo: list[Any]) -> Any:
        jobs.extend(todo)
        return write(settings, todo)

    monkeypatch.setattr(generator, "diary_feed_paths", counted_paths)
    monkeypatch.setattr(generator, "write_feed_jobs", counted_write)
    monkeypatch.setattr(generator.CommentsGenerator, "generate_output", comments_output)
    assert not build_site(content, output).errors
    assert formatted == [] and jobs == []

    blank = items[20]
    _comment(content, blank, "first", "A first comment on a quiet diary.")
    assert not build_site(content, output).errors
    assert formatted == [f"{blank.handle}/{blank.slug}"]
    made = sorted(path for job in jobs for path in job.paths.values() if path)
    own = f"feeds/comments/{blank.handle}/{blank.slug}"
    assert made == sorted([f"{own}.atom.xml", f"{own}.rss.xml", "feeds/comments.atom.xml", "feeds/comments.rss.xml"])
    feed = output / "feeds" / "comments" / blank.handle / f"{blank.slug}.atom.xml"
    assert "A first comment on a quiet diary." in feed.read_text(encoding="utf-8")

    # A feed deleted from output/ (or all of them, as CI starts) is written again.
    jobs.clear()
    other = output / "feeds" / "comments" / items[3].handle / f"{items[3].slug}.rss.xml"
    before = other.read_bytes()
    other.unlink()
    assert not build_site(content, output).errors
    assert [job.paths["rss"] for job in jobs] == [f"feeds/comments/{items[3].handle}/{items[3].slug}.rss.xml"]
    assert other.read_bytes() == before


def test_an_unchanged_build_keeps_every_comment_feed_without_a_key_or_a_listing_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unchanged build digested each of 10,000 diaries' feed inputs, looked its key up and
    listed every feeds' folder. With the digest of all of them and each folder's stamp as the
    last build recorded, it keeps them all: no feed's key is looked up and no diary's feeds'
    folder listed (``feeds/``, with the site's own feeds, is: the recent comments' are there).
    A feed deleted from output/ or a diary retitled still makes its diary's feeds again."""
    from comments import generator

    monkeypatch.setattr(generator, "SETTLED_NS", 0)  # this test's builds follow each other within a second
    content, items = _network(tmp_path, monkeypatch, diaries=24)
    output = tmp_path / "output"
    assert not build_site(content, output).errors
    assert not build_site(content, output).errors  # the folders written by the first build are settled now
    looked: list[str] = []
    listed: list[str] = []
    jobs: list[Any] = []
    kept, call, write = generator.CommentFeeds.kept, generator.FeedFolders.__call__, generator.write_feed_jobs

    def counted_kept(self: Any, name: str, key: str) -> bool:
        looked.append(name)
        return kept(self, name, key)

    def counted_call(self: Any, relative: str) -> bool:
        folder = relative.rpartition("/")[0]
        if folder not in self.folders:
            listed.append(folder)
        return call(self, relative)

    def counted_write(settings: Any, todo: list[Any]) -> Any:
        jobs.extend(todo)
        return write(settings, todo)

    monkeypatch.setattr(generator.CommentFeeds, "kept", counted_kept)
    monkeypatch.setattr(generator.FeedFolders, "__call__", counted_call)
    monkeypatch.setattr(generator, "write_feed_jobs", counted_write)
    assert not build_site(content, output).errors
    assert looked == [] and listed == ["feeds"] and jobs == []  # the recent comments' feeds, beside the site's
    feeds = output / "feeds" / "comments"
    assert len(list(feeds.rglob("*.xml"))) == 2 * len(items)

    # An edit of a diary's text writes the site's feeds in feeds/, beside the recent comments'
    # feeds: this build and the next still keep every comment feed as recorded.
    edited = next((content / "diaries" / items[9].handle).glob(f"*-{items[9].slug}.md"))
    edited.write_text(edited.read_text(encoding="utf-8") + "\nMore words.\n", encoding="utf-8")
    for _ in range(2):
        assert not build_site(content, output).errors
        assert looked == [] and jobs == []

    gone = feeds / items[5].handle / f"{items[5].slug}.atom.xml"
    before = gone.read_bytes()
    gone.unlink()
    assert not build_site(content, output).errors
    assert len(looked) == len(items) + 1 and [job.paths["atom"] for job in jobs] == [
        f"feeds/comments/{items[5].handle}/{items[5].slug}.atom.xml"
    ]
    assert gone.read_bytes() == before

    looked.clear()
    jobs.clear()
    source = next((content / "diaries" / items[7].handle).glob(f"*-{items[7].slug}.md"))
    source.write_text(source.read_text(encoding="utf-8").replace(items[7].title, "A new title"), encoding="utf-8")
    assert not build_site(content, output).errors
    assert len(looked) == len(items) + 1 and [job.paths["atom"] for job in jobs] == [
        f"feeds/comments/{items[7].handle}/{items[7].slug}.atom.xml"
    ]
    assert "A new title" in (feeds / items[7].handle / f"{items[7].slug}.atom.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize("incremental", [True, False])
def test_comment_feeds_move_when_their_address_settings_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, incremental: bool
) -> None:
    """The recorded feed addresses are used only with the formats they were made from (with
    incremental builds off, a feed's key has no digest of the settings in it)."""
    content, items = _network(tmp_path, monkeypatch, diaries=18)
    output = tmp_path / "output"
    build = {"incremental": incremental}
    assert not build_site(content, output, NETROOTS_BUILD=build).errors
    recent = {"recent_feed_atom": "feeds/moved/recent.xml"}
    assert not build_site(content, output, NETROOTS_BUILD=build, COMMENTS=recent).errors
    assert (output / "feeds" / "moved" / "recent.xml").is_file()
    diary = {**recent, "diary_feed_rss": "feeds/moved/{handle}-{slug}.xml"}
    assert not build_site(content, output, NETROOTS_BUILD=build, COMMENTS=diary).errors
    item = items[2]
    assert (output / "feeds" / "moved" / f"{item.handle}-{item.slug}.xml").is_file()
    assert (output / "feeds" / "moved" / "recent.xml").is_file()
    assert (output / "feeds" / "comments" / item.handle / f"{item.slug}.atom.xml").is_file()


def _threads(content: Path) -> dict[str, str]:
    import sqlite3

    with sqlite3.connect(content.parent / ".cache" / "comments" / "threads.sqlite") as connection:
        return dict(connection.execute("SELECT diary_id, key FROM threads"))


def test_a_new_comment_writes_its_threads_row_and_no_other(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The kept threads were one JSON file (28 MB at 50,000 diaries), read whole and written
    whole again by any build that rendered one thread. Now a row a diary: a new comment
    writes its diary's row; a removed diary's row goes when a thread next renders."""
    from comments import store

    content, items = _network(tmp_path, monkeypatch)
    output = tmp_path / "output"
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    before = _threads(content)
    assert len(before) == len(items)
    written: list[int] = []
    save = store.ThreadStore.save

    def counted(self: Any, rendered: Any, keep: Any, gone: Any = None) -> int:
        written.append(save(self, rendered, keep, gone))
        return written[-1]

    monkeypatch.setattr(store.ThreadStore, "save", counted)
    blank = items[20]
    _comment(content, blank, "first", "A first comment on a quiet diary.")
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    after = _threads(content)
    assert written == [1]
    assert {name for name in after if after[name] != before[name]} == {f"{blank.handle}/{blank.slug}"}

    written.clear()  # nothing rendered: the store is not opened for writing
    assert build_site(content, output, NETROOTS_BUILD=SERIAL).summary.startswith("rendered 0 of ")
    assert written == []

    gone = items[25]  # a diary removed (no comment on it): its row goes with the next thread rendered
    next((content / "diaries" / gone.handle).glob(f"*-{gone.slug}.md")).unlink()
    _comment(content, items[21], "again", "Another quiet diary gets a comment.")
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    assert f"{gone.handle}/{gone.slug}" not in _threads(content)
    assert len(_threads(content)) == len(items) - 1


@pytest.mark.parametrize("damage", ["garbage", "format", "json"])
def test_a_damaged_or_older_thread_store_is_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    """A store that is not SQLite, or of another format, keeps no thread: the build renders the
    threads and writes the store again, with the pages a clean build writes; the threads' earlier
    JSON file is deleted."""
    import sqlite3

    content, items = _network(tmp_path, monkeypatch, diaries=20, commented=4)
    output = tmp_path / "output"
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    page = (output / _page(items[1])).read_text(encoding="utf-8")
    path = content.parent / ".cache" / "comments" / "threads.sqlite"
    if damage == "garbage":
        path.write_bytes(b"not a database at all" * 100)
    elif damage == "format":
        with sqlite3.connect(path) as connection:
            connection.execute("UPDATE meta SET value = '0' WHERE name = 'format'")
            connection.execute("UPDATE threads SET html = 'stale'")
    else:
        path.unlink()
        path.with_suffix(".json").write_text('{"version": 1, "files": {}}', encoding="utf-8")
    shutil.rmtree(output)
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    assert (output / _page(items[1])).read_text(encoding="utf-8") == page
    assert len(_threads(content)) == len(items)
    assert not path.with_suffix(".json").exists()


def test_an_unchanged_build_does_not_read_the_comment_feeds_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keeping every comment feed as recorded needs the digest, the folders' stamps and the
    feeds' paths, not the record of each feed's key (``feeds.json``: 50,000 diaries' entries
    decoded every build). A feed deleted from output/ reads it, and is written again; so does
    a build without the kept state, which writes it again."""
    from comments import generator

    monkeypatch.setattr(generator, "SETTLED_NS", 0)  # this test's builds follow each other within a second
    content, items = _network(tmp_path, monkeypatch, diaries=20)
    output = tmp_path / "output"
    for _ in range(2):
        assert not build_site(content, output).errors
    read: list[str] = []
    read_cache = generator.read_cache

    def counted(path: Path) -> Any:
        read.append(path.name)
        return read_cache(path)

    monkeypatch.setattr(generator, "read_cache", counted)
    assert not build_site(content, output).errors
    assert read == []

    gone = output / "feeds" / "comments" / items[4].handle / f"{items[4].slug}.rss.xml"
    before = gone.read_bytes()
    gone.unlink()
    assert not build_site(content, output).errors
    assert read == ["feeds.json"] and gone.read_bytes() == before
    for looked in (["feeds.json"], []):  # the folder written into is settled by the next build
        read.clear()
        assert not build_site(content, output).errors
        assert read == looked

    kept = content.parent / ".cache" / "comments" / "feeds.kept.json"
    kept.unlink()
    read.clear()
    assert not build_site(content, output).errors
    assert read == ["feeds.json"] and kept.is_file()
