"""Hostile input from members: one identity per member, an ownership check with no gaps,
and no member file that can stop, stall or leak the build (issue 12).

Each test builds or checks a small site the way CI would and asserts what a reader or a
maintainer sees. The hostile files themselves are in tests/fixtures/hostile/.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import build_site, site_settings
from publish.ownership import AUTOMATIC, MAINTAINER, REFUSED, check_changes, codeowners_text, decide

import tasks
from netroots.members import load_members
from netroots.report import Report

ANA_DIARY = "diaries/ana/2026-03-01-rent-strike-notes.md"
BEN_DIARY = "diaries/ben/2026-02-14-bus-routes-matter.md"
DIARY = "---\ntitle: {title}\ndate: 2026-03-02\n---\n\n{body}\n"


def invoke(content: Path, *args: str):
    return CliRunner().invoke(tasks.cli, ["--content", str(content), *args], catch_exceptions=False)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def add_member(content: Path, handle: str, name: str, github: str = "mallory", diary: str = "") -> None:
    write(content / "members" / f"{handle}.yaml", f"name: {name}\ngithub: {github}\n")
    if diary:
        write(content / "diaries" / handle / f"2026-03-02-{diary}.md", DIARY.format(title="Impostor", body="IMPOSTOR"))


def built(output: Path) -> str:
    """Every HTML and feed file the build wrote, as one text."""
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in sorted(output.rglob("*"))
        if p.suffix in {".html", ".xml"} and p.is_file()
    )


# -- 1, 2: one member, one handle, one address -------------------------------------------


@pytest.mark.parametrize(
    ("handle", "problem"),
    [
        ("ana--ruiz", "is not a valid handle"),  # Pelican slugified it into ana-ruiz
        ("Ana-Ruiz", "is not a valid handle"),  # case
        ("аna-ruiz", "is not a valid handle"),  # a Cyrillic а
        ("anaruiz", "is too like 'ana-ruiz'"),  # the same once hyphens go
        ("page", "is reserved"),  # /diaries/page/2/ is the diaries list's second page
        ("recommended", "is reserved"),
    ],
)
def test_a_handle_that_could_pass_for_another_address_publishes_nothing(copy_fixture, tmp_path, handle, problem):
    content = copy_fixture("basic")
    add_member(content, "ana-ruiz", "Ana Ruiz", "ana-ruiz-gh")
    write(content / "diaries/ana-ruiz/2026-03-01-real.md", DIARY.format(title="Real", body="GENUINE"))
    add_member(content, handle, "Someone Else", diary="real")
    result = invoke(content, "check")
    assert result.exit_code == 1
    assert f"content/members/{handle}.yaml:1: error: " in result.output
    assert problem in result.output
    assert f"content/diaries/{handle}/2026-03-02-real.md:1: error: " in result.output
    output = build_site(content, tmp_path / "out").output
    assert "IMPOSTOR" not in built(output)
    assert "GENUINE" in (output / "diaries/ana-ruiz/real/index.html").read_text(encoding="utf-8")


def test_a_diary_publishes_only_under_a_valid_member_file(copy_fixture, tmp_path):
    content = copy_fixture("basic")
    write(content / "members/cleo.yaml", "name: [Cleo\n")  # a YAML error: not a valid member
    write(content / "diaries/cleo/2026-03-02-hello.md", DIARY.format(title="Hello", body="LEFT OUT"))
    result = invoke(content, "check")
    assert (
        "content/diaries/cleo/2026-03-02-hello.md:1: error: content/members/cleo.yaml has errors (see them), "
        "so cleo's files are left out" in result.output
    )
    assert "LEFT OUT" not in built(build_site(content, tmp_path / "out").output)


def test_a_page_may_not_take_an_address_the_site_writes(copy_fixture, tmp_path):
    content = copy_fixture("basic")
    write(content / "pages/diaries.md", "---\ntitle: Fake diaries\n---\n\nOVERWRITTEN\n")
    result = invoke(content, "check")
    assert "content/pages/diaries.md:1: error: file name: this page would be written to /diaries/" in result.output
    output = build_site(content, tmp_path / "out").output
    assert "OVERWRITTEN" not in built(output)
    assert "Rent strike notes" in (output / "diaries/index.html").read_text(encoding="utf-8")


def test_a_name_like_another_members_is_a_warning_for_maintainers(copy_fixture):
    content = copy_fixture("basic")
    add_member(content, "cleo", "ANA  Ruíz")  # ana is "Ana Ruiz"
    result = invoke(content, "check")
    assert "content/members/cleo.yaml:1: warning: name: 'ANA  Ruíz' looks like ana's name 'Ana Ruiz'" in result.output
    assert result.exit_code == 0


# -- 4, 5: the ownership check ------------------------------------------------------------


def git(top: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    return subprocess.run(["git", "-C", str(top), *args], check=True, capture_output=True, text=True, env=env).stdout


@pytest.fixture
def repo(copy_fixture) -> Path:
    """The basic fixture (ana: ana-gh, ben: ben-gh) with the project's config, in git."""
    content = copy_fixture("basic")
    top = content.parent
    write(top / "pelicanconf.py", 'PUBLISH = {"MAINTAINERS": ["ana"]}\n')
    write(content / "trust.yaml", "seeds: [ana]\n")
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "base")
    return content


