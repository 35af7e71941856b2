"""Publishing: ownership of members' files in pull requests, CODEOWNERS, rsync deploys,
sitemap.xml, robots.txt, cache-busted CSS and precompressed files."""

from __future__ import annotations

import gzip
import os
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import git, read, site_settings
from publish.ownership import check_changes

import tasks
from netroots.report import Report


def invoke(content: Path, *args: str, output: Path | None = None):
    extra = ["--output", str(output)] if output else []
    return CliRunner().invoke(tasks.cli, ["--content", str(content), *extra, *args], catch_exceptions=False)


@pytest.fixture
def repo(copy_fixture) -> Path:
    """The basic fixture (members ana: ana-gh, ben: ben-gh) as a git repository with one commit."""
    content = copy_fixture("basic")
    top = content.parent
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "base")
    return content


def commit(content: Path, message: str = "change") -> None:
    git(content.parent, "add", "-A")
    git(content.parent, "commit", "-q", "-m", message)


def edit(path: Path, extra: str = "\nOne more line.\n") -> None:
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")


ANA_DIARY = "diaries/ana/2026-03-01-rent-strike-notes.md"
BEN_DIARY = "diaries/ben/2026-02-14-bus-routes-matter.md"


def test_a_member_may_change_their_own_diary_and_member_file(repo: Path) -> None:
    edit(repo / BEN_DIARY)
    edit(repo / "members/ben.yaml", "bio: Rides the bus.\n")
    commit(repo)
    result = invoke(repo, "check", "--changes", "main~1..main", "--as", "ben-gh")
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output


def test_changing_another_members_diary_fails_with_a_clear_message(repo: Path) -> None:
    edit(repo / ANA_DIARY)
    commit(repo)
    result = invoke(repo, "check", "--changes", "main~1..main", "--as", "ben-gh")
    assert result.exit_code == 1
    line = next(x for x in result.output.splitlines() if "rent-strike" in x)
    assert line.startswith(f"content/{ANA_DIARY}:1: error: ben-gh may not change ana's diaries")
    assert "GitHub user ana-gh" in line
    assert "ask a maintainer" in line


def test_github_format_turns_problems_into_annotations(repo: Path) -> None:
    edit(repo / "members/ana.yaml", "bio: changed by someone else\n")
    commit(repo)
    result = invoke(repo, "check", "--changes", "main~1..main", "--as", "ben-gh", "--format", "github")
    assert result.exit_code == 1
    assert "::error file=content/members/ana.yaml,line=1::ben-gh may not change ana's member file" in result.output


def test_taking_over_a_member_file_by_changing_its_github_field_fails(repo: Path) -> None:
    member = repo / "members/ana.yaml"
    member.write_text(member.read_text(encoding="utf-8").replace("github: ana-gh", "github: ben-gh"), encoding="utf-8")
    edit(repo / ANA_DIARY)
    commit(repo)
    result = invoke(repo, "check", "--changes", "main~1..main", "--as", "ben-gh")
    assert result.exit_code == 1
    assert "content/members/ana.yaml:1: error: ben-gh may not change ana's member file" in result.output
    assert f"content/{ANA_DIARY}:1: error" in result.output


def test_moving_a_diary_into_someone_elses_folder_fails(repo: Path) -> None:
    git(repo.parent, "mv", f"content/{BEN_DIARY}", "content/diaries/ana/2026-02-14-bus-routes-matter.md")
    commit(repo)
    result = invoke(repo, "check", "--changes", "main~1..main", "--as", "ben-gh")
    assert result.exit_code == 1
    assert "content/diaries/ana/2026-02-14-bus-routes-matter.md:1: error: ben-gh may not change ana's" in result.output


def test_a_new_member_file_must_name_the_login_that_adds_it(repo: Path) -> None:
    (repo / "members/cleo.yaml").write_text("name: Cleo\nbio: New.\ngithub: cleo-gh\n", encoding="utf-8")
    (repo / "diaries/cleo").mkdir()
    (repo / "diaries/cleo/2026-11-20-hello.md").write_text(
        "---\ntitle: Hello\ndate: 2026-11-20\ntags: [Hello]\n---\n\nHi.\n"
    )
    commit(repo)
    ok = invoke(repo, "check", "--changes", "main~1..main", "--as", "cleo-gh")
    assert ok.exit_code == 0, ok.output
    wrong = invoke(repo, "check", "--changes", "main~1..main", "--as", "mallory")
    assert wrong.exit_code == 1
    assert (
        "content/members/cleo.yaml:3: error: this new member file says `github: cleo-gh`, "
        "but the change comes from mallory; write `github: mallory`" in wrong.output
    )
    assert "content/diaries/cleo/2026-11-20-hello.md:1: error: mallory may not change cleo's diaries" in wrong.output


