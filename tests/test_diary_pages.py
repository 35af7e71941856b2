"""The diaries' pages an unchanged diary keeps unchecked (``netroots.incremental.DiaryPages``).

A diary's page whose diary, frame (its template and what the diaries' pages share) and key
parts (its member's entries, its thread, its related list) are as when its fingerprint was
made, and whose file is as recorded, is neither made into a ``Job`` nor fingerprinted. The
tests count the jobs made and the pages fingerprinted (in one process: ``jobs`` 1), and build
each change of an input again in a clean folder: the output must be the same bytes.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, build_site
from test_incremental import assert_same_output

from netroots import incremental

SETTINGS = {"SEARCH": {"pagefind": False}, "NETROOTS_BUILD": {"jobs": 1}}


class Work:
    """What one build did with the diaries' pages: jobs made, fingerprints made, pages rendered."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.jobs: Counter[str] = Counter()
        self.fingerprinted: Counter[str] = Counter()
        self.rendered: set[str] = set()
        self.stats: dict[str, int] = {}
        job, fingerprint, render_all, flush = (
            incremental.Job,
            incremental.page_fingerprint,
            incremental.IncrementalWriter._render_all,
            incremental.IncrementalWriter.flush,
        )

        def made(*args: Any) -> Any:
            found = job(*args)
            self.jobs[found.template.name] += 1
            return found

        def fingerprinted(digest: Any, template: str, *rest: Any, **keywords: Any) -> str:
            self.fingerprinted[template] += 1
            return fingerprint(digest, template, *rest, **keywords)

        def rendered(writer: incremental.IncrementalWriter, todo: list[Any]) -> Any:
            self.rendered |= {writer._relative(page.path) for page in todo}
            return render_all(writer, todo)

        def flushed(writer: incremental.IncrementalWriter) -> None:
            flush(writer)
            self.stats = dict(writer.stats)

        monkeypatch.setattr(incremental, "Job", made)
        monkeypatch.setattr(incremental, "page_fingerprint", fingerprinted)
        monkeypatch.setattr(incremental.IncrementalWriter, "_render_all", rendered)
        monkeypatch.setattr(incremental.IncrementalWriter, "flush", flushed)

    def clear(self) -> None:
        self.jobs.clear()
        self.fingerprinted.clear()
        self.rendered.clear()


def _site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, Work]:
    """The demo network, built twice (the second build finds every diary's page recorded)."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    content, output = tmp_path / "content", tmp_path / "output"
    monkeypatch.setenv("NETROOTS_TODAY", "2026-11-22")
    build_site(content, output, **SETTINGS)
    build_site(content, output, **SETTINGS)
    return content, output, Work(monkeypatch)


def _diaries(content: Path) -> list[Path]:
    return sorted(path for path in (content / "diaries").rglob("*.md"))


def _page(diary: Path) -> str:
    """The output path of a diary's page (``diaries/<member>/<slug>/index.html``)."""
    return f"diaries/{diary.parent.name}/{diary.stem[11:]}/index.html"


def _same_as_clean(tmp_path: Path, content: Path, output: Path, step: str) -> None:
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    shutil.copytree(content, clean / "content")
    build_site(clean / "content", clean / "output", **SETTINGS)
    assert_same_output(output, clean / "output", step)


def test_an_unchanged_build_makes_no_job_and_no_fingerprint_of_a_diary_s_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every diary's page was made into a ``Job`` and fingerprinted, every build (52,500 pages
    at 50,000 diaries: 40 µs of CPU each, in the build's process and its worker)."""
    content, output, work = _site(tmp_path, monkeypatch)
    result = build_site(content, output, **SETTINGS)
    assert result.summary.startswith("rendered 0 of "), result.summary
    diaries = len(_diaries(content))
    assert work.jobs["article.html"] == 0 and work.fingerprinted["article.html"] == 0, (work.jobs, diaries)
    assert work.stats["unchecked"] >= diaries - 2  # drafts have no page in diaries/
    assert work.jobs.total() > 0  # the list pages are still checked


