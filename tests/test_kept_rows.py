"""What search and the sitemap remember of each built page is kept a row a page
(``netroots/keptrows.py``): an edit writes the rows of the pages it wrote, a build that
changed nothing writes none, and a damaged record is made again with the same output (issue 19:
each was a JSON file written whole after any edit, 6.4 MB at 50,000 diaries).

These tests count rows written, never time.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import build_site, pagefind_pages, read

from netroots.site import output_key

DIARY = "diaries/ana/2026-03-01-rent-strike-notes.md"


def _rows_written(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Rows each kept record writes or deletes from now on, by file name."""
    from netroots.keptrows import KeptRows

    return _counted(monkeypatch, KeptRows, "_fresh", "update")


def _rows_read(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Rows each kept record reads whole from now on (keys and times alone are not rows), by file name."""
    from netroots.keptrows import KeptRows

    return _counted(monkeypatch, KeptRows, "rows")


def _counted(monkeypatch: pytest.MonkeyPatch, kind: type, *methods: str) -> dict[str, int]:
    """What ``methods`` return (a count, or rows) summed by the record's file name; a method
    called from another counted one is counted once."""
    counts: dict[str, int] = {}
    inside: list[bool] = []

    def counting(original: Any) -> Any:
        def counted(self: Any, *args: object) -> Any:
            inside.append(True)
            try:
                found = original(self, *args)
            finally:
                inside.pop()
            if not inside:
                number = found if isinstance(found, int) else len(found or ())
                counts[self.path.name] = counts.get(self.path.name, 0) + number
            return found

        return counted

    for method in methods:
        monkeypatch.setattr(kind, method, counting(getattr(kind, method)))
    return counts


def _records(content: Path, output: Path) -> dict[str, Path]:
    cache = content.parent / ".cache"
    return {
        "scan": cache / f"search/pagefind-{output_key(output)}.sqlite",
        "noindex": cache / "publish/noindex.sqlite",
    }


def _count(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT COUNT(*) FROM rows").fetchone()[0]
    finally:
        connection.close()


def _search_and_sitemap(output: Path) -> dict[str, bytes]:
    files = [output / "sitemap.xml", *sorted((output / "pagefind").rglob("*"))]
    return {path.relative_to(output).as_posix(): path.read_bytes() for path in files if path.is_file()}


def test_an_edit_writes_the_rows_of_the_pages_it_wrote_and_an_unchanged_build_none(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = copy_fixture("basic")
    output = tmp_path / "output"
    assert not build_site(content, output).errors
    assert not build_site(content, output).errors
    records = _records(content, output)
    pages = {name: _count(path) for name, path in records.items()}
    assert min(pages.values()) > 20
    written = _rows_written(monkeypatch)

    assert not build_site(content, output).errors
    assert written == {}, "a build that changed nothing writes no row"

    diary = content / DIARY
    diary.write_text(diary.read_text(encoding="utf-8") + "\nAn edit.\n", encoding="utf-8")
    result = build_site(content, output)
    assert not result.errors
    rendered = int(result.summary.split("rendered ")[1].split()[0])
    assert 1 <= written[records["scan"].name] <= min(rendered, pages["scan"] / 4), (written, result.summary)
    # The sitemap's edit reads the pages it wrote itself (hygiene._patched): the noindex rows wait
    # for the next sitemap made whole, which finds them by the listing kept beside them.
    assert written.get(records["noindex"].name, 0) <= min(rendered, pages["noindex"] / 4), (written, result.summary)
    assert {name: _count(path) for name, path in records.items()} == pages
    assert "An edit." in read(output, "diaries/ana/rent-strike-notes/index.html")


def test_an_edit_reads_no_row_of_a_page_it_did_not_write(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sitemap finds the pages an edit wrote by their sizes and times alone, and reads
    whole only the rows of the pages that ask not to be indexed (issue 19: an edit read all
    60,000 rows at 50,000 diaries to find the dozen it wrote)."""
    content = copy_fixture("basic")
    output = tmp_path / "output"
    assert not build_site(content, output).errors
    records = _records(content, output)
    pages = _count(records["noindex"])
    asked = len(sqlite3.connect(records["noindex"]).execute("SELECT key FROM rows WHERE noindex").fetchall())
    assert pages > 20 and asked < pages / 4
    read_rows = _rows_read(monkeypatch)
    diary = content / DIARY
    diary.write_text(diary.read_text(encoding="utf-8") + "\nAn edit.\n", encoding="utf-8")
    assert not build_site(content, output).errors
    assert read_rows.get(records["noindex"].name, 0) <= asked, read_rows
    clean = tmp_path / "clean"
    shutil.copytree(content, clean / "content")
    assert not build_site(clean / "content", clean / "output").errors
    assert read(output, "sitemap.xml") == read(clean / "output", "sitemap.xml")


@pytest.mark.parametrize("damage", ["garbage", "another format", "no rows"])
def test_a_damaged_record_is_made_again_with_the_same_output(copy_fixture, tmp_path: Path, damage: str) -> None:
    content = copy_fixture("basic")
    output = tmp_path / "output"
    assert not build_site(content, output).errors
    records = _records(content, output)
    first, pages = _search_and_sitemap(output), {name: _count(path) for name, path in records.items()}
    for path in records.values():
        if damage == "garbage":
            path.write_bytes(b"not a database" * 100)
        else:
            connection = sqlite3.connect(path)
            if damage == "another format":
                connection.execute("UPDATE meta SET value = 'another' WHERE name = 'format'")
            else:
                connection.execute("DROP TABLE rows")
            connection.commit()
            connection.close()
    (output / "sitemap.xml").unlink()
    parts = sorted(path for path in (output / "pagefind").iterdir() if path.is_dir())
    shutil.rmtree(parts[0])  # a part to put back: the pages of the record are read
    assert not build_site(content, output).errors
    assert _search_and_sitemap(output) == first, "a build that changed nothing"
    diary = content / DIARY
    diary.write_text(diary.read_text(encoding="utf-8") + "\nAn edit.\n", encoding="utf-8")
    assert not build_site(content, output).errors
    clean = tmp_path / "clean"
    shutil.copytree(content, clean / "content")
    assert not build_site(clean / "content", clean / "output").errors
    assert read(output, "sitemap.xml") == read(clean / "output", "sitemap.xml")
    assert _searched(output) == _searched(clean / "output")
    assert "An edit." in _searched(output)["/diaries/ana/rent-strike-notes/"]
    assert {name: _count(path) for name, path in records.items()} == pages


def _searched(output: Path) -> dict[str, str]:
    return {url: page["content"] for url, page in pagefind_pages(output).items()}


def test_stale_rows_are_found_from_the_kept_listing_without_reading_a_row(tmp_path: Path) -> None:
    """A record saved with its listing finds the files written since by comparing listings:
    with its rows emptied behind its back, the answer is still the listing's. Saved without
    one, or asked about other paths, it compares the rows (and finds those gone)."""
    from netroots.keptrows import KeptRows, Listing

    path = tmp_path / "record.sqlite"
    record = KeptRows(path, ("size", "mtime", "flag"), "1")
    files = [(f"page-{number:05d}.html", number, 10**18 + number) for number in range(3000)]
    rows = {relative: (size, mtime, 0) for relative, size, mtime in files}
    record.save(rows, None, {"listing": "first"}, Listing(files))
    edited = list(files)
    edited[7] = (files[7][0], 8, files[7][2])
    edited[2999] = (files[2999][0], 2999, 5)
    connection = sqlite3.connect(path)
    connection.execute("DELETE FROM rows")
    connection.commit()
    connection.close()
    assert record.stale(Listing(edited)) == ([edited[7], edited[2999]], [])
    assert record.stale(Listing(files)) == ([], [])

    record.save(rows, None, {"listing": "again"}, Listing(files))
    record.update({edited[7][0]: (8, files[7][2], 1)}, [], {"listing": "no listing"}, lambda: rows)
    assert record.stale(Listing(edited)) == ([edited[2999]], [])
    grown = [*edited[1:], ("page-new.html", 1, 1)]
    assert record.stale(Listing(grown)) == ([edited[2999], grown[-1]], [files[0][0]])
