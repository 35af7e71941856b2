"""What a build with nothing changed still does for every diary: as little as it can.

These tests count work (calls), never time: a build's floor at 10,000 diaries is measured by
``python tasks.py bench scale`` (docs/benchmarks.md).
"""

from __future__ import annotations

from typing import Any

import pytest
from pelican.cache import FileStampDataCacher

from netroots.fingerprint import Digester, page_fingerprint


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
    assert len(walked) == len(shared) + len(pages) + 2  # each page's own file name; localsiteurl and SITEURL
