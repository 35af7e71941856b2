"""What a build with nothing changed still does for every diary: as little as it can.

These tests count work (calls), never time: a build's floor at 10,000 diaries is measured by
``python tasks.py bench scale`` (docs/benchmarks.md).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import build_site
from pelican.cache import FileStampDataCacher

from netroots import incremental
from netroots.fingerprint import Digester, page_fingerprint
from netroots.readcache import ReadCache


def test_a_build_takes_no_file_times_for_pelicans_own_content_cache(site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pelican's content cache is off (Netroots keeps its own): it used to ``stat`` every
    diary four times a build anyway."""
    stamped: list[str] = []
    original = FileStampDataCacher._get_file_stamp

    def counted(self: Any, filename: str) -> Any:
        stamped.append(filename)
        return original(self, filename)

    monkeypatch.setattr(FileStampDataCacher, "_get_file_stamp", counted)
    result = site("basic")
    assert not result.errors
    assert (result.output / "index.html").is_file()
    assert [name for name in stamped if "/diaries/" in name] == []


def test_pelicans_content_cache_still_works_when_it_is_on() -> None:
    """Only a cache that neither stores nor holds anything skips the file times."""
    from netroots.generators import skip_file_stamps

    cacher = FileStampDataCacher.__new__(FileStampDataCacher)
    cacher._cache_data_policy, cacher._cache = True, {}
    skip_file_stamps(cacher)
    assert "get_cached_data" not in vars(cacher) and "cache_data" not in vars(cacher)
    off = FileStampDataCacher.__new__(FileStampDataCacher)
    off._cache_data_policy, off._cache = False, {}
    skip_file_stamps(off)
    assert off.get_cached_data("diary.md", "default") == "default"
    off.cache_data("diary.md", object())
    assert off._cache == {}


def test_checking_kept_pages_digests_each_shared_value_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every page reads the same site name, menu and members: checking 10,000 kept pages
    digested each of them 10,000 times (strings are not memoized by the walk)."""
    shared = {"SITENAME": "A network", "NAV_LINKS": [("About", "/about/")], "members": {"sam": {"name": "Sam"}}}
    pages = [{**shared, "output_file": f"diaries/{n}/index.html", "SITEURL": ""} for n in range(50)]
    names = frozenset([*shared, "output_file"])

    expected = [page_fingerprint(Digester(), "article.html", names, page, {}) for page in pages]

    walked: list[Any] = []
    digest = Digester()
    original = digest._walk

    def counted(value: Any, depth: int) -> Any:
        if depth == 0:
            walked.append(value)
        return original(value, depth)

    monkeypatch.setattr(digest, "_walk", counted)
    found = [page_fingerprint(digest, "article.html", names, page, {}) for page in pages]
    assert found == expected  # the same fingerprints as digesting each page afresh
    assert sum(1 for value in walked if value == "A network") == 1
    assert sum(1 for value in walked if isinstance(value, list)) == 1
    # each page's own file name; localsiteurl (None: SITEURL, a string, is written without a walk)
    assert len(walked) == len(shared) + len(pages) + 1


def test_pages_sharing_a_context_digest_what_they_share_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A queued page holds what it adds to a context it shares with other pages: the names it
    takes from that context whole are digested together once, not looked up for each page;
    its own values and the keys it read still make its fingerprint."""
    base = {"SITENAME": "A network", "NAV_LINKS": [("About", "/about/")], "members": {"sam": {"n": 1}, "kai": {"n": 2}}}
    names = frozenset([*base, "output_file", "article"])
    pages = [{"output_file": f"diaries/{n}/index.html", "SITEURL": "../..", "article": f"diary {n}"} for n in range(20)]
    digest = Digester()
    joined: list[Any] = []
    original = digest.shared
    monkeypatch.setattr(digest, "shared", lambda *args: joined.append(args) or original(*args))
    found = [page_fingerprint(digest, "article.html", names, page, {}, base=base) for page in pages]
    assert len(set(found)) == len(pages)  # each page's own file and diary
    assert len({digest.bases[(id(base), names, own)] for _, _, own in joined}) == 1 and len(digest.bases) == 1

    def fingerprint(page: dict[str, Any], keys: dict[str, Any], shared: dict[str, Any] = base) -> str:
        return page_fingerprint(Digester(), "article.html", names, page, keys, base=shared)

    page = pages[0]
    assert fingerprint(page, {}) == found[0]
    assert fingerprint(page, {"members": None}) == found[0]  # read whole: as if not read by key
    assert fingerprint(page, {"members": ["sam"]}) != found[0]
    assert fingerprint(page, {"members": ["sam"]}) == fingerprint(
        page, {"members": ["sam"]}, {**base, "members": {"sam": {"n": 1}}}
    )
    assert fingerprint(page, {"members": ["sam"]}) != fingerprint(
        page, {"members": ["sam"]}, {**base, "members": {"sam": {"n": 3}}}
    )
    assert fingerprint(page, {}) != fingerprint(page, {}, {**base, "SITENAME": "Another"})
    assert fingerprint(page, {}) == fingerprint(page, {}, {**base, "unread": 1})
    assert fingerprint(page, {}) != fingerprint({**page, "article": "diary 0 edited"}, {})


def test_a_key_read_by_many_pages_is_made_into_its_part_once() -> None:
    """Each diary's page reads its member's entry (``members``, ``avatars``...) by key: the
    part the key and its value's digest make is made for the first page that reads it and
    taken as made while the dict holds the same value (it looked the value's digest up again
    for every page: 50,000 pages, ten keys each)."""

    class Counted(dict):
        asked = 0

        def get(self, key: Any, default: Any = None) -> Any:
            Counted.asked += 1
            return dict.get(self, key, default)

    members = {f"m{n}": {"name": f"Member {n}"} for n in range(20)}
    base = {"SITENAME": "A network", "members": members}
    names = frozenset([*base, "output_file"])
    pages = [{"output_file": f"diaries/{n}/index.html", "SITEURL": ".."} for n in range(100)]
    keys = [{"members": [f"m{n % 5}", f"m{n % 7}"]} for n in range(100)]
    digest = Digester()
    digest.tops = Counted()
    found = [
        page_fingerprint(digest, "article.html", names, page, read, base=base)
        for page, read in zip(pages, keys, strict=True)
    ]
    assert found == [
        page_fingerprint(Digester(), "article.html", names, page, read, base=base)
        for page, read in zip(pages, keys, strict=True)
    ]
    # each page's site address, and each of the 7 keys' values twice (its part, its walk), not once a page and key
    assert Counted.asked <= len(pages) + 2 * 7 + 2
    members["m1"] = {"name": "Member 1, renamed"}  # another value at a key: its part is made again
    assert page_fingerprint(digest, "article.html", names, pages[1], keys[1], base=base) != found[1]
    assert page_fingerprint(digest, "article.html", names, pages[2], keys[2], base=base) == found[2]


