"""A kept ``.cache/`` stays the size of the network, whatever its history.

CI keeps ``.cache/`` between runs, so anything in it that only grows is a slow leak for every
network. Each test builds a fixture, then renames and deletes diaries, builds into other
output folders or changes settings, and checks that the cache holds nothing of what is gone,
and that the output is still what a clean build writes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, build_site
from test_incremental import assert_same_output

from netroots.site import output_key


def _fixture(tmp_path: Path, name: str = "basic") -> Path:
    shutil.copytree(FIXTURES / name, tmp_path / "site")
    return tmp_path / "site" / "content"


def _rename_a_diary(content: Path) -> None:
    diary = sorted((content / "diaries").rglob("*.md"))[0]
    diary.rename(diary.with_name(f"{diary.stem}-renamed.md"))


def _records(cache: Path, output: Path) -> list[str]:
    """The files ``.cache/`` keeps about one output folder."""
    key = output_key(output)
    return sorted(path.relative_to(cache).as_posix() for path in cache.rglob(f"*-{key}.*"))


def test_the_records_of_an_output_folder_that_is_gone_are_dropped(tmp_path: Path) -> None:
    content = _fixture(tmp_path)
    cache = content.parent / ".cache"
    kept, gone = tmp_path / "output", [tmp_path / f"screenshots-{n}" for n in range(3)]
    assert not build_site(content, kept).errors
    for output in gone:  # as `tasks.py screenshots` does: a temporary folder, removed after
        assert not build_site(content, output).errors
        assert _records(cache, output) == [
            f"build/output-{output_key(output)}.json",
            f"build/pages-{output_key(output)}.sqlite",
            f"search/pagefind-{output_key(output)}.json",
        ]
        shutil.rmtree(output)
    _rename_a_diary(content)
    latest = tmp_path / "another"
    assert not build_site(content, latest).errors
    for output in gone:
        assert _records(cache, output) == [], output.name
    assert len(_records(cache, kept)) == 3, "a folder that is still there keeps its records"
    assert len(_records(cache, latest)) == 3

    # The kept folder's records still serve it: the renamed diary's old page is deleted (the
    # record says it was the builds'), and the output is a clean build's.
    result = build_site(content, kept)
    assert not result.errors
    clean = tmp_path / "clean"
    shutil.copytree(content, clean / "content")
    assert not build_site(clean / "content", clean / "output").errors
    assert_same_output(kept, clean / "output", "a renamed diary")
    # and a folder built again after its records were dropped is a clean build too
    assert not build_site(content, gone[0]).errors
    assert_same_output(gone[0], clean / "output", "a folder built again")


def _rows(cache: Path, query: str) -> set[str]:
    import sqlite3

    with sqlite3.connect(cache / "build" / "reads.sqlite") as connection:
        return {row[0] for row in connection.execute(query)}


def test_kept_hashes_and_folder_summaries_of_files_that_are_gone_are_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read cache kept each diary's hash (table ``digests``) and each folder's summary
    (``folders``) for ever: a renamed or deleted diary's, a deleted member folder's."""
    import netroots.readcache

    monkeypatch.setattr(netroots.readcache, "SETTLED_NS", 0)  # summaries kept at once (a 3 s margin in builds)
    content = _fixture(tmp_path)
    cache, output = content.parent / ".cache", tmp_path / "output"
    (content / "members" / "cy.yaml").write_text("name: Cy Park\njoined: 2025-03-01\n", encoding="utf-8")
    (content / "diaries" / "cy").mkdir()
    for number in range(3):
        (content / "diaries" / "cy" / f"2026-03-0{number + 1}-note-{number}.md").write_text(
            f"---\ntitle: Note {number}\ndate: 2026-03-0{number + 1} 10:00\ntags: [Transit]\n---\n\nWords {number}.\n",
            encoding="utf-8",
        )

    def read_files() -> set[str]:
        return {str(p) for p in content.rglob("*.md") if p.parent.name != "groups"}

    def check(step: str) -> None:
        assert _rows(cache, "SELECT path FROM digests") == read_files(), step
        assert _rows(cache, "SELECT folder FROM folders") == {str(Path(p).parent) for p in read_files()}, step

    assert not build_site(content, output).errors
    assert not build_site(content, output).errors  # every folder summarized
    check("first builds")
    _rename_a_diary(content)
    (content / "diaries" / "cy" / "2026-03-02-note-1.md").unlink()
    assert not build_site(content, output).errors
    assert not build_site(content, output).errors
    check("a diary renamed and one deleted")
    shutil.rmtree(content / "diaries" / "cy")  # nothing else changes: no other folder is looked up
    assert not build_site(content, output).errors
    assert not build_site(content, output).errors
    check("a member's folder deleted")

    clean = tmp_path / "clean"
    shutil.copytree(content, clean / "content")
    assert not build_site(clean / "content", clean / "output").errors
    assert_same_output(output, clean / "output", "pruned kept hashes")


def test_a_diary_edited_again_and_again_keeps_one_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each edit stored a new read of the diary and the old one stayed until settings or code
    changed: a kept ``.cache/`` of a network whose code does not change grew by every edit,
    rename and deletion. The reads kept are a clean build's, and the output too."""
    import netroots.readcache

    monkeypatch.setattr(netroots.readcache, "SETTLED_NS", 0)  # summaries kept at once (a 3 s margin in builds)
    content = _fixture(tmp_path)
    cache, output = content.parent / ".cache", tmp_path / "output"
    assert not build_site(content, output).errors
    assert not build_site(content, output).errors  # every folder summarized
    diary = content / "diaries" / "ben" / "2026-02-14-bus-routes-matter.md"
    for number in range(4):
        diary.write_text(diary.read_text(encoding="utf-8") + f"\nMore words, {number}.\n", encoding="utf-8")
        assert not build_site(content, output).errors
    _rename_a_diary(content)
    assert not build_site(content, output).errors
    (content / "pages" / "about.md").write_text("---\ntitle: About us\n---\n\nWho we are.\n", encoding="utf-8")
    assert not build_site(content, output).errors

    clean = tmp_path / "clean"
    shutil.copytree(content, clean / "content")
    assert not build_site(clean / "content", clean / "output").errors
    reads = "SELECT key FROM reads"
    assert len(_rows(cache, reads)) == len(_rows(clean / ".cache", reads)) == 4  # three diaries and a page
    assert_same_output(output, clean / "output", "kept reads dropped")
    # an edit put back reads the file again, and the site is the same
    diary.write_text(diary.read_text(encoding="utf-8").replace("\nMore words, 3.\n", ""), encoding="utf-8")
    assert not build_site(content, output).errors
    shutil.rmtree(clean)
    shutil.copytree(content, clean / "content")
    assert not build_site(clean / "content", clean / "output").errors
    assert_same_output(output, clean / "output", "an edit put back")