def test_maintainers_may_change_anything(repo: Path) -> None:
    edit(repo / ANA_DIARY)
    edit(repo / "members/ben.yaml", "bio: edited by a maintainer\n")
    commit(repo)
    report = Report(root=repo.parent)
    settings = site_settings(repo, repo.parent / "output", PUBLISH={"MAINTAINERS": ["ana"]})  # a handle: ana-gh
    check_changes(report, settings, "main~1..main", "ANA-GH")
    assert report.problems == []
    check_changes(report, settings, "main~1..main", "ben-gh")
    assert [p.path for p in report.errors] == [f"content/{ANA_DIARY}"]


def test_a_change_cannot_make_its_author_a_maintainer(repo: Path) -> None:
    config = repo.parent / "pelicanconf.py"
    config.write_text('PUBLISH = {"MAINTAINERS": ["ana"]}\n', encoding="utf-8")
    commit(repo, "settings")
    config.write_text('PUBLISH = {"MAINTAINERS": ["ana", "ben"]}\n', encoding="utf-8")
    edit(repo / ANA_DIARY)
    commit(repo)
    settings = site_settings(repo, repo.parent / "output", PUBLISH={"MAINTAINERS": ["ana", "ben"]})  # as at HEAD
    report = Report(root=repo.parent)
    check_changes(report, settings, "main~1..main", "ben-gh")
    assert [p.path for p in report.errors] == [f"content/{ANA_DIARY}"]
    report = Report(root=repo.parent)
    check_changes(report, settings, "main~1..main", "ana-gh")
    assert report.problems == []


def test_shared_content_and_code_are_left_to_review(repo: Path) -> None:
    (repo / "groups/new-group.md").write_text("---\ntitle: New\n---\n\nA group.\n", encoding="utf-8")
    (repo.parent / "README.md").write_text("hello\n", encoding="utf-8")
    commit(repo)
    result = invoke(repo, "check", "--changes", "main~1..main", "--as", "ben-gh")
    assert "may not change" not in result.output


def test_bad_ranges_and_half_options_are_explained(repo: Path) -> None:
    result = invoke(repo, "check", "--changes", "nosuch..main", "--as", "ben-gh")
    assert result.exit_code == 1
    assert "content:1: error: ownership check:" in result.output
    half = invoke(repo, "check", "--changes", "main~1..main")
    assert half.exit_code == 2
    assert "--changes BASE..HEAD and --as LOGIN go together" in half.output


def test_codeowners_lists_each_members_files_with_the_maintainers(copy_fixture) -> None:
    content = copy_fixture("basic")
    target = content.parent / "CODEOWNERS"
    result = invoke(content, "codeowners", "--output", str(target))
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert "/content/members/ana.yaml @ana-gh " in text
    assert "/content/diaries/ana/ @ana-gh " in text
    assert "/content/diaries/ben/ @ben-gh " in text
    assert re.search(r"^\* @", text, re.MULTILINE)  # maintainers own everything else
    assert invoke(content, "codeowners", "--output", str(target), "--check").exit_code == 0
    (content / "members/ben.yaml").write_text("name: Ben Osei\ngithub: ben-new\n", encoding="utf-8")
    stale = invoke(content, "codeowners", "--output", str(target), "--check")
    assert stale.exit_code == 1
    assert "out of date" in stale.output


def test_two_members_with_one_github_account_is_an_error(copy_fixture) -> None:
    content = copy_fixture("basic")
    (content / "members/cleo.yaml").write_text("name: Cleo\ngithub: ANA-gh\n", encoding="utf-8")
    result = invoke(content, "check")
    assert result.exit_code == 1
    assert "content/members/cleo.yaml:2: error: the GitHub account 'ANA-gh' is already ana's" in result.output


@pytest.fixture
def fake_rsync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An ``rsync`` on PATH that records its arguments, one per line."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "rsync-args.txt"
    script = bin_dir / "rsync"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{log}"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