def commit(content: Path) -> None:
    git(content.parent, "add", "-A")
    git(content.parent, "commit", "-q", "-m", "change")


def decision(content: Path, login: str = "ben-gh"):
    settings = site_settings(content, content.parent / "output", PUBLISH={"MAINTAINERS": ["ana"]})
    return decide(settings, "main~1..main", login)


def test_a_members_own_changes_may_merge_by_themselves(repo):
    write(repo / BEN_DIARY, DIARY.format(title="Bus routes", body="Edited."))
    write(repo / "diaries/ben/2026-11-20-new.md", DIARY.format(title="New", body="New."))
    write(repo / "comments/ben/2026-11-21-1200-reply.md", "---\non: ana/rent-strike-notes\n---\n\nYes.\n")
    write(repo / "acts/ben/recommend.yaml", "recommends: [ana/rent-strike-notes]\n")
    write(repo / "diaries/ben/images/bus.png", "png")
    commit(repo)
    found = decision(repo)
    assert found.problems == []
    assert found.verdict == AUTOMATIC


@pytest.mark.parametrize(
    "path",
    ["content/trust.yaml", "content/rescue.yaml", "content/groups/new.md", "content/pages/x.md", "pelicanconf.py",
     "tasks.py", ".github/workflows/pr.yml", "plugins/x/__init__.py", "theme/templates/base.html",
     "content/members/JKim.yaml", "content/diaries/page/2026-01-01-x.md"],
)  # fmt: skip
def test_anything_outside_a_members_own_files_needs_a_maintainer(repo, path):
    write(repo.parent / path, "seeds: [ana, ben]\n")
    commit(repo)
    found = decision(repo)
    assert found.verdict == MAINTAINER
    assert [(p.path, p.severity) for p in found.problems] == [(path, "warning")]
    assert "needs a maintainer" in found.problems[0].message
    result = invoke(repo, "check", "--changes", "main~1..main", "--as", "ben-gh")
    assert f"{path}:1: warning: needs a maintainer" in result.output


def test_paths_git_would_quote_are_checked_too(repo):
    write(repo / "diaries/ana/2026-03-02-café.md", DIARY.format(title="Café", body="x"))
    write(repo / "diaries/ana/2026-03-02-tab\there.md", DIARY.format(title="Tab", body="x"))
    commit(repo)
    found = decision(repo)
    assert found.verdict == REFUSED
    paths = sorted(p.path for p in found.problems if p.is_error)
    assert paths == ["content/diaries/ana/2026-03-02-café.md", "content/diaries/ana/2026-03-02-tab\there.md"]