def _html(output: Path) -> dict[str, bytes]:
    """Every file a reader loads, by path (Pagefind's hashed index files aside)."""
    return {
        str(path.relative_to(output)): path.read_bytes()
        for path in sorted(output.rglob("*"))
        if path.is_file() and "pagefind" not in path.parts
    }


def _made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The diaries Pelican makes an ``Article`` object for, in order."""
    from pelican.contents import Content

    made: list[str] = []
    original = Content.__init__

    def counted(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if type(self).__name__ == "Article":
            made.append(Path(self.source_path).name)

    monkeypatch.setattr(Content, "__init__", counted)
    return made


def test_an_unchanged_build_makes_no_diary_again_and_writes_the_same_site(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kept diary (netroots/articlecache.py) is restored, not made: and an edited one is made."""
    content = copy_fixture("basic")
    output = tmp_path / "output"
    first = build_site(content, output)
    assert not first.errors
    before = _html(output)
    made = _made(monkeypatch)
    again = build_site(content, output)
    assert made == []
    assert again.summary.startswith("rendered 0 of ")
    assert _html(output) == before

    edited = content / "diaries" / "ana" / "2026-03-01-rent-strike-notes.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA new line.\n", encoding="utf-8")
    build_site(content, output)
    assert made == ["2026-03-01-rent-strike-notes.md"]
    assert "A new line." in (output / "diaries" / "ana" / "rent-strike-notes" / "index.html").read_text("utf-8")


def test_kept_diaries_follow_the_tag_vocabulary_as_a_clean_build_does(copy_fixture, tmp_path: Path) -> None:
    """A diary's tags are respelled by content/tags.yaml, which is not the diary's file: a
    change there makes every diary again (its spellings, descriptions on tag pages)."""
    content = copy_fixture("basic")
    output = tmp_path / "output"
    build_site(content, output)
    build_site(content, output)  # every diary kept, the vocabulary still read for tag pages
    housing = (output / "tags" / "housing" / "index.html").read_text("utf-8")
    assert "Rent, tenants and a home for everyone." in housing
    (content / "tags.yaml").write_text(
        "Housing Justice:\n  aliases: [housing]\n  description: Homes for all.\n", encoding="utf-8"
    )
    build_site(content, output)
    clean = tmp_path / "clean"
    shutil.copytree(content, clean / "content")
    build_site(clean / "content", clean / "output")
    assert _html(output) == _html(clean / "output")
    assert "Homes for all." in (output / "tags" / "housing-justice" / "index.html").read_text("utf-8")


