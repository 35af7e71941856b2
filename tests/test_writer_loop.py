"""The writer's and maintainer's loop (issue 14): the network's publishing rules, scheduled
posts, and the traps a newcomer fell into, each asserted as the writer or maintainer sees it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import build_site, pagefind_pages, read

import tasks


def check(content: Path, *args: str):
    return CliRunner().invoke(tasks.cli, ["--content", str(content), "check", *args])


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def pagefind_urls(output: Path) -> set[str]:
    return set(pagefind_pages(output))


# -- 1. a published diary needs a tag ------------------------------------------
LIBRARY_STORY = """---
title: Our library branch turns fifty
date: 2026-11-20 10:00
summary: The branch where I learned to read.
---

The library board still meets in the reading room. Bus riders and tenants come too.
"""


def test_a_published_diary_without_tags_is_an_error_with_tags_that_fit_its_text(copy_fixture, site) -> None:
    content = copy_fixture("basic")
    write(
        content / "diaries/ben/2026-01-02-reading-room.md",
        "---\ntitle: Reading room\ndate: 2026-01-02\ntags: [Libraries]\n---\n\nBooks.\n",
    )
    write(
        content / "diaries/ben/2026-01-03-more-housing.md",
        "---\ntitle: Housing again\ndate: 2026-01-03\ntags: [housing, Labor]\n---\n\nRent.\n",
    )
    story = write(content / "diaries/ana/2026-11-20-our-library.md", LIBRARY_STORY)
    result = check(content)
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if "our-library" in line)
    assert line.startswith("content/diaries/ana/2026-11-20-our-library.md:1: error: tags: a published diary needs")
    assert "`tags: [Libraries]`" in line  # fits the text; Housing is used more but is not about this
    assert "Housing" not in line and "housing" not in line

    story.write_text(LIBRARY_STORY.replace("summary:", "status: draft\nsummary:"), encoding="utf-8")
    result = check(content)
    assert "our-library.md:4: note: draft: not published" in result.output
    assert result.exit_code == 0, result.output

    story.write_text(LIBRARY_STORY, encoding="utf-8")
    built = site(content)
    assert any("a published diary needs at least one tag" in e for e in built.errors)
    assert not (built.output / "diaries/ana/our-library").exists()


# -- 2. scheduled posts --------------------------------------------------------
SCHEDULED = """---
title: Ballot drop box locations
date: 2026-12-01 08:00
tags: [housing]
summary: Where to drop your ballot.
---