def test_deleting_renaming_or_relinking_files_is_checked(repo):
    git(repo.parent, "mv", f"content/{ANA_DIARY}", "content/diaries/ben/2026-03-01-rent-strike-notes.md")
    (repo / BEN_DIARY).unlink()
    (repo / BEN_DIARY).symlink_to("/etc/hostname")  # his own file, now a link out of the repository
    commit(repo)
    found = decision(repo)
    assert found.verdict == REFUSED
    errors = {p.path: p.message for p in found.problems if p.is_error}
    assert "ben-gh may not change ana's diaries" in errors[f"content/{ANA_DIARY}"]
    assert "is a symbolic link" in errors[f"content/{BEN_DIARY}"], found.problems


def test_a_new_member_whose_name_looks_like_anothers_needs_a_maintainer(repo):
    add_member(repo, "cleo", "Ana Ruiz", "cleo-gh")
    commit(repo)
    found = decision(repo, "cleo-gh")
    assert found.verdict == MAINTAINER
    assert "the name 'Ana Ruiz' looks like ana's name 'Ana Ruiz'" in found.problems[0].message
    add_member(repo, "a-na", "Someone", "ana2-gh")
    commit(repo)
    assert decision(repo, "ana2-gh").verdict == REFUSED  # the handle a-na is too like ana


def test_a_maintainer_reports_nothing_but_merges_by_hand(repo):
    write(repo.parent / "pelicanconf.py", 'PUBLISH = {"MAINTAINERS": ["ana"]}\nX = 1\n')
    commit(repo)
    assert decision(repo, "ana-gh").verdict == MAINTAINER
    report = Report(root=repo.parent)
    check_changes(
        report, site_settings(repo, repo.parent / "out", PUBLISH={"MAINTAINERS": ["ana"]}), "main~1..main", "ana-gh"
    )
    assert report.problems == []


def test_a_github_field_cannot_add_lines_to_codeowners(copy_fixture):
    content = copy_fixture("basic")
    write(content / "members/mallory.yaml", 'name: Mallory\ngithub: "mallory\\n* @mallory"\n')
    result = invoke(content, "check")
    assert "content/members/mallory.yaml:2: error: github: " in result.output
    assert "is not a GitHub login" in result.output
    target = content.parent / "CODEOWNERS"
    invoke(content, "codeowners", "--output", str(target))
    text = target.read_text(encoding="utf-8")
    assert "mallory" not in text
    assert text.count("\n* ") == 1  # the maintainers' line only

    class Fake:
        github = "x\n* @evil"

    assert "evil" not in codeowners_text({"x": Fake(), "bad\nhandle": Fake()}, {"ok", "no\n* @evil"})


def test_codeowners_gives_members_their_comments_and_acts(copy_fixture):
    content = copy_fixture("basic")
    members = load_members(content, Report())
    text = codeowners_text(members, {"ana-gh"})
    for folder in ("diaries", "comments", "acts"):
        assert f"/content/{folder}/ben/ @ben-gh @ana-gh\n" in text


# -- 7: symbolic links ---------------------------------------------------------------------


def test_no_content_file_is_read_through_a_symbolic_link(copy_fixture, tmp_path):
    content = copy_fixture("basic")
    secret = write(tmp_path / "secret.yaml", "name: Secret Holder\nbio: TOPSECRET-FILE\n")
    (content / "members/mallory.yaml").symlink_to(secret)
    outside = tmp_path / "outside"
    write(outside / "2026-03-02-leak.md", DIARY.format(title="Leak", body="TOPSECRET-FOLDER"))
    (content / "diaries/ben/leak").symlink_to(outside)
    (content / "pages/leak").symlink_to(outside)
    result = invoke(content, "check")
    assert result.exit_code == 1
    for link in ("members/mallory.yaml", "diaries/ben/leak", "pages/leak"):
        assert f"\ncontent/{link}:1: error: content/{link} is a symbolic link" in result.output
    output = build_site(content, tmp_path / "out").output
    assert "TOPSECRET" not in built(output)
    assert not (output / "members/mallory").exists()