def test_a_diary_with_pictures_is_made_every_build_so_its_pictures_are_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The media plugin records a diary's pictures as its object is made: a build whose output
    folder was emptied (CI's warm build) still publishes them."""
    from test_media_pictures import media_content

    content = media_content(tmp_path / "site")
    output = tmp_path / "output"
    assert not build_site(content, output).errors
    published = sorted(str(p.relative_to(output)) for p in output.rglob("images/*"))
    assert published
    shutil.rmtree(output)
    made = _made(monkeypatch)
    assert not build_site(content, output).errors
    assert made == ["2026-03-03-our-new-office.md"]
    assert sorted(str(p.relative_to(output)) for p in output.rglob("images/*")) == published


def test_the_read_keys_of_all_diaries_look_at_the_members_folder_once(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A diary's read key covers the names in members/ and groups/ and its member's file
    (netroots/readcache.py): made for every diary at once, each is looked at once a build."""
    import netroots.readcache as readcache

    content = copy_fixture("basic")
    (content / "diaries" / "ana" / "2026-05-01-more.md").write_text(
        "---\ntitle: More\ndate: 2026-05-01\ntags: [housing]\n---\n\nMore.\n", encoding="utf-8"
    )
    output = tmp_path / "output"
    build_site(content, output)
    looked: list[str] = []
    original = readcache.os.stat

    def counted(path: Any, *args: Any, **kwargs: Any) -> Any:
        if sys._getframe(1).f_code.co_filename == readcache.__file__:  # the read cache's own looks
            looked.append(str(path))
        return original(path, *args, **kwargs)

    monkeypatch.setattr(readcache.os, "stat", counted)
    assert build_site(content, output).summary.startswith("rendered 0 of ")
    members = str(content / "members")
    assert looked.count(members) == 1
    assert looked.count(str(content / "members" / "ana.yaml")) == 1


def test_the_command_line_loads_no_http_client_until_something_is_fetched() -> None:
    """Every command (``build`` too) loads each plugin's ``cli.py``; the allies' fetcher
    (httpx) is imported only by ``fetch`` and ``build --fetch``."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    code = "import sys; sys.argv = ['tasks.py']; import tasks; print(sorted(m for m in sys.modules if 'httpx' in m))"
    found = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"


def test_a_build_imports_no_plugin_command_line_and_help_still_lists_every_command(
    copy_fixture, tmp_path: Path
) -> None:
    """Plugins' commands and benchmarks load when a command line asks for one of them (or for
    the list): a build imports neither, ``--help`` shows them all and they still run."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    content = copy_fixture("basic")
    code = (
        "import sys; sys.argv = ['tasks.py']; import tasks\n"
        f"tasks.cli.main(['--content', {str(content)!r}, 'build', '--output', {str(tmp_path / 'out')!r}],"
        " standalone_mode=False)\n"
        "print(sorted(m for m in sys.modules if m.endswith('.cli') or m.startswith('bench')))"
    )
    found = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert found.stdout.strip().splitlines()[-1] == "[]"
    shown = subprocess.run([sys.executable, "tasks.py", "--help"], cwd=root, capture_output=True, text=True, check=True)
    for command in ("build", "serve", "new", "bench", "fetch", "digest", "publish", "search", "codeowners"):
        assert f"\n  {command} " in shown.stdout
    listed = subprocess.run(
        [sys.executable, "tasks.py", "new", "--help"], cwd=root, capture_output=True, text=True, check=True
    )
    assert "diary" in listed.stdout and "member" in listed.stdout
    benches = subprocess.run(
        [sys.executable, "tasks.py", "bench", "--help"], cwd=root, capture_output=True, text=True, check=True
    )
    assert "scale" in benches.stdout


# What a build loads only to compute with: related lists, the web of trust, words of diaries.
COMPUTING_LIBRARIES = ("networkx", "numpy", "whoosh.analysis")


def test_a_build_with_nothing_to_compute_loads_no_library_it_computes_with(copy_fixture, tmp_path: Path) -> None:
    """numpy, networkx and Whoosh's analysis (0.3 s to import, at every network size) load
    when a build computes related lists, the web of trust or a diary's words, not otherwise;
    a kept web of trust is computed again when a vouch changes."""
    import json
    import subprocess

    root = Path(__file__).resolve().parent.parent
    content = copy_fixture("trust")
    output = tmp_path / "out"
    code = (
        "import sys, json; sys.argv = ['tasks.py']; import tasks\n"
        f"tasks.cli.main(['--content', {str(content)!r}, 'build', '--output', {str(output)!r}], standalone_mode=False)\n"
        f"print(json.dumps(sorted(m for m in {COMPUTING_LIBRARIES!r} if m in sys.modules)))"
    )

    def loaded() -> list[str]:
        done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    assert loaded() == list(COMPUTING_LIBRARIES)  # a first build computes with all of them
    before = _html(output)
    trust = (output / "trust" / "graph.json").read_bytes()
    assert loaded() == []
    assert _html(output) == before and (output / "trust" / "graph.json").read_bytes() == trust
    nell = content / "members" / "nell.yaml"
    nell.write_text(nell.read_text(encoding="utf-8").replace("vouches: [ana]", "vouches: [ana, kim]"), encoding="utf-8")
    assert "networkx" in loaded()
    vouches = {
        member["handle"]: member["vouches"]
        for member in json.loads((output / "trust" / "graph.json").read_text())["members"]
    }
    assert vouches["nell"] == ["ana", "kim"]


def test_a_diary_saved_while_its_object_is_made_is_made_again_next_build(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer saving a diary during a build: the object made from the bytes read before the
    save is not kept under the new bytes' key, so the next build shows the saved text."""
    from diaries.reader import NetrootsReader

    content = copy_fixture("basic")
    output = tmp_path / "output"
    diary = content / "diaries" / "ana" / "2026-03-01-rent-strike-notes.md"
    original = NetrootsReader.read

    def read_then_saved(self: Any, source_path: str) -> Any:
        made = original(self, source_path)
        if source_path.endswith(diary.name):
            diary.write_text(diary.read_text(encoding="utf-8") + "\nSaved during the build.\n", encoding="utf-8")
        return made

    monkeypatch.setattr(NetrootsReader, "read", read_then_saved)
    build_site(content, output)
    monkeypatch.setattr(NetrootsReader, "read", original)
    build_site(content, output)
    page = (output / "diaries" / "ana" / "rent-strike-notes" / "index.html").read_text("utf-8")
    assert "Saved during the build." in page


def test_kept_diaries_are_read_from_their_store_in_one_query(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pelican asks for the diaries in path order: one query reads the kept ones in that order
    (a query a diary took 0.15 s at 10,000), passing over the rows of deleted diaries; the
    site is the same, and a diary asked for out of order is still found."""
    import sqlite3

    from netroots.articlecache import KeptArticles

    content = copy_fixture("basic")
    output = tmp_path / "output"
    build_site(content, output)
    before = _html(output)
    statements: list[str] = []
    started = KeptArticles._start

    def traced(self: KeptArticles) -> bool:
        on = started(self)
        if self.connection is not None:
            self.connection.set_trace_callback(statements.append)
        return on

    monkeypatch.setattr(KeptArticles, "_start", traced)
    database = content.parent / ".cache" / "build" / "reads.sqlite"
    with sqlite3.connect(database) as connection:  # a deleted diary's row, first in path order
        connection.execute(
            "INSERT INTO articles VALUES (?, ?, ?, ?)", (str(content / "diaries" / "0.md"), "old", b"", b"")
        )
    made = _made(monkeypatch)
    build_site(content, output)
    assert made == []
    assert len([sql for sql in statements if sql.startswith("SELECT") and "FROM articles" in sql]) == 1
    assert _html(output) == before

    kept = KeptArticles.__new__(KeptArticles)
    kept.connection, kept.stored, kept.ahead, kept.asked = sqlite3.connect(database), None, None, ""
    kept.generator, kept.passed = SimpleNamespace(path=str(content)), set()
    kept.prefix = os.path.join(str(content), "")
    paths = sorted(row[0] for row in kept.connection.execute("SELECT path FROM articles"))
    assert kept._row(paths[-1]) is not None and kept._row(paths[1]) is not None  # the second: out of order
    assert kept._row(paths[-1] + "-gone") is None


class _Diary:
    __slots__ = ("__dict__", "extra")


def test_digests_stay_what_they_were_for_every_kind_of_value() -> None:
    """The walk was made faster (names and lengths' bytes made once): a digest must mean
    the same in every build, so these digests are the ones the earlier walk gave."""
    import datetime as dt

    def sample() -> _Diary:
        diary = _Diary()
        diary.title = "Canvass — día 1 \ud800"
        diary.body = "x" * 70_000  # longer than the lengths made once
        diary.date = dt.date(2026, 11, 22)
        diary.tags = ["Labor", "GA-05"]
        diary.metadata = {"n": 3, "f": 1.5, "b": True, "none": None, "set": {"b", "a"}, "t": (1, "two")}
        diary.groups = []
        diary.extra = b"raw"
        other = type("Plain", (), {})()
        other.back = diary  # a cycle
        diary.other = other
        diary._context = {"ignored": 1}
        return diary

    assert Digester()(sample()).hex() == "29d6bbd19c64cd063aeee3751845be0b"
    assert Digester()([sample(), {"k": []}, ()]).hex() == "cb104e1c1535015b87cc3d1ee4707291"


def test_pages_relative_addresses_are_pelicans_without_its_path_splitting(
    site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``RELATIVE_URLS`` every queued page gets Pelican's relative ``SITEURL``; an
    ordinary page name now counts its folders instead of splitting its path one folder at a
    time (a third of queueing 10,000 pages). Odd names still go through Pelican."""
    import pelican.utils

    from netroots.incremental import _relative

    names = ["index.html", "a/index.html", "diaries/ana/rent/index.html", "a/./b.html", "a/../b.html", "ä/ü é.html"]
    names += ["", "/lead.html", "//a/b.html", "a//b.html", "a/b/", "/", ".", "a/.", "tags/x y/page/2/index.html"]
    for name in names:
        assert _relative(name) == pelican.utils.path_to_url(pelican.utils.get_relative_path(name)), name
    split: list[str] = []
    original = pelican.utils.get_relative_path
    monkeypatch.setattr(pelican.utils, "get_relative_path", lambda path: split.append(path) or original(path))
    result = site("basic")
    assert not result.errors
    assert split == []
    assert 'href="../../../theme/' in (
        result.output / "diaries" / "ana" / "rent-strike-notes" / "index.html"
    ).read_text("utf-8")


def test_queued_pages_are_placed_as_pelican_places_them_without_its_normalizing(
    site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ordinary page name is joined to the output folder by concatenation (Pelican's
    ``sanitised_join`` normalizes every one of 10,000 paths); odd names still go through it,
    so a page that would land outside the output folder is still refused."""
    import netroots.incremental
    from netroots.incremental import IncrementalWriter

    original = netroots.incremental.sanitised_join
    for output in (tmp_path / "out", Path("relative-out"), Path("/")):
        writer = IncrementalWriter.__new__(IncrementalWriter)
        writer.output_path = str(output)
        writer.root = os.path.join(os.path.abspath(output), "")
        names = ["index.html", "a/index.html", "diaries/ana/rent/index.html", "ä/ü é.html", "a/./b.html"]
        names += ["a/../b.html", "a//b.html", "a/b/", "tags/x y/page/2/index.html"]
        for name in names:
            assert writer._path(name) == original(str(output), name), (output, name)
        if output != Path("/"):
            for name in ("../../escape.html", "/elsewhere.html", "a/../../escape.html"):
                with pytest.raises(RuntimeError, match="break out"):
                    writer._path(name)
    joined: list[str] = []
    monkeypatch.setattr(
        netroots.incremental, "sanitised_join", lambda *parts: joined.append(parts[-1]) or original(*parts)
    )
    result = site("basic")
    assert not result.errors
    assert (result.output / "diaries" / "ana" / "rent-strike-notes" / "index.html").is_file()
    assert [name for name in joined if name.endswith(".html")] == []  # feeds (.xml) are few and go through it


def test_queued_pages_share_a_copy_of_the_context_while_what_they_read_is_unchanged(
    site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pelican's writer copied the whole context for each page (59,000 copies of 240 names at
    50,000 diaries); a queued page shares the copy made for the pages before it, unless a name
    its templates read was set, added or removed since, and then it sees the new value."""
    from netroots.incremental import IncrementalWriter

    writer = IncrementalWriter.__new__(IncrementalWriter)
    writer.bases = {}
    context = {"SITENAME": "Net", "tags": ["a"], "unread": 1}
    first = writer._base(context, frozenset({"SITENAME", "tags", "missing"}))
    assert first == context and first is not context
    assert writer._base(context, frozenset({"SITENAME", "tags"})) is first
    context["unread"] = 2  # no page reads it: still shared
    assert writer._base(context, frozenset({"SITENAME", "tags"})) is first
    context["tags"] = ["a", "b"]
    second = writer._base(context, frozenset({"tags"}))
    assert second is not first and second["tags"] == ["a", "b"] and first["tags"] == ["a"]
    context["missing"] = None  # added, even as None: a page reading it sees it
    third = writer._base(context, frozenset({"missing"}))
    assert third is not second and "missing" in third and "missing" not in second
    del context["SITENAME"]
    assert "SITENAME" not in writer._base(context, frozenset({"SITENAME"}))
    assert writer._base(dict(context), frozenset({"tags"})) is not writer._base(context, frozenset({"tags"}))

    copies: list[int] = []
    base = IncrementalWriter._base

    def counted(self: IncrementalWriter, *args: Any) -> dict[str, Any]:
        found = base(self, *args)
        copies.append(id(found))
        return found

    monkeypatch.setattr(IncrementalWriter, "_base", counted)
    result = site("basic")
    assert not result.errors
    assert len(copies) > 20 and len(set(copies)) <= 3, (len(copies), len(set(copies)))


def test_an_unchanged_build_walks_content_once_and_reads_the_kept_hashes_once(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The layout check, the diaries' read-ahead and Pelican's lists of diaries each walked
    content/ (four walks of each member's folder), and the reader and search each opened the
    read cache and loaded every kept hash: one walk and one load a build now
    (netroots/contentfiles.py)."""
    import sqlite3

    import netroots.readcache as readcache

    content = copy_fixture("basic")
    output = tmp_path / "output"
    assert not build_site(content, output, SEARCH={"whoosh": True}).errors
    walked: list[str] = []
    scandir = os.scandir

    def listed(path: Any = ".") -> Any:
        walked.append(os.path.realpath(path))
        return scandir(path)

    statements: list[str] = []
    opened: list[ReadCache] = []
    start = readcache.ReadCache.__init__

    def traced(self: Any, *args: Any) -> None:
        start(self, *args)
        opened.append(self)
        if isinstance(self.connection, sqlite3.Connection):
            self.connection.set_trace_callback(statements.append)

    monkeypatch.setattr(os, "scandir", listed)
    monkeypatch.setattr(readcache.ReadCache, "__init__", traced)
    result = build_site(content, output, SEARCH={"whoosh": True})
    assert result.summary.startswith("rendered 0 of ")
    member = os.path.realpath(content / "diaries" / "ana")
    # The build's walk, which answers Pelican's questions too (the diaries, asked by the
    # read-ahead and by Pelican, and the files no reader reads).
    assert walked.count(member) == 1, walked.count(member)
    assert len(opened) == 1, "the reader and search share one read cache"
    assert sum("FROM digests" in statement for statement in statements) == 1


def test_a_build_scans_no_diary_for_static_links_its_link_pattern_cannot_match(
    site, copy_fixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Netroots' ``INTRASITE_LINK_REGEX`` matches nothing (pelicanconf.py: no {static} links),
    yet Pelican ran its link regex over every diary's HTML each build. Another pattern in the
    settings is still Pelican's to apply."""
    from pelican.contents import Article, Content

    from netroots.build import load_settings
    from netroots.generators import NO_INTRASITE_LINKS

    assert load_settings()["INTRASITE_LINK_REGEX"] == NO_INTRASITE_LINKS
    scanned: list[str] = []
    original = Content.get_static_links

    def counted(self: Any) -> Any:
        if isinstance(self, Article):
            scanned.append(self.source_path)
        return original(self)

    monkeypatch.setattr(Content, "get_static_links", counted)
    content = copy_fixture("basic")
    assert not site(content).errors
    assert scanned == []
    assert not site(content, INTRASITE_LINK_REGEX="[{|](?P<what>.*?)[|}]").errors
    assert scanned


STAMP_PLUGIN = '''
"""A plugin that marks every diary with the text of a file (STAMP_FILE), after it is made."""
from pathlib import Path

from pelican import signals


def stamp(generator):
    text = Path(generator.settings["STAMP_FILE"]).read_text(encoding="utf-8")
    for article in generator.articles:
        if generator.settings.get("STAMP_IN_PLACE"):
            article.metadata["stamp"] = text  # changes what the kept diary holds: against the rule
        else:
            article.stamp = text  # a new attribute: allowed


def register():
    signals.article_generator_finalized.connect(stamp)
'''


def _stamped(tmp_path: Path, content: Path, **overrides: Any) -> dict[str, Any]:
    """Settings with the stamp plugin (above) and its file."""
    from conftest import site_settings

    plugins = tmp_path / "plugins" / "stamp"
    plugins.mkdir(parents=True, exist_ok=True)
    (plugins / "__init__.py").write_text(STAMP_PLUGIN, encoding="utf-8")
    settings = site_settings(content, tmp_path / "output")
    return {
        "PLUGINS": [*settings["PLUGINS"], "stamp"],
        "PLUGIN_PATHS": [*settings["PLUGIN_PATHS"], str(tmp_path / "plugins")],
        "STAMP_FILE": str(tmp_path / "stamp.txt"),
        **overrides,
    }


def test_checking_kept_pages_walks_no_kept_diary_yet_sees_what_is_set_on_one(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kept diary is digested from its pickle (netroots/fingerprint.py ``Kept``): walking
    10,000 diaries' dicts and lists was half a second of a build that renders nothing. An
    attribute a plugin sets on it after it is made is still part of its pages' fingerprints."""
    from netroots.articlecache import KeptArticles
    from netroots.fingerprint import CHECK_KEPT

    content = copy_fixture("basic")
    output = tmp_path / "output"
    (tmp_path / "stamp.txt").write_text("first", encoding="utf-8")
    settings = _stamped(tmp_path, content)
    assert not build_site(content, output, **settings).errors
    before = _html(output)

    monkeypatch.delenv(CHECK_KEPT)  # the check walks them in full, on purpose
    restored: list[Any] = []
    loaded = KeptArticles._load
    monkeypatch.setattr(KeptArticles, "_load", lambda self, *row: restored.append(loaded(self, *row)) or restored[-1])
    walked: set[int] = set()
    parts = Digester._parts
    monkeypatch.setattr(
        Digester, "_parts", lambda self, value, *rest: walked.add(id(value)) or parts(self, value, *rest)
    )
    again = build_site(content, output, **settings)
    assert again.summary.startswith("rendered 0 of "), again.summary
    assert _html(output) == before
    assert len(restored) >= 3
    assert all(id(article) in walked for article in restored if article.status == "published")  # digested...
    assert not any(id(article.metadata) in walked for article in restored)  # ...without walking what it holds

    (tmp_path / "stamp.txt").write_text("second", encoding="utf-8")  # set on every diary after it is made
    restored.clear()
    stamped = build_site(content, output, **settings)
    published = [article for article in restored if article.status == "published"]
    assert published and all(article.stamp == "second" for article in published)
    rendered = int(stamped.summary.split()[1])
    assert rendered >= len(published), stamped.summary  # each diary's page at least
    assert build_site(content, output, **settings).summary.startswith("rendered 0 of ")


def test_checking_an_unchanged_site_takes_kept_diaries_as_kept_and_each_kind_of_page_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a build where nothing changed every kept diary holds the attributes it was kept
    with: its digest is its pickle's hash and what the pickle names, without listing its
    attributes against those it was kept with (``Kept.parts``, a second of the check at
    50,000 diaries). And the pages of a template that add the same names to the same context
    work out which names are their own, and what they share, once (``Digester.plan``), not
    page by page. The site is the one written before. (A receiver of ``content_written`` has
    every diary's page checked, as a build did before they were kept unchecked.)"""
    from bench.synthetic import diaries, today_after, write_netroots
    from netroots.fingerprint import Kept

    items = diaries(60, 6)
    content, output = tmp_path / "content", tmp_path / "output"
    write_netroots(content, items, 6)
    monkeypatch.setenv("NETROOTS_TODAY", today_after(items))
    build_site(content, output)
    before = _html(output)
    general: list[Any] = []
    parts = Kept.parts
    monkeypatch.setattr(Kept, "parts", lambda self, value: general.append(value) or parts(self, value))
    sorted_names: list[frozenset[str]] = []
    ordered = Digester.ordered
    monkeypatch.setattr(Digester, "ordered", lambda self, names: sorted_names.append(names) or ordered(self, names))
    checked: list[str] = []
    fingerprint = incremental.page_fingerprint
    monkeypatch.setattr(
        incremental, "page_fingerprint", lambda *args, **kw: checked.append(args[1]) or fingerprint(*args, **kw)
    )
    monkeypatch.setattr(incremental, "heard_elsewhere", lambda signal: True)
    again = build_site(content, output)
    assert again.summary.startswith("rendered 0 of 120 pages"), again.summary
    assert _html(output) == before
    assert checked.count("article.html") == 60
    assert general == []
    assert len(sorted_names) < len(checked) / 2, (len(sorted_names), len(checked))


def test_a_plugin_that_changes_a_kept_diary_in_place_fails_the_checked_build(copy_fixture, tmp_path: Path) -> None:
    """What a diary holds must not change after it is made (its pickle is its digest); the
    test suite's builds check it (``NETROOTS_CHECK_KEPT``, tests/conftest.py) and fail loudly
    on a plugin that does, naming the diary and the attribute."""
    from netroots.fingerprint import KeptChanged

    content = copy_fixture("basic")
    (tmp_path / "stamp.txt").write_text("first", encoding="utf-8")
    settings = _stamped(tmp_path, content, STAMP_IN_PLACE=True)
    with pytest.raises(KeptChanged, match=r"\.md: its 'metadata' was changed in place"):
        build_site(content, tmp_path / "output", **settings)


def test_each_list_page_is_made_once(site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pelican made each list page's ``Page`` three times (as itself and as its neighbours'
    next and previous), and a build that renders nothing digested all three: 5,000 of them
    at 10,000 diaries. The links between the pages are as they were."""
    from pelican.paginator import Page

    made: list[tuple[int, int]] = []
    original = Page.__init__

    def counted(self: Any, name: str, url: str, objects: Any, number: int, paginator: Any, settings: Any) -> None:
        made.append((id(paginator), number))
        original(self, name, url, objects, number, paginator, settings)

    monkeypatch.setattr(Page, "__init__", counted)
    result = site("basic", PAGINATED_TEMPLATES={"diaries": 1, "tag": 1})
    assert not result.errors
    assert len(made) > 2 and len(made) == len(set(made))
    first = (result.output / "diaries" / "index.html").read_text("utf-8")
    second = (result.output / "diaries" / "page" / "2" / "index.html").read_text("utf-8")
    assert 'rel="next"' in first and "diaries/page/2/" in first and 'rel="prev"' not in first
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_list_pages_format_each_address_once_and_tags_ask_no_diary_of_the_site(
    site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pelican formatted a list page's address from the pagination patterns six times (as
    itself and as its neighbours' links), and asked every diary of the site whether it was
    a tag's, for each tag: at 50,000 diaries a fifth of queueing the diaries' pages."""
    from pelican.paginator import Page

    from netroots.generators import ListedByIdentity

    formatted: list[tuple[int, str]] = []
    for name in ("url", "save_as"):
        address = getattr(Page, name).fget
        monkeypatch.setattr(
            Page, name, property(lambda self, name=name, f=address: formatted.append((id(self), name)) or f(self))
        )
    asked: list[object] = []
    contains = ListedByIdentity.__contains__
    monkeypatch.setattr(ListedByIdentity, "__contains__", lambda self, item: asked.append(item) or contains(self, item))
    result = site("basic", PAGINATED_TEMPLATES={"diaries": 1, "tag": 1})
    assert not result.errors
    assert len(formatted) > 4 and len(formatted) == len(set(formatted))  # url and save_as, once each
    assert asked == []
    tag = next((result.output / "tags").glob("*/index.html")).read_text("utf-8")
    assert "diaries/" in tag


def test_search_takes_each_diarys_fixed_address_without_pelicans_url_property(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Related diaries are matched by address: ``item.url`` formats nothing once the diaries
    generator fixed it, but Pelican's property still ran for every diary, twice a build. Each
    diary's path is taken as Pelican made it (absolute and normal), not made absolute again."""
    from pelican.contents import Content
    from search.generator import SearchGenerator

    content = copy_fixture("basic")
    asked: list[str] = []
    url = Content.url
    generate = SearchGenerator.generate_context

    def counted_url(self: Any) -> str:
        if inside:
            asked.append(self.source_path)
        return url.fget(self)

    inside: list[bool] = []

    def generate_context(self: Any) -> None:
        inside.append(True)
        try:
            generate(self)
        finally:
            inside.clear()

    made_absolute: list[str] = []
    abspath = os.path.abspath

    def counted_abspath(path: Any) -> str:
        if inside:
            made_absolute.append(str(path))
        return abspath(path)

    assert not build_site(content, tmp_path / "output", SEARCH={"whoosh": True}).errors
    monkeypatch.setattr(Content, "url", property(counted_url))
    monkeypatch.setattr(SearchGenerator, "generate_context", generate_context)
    monkeypatch.setattr(os.path, "abspath", counted_abspath)
    result = build_site(content, tmp_path / "output", SEARCH={"whoosh": True})  # nothing changed
    assert not result.errors and result.summary.startswith("rendered 0 of ")
    assert [path for path in asked if "/diaries/" in path] == []
    assert [path for path in made_absolute if "/diaries/" in path] == []
    page = (tmp_path / "output" / "diaries" / "ana" / "rent-strike-notes" / "index.html").read_text(encoding="utf-8")
    assert "bus-routes-matter" in page  # the related diary, found by its address


def test_a_value_digested_before_is_looked_up_without_walking_it_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A diary is in the site's list, its member's, its tags', other diaries' related lists...:
    230,000 references at 10,000 diaries, each a call into the walk only to find its digest."""
    from types import SimpleNamespace

    diaries = [SimpleNamespace(title=f"Diary {n}", tags=["housing"]) for n in range(50)]
    lists = [diaries, diaries[::2], list(reversed(diaries))]
    expected = [Digester()(value) for value in lists]
    digest = Digester()
    walked: list[Any] = []
    original = digest._walk
    monkeypatch.setattr(digest, "_walk", lambda value, depth: walked.append(value) or original(value, depth))
    assert [digest(value) for value in lists] == expected
    assert sum(1 for value in walked if isinstance(value, SimpleNamespace)) == len(diaries)


def test_the_build_after_an_edit_renders_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edited diary's object is made (its tags by the reader) and the next build restores it
    (its tags by the kept diaries' store): both digest the same, so the build after an edit
    renders no page again (it rendered the edit's pages a second time: Pelican's ``as_dict``
    had copied a tag's name into one of the two objects only)."""
    from bench.synthetic import diaries, today_after, write_netroots

    items = diaries(60, 6)
    content, output = tmp_path / "content", tmp_path / "output"
    write_netroots(content, items, 6)
    monkeypatch.setenv("NETROOTS_TODAY", today_after(items))
    build_site(content, output)
    for diary in sorted((content / "diaries").rglob("*.md"))[-3:]:
        diary.write_text(diary.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
        edited = build_site(content, output)
        assert not edited.summary.startswith("rendered 0 of "), edited.summary
        before = _html(output)
        again = build_site(content, output)
        assert again.summary.startswith("rendered 0 of 120 pages, 0 of"), again.summary
        assert _html(output) == before


def test_a_tag_digests_the_same_before_and_after_pelican_copies_its_name_into_it() -> None:
    from pelican.urlwrappers import Author, Tag

    settings = {"TAG_URL": "tags/{slug}/", "AUTHOR_URL": "members/{slug}/", "SLUGIFY_SOURCE": "title"}
    fresh, used = Tag("Local News", settings), Tag("Local News", settings)
    used.as_dict()
    assert "name" in vars(used) and "name" not in vars(fresh)
    assert Digester()(fresh) == Digester()(used)
    assert Digester()(fresh) != Digester()(Tag("Local news!", settings))
    assert Digester()(fresh) != Digester()(Author("Local News", settings))


def test_an_unchanged_build_leaves_the_pages_record_as_it_was(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record of every page (59,000 rows at 50,000 diaries) is written only where a page,
    the world or a template's names changed: an unchanged build leaves the file alone, and an
    edit writes the rows of the pages and feeds it wrote, not every page's."""
    from netroots.pagerecord import PageRecord

    written: list[tuple[int, int]] = []  # (rows written, pages recorded) a build
    save = PageRecord.save
    monkeypatch.setattr(PageRecord, "save", lambda self, *args: written.append((save(self, *args), len(args[1]))) or 0)
    content = copy_fixture("basic")
    output = tmp_path / "output"
    build_site(content, output)
    (record,) = (content.parent / ".cache" / "build").glob("pages-*.sqlite")
    before = record.stat().st_mtime_ns, record.read_bytes()
    everything = PageRecord(record).load()
    assert everything is not None and written[-1] == (len(everything[1]), len(everything[1]))
    again = build_site(content, output)
    assert again.summary.startswith("rendered 0 of "), again.summary
    assert (record.stat().st_mtime_ns, record.read_bytes()) == before
    assert written[-1][0] == 0
    diary = sorted((content / "diaries").rglob("*.md"))[0]
    diary.write_text(diary.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    edited = build_site(content, output)
    assert not edited.summary.startswith("rendered 0 of "), edited.summary
    after = PageRecord(record).load()
    assert after is not None and after[0] == everything[0]
    changed = {path for path, entry in after[1].items() if everything[1].get(path) != entry}
    assert changed and written[-1] == (len(changed), len(everything[1]))
    assert build_site(content, output).summary.startswith("rendered 0 of ")


def test_a_damaged_pages_record_renders_every_page_and_is_made_again(copy_fixture, tmp_path: Path) -> None:
    content = copy_fixture("basic")
    output = tmp_path / "output"
    build_site(content, output)
    pages = _html(output)
    (record,) = (content.parent / ".cache" / "build").glob("pages-*.sqlite")
    record.write_bytes(b"not a database" * 100)
    earlier = record.with_suffix(".json")  # the record's earlier form, one JSON file
    earlier.write_text('{"pages": {}}', encoding="utf-8")
    again = build_site(content, output)
    assert not earlier.exists()
    assert "no record of an earlier build" in again.summary, again.summary
    words = again.summary.split()
    assert words[1] == words[3], again.summary  # every page rendered again
    assert _html(output) == pages
    assert build_site(content, output).summary.startswith("rendered 0 of ")
    with sqlite3.connect(record) as connection:  # a record of another format is made again
        connection.execute("UPDATE meta SET value = '0' WHERE name = 'format'")
    connection.close()
    words = build_site(content, output).summary.split()
    assert words[1] == words[3] and build_site(content, output).summary.startswith("rendered 0 of ")


def test_an_unchanged_build_leaves_the_record_of_output_files_as_it_was(copy_fixture, tmp_path: Path) -> None:
    """The list of every file a build made (what the next build deletes when the content no
    longer makes it) is written only when it changed."""
    import json

    content = copy_fixture("basic")
    output = tmp_path / "output"
    build_site(content, output)
    (record,) = (content.parent / ".cache" / "build").glob("output-*.json")
    before = record.stat().st_mtime_ns, record.read_bytes()
    build_site(content, output)
    assert (record.stat().st_mtime_ns, record.read_bytes()) == before
    diary = sorted((content / "diaries").rglob("*.md"))[0]
    diary.unlink()
    build_site(content, output)
    pages = [name for name in json.loads(before[1]) if name not in json.loads(record.read_text(encoding="utf-8"))]
    assert pages and all(not (output / name).exists() for name in pages)


def test_an_unchanged_build_takes_each_related_list_as_kept(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each diary page's related list was made and digested every build (10,000 lists, 0.15 s)
    and the whole related.pickle read (signatures mostly, 0.05 s). An unchanged build reads the
    names of each list and what the pages showed (``RelatedStore.rows``), never a signature or
    score (``RelatedStore.computed``), takes each list's kept digest, walks none (but the
    sample that checks the digester digests as it did) and writes no row; a damaged or missing
    related.sqlite is not trusted, and the pages stay the same. Files an older build kept
    (related*.pickle) are removed."""
    from search.shown import SAMPLE, RelatedDiary
    from search.store import RelatedStore

    from netroots.fingerprint import CHECK_KEPT

    content = copy_fixture("search")
    output = tmp_path / "output"
    folder = content.parent / ".cache" / "search"
    (folder / "related-lists-0123.pickle").parent.mkdir(parents=True)
    (folder / "related-lists-0123.pickle").write_bytes(b"kept by an older build")
    assert not build_site(content, output, SEARCH={"pagefind": False}).errors
    assert not list(folder.glob("*.pickle"))
    before = _html(output)
    store = folder / "related.sqlite"
    stamp = store.stat().st_mtime_ns, store.read_bytes()

    monkeypatch.delenv(CHECK_KEPT)  # the check digests every kept list again, on purpose
    read: list[int] = []
    written: list[int] = []
    computed, close = RelatedStore.computed, RelatedStore.close
    monkeypatch.setattr(RelatedStore, "computed", lambda self: read.append(1) or computed(self))
    monkeypatch.setattr(
        RelatedStore, "close", lambda self, commit=True: written.append(self.written) or close(self, commit)
    )
    walked: list[Any] = []
    parts = Digester._parts
    monkeypatch.setattr(
        Digester, "_parts", lambda self, value, *rest: walked.append(value) or parts(self, value, *rest)
    )

    def build() -> tuple[int, int, int]:
        read.clear(), walked.clear(), written.clear()
        result = build_site(content, output, SEARCH={"pagefind": False})
        assert not result.errors and result.summary.startswith("rendered 0 of "), result.summary
        assert _html(output) == before
        shown = sum(1 for value in walked if isinstance(value, RelatedDiary) and value is not SAMPLE)
        return len(read), shown, sum(written)

    assert build() == (0, 0, 0)
    assert (store.stat().st_mtime_ns, store.read_bytes()) == stamp
    for damage in (b"not a database" * 100, None):
        if damage is None:
            store.unlink()
        else:
            store.write_bytes(damage)
        found = build()
        assert found[0] == 1 and found[1] > 0 and found[2] > 0  # lists computed, each diary shown walked
        assert build() == (0, 0, 0)


def test_the_themes_own_files_are_copied_only_when_they_changed(tmp_path: Path, copy_fixture) -> None:
    """Pelican wrote the style sheets and scripts again at every build (new times: a deploy
    that compares times sent them again); now a build copies what differs, and only that."""
    theme = tmp_path / "theme"
    shutil.copytree(Path(__file__).parents[1] / "theme", theme)
    (theme / "static" / "css" / "notes.css~").write_text("an editor's backup")
    content, output = copy_fixture("basic"), tmp_path / "output"
    assert not build_site(content, output, THEME=str(theme), IGNORE_FILES=["*~"]).errors
    copied = {path: path.stat().st_mtime_ns for path in (output / "theme").rglob("*") if path.is_file()}
    assert output / "theme" / "css" / "site.css" in copied and output / "theme" / "js" / "search.js" in copied
    assert not (output / "theme" / "css" / "notes.css~").exists()
    (output / "theme" / "js" / "search.js").write_text("// changed in output/ by hand")
    (theme / "static" / "css" / "site.css").write_text("body { color: black; }")
    assert not build_site(content, output, THEME=str(theme), IGNORE_FILES=["*~"]).errors
    assert (output / "theme" / "css" / "site.css").read_text() == "body { color: black; }"
    assert (output / "theme" / "js" / "search.js").read_bytes() == (theme / "static" / "js" / "search.js").read_bytes()
    again = {path: path.stat().st_mtime_ns for path in copied}
    changed = {path.relative_to(output).as_posix() for path in copied if again[path] != copied[path]}
    assert changed == {"theme/css/site.css", "theme/css/all.css", "theme/js/search.js"}  # all.css: the sheets joined


HEARD: list[str] = []


def _heard(_sender: Any, content: Any) -> None:
    HEARD.append(content.source_path)


def test_the_diaries_pages_are_queued_in_one_call_and_a_receiver_still_hears_each_diary(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pelican's loop called the writer once a diary, with its keywords, and the writer looked
    up the page's copy of the context for each (0.5 s of queueing at 50,000 diaries): the
    diaries' pages are queued in one call, the copy looked up once a template. A receiver of
    ``article_generator_write_article`` gets Pelican's loop back (it may change a diary
    between two pages): it hears every diary, and the site is the same."""
    from pelican import signals

    import netroots.build
    from netroots.incremental import IncrementalWriter

    calls: list[bool] = []
    write_file = IncrementalWriter.write_file

    def counted(self: IncrementalWriter, name: str, template: Any, context: Any, *args: Any, **kwargs: Any) -> None:
        calls.append("article" in kwargs)
        write_file(self, name, template, context, *args, **kwargs)

    looked_up: list[frozenset[str]] = []
    base = IncrementalWriter._base
    monkeypatch.setattr(IncrementalWriter, "write_file", counted)
    monkeypatch.setattr(
        IncrementalWriter, "_base", lambda self, context, names: looked_up.append(names) or base(self, context, names)
    )
    content = copy_fixture("search")
    first = build_site(content, tmp_path / "one")
    assert not first.errors
    diaries = sorted(str(path) for path in (content / "diaries").rglob("*.md") if "draft" not in path.name)
    assert len(diaries) >= 5
    assert calls.count(True) == 0 and len(looked_up) == calls.count(False) + 1

    calls.clear()
    HEARD.clear()
    reset = netroots.build.reset_plugin_signals
    monkeypatch.setattr(
        netroots.build,
        "reset_plugin_signals",
        lambda: reset() or signals.article_generator_write_article.connect(_heard),
    )
    second = build_site(content, tmp_path / "two")
    assert not second.errors
    assert sorted(HEARD) == diaries and calls.count(True) == len(diaries)
    pages = {path.relative_to(first.output): path.read_bytes() for path in first.output.rglob("*.html")}
    assert len(pages) > 10
    assert pages == {path.relative_to(second.output): path.read_bytes() for path in second.output.rglob("*.html")}


def test_the_feeds_digest_the_contexts_values_once(site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pelican writes every member's and tag's feeds from one context, and each feed's
    fingerprint digested the context's strings and numbers again: 228 times the same 150
    values at 10,000 diaries."""
    digested: list[int] = []
    call = Digester.__call__

    def counted(self: Digester, value: Any) -> bytes:
        scalars = (str, int, float, bool, type(None))
        if type(value) is dict and "SITENAME" in value and all(isinstance(item, scalars) for item in value.values()):
            digested.append(id(value))
        return call(self, value)

    monkeypatch.setattr(Digester, "__call__", counted)
    result = site("basic")
    assert not result.errors
    assert len(list((result.output / "feeds").rglob("*.xml"))) > 4
    assert len(digested) == 1
