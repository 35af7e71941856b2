"""The writer's loop through tasks.py: new, check, preview, build, serve."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import read

import tasks


def invoke(content: Path, *args: str):
    return CliRunner().invoke(tasks.cli, ["--content", str(content), *args], catch_exceptions=False)


def test_new_diary_writes_a_valid_file_that_checks_clean(copy_fixture) -> None:
    content = copy_fixture("basic")
    result = invoke(content, "new", "diary", 'Why "we" march: 5 reasons', "--member", "ben")
    assert result.exit_code == 0, result.output
    path = content / "diaries/ben/2026-11-22-why-we-march-5-reasons.md"
    assert path.is_file()
    front = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
    assert front["title"] == 'Why "we" march: 5 reasons'
    assert front["status"] == "draft"
    assert invoke(content, "check", str(path)).exit_code == 0


def test_new_diary_guesses_the_member_from_git_email(copy_fixture, monkeypatch) -> None:
    content = copy_fixture("basic")
    monkeypatch.setattr("netroots.members.git_email", lambda folder: "12345+ana-gh@users.noreply.github.com")
    result = invoke(content, "new", "diary", "Guessed")
    assert result.exit_code == 0, result.output
    assert (content / "diaries/ana/2026-11-22-guessed.md").is_file()


def test_new_diary_for_unknown_member_explains_what_to_do(copy_fixture) -> None:
    result = CliRunner().invoke(
        tasks.cli, ["--content", str(copy_fixture("basic")), "new", "diary", "X", "--member", "zed"]
    )
    assert result.exit_code == 2
    assert "python tasks.py new member zed" in result.output


def test_new_member_is_valid_and_refuses_bad_handles(copy_fixture) -> None:
    content = copy_fixture("basic")
    assert invoke(content, "new", "member", "cara-m", "--name", "Cara M", "--github", "caram").exit_code == 0
    assert yaml.safe_load((content / "members/cara-m.yaml").read_text())["github"] == "caram"
    checked = invoke(content, "check")
    assert checked.exit_code == 1 and "cara-m.yaml:6: error: bio: still the starter's example text" in checked.output
    member = content / "members/cara-m.yaml"
    member.write_text(member.read_text().replace("A sentence or two about you.", "Reads everything."))
    assert invoke(content, "check").exit_code == 0
    bad = CliRunner().invoke(tasks.cli, ["--content", str(content), "new", "member", "Bad_Handle"])
    assert bad.exit_code == 2 and "lowercase ASCII letters" in bad.output


def test_preview_renders_one_diary_fast(copy_fixture, tmp_path) -> None:
    content = copy_fixture("basic")
    diary = content / "diaries/ana/2026-04-02-draft-thoughts.md"
    result = invoke(content, "preview", str(diary), "--output", str(tmp_path / "preview"))
    assert result.exit_code == 0, result.output
    page = read(tmp_path / "preview", "diaries/ana/draft-thoughts/index.html")
    assert '<h1 class="p-name">Draft thoughts</h1>' in page


def test_build_publish_uses_absolute_urls(copy_fixture, tmp_path) -> None:
    content = copy_fixture("basic")
    out = tmp_path / "site"
    result = CliRunner().invoke(tasks.cli, ["--content", str(content), "--output", str(out), "build", "--publish"])
    assert result.exit_code == 0, result.output
    page = read(out, "diaries/ben/bus-routes-matter/index.html")
    assert '<link rel="canonical" href="https://commons.example.org/diaries/ben/bus-routes-matter/">' in page
    assert 'href="https://commons.example.org/members/ben/"' in page
    feed = read(out, "feeds/all.atom.xml")
    assert "https://commons.example.org/diaries/ben/bus-routes-matter/" in feed


def test_serve_answers_on_localhost(copy_fixture, tmp_path) -> None:
    content = copy_fixture("basic")
    process = subprocess.Popen(
        [str(Path(tasks.ROOT) / ".venv/bin/python"), str(Path(tasks.ROOT) / "tasks.py"), "--content", str(content),
         "--output", str(tmp_path / "served"), "serve", "--port", "0"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        port = None
        for line in process.stdout:
            if line.startswith("Serving"):
                port = int(line.split(":")[2].split("/")[0])
                break
        assert port
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/diaries/", timeout=5) as response:
            assert "Rent strike notes" in response.read().decode()
        diary = content / "diaries/ana/2026-03-01-rent-strike-notes.md"
        diary.write_text(diary.read_text().replace("title: Rent strike notes", "title: Rent strike, week two"))
        deadline = time.monotonic() + 30
        page = ""
        while time.monotonic() < deadline and "Rent strike, week two" not in page:
            time.sleep(0.5)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/diaries/", timeout=5) as response:
                page = response.read().decode()
        assert "Rent strike, week two" in page, "serve did not rebuild after the diary changed"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def test_serve_sees_what_was_saved_while_its_first_build_ran(copy_fixture, tmp_path) -> None:
    """serve's watcher starts after its first build: a save, a new file or a deletion made
    meanwhile is found by the times of files and folders, and a build itself changes none."""
    import os

    from conftest import build_site

    from netroots.devserver import changed_since

    content = copy_fixture("basic")
    watched = [content, Path(tasks.ROOT) / "theme", Path(tasks.ROOT) / "plugins", Path(tasks.ROOT) / "pelicanconf.py"]
    started = time.time()
    build_site(content, tmp_path / "output")
    assert not changed_since(started, watched)
    diary = content / "diaries/ana/2026-03-01-rent-strike-notes.md"
    for change in (
        lambda: diary.write_text(diary.read_text() + "\nOne more line.\n"),
        lambda: (content / "diaries/ana/2026-03-02-new.md").write_text("---\ntitle: New\n---\nBody.\n"),
        lambda: diary.unlink(),
    ):
        started = time.time()
        for path in [content, *content.rglob("*")]:
            os.utime(path, (started - 10, started - 10))
        assert not changed_since(started, watched)
        time.sleep(0.01)
        change()
        assert changed_since(started, watched)


NEW_COMMANDS = {
    "diary": (["new", "diary", "Notes from the door", "--member", "ana"], "diaries/ana/2026-03-04-notes-from-the-door.md"),
    "member": (["new", "member", "dee-n", "--name", "Dee N"], "members/dee-n.yaml"),
    "job": (
        ["new", "job", "--title", "Field organizer", "--organization", "Tenants Union", "--on-site", "--city",
         "Columbus", "--state", "OH", "--type", "full-time", "--pay", "", "--apply", "jobs@example.org",
         "--expires", ""],
        "jobs/field-organizer.md",
    ),
    "event": (["new", "event", "Door knock", "--start", "2026-12-05 10:30", "--place", "Library", "--state", "OH"],
              "events/door-knock.md"),
    "action": (["new", "action", "Fix the fares", "--by", "ana", "--target", "city-paper"], "actions/fix-the-fares.md"),
    "contact": (["new", "contact", "Daily Bugle", "--kind", "media"], "contacts/daily-bugle.yaml"),
    "comment": (["new", "comment", "ana/rent-strike-notes", "--member", "ben", "--title", "Same here"],
                "comments/ben/2026-03-04-1200-same-here.md"),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(NEW_COMMANDS))
def test_every_new_command_writes_into_the_content_given_with_today_given(kind: str, copy_fixture) -> None:
    """``tasks.py --content DIR --today DAY new ...`` writes into DIR, never the project's content/."""
    content = copy_fixture("actions")
    args, written = NEW_COMMANDS[kind]
    project = Path(tasks.ROOT) / "content" / written
    result = CliRunner().invoke(tasks.cli, ["--content", str(content), "--today", "2026-03-04", *args])
    assert result.exit_code == 0, result.output
    assert (content / written).is_file(), result.output
    assert not project.exists()
    if kind == "member":
        assert yaml.safe_load((content / written).read_text(encoding="utf-8"))["joined"].isoformat() == "2026-03-04"


def test_build_as_a_command_ends_with_its_exit_code_and_every_line_printed(copy_fixture, tmp_path: Path) -> None:
    """``python tasks.py build`` ends without Python's teardown (tasks.main): its exit code,
    its messages and its files must all still be there."""
    import sys

    def build(name: str, *args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, str(tasks.ROOT / "tasks.py"), "--content", str(copy_fixture(name))]
        command += ["--output", str(tmp_path / name), "build", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=300)

    good = build("basic")
    assert good.returncode == 0, good.stderr
    assert good.stdout.strip().splitlines()[-1].startswith(f"Built {tmp_path / 'basic'}: rendered ")
    assert (tmp_path / "basic" / "index.html").is_file()
    broken = build("broken", "--strict")
    assert broken.returncode == 1, broken.stdout
    assert "error(s): the files named above were left out" in broken.stderr
    assert "error:" in broken.stderr and (tmp_path / "broken" / "index.html").is_file()
