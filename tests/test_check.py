"""`tasks.py check` and `build` report bad content the same way and lose nothing else."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import read

import tasks

EXPECTED = [
    ("diaries/ana/2026-05-01-no-title.md", 1, "missing `title`"),
    ("diaries/ana/2026-05-02-bad-date.md", 3, "date: 'April 31st' is not a date and time; write YYYY-MM-DD HH:MM"),
    ("diaries/ana/2026-05-03-broken-yaml.md", 4, "YAML syntax error"),
    ("diaries/ana/2026-05-04-latin1.md", 2, "not UTF-8"),
    ("diaries/ana/2026-05-05-empty.md", 1, "the file is empty"),
    ("diaries/ana/2026-05-06-binary.md", 1, "binary file"),
    ("diaries/ghost/2026-05-07-orphan.md", 1, "no member 'ghost'"),
    ("diaries/ana/2026-05-08-wrong-author.md", 3, "author: 'ben' does not match the folder 'ana'"),
    ("diaries/ana/2026-05-09-unknown-group.md", 3, "groups: unknown group 'knitting' (groups: tenants)"),
    ("diaries/ana/2026-05-10-tags-text.md", 3, "tags: must be a list"),
    ("diaries/ben/2026-05-12-same-slug.md", 1, "duplicate slug"),
    ("notes.txt", 1, "outside the layout"),
]
LINE = re.compile(r"^(?P<path>\S+):(?P<line>\d+): (?P<severity>error|warning): (?P<message>.+)$")


def run_check(content: Path, *paths: str):
    return CliRunner().invoke(tasks.cli, ["--content", str(content), "check", *paths])


def test_check_names_file_line_and_fix_for_every_broken_file(copy_fixture) -> None:
    content = copy_fixture("broken")
    result = run_check(content)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = [LINE.match(line) for line in result.output.splitlines() if LINE.match(line)]
    errors = [(m["path"], int(m["line"]), m["message"]) for m in lines if m["severity"] == "error"]
    for path, line, message in EXPECTED:
        assert any(p == f"content/{path}" and n == line and message in m for p, n, m in errors), (path, errors)
    assert len(errors) == len(EXPECTED)


def test_check_warns_about_titles_in_person_tags_and_near_duplicates(copy_fixture) -> None:
    result = run_check(copy_fixture("broken"))
    assert (
        "content/diaries/ben/2026-05-13-still-fine.md:4: warning: tags: 'Senator Jane Doe' puts a title"
        in result.output
    )
    assert "'Healthcare' is nearly the same as 'Health care'" in result.output


def test_check_on_one_path_reports_only_that_file(copy_fixture) -> None:
    content = copy_fixture("broken")
    result = run_check(content, str(content / "diaries/ben"))
    assert result.exit_code == 1
    assert "same-slug" in result.output
    assert "no-title" not in result.output


def test_check_passes_on_valid_content_and_the_demo(copy_fixture) -> None:
    assert run_check(copy_fixture("basic")).exit_code == 0
    demo = CliRunner().invoke(tasks.cli, ["check"])
    assert demo.exit_code == 0, demo.output
    assert "error:" not in demo.output


def test_build_reports_the_same_errors_and_publishes_the_rest(site, copy_fixture) -> None:
    content = copy_fixture("broken")
    checked = {line for line in run_check(content).output.splitlines() if ": error: " in line}
    result = site(content)
    assert set(result.errors) == checked
    assert (result.output / "diaries/ben/still-fine/index.html").exists()
    assert (result.output / "diaries/ana/rent-strike-notes/index.html").exists()
    for invalid in ("no-title", "bad-date", "wrong-author", "unknown-group", "tags-text"):
        assert not (result.output / f"diaries/ana/{invalid}").exists()
    assert "Same slug twice" in read(result.output, "diaries/ben/same-slug/index.html")
    assert not (result.output / "diaries/ghost").exists()


@pytest.mark.parametrize(
    ("member_yaml", "message"),
    [
        ("name: X\nlocale: {state: Narnia}\n", "locale: state: 'Narnia' is not a US state or territory"),
        ("locale: {state: OH}\n", "missing `name`"),
        ("name: X\nvouches: [nobody]\n", "vouches: 'nobody' is not a member"),
        ("name: X\nmentor: maybe\n", "mentor: 'maybe' is not true or false"),
        ("name: X\nlinks: [javascript:alert(1)]\n", "is not an http(s) address"),
    ],
)
def test_member_file_errors(copy_fixture, member_yaml: str, message: str) -> None:
    content = copy_fixture("basic")
    (content / "members/cara.yaml").write_text(member_yaml, encoding="utf-8")
    result = run_check(content)
    assert result.exit_code == 1
    assert any(
        line.startswith("content/members/cara.yaml:") and message in line for line in result.output.splitlines()
    ), result.output


def test_reserved_handle_is_refused(copy_fixture) -> None:
    content = copy_fixture("basic")
    (content / "members/recommended.yaml").write_text("name: Sneaky\n", encoding="utf-8")
    assert "the handle 'recommended' is reserved" in run_check(content).output


@pytest.mark.parametrize(
    ("front_matter", "line", "message"),
    [
        ("title: a\ndate: 2026-02-30\n", 3, "a date that is not on the calendar"),
        ("title: a\ntitle: b\n", 3, "`title` is given twice (lines 2 and 3)"),
        ("- a\n- b\n", 2, "the front matter must be `field: value` lines"),
        ("title: a\ntags: [[a, b]]\n", 3, "tags: item 1: must be plain text, not a list"),
        ("title: a\nupdates: [{date: nope, text: x}]\n", 3, "updates: item 1: date: 'nope' is not a date"),
    ],
)
def test_malformed_front_matter_gets_a_line_not_a_traceback(
    copy_fixture, front_matter: str, line: int, message: str
) -> None:
    content = copy_fixture("basic")
    path = content / "diaries/ben/2026-06-01-odd.md"
    path.write_text(f"---\n{front_matter}---\n\nBody.\n", encoding="utf-8")
    result = run_check(content)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"content/diaries/ben/2026-06-01-odd.md:{line}: error: {message}" in result.output, result.output


def test_the_layout_check_matches_a_file_read_by_a_plugin_once(copy_fixture) -> None:
    """Each file under content/ was matched against every pattern of its depth (50,000 diaries,
    every build); a file an enabled plugin reads is matched once. The same problems are named."""
    from types import SimpleNamespace

    from conftest import site_settings

    from netroots import check
    from netroots.contentfiles import ContentFiles
    from netroots.report import Report

    content = copy_fixture("basic")
    (content / "notes.txt").write_text("stray", encoding="utf-8")
    (content / "images" / "logo.svg").parent.mkdir(exist_ok=True)
    (content / "images" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    settings = site_settings(content, content.parent / "output")
    patterns = check.layout(settings)
    files = ContentFiles(str(content.resolve()))

    def report_of(module_re: Any) -> tuple[list[str], list[str]]:
        matched: list[str] = []

        class Counted:
            def __init__(self, compiled: Any) -> None:
                self.compiled = compiled

            def match(self, text: str) -> Any:
                matched.append(text)
                return self.compiled.match(text)

        check.re = SimpleNamespace(compile=lambda pattern: Counted(module_re.compile(pattern)))
        try:
            report = Report(root=content.parent)
            check.check_layout(content, report, patterns, files)
        finally:
            check.re = module_re
        return [str(problem) for problem in report.problems], matched

    problems, matched = report_of(re)
    assert any("notes.txt" in problem and "outside the layout" in problem for problem in problems)
    assert any("logo.svg" in problem and "is not published" in problem for problem in problems)
    diaries = [name for name in files.files if name.startswith("diaries/")]
    assert diaries and all(matched.count(name) == 1 for name in diaries)