def test_publish_builds_with_publishconf_and_rsyncs_over_ssh(copy_fixture, tmp_path: Path, fake_rsync: Path) -> None:
    content = copy_fixture("basic")
    output = tmp_path / "site"
    result = invoke(content, "publish", "--target", "deploy@example.org:/var/www/net/", "--dry-run", output=output)
    assert result.exit_code == 0, result.output
    args = fake_rsync.read_text(encoding="utf-8").splitlines()
    assert args[0] == "--archive"
    assert {"--compress", "--checksum", "--delete", "--dry-run"} <= set(args)
    assert args[args.index("-e") + 1] == "ssh -p 22"
    assert args[-2:] == [f"{output}/", "deploy@example.org:/var/www/net/"]
    assert "Dry run: nothing was changed" in result.output
    assert 'href="https://commons.example.org/' in read(output, "index.html")  # publishconf.py's SITEURL
    assert (output / "index.html.gz").is_file()


def test_publish_without_a_target_says_how_to_set_one(copy_fixture, tmp_path: Path, fake_rsync: Path) -> None:
    result = invoke(copy_fixture("basic"), "publish", output=tmp_path / "site")
    assert result.exit_code == 2
    assert "set PUBLISH = {'RSYNC_TARGET': 'user@host:/var/www/site/'}" in result.output
    assert not fake_rsync.exists()


def test_rsync_command_uses_the_ssh_settings() -> None:
    from publish.deploy import rsync_command
    from publish.spec import DEFAULTS

    options = {**DEFAULTS, "SSH_PORT": 2222, "SSH_KEY": "/keys/deploy key", "DELETE": False, "RSYNC_TARGET": "h:/w/"}
    command = rsync_command(Path("/srv/out"), options)
    assert command[command.index("-e") + 1] == "ssh -p 2222 -i '/keys/deploy key'"
    assert "--delete" not in command
    assert command[-2:] == ["/srv/out/", "h:/w/"]


def test_sitemap_robots_css_version_and_gzip_on_a_published_build(site) -> None:
    result = site("basic", publish=True)
    out = result.output
    sitemap = read(out, "sitemap.xml")
    assert "<loc>https://commons.example.org/</loc>" in sitemap
    # a diary's lastmod is its latest update; its author's page changes with it
    assert (
        "<loc>https://commons.example.org/diaries/ana/rent-strike-notes/</loc><lastmod>2026-03-10</lastmod>" in sitemap
    )
    assert "<loc>https://commons.example.org/members/ana/</loc><lastmod>2026-03-10</lastmod>" in sitemap
    assert "404" not in sitemap and "draft-thoughts" not in sitemap and "/theme/" not in sitemap
    assert all(loc.startswith("https://commons.example.org/") for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap))
    robots = read(out, "robots.txt")
    assert "User-agent: *" in robots
    assert "Sitemap: https://commons.example.org/sitemap.xml" in robots
    page = read(out, "diaries/ana/rent-strike-notes/index.html")
    assert re.search(r'href="https://commons.example.org/theme/css/site.css\?v=[0-9a-f]{10}"', page)
    assert '<link rel="canonical" href="https://commons.example.org/diaries/ana/rent-strike-notes/">' in page
    for name in ("index.html", "sitemap.xml", "theme/css/site.css", "feeds/all.atom.xml"):
        assert gzip.decompress((out / f"{name}.gz").read_bytes()) == (out / name).read_bytes()
    assert not (out / "robots.txt.gz").exists()  # not a precompressed kind


def test_pages_other_than_diaries_load_one_joined_stylesheet(site) -> None:
    """One stylesheet request on every page: a diary loads site.css (its budget), the others
    all.css, which is site.css then pages.css, made by the build and cache-busted like them."""
    out = site("basic", publish=True).output
    sheets = re.compile(
        r'<link rel="stylesheet" href="https://commons.example.org/theme/css/([a-z]+\.css)\?v=[0-9a-f]{10}">'
    )
    assert sheets.findall(read(out, "diaries/ana/rent-strike-notes/index.html")) == ["site.css"]
    for page in ("index.html", "members/ana/index.html", "tags/housing/index.html", "404.html"):
        assert sheets.findall(read(out, page)) == ["all.css"], page
    css = out / "theme/css"
    assert (css / "all.css").read_bytes() == (css / "site.css").read_bytes() + b"\n" + (css / "pages.css").read_bytes()
    assert gzip.decompress((css / "all.css.gz").read_bytes()) == (css / "all.css").read_bytes()


def test_development_builds_skip_gzip_and_use_the_feed_domain(site) -> None:
    out = site("basic").output
    assert "<loc>http://localhost:8000/diaries/ben/bus-routes-matter/</loc>" in read(out, "sitemap.xml")
    assert not list(out.rglob("*.gz"))


