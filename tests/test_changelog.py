"""Which diaries changed since a build (netroots/changelog.py): what a pass that keeps what it
made of the diaries is told, build after build, and when it is told "not known"."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import build_site

import netroots.articlecache as articlecache
import netroots.changelog as changelog
from netroots.changelog import DiaryChanges


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[DiaryChanges]:
    """What ``diary_changes`` answers in each build from now on (asked as a plugin would,
    once the diaries are made)."""
    found: list[DiaryChanges] = []
    save = articlecache.KeptArticles.save

    def saved(self: Any) -> None:
        save(self)
        found.append(articlecache.diary_changes(self.settings))

    monkeypatch.setattr(articlecache.KeptArticles, "save", saved)
    return found


def _diary(content: Path, name: str) -> Path:
    return next(content.glob(f"diaries/*/{name}"))


def test_a_pass_hears_of_each_diary_added_edited_or_deleted_since_its_build(
    copy_fixture, tmp_path: Path, answers: list[DiaryChanges]
) -> None:
    content, output = copy_fixture("basic"), tmp_path / "output"
    assert not build_site(content, output).errors
    first = answers[-1]
    assert first.serial is not None
    assert first.since(None) is None  # a pass with nothing kept makes everything

    assert not build_site(content, output).errors
    assert answers[-1].serial == first.serial  # nothing changed: the same serial, nothing since
    assert answers[-1].since(first.serial) == frozenset()

    edited = _diary(content, "*bus-routes-matter.md")
    edited.write_text(edited.read_text() + "\nOne more line.\n")
    assert not build_site(content, output).errors
    second = answers[-1]
    assert second.serial > first.serial
    assert second.since(first.serial) == {str(edited)}
    assert second.since(second.serial) == frozenset()

    added = edited.with_name("2026-02-20-a-new-one.md")
    added.write_text(edited.read_text().replace("title:", "title: New,", 1))
    deleted = _diary(content, "*rent-strike-notes.md")
    deleted.unlink()
    assert not build_site(content, output).errors
    third = answers[-1]
    # With them, the other diaries of their writers' folders (a diary's key reads its folder).
    assert third.since(second.serial) == {str(added), str(deleted), *map(str, content.glob("diaries/*/*.md"))}
    # A pass that last ran two builds ago (turned off, or its build failed) hears of both builds'.
    assert third.since(first.serial) == third.since(second.serial) | {str(edited)}
    assert third.since(third.serial + 1) is None  # a serial from some other log


def test_a_serial_the_log_no_longer_answers_for_means_make_everything(
    copy_fixture, tmp_path: Path, answers: list[DiaryChanges], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that made many diaries anew (a change of code) logs none: older serials get
    None. So does a log made again (reads.sqlite deleted): it starts above every serial of
    the old one's."""
    content, output = copy_fixture("basic"), tmp_path / "output"
    assert not build_site(content, output).errors
    first = answers[-1].serial
    monkeypatch.setattr(changelog, "LOG_MOST", 1)
    for name in ("*bus-routes-matter.md", "*rent-strike-notes.md"):
        diary = _diary(content, name)
        diary.write_text(diary.read_text() + "\nAn edit.\n")
    assert not build_site(content, output).errors
    assert answers[-1].since(first) is None
    assert answers[-1].since(answers[-1].serial) == frozenset()

    before = answers[-1].serial
    shutil.rmtree(content.parent / ".cache")
    assert not build_site(content, output).errors
    assert answers[-1].since(before) is None
    assert answers[-1].serial > before


def test_changes_are_logged_with_the_kept_diaries_and_not_known_without_them(
    copy_fixture, tmp_path: Path, answers: list[DiaryChanges]
) -> None:
    content, output = copy_fixture("basic"), tmp_path / "output"
    assert not build_site(content, output).errors
    serial = answers[-1].serial
    with sqlite3.connect(content.parent / ".cache" / "build" / "reads.sqlite") as store:
        assert store.execute("SELECT value FROM changes_log WHERE name = 'serial'").fetchone() == (serial,)

    diary = _diary(content, "*bus-routes-matter.md")
    diary.write_text(diary.read_text() + "\nAn edit.\n")
    assert not build_site(content, output, NETROOTS_BUILD={"incremental": False}).errors
    assert answers[-1].serial is None and answers[-1].since(serial) is None
    # The build without kept diaries logged nothing; the next one still finds the edit.
    assert not build_site(content, output).errors
    assert answers[-1].since(serial) == {str(diary)}


def test_a_diary_made_and_not_kept_is_logged_when_it_goes_and_when_an_older_row_would_return(
    copy_fixture, tmp_path: Path, answers: list[DiaryChanges]
) -> None:
    """A diary made with a problem reported is not kept. Without a row of its own, its deletion
    was logged by no row, and when the problem went away its older row came back unlogged,
    though the last build's diary was not it (the random sequences' kept indexes, netroots/
    diaryindex.py, found both): a diary made and not kept leaves a row no key matches."""
    content, output = copy_fixture("basic"), tmp_path / "output"
    assert not build_site(content, output).errors
    diary = _diary(content, "*rent-strike-notes.md")
    group = content / "groups" / "tenants.md"
    group.rename(group.with_name("renters.md"))  # the diary names a group no longer there
    assert build_site(content, output).errors
    serial = answers[-1].serial
    group.with_name("renters.md").rename(group)  # its kept row's key matches again
    assert not build_site(content, output).errors
    assert str(diary) in answers[-1].since(serial)

    added = diary.with_name("2026-05-01-more.md")
    added.write_text("---\ntitle: More\ntags: [housing]\ngroups: [nowhere]\n---\n\nMore.\n", encoding="utf-8")
    assert build_site(content, output).errors  # made, reported, not kept
    serial = answers[-1].serial
    added.unlink()
    assert not build_site(content, output).errors
    assert str(added) in answers[-1].since(serial)