Every zebrafinch drop box in the county, with hours.
"""


def test_a_required_option_left_out_of_a_new_command_is_named_not_a_traceback(copy_fixture) -> None:
    content = copy_fixture("basic")
    result = CliRunner().invoke(tasks.cli, ["new", "event", "Bake sale", "--content", str(content)])
    assert result.exit_code == 2, result.output
    assert "Missing option '--start'" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (content / "events/bake-sale.md").exists()


def test_check_lists_a_comment_dated_after_today_as_scheduled(copy_fixture) -> None:
    content = copy_fixture("comments")
    write(content / "comments/ben/2026-12-01-0930-see-you-then.md", "---\non: ana/rent-strike-notes\n---\n\nSoon.\n")
    result = check(content)
    assert result.exit_code == 0, result.output
    assert (
        "content/comments/ben/2026-12-01-0930-see-you-then.md:1: note: scheduled for 2026-12-01: "
        "the first build on or after that day shows it"
    ) in result.output
    assert "content/comments/ben/2026-03-02-0900-week-two.md" not in result.output  # a comment already out


def test_a_future_diary_and_update_wait_for_their_day_everywhere(copy_fixture, tmp_path, monkeypatch) -> None:
    content = copy_fixture("basic")
    write(content / "diaries/ana/2026-12-01-ballot-drop-boxes.md", SCHEDULED)
    notes = content / "diaries/ana/2026-03-01-rent-strike-notes.md"
    notes.write_text(
        notes.read_text().replace(
            "updates:\n", "updates:\n  - date: 2026-11-30\n    text: The zebrafinch vote is next week.\n"
        ),
        encoding="utf-8",
    )
    result = check(content)
    assert result.exit_code == 0, result.output
    assert (
        "content/diaries/ana/2026-12-01-ballot-drop-boxes.md:3: note: scheduled for 2026-12-01: "
        "the first build on or after that day publishes it"
    ) in result.output
    assert "2026-03-01-rent-strike-notes.md:8: note: update scheduled for 2026-11-30" in result.output

    output = tmp_path / "output"
    built = build_site(content, output, publish=True)
    assert not built.errors, built.errors
    assert not (output / "diaries/ana/ballot-drop-boxes").exists()
    for page in (
        "index.html",
        "diaries/index.html",
        "members/ana/index.html",
        "tags/housing/index.html",
        "feeds/all.atom.xml",
        "feeds/all.rss.xml",
        "feeds/members/ana.atom.xml",
        "feeds/tags/housing.atom.xml",
        "sitemap.xml",
        "diaries/ana/rent-strike-notes/index.html",
    ):
        text = read(output, page)
        assert "ballot-drop-boxes" not in text and "Ballot drop box" not in text, page
        assert "zebrafinch" not in text, page
    assert "/diaries/ana/ballot-drop-boxes/" not in pagefind_urls(output)
    searched = CliRunner().invoke(tasks.cli, ["--content", str(content), "search", "zebrafinch"])
    assert "Ballot drop box" not in searched.output and "rent-strike" not in searched.output

    monkeypatch.setenv("NETROOTS_TODAY", "2026-12-01")  # the nightly rebuild on its day
    built = build_site(content, output, publish=True)
    assert not built.errors, built.errors
    assert "Ballot drop box" in read(output, "diaries/index.html")
    assert "Ballot drop box" in read(output, "feeds/all.atom.xml")
    assert "/diaries/ana/ballot-drop-boxes/" in read(output, "sitemap.xml")
    assert "zebrafinch vote" in read(output, "diaries/ana/rent-strike-notes/index.html")
    assert "/diaries/ana/ballot-drop-boxes/" in pagefind_urls(output)
    searched = CliRunner().invoke(tasks.cli, ["--content", str(content), "search", "zebrafinch"])
    assert "Ballot drop box" in searched.output
    assert check(content).output.count("scheduled for") == 0


# -- 3. tag near misses --------------------------------------------------------
@pytest.mark.parametrize(
    ("tag", "said"),
    [
        ("Librarys", "'Librarys' is nearly the same as 'Libraries' (the same words spelled another way; used 2 times)"),
        ("ohio-3", "'ohio-3' is nearly the same as 'OH-03' (races are written like 'OH-03' (in use)"),
        ("Libaries", "'Libaries' is nearly the same as 'Libraries' (one letter apart; used 2 times)"),
    ],
)
def test_a_new_tag_that_nearly_matches_an_existing_one_is_named(copy_fixture, tag: str, said: str) -> None:
    content = copy_fixture("basic")
    for day in ("01", "02"):
        write(
            content / f"diaries/ben/2026-01-{day}-reading-{day}.md",
            f"---\ntitle: Reading {day}\ndate: 2026-01-{day}\ntags: [Libraries]\n---\n\nBooks.\n",
        )
    write(
        content / "diaries/ana/2026-01-05-typo.md",
        f"---\ntitle: Typo\ndate: 2026-01-05\ntags: [Budget, {tag}]\n---\n\nText.\n",
    )
    result = check(content)
    assert f"content/diaries/ana/2026-01-05-typo.md:4: warning: tags: {said}" in result.output
    assert "'Budget'" not in result.output


# -- 7. messages ---------------------------------------------------------------
def test_a_tab_and_a_missing_closing_line_are_named_for_what_they_are(copy_fixture) -> None:
    content = copy_fixture("basic")
    write(content / "diaries/ana/2026-05-01-tab.md", "---\ntitle: Tab\n\ttags: [housing]\n---\n\nBody.\n")
    write(content / "diaries/ana/2026-05-02-open.md", "---\ntitle: Open\ntags: [housing]\n\nBody.\n")
    result = check(content)
    assert (
        "content/diaries/ana/2026-05-01-tab.md:3: error: a tab character, column 1: "
        "YAML indents with spaces only; replace the tab with spaces"
    ) in result.output
    assert "content/diaries/ana/2026-05-02-open.md:1: error: the front matter's closing `---` line is missing" in (
        result.output
    )
    assert "cannot start any token" not in result.output


def test_new_diary_without_a_git_email_says_how_to_set_it(copy_fixture, monkeypatch) -> None:
    content = copy_fixture("basic")
    import netroots.members

    monkeypatch.setattr(netroots.members, "git_email", lambda folder: "")
    import diaries.cli  # the diaries plugin's part of `new diary`

    monkeypatch.setattr(diaries.cli, "git_email", lambda folder: "")
    result = CliRunner().invoke(tasks.cli, ["--content", str(content), "new", "diary", "Hello"])
    assert result.exit_code == 2
    assert "git config --global user.email" in result.output and "--member YOUR-HANDLE" in result.output
    readme = (Path(tasks.ROOT) / "README.md").read_text()
    assert "git config --global user.email" in readme


# -- 5 and 6. drafts are visible to their writer; preview matches the page ----
def test_preview_renders_like_the_page_with_a_draft_banner(copy_fixture, tmp_path) -> None:
    content = copy_fixture("basic")
    draft = content / "diaries/ana/2026-04-02-draft-thoughts.md"
    draft.write_text(
        "---\ntitle: Draft thoughts\ndate: 2026-04-02\ntags: [housing]\ngroups: [tenants]\nstatus: draft\n"
        "updates:\n  - date: 2026-04-03\n    text: Still thinking.\n---\n\nNot ready.\n",
        encoding="utf-8",
    )
    out = tmp_path / "preview"
    result = CliRunner().invoke(tasks.cli, ["--content", str(content), "preview", str(draft), "--output", str(out)])
    assert result.exit_code == 0, result.output
    page = read(out, "diaries/ana/draft-thoughts/index.html")
    assert "<strong>Draft</strong>: not published" in page
    assert 'by <a href="../../../members/ana/">Ana Ruiz</a>' in page or ">Ana Ruiz</a>" in page
    assert 'class="card author-card"' in page and "Organizes tenants in Columbus." in page
    assert "/None" not in page and "None" not in page.split("<body", 1)[1].replace("data-pagefind", "")
    assert "Tenants" in page.split('class="groups"', 1)[1].split("</p>", 1)[0]
    assert "Still thinking." in page and 'href="../../../tags/housing/"' in page


def without_what_needs_the_whole_network(page: str) -> str:
    """A built diary page less its related diaries (a preview does not compare the diary with
    every other) and the stylesheet's version mark (publish's cache-busting)."""
    page = re.sub(r'<aside class="related-diaries".*?</aside>', "", page, flags=re.S)
    return re.sub(r"\n\s*\n", "\n", re.sub(r"\.css\?v=[0-9a-f]+", ".css", page))


def test_preview_shows_the_comment_thread_and_more_by_as_the_built_page_does(copy_fixture, tmp_path) -> None:
    content = copy_fixture("comments")
    write(
        content / "diaries/ana/2026-05-01-tenant-union-dues.md",
        "---\ntitle: Tenant union dues\ndate: 2026-05-01\ntags: [housing]\n---\n\nWhat dues pay for.\n",
    )
    built = build_site(content, tmp_path / "built")
    assert not built.errors, built.errors
    diary = content / "diaries/ana/2026-03-01-rent-strike-notes.md"
    out = tmp_path / "preview"
    result = CliRunner().invoke(tasks.cli, ["--content", str(content), "preview", str(diary), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "error" not in result.output  # the rest of the network is not half-read into false alarms
    page = read(out, "diaries/ana/rent-strike-notes/index.html")
    assert '<h2 id="comments-heading">8 comments</h2>' in page
    assert page.count('<li class="comment') >= 8 and 'id="c-' in page
    more = page.split("More by Ana", 1)[1].split("</ul>", 1)[0]
    assert 'href="../../../diaries/ana/tenant-union-dues/">Tenant union dues</a>' in more
    assert "Draft thoughts" not in more  # drafts are not listed, as on the page
    assert "/None" not in page
    assert without_what_needs_the_whole_network(page) == without_what_needs_the_whole_network(
        read(built.output, "diaries/ana/rent-strike-notes/index.html")
    )
    pages = [p.relative_to(out).as_posix() for p in out.rglob("*.html")]
    assert pages == ["diaries/ana/rent-strike-notes/index.html"]  # only the page: fast at any size
    assert not list(out.rglob("*.xml")) and not list(out.rglob("*.json"))


def test_published_pages_never_show_the_draft_banner(site) -> None:
    page = read(site("basic").output, "diaries/ana/rent-strike-notes/index.html")
    assert "draft-banner" not in page


# -- 10. publishing ------------------------------------------------------------
def test_build_publish_with_the_demo_address_warns(copy_fixture, tmp_path, monkeypatch) -> None:
    content = copy_fixture("basic")
    monkeypatch.delenv("NETROOTS_SITEURL", raising=False)
    args = ["--content", str(content), "build", "--publish", "--output", str(tmp_path / "out")]
    result = CliRunner().invoke(tasks.cli, args)
    assert result.exit_code == 0, result.output
    assert "warning: the site address is still the demo's (https://commons.example.org)" in result.output
    monkeypatch.setenv("NETROOTS_SITEURL", "https://news.example.net")
    result = CliRunner().invoke(tasks.cli, args)
    assert "still the demo's" not in result.output


def test_publish_checks_rsync_and_target_before_building(copy_fixture, tmp_path, monkeypatch) -> None:
    content = copy_fixture("basic")
    out = tmp_path / "out"
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    result = CliRunner().invoke(
        tasks.cli, ["--content", str(content), "--output", str(out), "publish", "--target", "me@host:/srv/"]
    )
    assert result.exit_code == 2
    assert "rsync is not installed" in result.output
    assert not out.exists()  # nothing was built first
    result = CliRunner().invoke(tasks.cli, ["--content", str(content), "--output", str(out), "publish"])
    assert "nowhere to publish to" in result.output and not out.exists()


def test_help_lists_each_command_without_cutting_it_off() -> None:
    result = CliRunner().invoke(tasks.cli, ["--help"], terminal_width=80)
    commands = " ".join(result.output.split("Commands:", 1)[1].split())
    assert "..." not in commands
    assert "the network's size" in commands  # preview's whole sentence
    new = CliRunner().invoke(tasks.cli, ["new", "--help"], terminal_width=80)
    assert "..." not in new.output.split("Commands:", 1)[1] and "content/contacts/<slug>.yaml" in new.output


# -- 9. fetch ------------------------------------------------------------------
def test_fetch_with_failing_feeds_ends_cleanly_and_its_summary_explains_itself(tmp_path) -> None:
    """Run many times: the parse workers' pool used to race Python's exit now and then."""
    import os
    import shutil
    import subprocess
    import sys

    from allies_server import HostileServer, standard_routes
    from conftest import FIXTURES, ROOT

    with HostileServer() as server:
        standard_routes(server)
        content = tmp_path / "content"
        shutil.copytree(FIXTURES / "basic/content", content)
        names = ["rss20", "atom10", "rss10", "missing", "error", "gone", "html", "loop-a", "huge", "evil"]
        (content / "allies.yaml").write_text(
            "".join(f"- name: Ally {n}\n  slug: {n}\n  feed: {server.url('/' + n)}\n" for n in names),
            encoding="utf-8",
        )
        for _ in range(4):
            shutil.rmtree(tmp_path / ".cache", ignore_errors=True)  # never fetched: parsed in worker processes
            done = subprocess.run(
                [sys.executable, str(ROOT / "tasks.py"), "--content", str(content), "fetch"],
                capture_output=True,
                text=True,
                timeout=90,
                env={**os.environ, "CI": "true", "NETROOTS_ALLOW_PRIVATE_FEEDS": "1"},
            )
            assert done.returncode == 0, done.stderr
            assert "Exception ignored" not in done.stderr and "Bad file descriptor" not in done.stderr, done.stderr
            assert "Traceback" not in done.stderr
    assert "4 fetched with new content, 0 unchanged since last time, 6 could not be fetched (reasons below)" in (
        done.stderr
    )
    assert "Failing (failed 3 runs in a row, or gone; shown on /allies/health/): 1" in done.stderr
    assert "  missing: HTTP 404" in done.stderr


# -- 8. serve and local builds ----------------------------------------------------
def test_every_build_leaves_only_what_the_content_makes(copy_fixture, tmp_path) -> None:
    content = copy_fixture("basic")
    write(
        content / "diaries/ben/2026-05-01-zebrafinch-census.md",
        "---\ntitle: Zebrafinch census\ndate: 2026-05-01\ntags: [Birds]\n---\n\nWe counted zebrafinches.\n",
    )
    output = tmp_path / "output"
    mine = write(output / "keep-me.txt", "a maintainer's own file")
    assert not build_site(content, output).errors
    assert (output / "diaries/ben/zebrafinch-census/index.html").is_file()
    assert (output / "tags/birds/index.html").is_file()

    (content / "diaries/ben/2026-05-01-zebrafinch-census.md").unlink()
    assert not build_site(content, output).errors
    assert not (output / "diaries/ben/zebrafinch-census").exists()
    assert not (output / "tags/birds").exists() and not (output / "feeds/tags/birds.atom.xml").exists()
    assert "zebrafinch" not in read(output, "sitemap.xml")
    assert not any("zebrafinch" in url for url in pagefind_urls(output))
    searched = CliRunner().invoke(tasks.cli, ["--content", str(content), "search", "zebrafinch"])
    assert "Zebrafinch census" not in searched.output
    assert mine.is_file()  # files no build wrote are never touched
    assert (output / "diaries/ben/bus-routes-matter/index.html").is_file()


def test_serve_answers_unknown_addresses_with_the_404_page_and_survives_bad_edits(copy_fixture, tmp_path) -> None:
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    content = copy_fixture("basic")
    process = subprocess.Popen(
        [sys.executable, str(Path(tasks.ROOT) / "tasks.py"), "--content", str(content),
         "--output", str(tmp_path / "served"), "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    lines: list[str] = []
    try:
        port = None
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Serving"):
                port = int(line.split(":")[2].split("/")[0])
                break
        assert port, lines
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/no/such/page/", timeout=5)
        assert missing.value.code == 404
        body = missing.value.read().decode()
        assert "Error response" not in body and '<html lang="en">' in body and "Diaries" in body

        diary = content / "diaries/ana/2026-03-01-rent-strike-notes.md"
        diary.write_text(diary.read_text().replace("tags: [", "\ttags: ["), encoding="utf-8")
        deadline = time.monotonic() + 60
        for line in process.stdout:
            lines.append(line)
            if "Rebuilt" in line or time.monotonic() > deadline:
                break
        said = "".join(lines)
        assert "content/diaries/ana/2026-03-01-rent-strike-notes.md:4: error: a tab character" in said, said
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/diaries/", timeout=5) as response:
            assert response.status == 200
        assert process.poll() is None
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


# -- 4. placeholders are not content -------------------------------------------
def test_starter_texts_left_unchanged_are_errors_naming_the_field(copy_fixture) -> None:
    content = copy_fixture("basic")
    runner = CliRunner()

    def run(*args: str):
        result = runner.invoke(tasks.cli, ["--content", str(content), *args])
        assert result.exit_code == 0, result.output
        return result

    run("new", "member", "cleo", "--name", "Cleo Park", "--github", "cleo-gh")
    member = (content / "members/cleo.yaml").read_text()
    assert "state:  " in member and "Columbus" not in member  # asks, does not guess
    run("new", "action", "Save the bus line", "--by", "ana")
    run("new", "event", "Potluck", "--start", "2026-12-05 18:00", "--online", "https://meet.example.org/x")
    result = check(content)
    assert result.exit_code == 1
    out = result.output
    assert (
        "content/members/cleo.yaml:6: error: bio: still the starter's example text 'A sentence or two about you.'"
        in (out)
    )
    for field in ("ask", "script", "letter.subject", "letter.body"):
        assert "content/actions/save-the-bus-line.md:" in out and f"error: {field}: still the starter's example" in out
    assert "content/events/potluck.md:" in out and "text: still the starter's example line 'What will happen" in (out)
    assert "cleo.yaml" in out and "state" not in out.split("cleo.yaml", 1)[1].split("\n", 1)[0]

    run("new", "diary", "Half written", "--member", "ana")  # a draft: starter text is expected there
    lines = [line for line in check(content).output.splitlines() if "half-written" in line]
    assert lines and all(": note: draft" in line for line in lines)


def test_new_member_takes_state_and_city_when_given(copy_fixture) -> None:
    content = copy_fixture("basic")
    result = CliRunner().invoke(
        tasks.cli, ["--content", str(content), "new", "member", "dee", "--state", "oh", "--city", "Dayton"]
    )
    assert result.exit_code == 0, result.output
    text = (content / "members/dee.yaml").read_text()
    assert "state: OH" in text and 'city: "Dayton"' in text
    bad = CliRunner().invoke(tasks.cli, ["--content", str(content), "new", "member", "eve", "--state", "ZZ"])
    assert bad.exit_code == 2 and "--state: 'ZZ' is not a US state" in bad.output