def test_css_version_changes_with_the_stylesheet(copy_fixture, tmp_path: Path) -> None:
    from conftest import ROOT, build_site

    theme = tmp_path / "theme"
    import shutil

    shutil.copytree(ROOT / "theme", theme)
    content = copy_fixture("basic")
    first = read(build_site(content, tmp_path / "a", THEME=str(theme)).output, "index.html")
    edit(theme / "static/css/site.css", "\n.x { color: red; }\n")
    second = read(build_site(content, tmp_path / "b", THEME=str(theme)).output, "index.html")
    version = re.compile(r"all\.css\?v=([0-9a-f]{10})")
    assert version.search(first).group(1) != version.search(second).group(1)


def test_a_networks_own_robots_rules_are_kept(copy_fixture, tmp_path: Path) -> None:
    from conftest import build_site

    content = copy_fixture("basic")
    result = build_site(content, tmp_path / "out", PUBLISH={"ROBOTS_RULES": "User-agent: *\nDisallow: /private/\n"})
    assert not result.errors
    robots = read(result.output, "robots.txt")
    assert "User-agent: *\nDisallow: /private/\n" in robots and "Allow: /" not in robots
    assert robots.endswith("Sitemap: http://localhost:8000/sitemap.xml\n")


def test_every_demo_page_is_in_the_sitemap(demo_output: Path) -> None:
    sitemap = read(demo_output, "sitemap.xml")
    pages = [
        p for p in demo_output.rglob("index.html") if not p.relative_to(demo_output).as_posix().startswith("theme/")
    ]
    for page in pages:
        address = page.relative_to(demo_output).as_posix().removesuffix("index.html")
        if 'name="robots" content="noindex' not in page.read_text(encoding="utf-8"):
            assert f"<loc>https://commons.example.org/{address}</loc>" in sitemap
        canonical = re.findall(r'<link rel="canonical" href="([^"]+)">', page.read_text(encoding="utf-8"))
        assert canonical == [f"https://commons.example.org/{address}"], page


def test_web_links_open_githubs_editor_on_a_file_that_checks_clean(copy_fixture) -> None:
    from urllib.parse import parse_qs, urlsplit

    content = copy_fixture("basic")
    result = invoke(content, "web-links", "--repo", "commons/network", "ana")
    assert result.exit_code == 0, result.output
    new, edit_url = [line for line in result.output.splitlines() if line.startswith("https://")]
    assert new.startswith(
        "https://github.com/commons/network/new/main?filename=content%2Fdiaries%2Fana%2F2026-11-22-my-title.md&value="
    )
    assert edit_url == "https://github.com/commons/network/edit/main/content/members/ana.yaml"
    query = parse_qs(urlsplit(new).query)
    (content.parent / query["filename"][0]).write_text(query["value"][0], encoding="utf-8")
    assert invoke(content, "check").exit_code == 0
    join = invoke(content, "web-links", "--repo", "commons/network")
    assert (
        "https://github.com/commons/network/new/main?filename=content%2Fmembers%2FYOUR-HANDLE.yaml&value="
        in join.output
    )


def test_a_diary_page_and_its_stylesheet_weigh_under_30_kb(demo_output: Path, record_property) -> None:
    """The reading page within 30 kB. A comment thread grows with the conversation, so it is
    measured apart and reported (its styles, comments.css, load only with a thread): its markup
    beyond the comments' own text stays under 900 B a comment."""
    from netroots.budget import BUDGET_BYTES, THREAD_MARKUP_PER_COMMENT, diary_pages, diary_weight, measure_thread

    weight = diary_weight(demo_output)
    record_property("measured", weight.summary())  # printed at the end of the run (conftest.py)
    assert weight.total_bytes < BUDGET_BYTES, weight.summary()
    assert weight.thread.comments > 0, "the demo has a conversation to measure"
    for path in diary_pages(demo_output):
        thread = measure_thread(path.read_bytes())
        assert thread.markup_per_comment < THREAD_MARKUP_PER_COMMENT, f"{path}: {thread}"


