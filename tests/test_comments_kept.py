"""The comments plugin's kept diaries (plugins/comments/diaries.py): after one diary's edit it
looks at that diary (and those with comments), not at every diary.

"Looked at" is counted as the diaries whose address the plugin takes: each diary it reads
for its row, its feeds or its comments' links has its address taken once or more.
"""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import build_site
from test_comments_cost import SERIAL, _comment, _network

from netroots.generators import address


def _built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, commented: int = 16) -> tuple[Path, Path, list[Any]]:
    """A network built twice: the comment feeds' folders settled, so a build that changes no
    feed keeps them all without a look at any diary (generator.CommentFeeds.all_kept)."""
    from comments import generator

    monkeypatch.setattr(generator, "SETTLED_NS", 0)  # this test's builds follow each other within a second
    content, items = _network(tmp_path, monkeypatch, commented=commented)
    output = tmp_path / "output"
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    return content, output, items


def _looked_at(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The diaries (source paths) whose address the comments plugin takes, as it takes them."""
    looked: list[str] = []

    def counted(item: Any) -> str:
        looked.append(item.source_path)
        return address(item)

    for name in ("comments.generator", "comments.diaries"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "address"):
            monkeypatch.setattr(module, "address", counted)
    return looked


def _source(content: Path, item: Any) -> Path:
    return next((content / "diaries" / item.handle).glob(f"*-{item.slug}.md"))


def _edit(content: Path, item: Any) -> str:
    path = _source(content, item)
    path.write_text(path.read_text(encoding="utf-8") + "\nAn edit.\n", encoding="utf-8")
    return str(path)


def test_one_diarys_edit_looks_at_that_diary_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every build made ``{diary_id: diary}`` of every diary and digested every diary's feed
    inputs (its id, title and address): 0.07 + 0.11 s at 50,000 diaries. An edit now looks at
    the edited diary; a build where nothing changed at none."""
    content, output, items = _built(tmp_path, monkeypatch, commented=0)
    looked = _looked_at(monkeypatch)
    assert build_site(content, output, NETROOTS_BUILD=SERIAL).summary.startswith("rendered 0 of ")
    assert looked == []

    edited = _edit(content, items[7])
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    assert looked == [edited]


def test_with_comments_an_edit_looks_at_the_edited_diary_and_the_commented_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The diaries with comments are read for their threads and feeds; the quiet ones are not,
    but for the one edited."""
    content, output, items = _built(tmp_path, monkeypatch)
    looked = _looked_at(monkeypatch)
    edited = _edit(content, items[22])
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    commented = {str(_source(content, item)) for item in items[:16]}
    assert set(looked) == commented | {edited}


def test_without_a_serial_every_diary_is_looked_at_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the build cannot say which diaries changed since the rows were kept (``since``
    answers None), the whole pass is made, and its output is a clean build's."""
    from comments import diaries

    from netroots.changelog import DiaryChanges

    content, output, items = _built(tmp_path, monkeypatch, commented=0)
    looked = _looked_at(monkeypatch)
    monkeypatch.setattr(diaries, "diary_changes", lambda _settings: DiaryChanges())
    _edit(content, items[3])
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    assert len(set(looked)) == len(items)


def test_a_diary_retitled_renamed_or_removed_is_kept_as_a_clean_build_makes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kept rows follow a retitled diary (its feeds), a renamed file and a removed one:
    every comment feed and diary page is the one a clean build writes."""
    content, items = _network(tmp_path, monkeypatch)
    output = tmp_path / "output"
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    retitled, renamed, removed = _source(content, items[2]), _source(content, items[20]), _source(content, items[26])
    text = retitled.read_text(encoding="utf-8")
    retitled.write_text(text.replace('title: "', 'title: "Retitled ', 1), encoding="utf-8")
    renamed.rename(renamed.with_name(renamed.name.replace(items[20].slug, "moved-away")))
    removed.unlink()
    _comment(content, items[21], "fresh", "A comment on a quiet diary.")
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    clean = tmp_path / "clean"
    shutil.copytree(content, tmp_path / "clean-site" / "content")
    assert not build_site(tmp_path / "clean-site" / "content", clean, NETROOTS_BUILD=SERIAL).errors
    for name in [*clean.glob("feeds/comments/**/*.xml"), *clean.glob("diaries/*/*/index.html")]:
        assert name.read_bytes() == (output / name.relative_to(clean)).read_bytes(), name
    assert not (output / "feeds" / "comments" / items[26].handle / f"{items[26].slug}.atom.xml").exists()


def test_a_removed_diarys_kept_thread_goes_without_reading_every_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saving the rendered threads read every row of threads.sqlite to find the diaries gone
    (50,000 at 50,000 diaries). The kept diaries list those gone since: only they are asked."""
    from comments import store

    content, items = _network(tmp_path, monkeypatch)
    output = tmp_path / "output"
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    asked: list[str] = []
    save = store.ThreadStore.save

    def counted(self: Any, rendered: Any, keep: Any, *rest: Any) -> int:
        return save(self, rendered, lambda diary_id: asked.append(diary_id) or keep(diary_id), *rest)

    monkeypatch.setattr(store.ThreadStore, "save", counted)
    gone = items[25]
    _source(content, gone).unlink()
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors  # nothing rendered: nothing saved
    _comment(content, items[21], "again", "Another quiet diary gets a comment.")
    assert not build_site(content, output, NETROOTS_BUILD=SERIAL).errors
    assert asked == [f"{gone.handle}/{gone.slug}"]
    rows = store.ThreadStore(next(tmp_path.glob("**/.cache/comments/threads.sqlite")))
    assert rows.get(f"{gone.handle}/{gone.slug}") is None
    assert rows.get(f"{items[21].handle}/{items[21].slug}") is not None
