"""Groups: a group's diaries kept between builds (netroots/diaryindex.py), read again only for
the diaries that changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import build_site


def test_one_edit_reads_the_groups_of_that_diary_only(copy_fixture, tmp_path: Path, diary_indexes: Any) -> None:
    """Every build looked at each diary's groups (50,000 diaries, 0.07 s); an edit that moves
    a diary into a group reads that diary's groups only, and the group's page lists it."""
    content = copy_fixture("basic")
    output = tmp_path / "output"
    assert not build_site(content, output).errors
    assert diary_indexes["groups"].read_count == 2  # every published diary
    assert "Bus routes matter" not in (output / "groups/tenants/index.html").read_text(encoding="utf-8")

    diary = content / "diaries/ben/2026-02-14-bus-routes-matter.md"
    diary.write_text(diary.read_text(encoding="utf-8").replace("tags:", "groups: [tenants]\ntags:"), encoding="utf-8")
    assert not build_site(content, output).errors
    assert diary_indexes["groups"].read_count == 1
    page = (output / "groups/tenants/index.html").read_text(encoding="utf-8")
    assert page.index("Rent strike notes") < page.index("Bus routes matter")  # newest first, as before

    assert not build_site(content, output).errors
    assert diary_indexes["groups"].read_count == 0