def test_the_budget_leaves_the_thread_out_and_reports_it(tmp_path: Path) -> None:
    from netroots.budget import diary_weight

    css = tmp_path / "theme/css"
    css.mkdir(parents=True)
    (css / "site.css").write_text("a{}" * 100, encoding="utf-8")
    (css / "comments.css").write_text("b{}" * 10, encoding="utf-8")
    thread = (
        '<section class="comments" id="comments"><ol class="thread"><li class="comment" id="c-1">'
        + "words " * 500
        + '</li></ol><section class="responses"><h3 id="responses-heading">R</h3></section></section>'
    )
    for slug, body in (("quiet", "x" * 2000), ("talked", "y" * 1000 + thread)):
        page = tmp_path / f"diaries/ana/{slug}/index.html"
        page.parent.mkdir(parents=True)
        page.write_text(f"<main>{body}</main><footer></footer>", encoding="utf-8")
    weight = diary_weight(tmp_path)
    assert (
        weight.page == "diaries/ana/quiet/index.html"
        and weight.html_bytes == len("<main></main><footer></footer>") + 2000
    )
    assert weight.thread_page == "diaries/ana/talked/index.html" and weight.thread.bytes == len(thread)
    assert weight.thread.comments == 1 and weight.comments_css_bytes == 30 and weight.css_bytes == 300
    lines = weight.summary().splitlines()
    assert lines[0].startswith("diary page budget: diaries/ana/quiet/index.html: HTML 2,030 B")
    assert lines[1].startswith(
        f"comment thread, counted apart: largest diaries/ana/talked/index.html: {len(thread):,} B"
    )


def test_workflows_check_test_build_deploy_and_refresh_nightly() -> None:
    import yaml
    from conftest import ROOT

    def load(name: str) -> dict:
        data = yaml.safe_load((ROOT / ".github/workflows" / name).read_text(encoding="utf-8"))
        data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
        return data

    def runs(job: dict) -> str:
        return "\n".join(step.get("run", "") for step in job["steps"])

    def uses(job: dict) -> list[str]:
        return [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]

    pr = load("pr.yml")
    assert "pull_request" in pr["on"]
    check = runs(pr["jobs"]["check"])
    assert re.search(
        r"base/tasks\.py --content content check --format github --changes \"\$BASE_SHA\.\.HEAD\" --as \"\$AUTHOR\"",
        check,
    )  # the base branch's code (tests/test_hardening.py has the rest)
    assert pr["jobs"]["check"]["steps"][1]["with"]["fetch-depth"] == 0  # the base commit is there to diff
    assert "python -m pytest" in runs(pr["jobs"]["test"])
    assert "tasks.py build" in runs(pr["jobs"]["build"])

    publish = load("publish.yml")
    assert publish["on"]["push"]["branches"] == ["main"]
    assert publish["on"]["schedule"][0]["cron"].split()[2:] == ["*", "*", "*"]  # every night
    build = publish["jobs"]["build"]
    steps = runs(build)
    assert steps.index("tasks.py fetch") < steps.index("tasks.py build --publish")
    assert next(s for s in build["steps"] if "tasks.py fetch" in s.get("run", ""))["continue-on-error"] is True
    cache = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == ".cache"
    assert {"actions/configure-pages", "actions/upload-pages-artifact"} <= set(uses(build))
    assert uses(publish["jobs"]["deploy"]) == ["actions/deploy-pages"]
    assert publish["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_the_sitemaps_dates_take_each_diarys_fixed_address_and_each_members_once() -> None:
    """``collect_dates`` asked Pelican's ``url`` of each of 50,000 diaries (formatted at each
    ask) and made its member's page address once a diary; same dates from the fixed address
    and one address a member."""
    import datetime as dt
    from types import SimpleNamespace

    from publish.hygiene import collect_dates, last_changed

    asked: list[str] = []

    class Diary:
        def __init__(self, slug: str, author: Any, day: int) -> None:
            self.slug, self.author, self.date = slug, author, dt.datetime(2026, 3, day)
            self.override_url = f"diaries/{slug}/"

        @property
        def url(self) -> str:
            asked.append(self.slug)
            return self.override_url

    class Member:
        def __init__(self, slug: str) -> None:
            self._slug = slug

        @property
        def slug(self) -> str:
            asked.append(self._slug)
            return self._slug

    ana, ben = Member("ana"), Member("ben")
    diaries = [Diary(f"d{day}", ana if day % 2 else ben, day) for day in range(1, 9)]
    settings: dict[str, Any] = {}
    collect_dates([SimpleNamespace(settings=settings, articles=diaries, pages=[])])
    lastmod = last_changed(settings)
    assert lastmod["members/ana/"] == dt.date(2026, 3, 7) and lastmod["members/ben/"] == dt.date(2026, 3, 8)
    assert lastmod["diaries/d3/"] == dt.date(2026, 3, 3) and len(lastmod) == 10
    assert sorted(asked) == ["ana", "ben"]
