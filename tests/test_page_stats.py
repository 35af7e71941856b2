"""The sitemap and the search index list a build's pages from its record, at the size and
time the writer found them: no ``stat`` of each of 12,000 pages again (netroots/manifest.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from conftest import build_site

from netroots import manifest, site


def test_an_unchanged_build_lists_its_pages_without_a_stat_each(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = copy_fixture("basic")
    output = tmp_path / "output"
    assert not build_site(content, output).errors
    sitemap = (output / "sitemap.xml").read_bytes()
    stated: list[str] = []
    listed: list[list[Any]] = []
    real_stat, built_pages = os.stat, manifest.built_pages

    def counted_stat(path: Any, *args: Any, **kwargs: Any) -> Any:
        stated.append(os.fspath(path))
        return real_stat(path, *args, **kwargs)

    def counted_pages(folder: Any) -> Any:
        monkeypatch.setattr(os, "stat", counted_stat)
        try:
            found = built_pages(folder)
        finally:
            monkeypatch.setattr(os, "stat", real_stat)
        listed.append(found or [])
        return found

    monkeypatch.setattr(site, "built_pages", counted_pages)
    monkeypatch.setattr(manifest, "built_pages", counted_pages)  # built_listing's (sitemap and search)
    again = build_site(content, output)
    assert again.summary.startswith("rendered 0 of "), again.summary
    assert listed and len(listed[0]) > 10
    assert [path for path in stated if path.endswith(".html")] == []
    assert (output / "sitemap.xml").read_bytes() == sitemap
    for relative, size, modified in listed[0]:  # what a stat says
        found = real_stat(output / relative)
        assert (size, modified) == (found.st_size, found.st_mtime_ns), relative


def test_a_page_written_again_after_the_writer_is_listed_at_its_new_size(tmp_path: Path) -> None:
    """The writer's stats hold until a page is written again: a plugin that rewrites a page
    reports it (``produced``), and the list takes that page's own ``stat``."""
    output = (tmp_path / "output").resolve()
    (output / "a").mkdir(parents=True)
    kept, rewritten = output / "a" / "index.html", output / "index.html"
    kept.write_text("<p>kept</p>", encoding="utf-8")
    rewritten.write_text("<p>first</p>", encoding="utf-8")
    try:
        manifest.STATE.update(output=output, written={"a/index.html", "index.html"}, made=None, pages=None, stats={})
        manifest.written_stats(output, {"a/index.html": [11, 5], "index.html": [12, 6]})
        manifest.STATE.update(output=None, made=(output, {"a/index.html", "index.html"}), pages=None)
        assert manifest.built_pages(output) == [("a/index.html", 11, 5), ("index.html", 12, 6)]
        rewritten.write_text("<p>second, longer</p>", encoding="utf-8")
        manifest.produced(rewritten)
        found = os.stat(rewritten)
        assert manifest.built_pages(output) == [
            ("a/index.html", 11, 5),
            ("index.html", found.st_size, found.st_mtime_ns),
        ]
    finally:
        manifest.untrack()
