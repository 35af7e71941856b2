"""Kept diaries (netroots/articlecache.py) and their read keys (netroots/readcache.py): what a
build with nothing changed still does for each diary, counted, and the hostile sequences
that must still give the site a clean build gives."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import build_site

from netroots.fingerprint import KeptChanged


def _html(output: Path) -> dict[str, bytes]:
    """Every file a reader loads, by path (Pagefind's hashed index files aside)."""
    return {
        str(path.relative_to(output)): path.read_bytes()
        for path in sorted(output.rglob("*"))
        if path.is_file() and "pagefind" not in path.parts
    }


def _store(content: Path) -> sqlite3.Connection:
    return sqlite3.connect(content.parent / ".cache" / "build" / "reads.sqlite")


def _built(copy_fixture: Any, tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    """The basic fixture built once: its content folder, its output and what it wrote."""
    content = copy_fixture("basic")
    output = tmp_path / "output"
    assert not build_site(content, output).errors
    return content, output, _html(output)


def _hashed_pickles(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the pickles (protocol 5) hashed from now on."""
    hashed: list[int] = []
    original = hashlib.blake2b

    def counted(data: Any = b"", *args: Any, **kwargs: Any) -> Any:
        if isinstance(data, bytes) and data[:2] == b"\x80\x05":
            hashed.append(len(data))
        return original(data, *args, **kwargs)

    monkeypatch.setattr(hashlib, "blake2b", counted)
    return hashed


def test_a_kept_diary_is_digested_from_the_hash_stored_with_it(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each kept diary's pickle was hashed every build for the pages' fingerprints (10,000
    pickles, 0.05 s); the hash is stored in its row when the row is written. The suite's
    check (``NETROOTS_CHECK_KEPT``) hashes it again and fails on a row that does not match."""
    content, output, before = _built(copy_fixture, tmp_path)
    monkeypatch.delenv("NETROOTS_CHECK_KEPT")
    hashed = _hashed_pickles(monkeypatch)
    again = build_site(content, output)
    assert again.summary.startswith("rendered 0 of ")
    assert hashed == []
    assert _html(output) == before

    monkeypatch.setenv("NETROOTS_CHECK_KEPT", "1")
    with _store(content) as store:
        (path,) = store.execute("SELECT path FROM articles ORDER BY path LIMIT 1").fetchone()
        store.execute("UPDATE articles SET state = ? WHERE path = ?", (b"\0" * 16, path))
    with pytest.raises(KeptChanged, match=Path(path).name):
        build_site(content, output)


def test_a_store_of_the_older_shape_is_made_again(copy_fixture, tmp_path: Path) -> None:
    """A cache left by a version whose rows had no hash: the build keeps its diaries anew,
    and writes the site a clean build writes."""
    content = copy_fixture("basic")
    output = tmp_path / "output"
    clean = tmp_path / "clean"
    assert not build_site(content, clean).errors
    shutil.rmtree(content.parent / ".cache")
    (content.parent / ".cache" / "build").mkdir(parents=True)
    with _store(content) as store:
        store.execute("CREATE TABLE articles (path TEXT PRIMARY KEY, key TEXT, value BLOB)")
        store.execute("INSERT INTO articles VALUES (?, ?, ?)", (str(content / "diaries" / "ana" / "x.md"), "k", b"v"))
    assert not build_site(content, output).errors
    assert _html(output) == _html(clean)
    with _store(content) as store:
        columns = [row[1] for row in store.execute("PRAGMA table_info(articles)")]
        kept = store.execute("SELECT COUNT(*) FROM articles WHERE state IS NOT NULL").fetchone()[0]
    assert columns == ["path", "key", "state", "value"]
    assert kept > 0
    assert build_site(content, output).summary.startswith("rendered 0 of ")


def test_a_build_reads_only_its_own_folders_kept_diaries_and_drops_those_of_gone_files(
    copy_fixture, tmp_path: Path
) -> None:
    """The store may hold other folders' rows (a moved copy of the site, a shared cache):
    they are not read (each was a fetched pickle a build). A deleted or renamed diary's row is
    dropped by the next build; another folder's rows are left alone."""
    content = copy_fixture("basic")
    extra = content / "diaries" / "ben" / "2026-05-01-extra.md"
    extra.write_text("---\ntitle: Extra\ndate: 2026-05-01\ntags: [housing]\n---\n\nMore.\n", encoding="utf-8")
    output = tmp_path / "output"
    assert not build_site(content, output).errors
    elsewhere = [str(content.parent / "content-old" / "diaries" / "a.md"), "/zz/content/diaries/b.md"]
    with _store(content) as store:
        store.executemany("INSERT INTO articles VALUES (?, 'k', X'00', X'00')", [(p,) for p in elsewhere])

    statements: list[str] = []
    import netroots.articlecache as articlecache

    original = articlecache.KeptArticles._start

    def traced(self: Any) -> bool:
        on = original(self)
        if self.connection is not None:
            self.connection.set_trace_callback(statements.append)
        return on

    mp = pytest.MonkeyPatch()
    mp.setattr(articlecache.KeptArticles, "_start", traced)
    try:
        diary = content / "diaries" / "ana" / "2026-04-02-draft-thoughts.md"
        renamed = diary.with_name("2026-04-02-draft-ideas.md")
        diary.rename(renamed)
        extra.unlink()
        assert not build_site(content, output).errors
    finally:
        mp.undo()
    selects = [sql for sql in statements if sql.startswith("SELECT") and "FROM articles" in sql]
    assert len(selects) == 1 and f"path > '{content}/'" in selects[0], selects
    with _store(content) as store:
        paths = {row[0] for row in store.execute("SELECT path FROM articles")}
    assert set(elsewhere) <= paths
    assert str(renamed) in paths
    assert str(diary) not in paths
    assert str(extra) not in paths

    clean = tmp_path / "clean"
    fresh = tmp_path / "fresh" / "content"
    shutil.copytree(content, fresh)
    assert not build_site(fresh, clean).errors
    assert _html(output) == _html(clean)


def _trace_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL the read cache runs from now on."""
    import netroots.readcache as readcache

    statements: list[str] = []
    start = readcache.ReadCache.__init__

    def traced(self: Any, *args: Any) -> None:
        start(self, *args)
        if isinstance(self.connection, sqlite3.Connection):
            self.connection.set_trace_callback(statements.append)

    monkeypatch.setattr(readcache.ReadCache, "__init__", traced)
    return statements


def _clean(content: Path, where: Path) -> tuple[dict[str, bytes], list[str]]:
    """What a clean build (a copy of ``content``, no cache, no output) writes and reports."""
    shutil.copytree(content, where / "content")
    result = build_site(where / "content", where / "output")
    return _html(where / "output"), result.errors


def test_an_unchanged_folder_takes_its_files_keys_from_its_summary(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read-ahead looked every diary up on its own (its kept hash, its key, whether its read
    is stored: 0.2 s at 10,000 diaries); a folder whose names, files' ``lstat`` and what its
    reads consult are as kept takes its files' hashes and keys from its summary: no kept hash
    and no stored read is looked up, and the site is the same."""
    import netroots.readcache as readcache

    monkeypatch.setattr(readcache, "SETTLED_NS", 0)  # trust kept hashes at once (3 s in a build)
    content = copy_fixture("basic")
    output = tmp_path / "output"
    build_site(content, output)
    build_site(content, output)  # every read stored by now: the folders' summaries are written
    before = _html(output)
    statements = _trace_reads(monkeypatch)
    hashed: list[str] = []
    digest = readcache.content_digest
    monkeypatch.setattr(readcache, "content_digest", lambda path: hashed.append(path) or digest(path))
    monkeypatch.delenv("NETROOTS_CHECK_KEPT")  # the check hashes every file, on purpose
    again = build_site(content, output, SEARCH={"whoosh": True})
    assert again.summary.startswith("rendered 0 of "), again.summary
    # (A page, which Pelican makes every build, still takes its read: ``SELECT value``.)
    assert [sql for sql in statements if "FROM digests" in sql or "SELECT key FROM reads" in sql] == []
    assert hashed == []
    assert len([sql for sql in statements if "FROM folders" in sql]) == 1
    assert _html(output) == before


def test_an_unchanged_folder_is_checked_without_splitting_a_path_a_file(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read-ahead split each diary's path three times (its folder once, its name twice:
    0.1 s at 50,000 diaries); a folder's files are grouped and named by cutting their paths
    at the folder, and its summary's names are compared as one list."""
    import posixpath

    import netroots.readcache as readcache

    monkeypatch.setattr(readcache, "SETTLED_NS", 0)
    content, output, before = _built(copy_fixture, tmp_path)
    build_site(content, output)  # every read stored by now: the folders' summaries are written
    split: list[str] = []
    for name in ("basename", "dirname", "split"):
        original = getattr(posixpath, name)

        def counted(path: Any, original: Any = original, name: str = name) -> Any:
            if sys._getframe(1).f_globals.get("__name__") == readcache.__name__:
                split.append(name)
            return original(path)

        monkeypatch.setattr(posixpath, name, counted)
    assert build_site(content, output).summary.startswith("rendered 0 of ")
    assert split == []
    assert _html(output) == before


def test_folder_summaries_follow_every_change_a_clean_build_sees(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hostile sequences for the summaries' rule (netroots/readcache.py): after each, the
    site is the one a clean build writes. The suite's check (``NETROOTS_CHECK_KEPT``) also
    hashes every file whose key a summary gave and fails the build if it differs."""
    import netroots.readcache as readcache

    monkeypatch.setattr(readcache, "SETTLED_NS", 0)
    content = copy_fixture("basic")
    output = tmp_path / "output"
    steps = iter(range(100))

    def same_as_clean(what: str) -> None:
        result = build_site(content, output)
        assert (_html(output), result.errors) == _clean(content, tmp_path / f"clean-{next(steps)}"), what

    build_site(content, output)
    same_as_clean("unchanged")
    folder = content / "diaries" / "ana"
    diary = folder / "2026-03-01-rent-strike-notes.md"
    text = diary.read_text(encoding="utf-8")
    before = diary.stat()
    assert "laundry" in text
    diary.write_text(text.replace("laundry", "LAUNDRY"), encoding="utf-8")  # the same size, times put back
    os.utime(diary, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert diary.stat().st_size == before.st_size
    same_as_clean("edited at the same size, its times put back")
    same_as_clean("unchanged after the edit")
    os.utime(diary)
    same_as_clean("touched")
    renamed = diary.with_name("2026-03-01-rent-strike-diary.md")
    diary.rename(renamed)
    same_as_clean("renamed")
    added = folder / "2026-05-01-more.md"
    added.write_text("---\ntitle: More\ndate: 2026-05-01\ntags: [housing]\n---\n\nMore.\n", encoding="utf-8")
    same_as_clean("added")
    added.unlink()
    same_as_clean("deleted")
    member = content / "members" / "ana.yaml"
    member.write_text(member.read_text(encoding="utf-8").replace("Ana", "Anna", 1), encoding="utf-8")
    same_as_clean("member file edited")
    (content / "groups" / "tenants.md").rename(content / "groups" / "renters.md")
    same_as_clean("a group renamed")  # the diary naming it is reported, by both
    (content / "groups" / "renters.md").rename(content / "groups" / "tenants.md")
    same_as_clean("the group named back")


def test_a_damaged_or_stale_summary_is_not_trusted(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A summary that cannot be read is no error (the folder is looked up file by file and its
    summary written again); one whose keys do not match its files fails the checked build."""
    import netroots.readcache as readcache

    monkeypatch.setattr(readcache, "SETTLED_NS", 0)
    content = copy_fixture("basic")
    output = tmp_path / "output"
    build_site(content, output)
    build_site(content, output)
    before = _html(output)
    folder = str(content / "diaries" / "ana")
    with _store(content) as store:
        (files,) = store.execute("SELECT files FROM folders WHERE folder = ?", (folder,)).fetchone()
        store.execute("UPDATE folders SET files = '{not json' WHERE folder = ?", (folder,))
    assert build_site(content, output).summary.startswith("rendered 0 of ")
    assert _html(output) == before
    with _store(content) as store:
        assert store.execute("SELECT files FROM folders WHERE folder = ?", (folder,)).fetchone() == (files,)
        stale = [[name, digest, "0" * 40] for name, digest, _ in json.loads(files)]
        store.execute("UPDATE folders SET files = ? WHERE folder = ?", (json.dumps(stale), folder))
    with pytest.raises(readcache.StaleSummary, match="diaries/ana/"):
        build_site(content, output)


def test_pelican_records_each_diarys_relative_path_without_working_it_out_again(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pelican names every diary by its path relative to content/ each build (two ``abspath``
    and a ``relpath`` a diary, 0.05 s at 10,000); a plain path under content/ is cut instead,
    to the same name (odd paths are still Pelican's)."""
    from pelican.contents import Content

    from netroots.generators import ArticlesGenerator

    content, output, before = _built(copy_fixture, tmp_path)
    asked: list[str] = []
    original = Content.get_relative_source_path

    def counted(self: Any, source_path: Any = None) -> Any:
        if type(self).__name__ == "Article":  # (Pelican's pages generator is Pelican's)
            asked.append(sys._getframe(1).f_code.co_name)
        return original(self, source_path)

    monkeypatch.setattr(Content, "get_relative_source_path", counted)
    assert build_site(content, output).summary.startswith("rendered 0 of ")
    assert "add_source_path" not in asked
    assert _html(output) == before

    generator = ArticlesGenerator.__new__(ArticlesGenerator)
    generator.settings = {"PATH": str(content)}
    pelicans = Content.__new__(Content)
    pelicans.settings = generator.settings
    base = str(content)
    odd = ["a/./b.md", "a/../b.md", "a//b.md", "a/", "", ".hidden/x.md", "ä/ü é.md", "../outside.md", "a/b/c.md"]
    paths = [base + os.sep + name for name in odd] + [base, base + "x/a.md", "relative/a.md", "/elsewhere/a.md"]
    for path in paths:
        found = generator._relative_source(path)
        assert found is None or found == original(pelicans, path), path
    assert generator._relative_source(base + "/a/b/c.md") == "a/b/c.md"


def test_what_kept_diaries_name_is_worked_out_once_a_build(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each kept diary's pickle names about ten shared objects (the settings, the context,
    its author three times, its tags): each name is worked out once a build, not once a
    diary, and the site is the same."""
    import netroots.articlecache as articlecache

    content, output, before = _built(copy_fixture, tmp_path)
    named: list[Any] = []
    worked: list[Any] = []
    load, work = articlecache._Names.load, articlecache._Names._object
    monkeypatch.setattr(articlecache._Names, "load", lambda self, pid: named.append(pid) or load(self, pid))
    monkeypatch.setattr(articlecache._Names, "_object", lambda self, pid: worked.append(pid) or work(self, pid))
    assert build_site(content, output).summary.startswith("rendered 0 of ")
    assert len(named) > len(set(map(repr, named))) > 0
    assert sorted(map(repr, worked)) == sorted(set(map(repr, named)))
    assert _html(output) == before


def test_a_kept_diary_names_each_shared_object_once_and_its_key_is_not_hashed_again(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A diary's pickle named its author three times (``author``, ``authors``, its metadata)
    and its category twice, a call of ``_Names.load`` each, 50,000 diaries a build: it names
    each object once and refers back to it. A diary's key is its read key and the digest of
    what the receivers read, joined: the two were hashed again for every diary. The site is
    the same."""
    import netroots.articlecache as articlecache

    content, output, before = _built(copy_fixture, tmp_path)
    named: list[list[Any]] = []
    register = articlecache.KeptArticles._register
    monkeypatch.setattr(
        articlecache.KeptArticles,
        "_register",
        lambda self, article, state, shared: named.append(list(shared)) or register(self, article, state, shared),
    )
    hashed: list[str] = []
    original = hashlib.blake2b

    def counted(*args: Any, **kwargs: Any) -> Any:
        hashed.append(sys._getframe(1).f_globals.get("__name__", ""))
        return original(*args, **kwargs)

    monkeypatch.setattr(hashlib, "blake2b", counted)
    assert build_site(content, output).summary.startswith("rendered 0 of ")
    assert named and all(shared for shared in named)
    assert all(len(shared) == len({id(one) for one in shared}) for shared in named)
    assert hashed.count("netroots.articlecache") == 1  # what the receivers read, once a build
    assert _html(output) == before


def _kept_counts(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """(diaries restored, diaries made) of each build from now on."""
    import netroots.articlecache as articlecache

    counts: list[tuple[int, int]] = []
    save = articlecache.KeptArticles.save

    def counted(self: Any) -> None:
        counts.append((self.restored, self.made))
        save(self)

    monkeypatch.setattr(articlecache.KeptArticles, "save", counted)
    return counts


# Names every diary's object holds, and the module and name of the classes it is made of.
EVERY_DIARYS_NAMES = {"title", "date", "slug", "tags", "metadata", "_content", "source_path", "settings", "lang"}
CLASS_NAMES = {"pelican.contents", "Article", "pelican.utils", "SafeDatetime", "zoneinfo", "ZoneInfo", "builtins"}


def test_a_kept_diary_names_its_classes_and_its_attributes_names_by_number(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Restoring a diary imported the four classes its pickle named (Pelican's ``Article``,
    its dates and zone) and decoded forty names it spelled out (its attributes' names, its
    metadata's keys), a quarter of restoring 10,000 diaries: each pickle names those by
    their number in the kept diaries' vocabulary instead. The site is the same."""
    import pickletools

    content, output, before = _built(copy_fixture, tmp_path)
    with _store(content) as store:
        pickles = [row[0] for row in store.execute("SELECT value FROM articles")]
    assert pickles
    for blob in pickles:
        ops = list(pickletools.genops(blob))
        assert not [op.name for op, _, _ in ops if "GLOBAL" in op.name or op.name in ("INST", "OBJ")]
        spelled = {arg for op, arg, _ in ops if "UNICODE" in op.name}
        assert not spelled & (EVERY_DIARYS_NAMES | CLASS_NAMES)
    counts = _kept_counts(monkeypatch)
    assert build_site(content, output).summary.startswith("rendered 0 of ")
    assert counts == [(len(pickles), 0)]
    assert _html(output) == before


def test_kept_diaries_of_another_vocabulary_or_damaged_are_made_again_never_misread(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pickle holds numbers into the vocabulary it was made with: with another (a later
    version's), every diary is made again from its file, not read with the wrong words. A
    damaged row (cut short, or a number the vocabulary does not have) is made again too."""
    import netroots.articlecache as articlecache
    from netroots.fingerprint import pickle_state

    content, output, before = _built(copy_fixture, tmp_path)
    with _store(content) as store:
        kept = store.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    counts = _kept_counts(monkeypatch)
    words = list(articlecache.VOCABULARY)  # "title" and "slug" swapped: read with these, a diary's swap too
    first, second = words.index("title"), words.index("slug")
    words[first], words[second] = words[second], words[first]
    monkeypatch.setattr(articlecache, "VOCABULARY", tuple(words))
    assert not build_site(content, output).errors
    assert counts[-1] == (0, kept)
    assert _html(output) == before
    assert build_site(content, output).summary.startswith("rendered 0 of ")
    assert counts[-1] == (kept, 0)

    with _store(content) as store:
        first, second = store.execute("SELECT path, value FROM articles ORDER BY path LIMIT 2").fetchall()
        for path, blob in ((first[0], first[1][: len(first[1]) // 2]), (second[0], b"\x80\x05h\xfa.")):
            store.execute("UPDATE articles SET value = ?, state = ? WHERE path = ?", (blob, pickle_state(blob), path))
    assert not build_site(content, output).errors
    assert counts[-1] == (kept - 2, 2)
    assert _html(output) == before


def test_restoring_kept_diaries_runs_no_collection_and_leaves_collections_on(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python's young collections walked each object a restored diary is made of, about
    twice, while 10,000 were restored (they all live until the build ends): none runs while
    a kept diary is restored. Collections are on again after the build, and after a build
    that failed while diaries were being restored."""
    import gc

    import netroots.articlecache as articlecache
    import netroots.generators as generators

    content, output, before = _built(copy_fixture, tmp_path)
    loading: list[bool] = []
    during: list[int] = []
    load = articlecache.KeptArticles._load

    def traced(self: Any, *args: Any) -> Any:
        outside = gc.get_threshold()
        gc.set_threshold(1, *outside[1:])  # a young collection at the next new object, if collections are on
        loading.append(True)
        try:
            return load(self, *args)
        finally:
            loading.append(False)
            gc.set_threshold(*outside)

    def collected(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and loading and loading[-1]:
            during.append(info["generation"])

    monkeypatch.setattr(articlecache.KeptArticles, "_load", traced)
    counts = _kept_counts(monkeypatch)
    gc.callbacks.append(collected)
    try:
        assert build_site(content, output).summary.startswith("rendered 0 of ")
    finally:
        gc.callbacks.remove(collected)
    assert counts[-1][0] > 0 and loading.count(True) == counts[-1][0]
    assert during == []
    assert gc.isenabled()
    assert _html(output) == before

    frozen = [object()]  # what someone else froze stays frozen
    gc.freeze()
    try:
        held = gc.get_freeze_count()
        assert build_site(content, output).summary.startswith("rendered 0 of ")
        assert gc.get_freeze_count() > held // 2 and gc.isenabled()  # not unfrozen (some died since)
    finally:
        gc.unfreeze()
    del frozen

    def broken(self: Any, content: Any, static: bool = False) -> None:
        raise RuntimeError("a plugin failed")

    monkeypatch.setattr(generators.ArticlesGenerator, "add_source_path", broken)
    try:
        with pytest.raises(RuntimeError, match="a plugin failed"):
            build_site(content, output)
    finally:
        enabled = gc.isenabled()
        gc.enable()  # the rest of the suite collects either way
    assert enabled


def test_a_build_joins_each_diarys_path_in_one_step_and_formats_no_fixed_address(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each diary's absolute path was made twice a build with ``os.path.join`` and
    ``abspath`` (Python, for the read-ahead and for its kept object), now with one ``normpath``
    (C) each; and its address was formatted again after ``format_address`` had fixed it, now
    left as it is (0.1 s at 50,000 diaries). The site is the same."""
    import posixpath

    from pelican.contents import Content

    from netroots.contentfiles import joined

    content, output, before = _built(copy_fixture, tmp_path)
    assert sum(1 for _ in (content / "diaries").rglob("*.md")) >= 3
    made: list[str] = []
    formatted: list[str] = []
    for name in ("abspath", "join"):
        original = getattr(posixpath, name)

        def counted_path(*parts: Any, _o: Any = original) -> Any:
            made.extend(str(part) for part in parts)
            return _o(*parts)

        monkeypatch.setattr(posixpath, name, counted_path)
    url = Content.url.fget

    def counted(self: Any) -> str:
        formatted.append(sys._getframe(1).f_code.co_name)
        return url(self)

    monkeypatch.setattr(Content, "url", property(counted))
    assert build_site(content, output).summary.startswith("rendered 0 of ")
    assert [part for part in made if "diaries/" in part and part.endswith(".md")] == []
    assert "generate_context" not in formatted, "ArticlesGenerator's formats no address format_address fixed"
    assert _html(output) == before

    base = str(content)
    odd = ["a/./b.md", "a/../b.md", "a//b.md", "a/", "", ".", "..", ".hidden/x.md", "ä/ü é.md", "../x.md", "/e/a.md"]
    for name in [*odd, "a/b/c.md", "//e/a.md", "/"]:
        assert joined(os.path.join(base, ""), name) == os.path.abspath(os.path.join(base, name)), name


def test_kept_rows_are_read_in_path_order_from_the_table_itself_through_memory(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows were kept by rowid, in the order they were written: reading them in path
    order took an index entry and a seek into the table a diary, each page a read call
    (0.49 s at 50,000 diaries). They are kept in path order (``WITHOUT ROWID``) and read as
    memory. A store of the older shape is made again, with the site a clean build writes."""
    import netroots.articlecache as articlecache

    content, output, before = _built(copy_fixture, tmp_path)
    with _store(content) as store:
        store.execute("ALTER TABLE articles RENAME TO kept")
        store.execute("CREATE TABLE articles (path TEXT PRIMARY KEY, key TEXT, state BLOB, value BLOB)")
        store.execute("INSERT INTO articles SELECT * FROM kept")
        store.execute("DROP TABLE kept")
    assert not build_site(content, output).errors
    assert _html(output) == before

    mapped: list[int] = []
    plans: list[str] = []
    start = articlecache.KeptArticles._start

    def traced(self: Any) -> bool:
        on = start(self)
        if self.connection is not None and not mapped:
            mapped.append(self.connection.execute("PRAGMA mmap_size").fetchone()[0])
            query = "SELECT path, key, state, value FROM articles WHERE path > ? AND path < ? ORDER BY path"
            plans.extend(row[3] for row in self.connection.execute(f"EXPLAIN QUERY PLAN {query}", ("a", "b")))
        return on

    monkeypatch.setattr(articlecache.KeptArticles, "_start", traced)
    assert build_site(content, output).summary.startswith("rendered 0 of ")
    assert _html(output) == before
    assert mapped and mapped[0] > 0
    assert plans == ["SEARCH articles USING PRIMARY KEY (path>? AND path<?)"]
    with _store(content) as store:
        (made,) = store.execute("SELECT sql FROM sqlite_master WHERE name = 'articles'").fetchone()
    assert made.endswith("WITHOUT ROWID")