def test_one_edit_makes_and_fingerprints_a_few_diaries_pages_not_every_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, output, work = _site(tmp_path, monkeypatch)
    diaries = _diaries(content)
    edited = diaries[len(diaries) // 2]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nAn edit about the county fair.\n", encoding="utf-8")
    build_site(content, output, **SETTINGS)
    assert _page(edited) in work.rendered
    assert 1 <= work.jobs["article.html"] <= 6 < len(diaries), work.jobs  # its page, those relating it
    assert work.fingerprinted["article.html"] <= 2 * work.jobs["article.html"]  # checked, then rendered
    _same_as_clean(tmp_path, content, output, f"editing {edited.name}")


def _comment(content: Path, diary: Path) -> str:
    folder = content / "comments" / "jkim"
    folder.mkdir(parents=True, exist_ok=True)
    on = f"{diary.parent.name}/{diary.stem[11:]}"
    (folder / "2026-11-21-0930-a-new-comment.md").write_text(
        f"---\non: {on}\n---\n\nA first comment on this one.\n", encoding="utf-8"
    )
    return _page(diary)


def _rename_member(content: Path, diary: Path) -> str:
    member = content / "members" / f"{diary.parent.name}.yaml"
    text = member.read_text(encoding="utf-8")
    member.write_text(re.sub(r"^name: (.*)$", r"name: \1 Jr.", text, count=1, flags=re.M), encoding="utf-8")
    return _page(diary)


def _avatar(content: Path, diary: Path) -> str:
    from PIL import Image

    (diary.parent / "images").mkdir(exist_ok=True)
    Image.new("RGB", (200, 200), "#2a6").save(diary.parent / "images" / "avatar.jpg")
    return _page(diary)


def _related(content: Path, diary: Path) -> str:
    """Another diary takes this one's words: the related list of this one's page changes."""
    other = next(path for path in _diaries(content) if path.parent != diary.parent)
    words = re.sub(r"(?s)^---.*?---", "", diary.read_text(encoding="utf-8"))
    other.write_text(other.read_text(encoding="utf-8") + "\n" + words + "\n", encoding="utf-8")
    return _page(diary)


@pytest.mark.parametrize("change", [_comment, _rename_member, _avatar, _related])
def test_a_change_of_what_a_diary_s_page_shows_renders_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Any
) -> None:
    """A comment on the diary (its thread), its member's name or avatar (read by key of
    ``members`` and ``avatars``), its related list (asked of ``search_related``): each changes
    the page while its diary stays as it was kept."""
    content, output, work = _site(tmp_path, monkeypatch)
    diary = next(path for path in _diaries(content) if "sam-hollis" in path.parts)
    before = (output / _page(diary)).read_bytes()
    page = change(content, diary)
    build_site(content, output, **SETTINGS)
    assert page in work.rendered and (output / page).read_bytes() != before, work.rendered
    _same_as_clean(tmp_path, content, output, change.__name__)


def test_a_change_of_the_diaries_template_renders_every_diary_s_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the diaries' pages share: their template (here a template's source, a change of the
    world) and the context names they read whole."""
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    settings = {**SETTINGS, "THEME": str(theme)}
    shutil.copytree(ROOT / "content", tmp_path / "content")
    content, output = tmp_path / "content", tmp_path / "output"
    monkeypatch.setenv("NETROOTS_TODAY", "2026-11-22")
    build_site(content, output, **settings)
    build_site(content, output, **settings)
    work = Work(monkeypatch)
    template = theme / "templates" / "article.html"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace("</article>", "<p>Read on.</p></article>", 1), encoding="utf-8")
    build_site(content, output, **settings)
    diaries = _diaries(content)
    assert work.stats.get("unchecked", 0) == 0 and work.jobs["article.html"] >= len(diaries) - 2
    assert "Read on." in (output / _page(diaries[0])).read_text(encoding="utf-8")
