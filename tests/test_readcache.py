"""The read cache (netroots/readcache.py, plugins/diaries/reader.py): a hit is what a fresh
read makes, and reading ahead in worker processes changes nothing a reader sees."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, build_site, site_settings
from test_incremental import SEARCH, assert_same_output

ZONED = (
    "---\ntitle: Zoned\ndate: 2026-11-01 10:00+02:00\nmodified: 2026-11-02T10:00:00Z\n"
    "tags: [Organizing, Housing]\ngroups: [media-watch]\nsummary: A zoned diary.\n---\n\nText.\n"
)
BROKEN = "---\ntitle: Broken\ndate: 2026-13-45 10:00\n---\n\nText.\n"


def _same(got: Any, want: Any, where: str) -> None:
    """Equal, and of the same kind all the way down: a date's zone, a Tag's name and settings."""
    from pelican.urlwrappers import URLWrapper

    assert type(got) is type(want), where
    if isinstance(want, dt.datetime):
        assert (got, got.utcoffset(), got.tzname(), type(got.tzinfo)) == (
            want,
            want.utcoffset(),
            want.tzname(),
            type(want.tzinfo),
        ), where
    elif isinstance(want, URLWrapper):
        assert (got.name, got.slug, got.url, got.settings is want.settings) == (want.name, want.slug, want.url, True)
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want), where
        for index, (one, other) in enumerate(zip(got, want, strict=True)):
            _same(one, other, f"{where}[{index}]")
    elif isinstance(want, dict):
        assert sorted(got) == sorted(want), where
        for name in want:
            _same(got[name], want[name], f"{where}.{name}")
    else:
        assert got == want, where


def test_metadata_from_a_cache_hit_equals_a_fresh_read(tmp_path: Path) -> None:
    from diaries.reader import NetrootsReader

    from netroots.plugin import start

    shutil.copytree(ROOT / "content", tmp_path / "content")
    content = tmp_path / "content"
    (content / "diaries" / "jkim" / "2026-11-01-zoned.md").write_text(ZONED, encoding="utf-8")
    settings = site_settings(content, tmp_path / "output")
    start(settings)
    files = sorted((content / "diaries").glob("*/*.md")) + sorted((content / "pages").rglob("*.md"))
    reader = NetrootsReader(settings)
    misses = {path: reader.read(str(path)) for path in files}  # an empty cache: every read is fresh
    hits = {path: reader.read(str(path)) for path in files}
    assert len(files) > 20
    seen = set()
    for path in files:
        body, metadata = hits[path]
        assert body == misses[path][0]
        _same(metadata, misses[path][1], path.name)
        seen.update(name for name, value in metadata.items() if value)
    # Updates, tags, authors, groups and dates with and without a zone were all compared.
    assert {"date", "modified", "updates", "tags", "author", "category", "groups", "summary"} <= seen
    zones = {type(m[name].tzinfo).__name__ for _, m in misses.values() for name in ("date", "modified") if name in m}
    assert {"NoneType", "tzoffset", "tzlocal"} <= zones or {"NoneType", "tzoffset", "tzutc"} <= zones, zones


def _with_broken_diary(folder: Path) -> Path:
    shutil.copytree(ROOT / "content", folder / "content")
    (folder / "content" / "diaries" / "jkim" / "2026-11-01-broken.md").write_text(BROKEN, encoding="utf-8")
    return folder / "content"


def test_reading_ahead_in_workers_builds_the_same_site_and_reports_each_error_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    import logging
    import sys

    import diaries.reader

    import netroots.readcache

    printed = logging.StreamHandler(sys.stderr)  # as tasks.py prints problems; forked workers inherit it
    logging.getLogger().addHandler(printed)

    try:
        alone = build_site(
            _with_broken_diary(tmp_path / "alone"),
            tmp_path / "alone" / "output",
            SEARCH=SEARCH,
            NETROOTS_BUILD={"jobs": 1},
        )
        # Count what the build's own process reads, and mark what the workers read (they are forked).
        marks = tmp_path / "marks"
        marks.mkdir()
        share = netroots.readcache._read_share

        def marked_share(paths: list[str], fresh: Any) -> Any:
            (marks / str(os.getpid())).write_text("\n".join(paths), encoding="utf-8")
            return share(paths, fresh)

        monkeypatch.setattr(netroots.readcache, "_read_share", marked_share)
        parent_reads: list[str] = []
        fresh = diaries.reader.NetrootsReader._fresh

        def counted(self: Any, path: str) -> Any:
            parent_reads.append(Path(path).name)
            return fresh(self, path)

        monkeypatch.setattr(diaries.reader.NetrootsReader, "_fresh", counted)
        parallel = build_site(
            _with_broken_diary(tmp_path / "parallel"),
            tmp_path / "parallel" / "output",
            SEARCH=SEARCH,
            NETROOTS_BUILD={"jobs": 2, "parallel_min": 2},
        )

    finally:
        logging.getLogger().removeHandler(printed)
    shown = [line for line in capfd.readouterr().err.splitlines() if "broken.md:" in line]
    assert len(shown) == 2 * len(set(shown)), "each build printed each problem once, workers nothing"
    workers = [path.read_text(encoding="utf-8").splitlines() for path in marks.iterdir()]
    assert len(workers) == 2 and all(workers), "two workers each read a share"
    assert parent_reads == ["2026-11-01-broken.md"], "the build's process read only the file with problems"
    broken = [e for e in parallel.errors if "broken.md" in e]
    assert broken and broken == [e for e in alone.errors if "broken.md" in e]
    assert len(broken) == len(set(broken)), "each problem is reported once"
    assert all(e.startswith("content/diaries/jkim/2026-11-01-broken.md:") for e in broken), broken
    assert parallel.errors == alone.errors and parallel.warnings == alone.warnings
    assert_same_output(tmp_path / "parallel" / "output", tmp_path / "alone" / "output", "reading ahead")


def test_a_kept_hash_is_trusted_only_while_the_file_is_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import netroots.readcache

    # Trust a hash as soon as the file is older than it (the build's 3 s margin would slow the test).
    monkeypatch.setattr(netroots.readcache, "SETTLED_NS", 0)
    hashed: list[str] = []
    digest = netroots.readcache.content_digest

    def counted(path: str) -> str | None:
        hashed.append(Path(path).name)
        return digest(path)

    monkeypatch.setattr(netroots.readcache, "content_digest", counted)
    shutil.copytree(ROOT / "content", tmp_path / "content")
    content, output = tmp_path / "content", tmp_path / "output"
    build_site(content, output, SEARCH=SEARCH)
    assert len(hashed) > 20
    hashed.clear()
    build_site(content, output, SEARCH=SEARCH)
    assert hashed == [], "untouched files are not read for their hash"

    # The same size and the same modification time: only the change time tells.
    diary = content / "diaries" / "maria-lopez" / "2026-05-14-what-meridian-did-to-kbrt.md"
    before = diary.stat()
    text = diary.read_text(encoding="utf-8")
    assert "Meridian" in text
    diary.write_text(text.replace("Meridian", "Ferrodin"), encoding="utf-8")
    os.utime(diary, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert diary.stat().st_size == before.st_size
    build_site(content, output, SEARCH=SEARCH)
    assert set(hashed) == {diary.name}, "only the edited file is read for its hash"
    page = output / "diaries" / "maria-lopez" / "what-meridian-did-to-kbrt" / "index.html"
    assert "Ferrodin" in page.read_text(encoding="utf-8")


def test_a_read_key_hashes_the_names_in_a_folder_once_for_all_its_files(tmp_path: Path) -> None:
    """A diary's key covers the names in its folder, in members/ and in groups/ (thousands of
    bytes at 10,000 diaries): each was hashed again into the key of every diary."""
    from netroots.readcache import ReadCache

    cache = ReadCache({"NETROOTS_CACHE": str(tmp_path / ".cache")}, {"code": "c"})
    names = b"\n".join(b"2026-01-01-diary-%05d.md" % number for number in range(1000))
    hashed: list[int] = []

    class Counted:
        def __init__(self, real: Any) -> None:
            self.real = real

        def copy(self) -> Counted:
            return Counted(self.real.copy())

        def update(self, data: bytes) -> None:
            hashed.append(len(data))
            self.real.update(data)

        def hexdigest(self) -> str:
            return self.real.hexdigest()

    plain = cache.key("/c/diaries/m/1.md", "d" * 40, [names, b"today"])
    cache._keyed = Counted(cache._keyed)
    keys = {cache.key(f"/c/diaries/m/{n}.md", "d" * 40, [names, b"today"]) for n in range(100)}
    assert len(keys) == 100 and plain in keys
    assert sum(hashed) < 100 * 200, sum(hashed)  # the file's path and hash, and a short hash of each part
    assert cache.key("/c/diaries/m/1.md", "d" * 40, [names + b"\nnew.md", b"today"]) != plain
    assert cache.key("/c/diaries/m/1.md", "d" * 40, [b"today", names]) != plain


def _reads_by_world(store: Path) -> dict[str, int]:
    import sqlite3

    with sqlite3.connect(store) as connection:
        return dict(connection.execute("SELECT world, count(*) FROM reads GROUP BY world").fetchall())


def test_the_read_cache_keeps_the_reads_of_the_last_three_settings_only(copy_fixture, tmp_path: Path) -> None:
    """Every change of settings or code made a whole network's reads again, and none was ever
    dropped: a kept `.cache/` (CI's) grew by them at every change (1 GB at 10,000 diaries after
    five). The first build in a new world drops the reads of all but the last three; going back
    to one of those reads nothing again; a preview drops nothing; the site stays the same."""
    content = copy_fixture("basic")
    store = content.parent / ".cache" / "build" / "reads.sqlite"
    output = tmp_path / "out"
    worlds = [{"SITENAME": f"Network {number}"} for number in range(5)]
    seen: list[str] = []
    for number, world in enumerate(worlds):
        result = build_site(content, output, **world)
        assert not result.errors
        counts = _reads_by_world(store)
        new = sorted(set(counts) - set(seen))
        assert len(new) == 1 and counts[new[0]] >= 3, counts  # this world's reads
        seen.append(new[0])
        assert set(counts) == set(seen[-3:]), (number, counts)  # the last three worlds only
        assert len({count for count in counts.values()}) == 1  # each holds the whole network's reads
    import diaries.reader

    read: list[str] = []
    original = diaries.reader.NetrootsReader._fresh
    diaries.reader.NetrootsReader._fresh = lambda self, *args, **kwargs: (
        read.append(args[0]) or original(self, *args, **kwargs)
    )
    try:
        build_site(content, output, **worlds[2])  # the oldest world kept: nothing read again
        assert read == [] and set(_reads_by_world(store)) == set(seen[-3:])
        build_site(content, output, **worlds[0])  # a world dropped: read again, and the oldest kept one goes
        assert read
    finally:
        diaries.reader.NetrootsReader._fresh = original
    counts = _reads_by_world(store)
    assert set(counts) == {seen[0], seen[2], seen[4]}, counts
    clean = build_site(content, tmp_path / "clean", NETROOTS_CACHE=str(tmp_path / "fresh-cache"), **worlds[0])
    assert_same_output(output, tmp_path / "clean", "going back to a dropped world")
    assert not clean.errors
