"""Kept diaries (netroots/articlecache.py) and their read keys (netroots/readcache.py): what a
build with nothing changed still does for each diary, counted, and the hostile sequences
that must still give the site a clean build gives."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
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
    content = copy_fixture("basic")
    output = tmp_path / "output"
    assert not build_site(content, output).errors
    before = _html(output)
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
