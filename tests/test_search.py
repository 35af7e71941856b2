"""Search: the /search/ page, what Pagefind indexes, the CSP, the Whoosh index and its uses."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, build_fixture_once, build_site, pagefind_pages, read, site_settings

CLUSTERS = {
    "housing": {"ana/rent-strike-notes", "ben/tenants-union-first-vote", "cara/eviction-court-watch"},
    "libraries": {
        "ana/saving-sunday-library-hours",
        "ben/library-board-budget-fight",
        "cara/bookmobile-returns",
        "cara/a-story-about-our-branch",  # untagged, but about a library
    },
    "canvassing": {
        "ana/door-knocking-in-the-rain",
        "ben/phone-banking-script",
        "cara/what-voters-told-us-at-the-doors",
    },
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The search fixture network, built once for the read-only tests of this file."""
    return build_fixture_once(tmp_path_factory, "search")


def fresh_copy(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "search", tmp_path / "net")
    return tmp_path / "net" / "content"


def related_ids(output: Path, diary: str) -> list[str]:
    page = read(output, f"diaries/{diary}/index.html")
    aside = page[page.index('class="related-diaries"') :]
    aside = aside[: aside.index("</aside>")]
    return re.findall(r'href="[./]*/?diaries/([^"]+?)/"', aside)


def test_search_page_has_a_labelled_field_filters_and_a_status_region(built: Path) -> None:
    page = read(built, "search/index.html")
    assert '<label for="search-q">' in page and 'id="search-q" name="q" type="search"' in page
    assert 'role="status"' in page
    assert '<option value="cara">Cara Lind</option>' in page
    assert '<option value="Libraries">Libraries</option>' in page
    assert '<option value="TX">TX</option>' in page
    assert '<option value="diary">Diaries</option>' in page
    assert re.search(r'<script type="module" src="\.\./theme/js/search\.js(\?v=\w+)?"></script>', page)
    assert "data-pagefind-body" not in page  # the search page is never a result
    assert (built / "theme/js/search.js").is_file()


def test_every_page_has_the_header_form_and_no_search_script(built: Path) -> None:
    page = read(built, "diaries/ana/rent-strike-notes/index.html")
    assert re.search(r'<form class="header-search" role="search" action="[./]*/search/" method="get">', page)
    assert 'name="q"' in page
    assert "search.js" not in page and "pagefind" not in page.replace("data-pagefind", "")


def test_pages_carry_the_configured_content_security_policy(built: Path) -> None:
    from netroots.build import load_settings

    policy = load_settings()["CONTENT_SECURITY_POLICY"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self' 'wasm-unsafe-eval'"
    assert directives["connect-src"] == "'self'"
    assert "worker-src" not in directives  # Pagefind runs on the page (noWorker), not in a worker
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    for path in ("index.html", "search/index.html", "diaries/cara/bookmobile-returns/index.html"):
        meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', read(built, path))
        assert meta and meta.group(1).replace("&#39;", "'") == policy, path


def test_only_main_content_is_marked_for_pagefind(built: Path) -> None:
    diary = read(built, "diaries/cara/bookmobile-returns/index.html")
    body_at = diary.index("data-pagefind-body")
    assert diary.index('<span data-pagefind-filter="kind">diary</span>') > body_at
    assert '<span data-pagefind-filter="member">cara</span>' in diary
    assert '<span data-pagefind-filter="state">TX</span>' in diary
    assert '<span data-pagefind-filter="tag">Libraries</span>' in diary
    assert diary.index("</article>", body_at) < diary.index('class="related-diaries"')
    for listing in ("index.html", "diaries/index.html", "tags/libraries/index.html", "search/index.html"):
        assert "data-pagefind-body" not in read(built, listing), listing


def test_pagefind_indexes_main_content_only(built: Path) -> None:
    pages = pagefind_pages(built)
    diaries = {url for url in pages if url.startswith("/diaries/")}
    assert diaries == {f"/diaries/{diary}/" for cluster in CLUSTERS.values() for diary in cluster}
    assert "/about/" in pages
    for listing in ("/", "/diaries/", "/tags/", "/tags/libraries/", "/search/"):
        assert listing not in pages
    bookmobile = pages["/diaries/cara/bookmobile-returns/"]
    assert bookmobile["filters"] == {"kind": ["diary"], "member": ["cara"], "tag": ["Libraries"], "state": ["TX"]}
    assert bookmobile["meta"]["title"] == "The bookmobile returns to the county"
    assert bookmobile["meta"]["date"] == "2026-07-20"
    assert "Related diaries" not in bookmobile["content"]  # the related box is outside the main content
    assert "Skip to content" not in bookmobile["content"]


@pytest.mark.parametrize("cluster", sorted(CLUSTERS))
def test_related_diaries_come_from_the_same_topic_cluster(built: Path, cluster: str) -> None:
    for diary in sorted(CLUSTERS[cluster]):
        related = related_ids(built, diary)
        assert related, diary
        assert diary not in related
        assert set(related[:2]) <= CLUSTERS[cluster] - {diary}, (diary, related)


def test_terminal_search_ranks_the_best_match_first(tmp_path: Path) -> None:
    import tasks

    content = fresh_copy(tmp_path)
    runner = CliRunner()
    result = runner.invoke(tasks.cli, ["--content", str(content), "search", "eviction", "court"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("1. Eviction court watch  (diary · @cara · 2026-04-12)")
    assert "diaries/cara/eviction-court-watch/" in lines[1]
    assert "eviction" in lines[2].lower()

    result = runner.invoke(tasks.cli, ["--content", str(content), "search", "library", "--member", "ben", "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)["results"]
    assert [hit["url"] for hit in found][:1] == ["diaries/ben/library-board-budget-fight/"]
    assert {hit["member"] for hit in found} == {"ben"}
    assert "<mark>library</mark>" in found[0]["snippet"].lower()

    result = runner.invoke(tasks.cli, ["--content", str(content), "search", "rent", "--tag", "Canvassing", "--json"])
    urls = {hit["url"] for hit in json.loads(result.output)["results"]}
    assert urls == {"diaries/ben/phone-banking-script/", "diaries/cara/what-voters-told-us-at-the-doors/"}

    result = runner.invoke(tasks.cli, ["--content", str(content), "search", "libraries", "--json"])
    kinds = {hit["url"]: hit["kind"] for hit in json.loads(result.output)["results"]}
    assert kinds["about/"] == "page" and kinds["diaries/ben/library-board-budget-fight/"] == "diary"
    result = runner.invoke(tasks.cli, ["--content", str(content), "search", "libraries", "--kind", "page", "--json"])
    assert [hit["url"] for hit in json.loads(result.output)["results"]] == ["about/"]
    result = runner.invoke(tasks.cli, ["--content", str(content), "search", "libraries", "--kind", "diary", "--json"])
    found = json.loads(result.output)["results"]
    assert found and {hit["kind"] for hit in found} == {"diary"}

    result = runner.invoke(tasks.cli, ["--content", str(content), "search", "zeppelin"])
    assert result.exit_code == 1 and "No results for 'zeppelin'" in result.output


def test_one_edit_and_one_deletion_update_only_those_documents(tmp_path: Path) -> None:
    from search.generator import refresh_from_content, search_index

    from netroots.members import load_members
    from netroots.report import Report

    content = fresh_copy(tmp_path)
    output = tmp_path / "output"
    assert not build_site(content, output).errors
    settings = site_settings(content, output)
    members = load_members(content, Report())
    _, stats = refresh_from_content(settings, members)
    assert (len(stats.added), stats.changed, stats.removed, stats.unchanged) == (11, [], [], 0)  # builds leave it
    _, stats = refresh_from_content(settings, members)
    assert (stats.added, stats.changed, stats.removed, stats.unchanged) == ([], [], [], 11)

    edited = content / "diaries/ana/2026-03-01-rent-strike-notes.md"
    edited.write_text(edited.read_text().replace("laundry room", "zeppelin hangar"), encoding="utf-8")
    (content / "diaries/ben/2026-02-10-tenants-union-first-vote.md").unlink()
    index, stats = refresh_from_content(settings, members)
    assert stats.changed == ["diaries/ana/2026-03-01-rent-strike-notes.md"]
    assert stats.removed == ["diaries/ben/2026-02-10-tenants-union-first-vote.md"]
    assert stats.added == [] and stats.unchanged == 9
    assert [hit.url for hit in index.search("zeppelin")] == ["diaries/ana/rent-strike-notes/"]
    assert index.search("laundry") == []
    assert all(hit.url != "diaries/ben/tenants-union-first-vote/" for hit in index.search("tenants union"))

    # A build leaves the terminal index alone, and drops the deleted diary from related lists.
    before = {path.name: path.stat().st_mtime_ns for path in search_index(settings).folder.iterdir()}
    assert not build_site(content, output).errors
    assert {path.name: path.stat().st_mtime_ns for path in search_index(settings).folder.iterdir()} == before
    assert "ben/tenants-union-first-vote" not in related_ids(output, "cara/eviction-court-watch")
    assert "zeppelin hangar" in read(output, "diaries/ana/rent-strike-notes/index.html")


def test_rebuilds_redo_only_what_changed(tmp_path: Path, caplog) -> None:
    import logging

    content = fresh_copy(tmp_path)
    assert not build_site(content, tmp_path / "output").errors

    def rebuild() -> list[str]:
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="search"):
            assert not build_site(content, tmp_path / "output").errors
        return [r.getMessage() for r in caplog.records if r.name.startswith("search")]

    messages = rebuild()
    assert any("related diaries of 11 documents recomputed for 0 " in m for m in messages), messages
    assert any("Pagefind's bundle is up to date" in m for m in messages)

    edited = content / "diaries/cara/2026-07-20-bookmobile-returns.md"
    edited.write_text(edited.read_text() + "\nThe bookmobile has a new driver.\n", encoding="utf-8")
    messages = rebuild()
    # Signatures are all recomputed, lists only where they can change: the edited diary's and
    # those its new weights can enter or leave (equal to a clean build's: tests/test_incremental.py).
    recomputed = [m for m in messages if "related diaries of 11 documents" in m]
    assert recomputed and 1 <= int(recomputed[0].split("recomputed for ")[1].split()[0]) < 10, messages
    assert any("Pagefind indexed" in m for m in messages)
    assert "new driver" in pagefind_pages(tmp_path / "output")["/diaries/cara/bookmobile-returns/"]["content"]


def test_an_edit_re_indexes_one_part_of_pagefind_and_equals_a_clean_build(tmp_path: Path, caplog) -> None:
    import logging

    content = fresh_copy(tmp_path)
    output = tmp_path / "output"
    search = {"pagefind_part_pages": 4}
    assert not build_site(content, output, SEARCH=search).errors
    parts = json.loads((output / "pagefind/parts.json").read_text())["parts"]
    assert len(parts) >= 3
    for removed in ("diaries/ben/2026-02-10-tenants-union-first-vote.md", None):
        if removed:
            (content / removed).unlink()
        edited = content / "diaries/cara/2026-07-20-bookmobile-returns.md"
        edited.write_text(edited.read_text() + "\nThe bookmobile has a new driver.\n", encoding="utf-8")
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="search"):
            assert not build_site(content, output, SEARCH=search).errors
        ran = [r.getMessage() for r in caplog.records if "Pagefind indexed" in r.getMessage()]
        assert ran and int(ran[0].split("indexed ")[1].split()[0]) < len(parts), ran
        clean = tmp_path / f"clean-{bool(removed)}"
        shutil.copytree(content.parent, clean, ignore=shutil.ignore_patterns(".cache", "output"))
        assert not build_site(clean / "content", clean / "output", SEARCH=search).errors
        got, want = pagefind_pages(output), pagefind_pages(clean / "output")
        assert sorted(got) == sorted(want)
        assert {url: page["content"] for url, page in got.items()} == {
            url: page["content"] for url, page in want.items()
        }
    assert "/diaries/ben/tenants-union-first-vote/" not in got


def test_the_count_of_pagefind_parts_stays_while_the_network_grows_a_little() -> None:
    from search.pagefind import part_count, part_of

    assert part_count(1500, None, 1000) == 1
    assert part_count(12_500, None, 1000) == 12
    assert part_count(12_501, 12, 1000) == part_count(6_000, 12, 1000) == 12
    assert part_count(30_000, 12, 1000) == 30
    assert part_of("diaries/ana/x/index.html", 12) == part_of("diaries/ana/x/index.html", 12)


def counted_pagefind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, note: str = "run") -> Path:
    """Point PAGEFIND_BINARY_PATH at a wrapper that notes each run in the returned file, a line
    a run (``note``: what the line says; "$2", the folder of pages)."""
    from search.pagefind import pagefind_executable

    runs, wrapper = tmp_path / "pagefind-runs", tmp_path / "pagefind-counted"
    wrapper.write_text(f'#!/bin/sh\necho "{note}" >> "{runs}"\nexec "{pagefind_executable()}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(wrapper))
    return runs


def pagefind_runs(runs: Path) -> int:
    return len(runs.read_text().splitlines()) if runs.exists() else 0


def built_with_kept_pagefind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog) -> tuple[Path, Path, Path]:
    """The search fixture built once with parts of about 4 pages: (content, output, Pagefind's runs)."""
    runs = counted_pagefind(tmp_path, monkeypatch)
    content, output = fresh_copy(tmp_path), tmp_path / "output"
    pagefind_said(content, output, caplog, pagefind_part_pages=4)
    return content, output, runs


def pagefind_said(content: Path, output: Path, caplog, **search: object) -> str:
    """Build and return what the build logged about Pagefind."""
    import logging

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="search"):
        assert not build_site(content, output, SEARCH=search).errors
    return " ".join(r.getMessage() for r in caplog.records if "Pagefind" in r.getMessage())


def bundle_files(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in (output / "pagefind").rglob("*") if p.is_file()}


def test_a_build_after_output_was_removed_restores_pagefind_without_running_it(
    tmp_path: Path, caplog, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, output, runs = built_with_kept_pagefind(tmp_path, monkeypatch, caplog)
    parts = len(json.loads((output / "pagefind/parts.json").read_text())["parts"])
    assert parts >= 3 and pagefind_runs(runs) == parts  # parts without pages are not listed
    first = bundle_files(output)

    shutil.rmtree(output)  # what CI does before every deploy, .cache/ kept
    said = pagefind_said(content, output, caplog, pagefind_part_pages=4)
    assert pagefind_runs(runs) == parts, said
    assert f"indexed 0 of {parts} parts" in said and f"restored {parts} from .cache" in said
    assert bundle_files(output) == first
    assert "bookmobile" in pagefind_pages(output)["/diaries/cara/bookmobile-returns/"]["content"].lower()

    listed = json.loads((output / "pagefind/parts.json").read_text())["parts"]
    next((output / "pagefind" / listed[0] / "fragment").iterdir()).unlink()  # a part left incomplete in output/
    said = pagefind_said(content, output, caplog, pagefind_part_pages=4)
    assert pagefind_runs(runs) == parts and "restored 1 from" in said
    assert bundle_files(output) == first

    shutil.rmtree(output)  # .cache/ saved and restored with times to the whole second (tar's default format)
    for kept in (content.parent / ".cache/search/pagefind-bundles").rglob("*"):
        seconds = kept.stat().st_mtime_ns // 10**9 * 10**9
        os.utime(kept, ns=(seconds, seconds))
    said = pagefind_said(content, output, caplog, pagefind_part_pages=4)
    assert pagefind_runs(runs) == parts and f"restored {parts} from" in said
    assert bundle_files(output) == first


def test_after_an_edit_and_removing_output_only_the_edited_part_is_indexed(
    tmp_path: Path, caplog, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, output, runs = built_with_kept_pagefind(tmp_path, monkeypatch, caplog)
    parts = pagefind_runs(runs)
    edited = content / "diaries/cara/2026-07-20-bookmobile-returns.md"
    edited.write_text(edited.read_text() + "\nThe bookmobile has a new driver.\n", encoding="utf-8")
    shutil.rmtree(output)
    said = pagefind_said(content, output, caplog, pagefind_part_pages=4)
    indexed, restored = (int(said.split(word)[1].split()[0]) for word in ("indexed ", "restored "))
    assert 1 <= indexed < parts and indexed + restored == parts, said
    assert pagefind_runs(runs) == parts + indexed
    clean = tmp_path / "clean"
    shutil.copytree(content.parent, clean, ignore=shutil.ignore_patterns(".cache", "output"))
    pagefind_said(clean / "content", clean / "output", caplog, pagefind_part_pages=4)
    got, want = pagefind_pages(output), pagefind_pages(clean / "output")
    assert {url: page["content"] for url, page in got.items()} == {url: page["content"] for url, page in want.items()}
    assert "new driver" in got["/diaries/cara/bookmobile-returns/"]["content"]


def test_a_broken_kept_bundle_is_indexed_again(tmp_path: Path, caplog, monkeypatch: pytest.MonkeyPatch) -> None:
    content, output, runs = built_with_kept_pagefind(tmp_path, monkeypatch, caplog)
    parts, first = json.loads((output / "pagefind/parts.json").read_text())["parts"], pagefind_pages(output)
    kept = content.parent / ".cache/search/pagefind-bundles"
    with open(kept / parts[0] / "pagefind-entry.json", "r+b") as entry:  # written in place: output/'s link too
        entry.write(b" ")
    (kept / parts[1] / "pagefind-entry.json").unlink()
    (kept / f"{parts[2]}.json").unlink()  # a build stopped before the part's record was written
    shutil.rmtree(output)
    said = pagefind_said(content, output, caplog, pagefind_part_pages=4)
    assert f"indexed 3 of {len(parts)} parts" in said and f"restored {len(parts) - 3} from" in said
    assert pagefind_runs(runs) == len(parts) + 3
    for part in parts:
        json.loads((output / "pagefind" / part / "pagefind-entry.json").read_text())
    assert {url: page["content"] for url, page in pagefind_pages(output).items()} == {
        url: page["content"] for url, page in first.items()
    }
    with open(output / "pagefind" / parts[1] / "pagefind-entry.json", "r+b") as entry:  # output/ kept this time
        entry.write(b" ")
    assert f"indexed 1 of {len(parts)} parts" in pagefind_said(content, output, caplog, pagefind_part_pages=4)
    json.loads((output / "pagefind" / parts[1] / "pagefind-entry.json").read_text())
    pagefind_said(content, output, caplog)  # parts of 500 pages: one part, the others are dropped
    assert sorted(path.name for path in kept.iterdir()) == ["0", "0.json", "0.pages.json"]


def test_check_suggests_existing_tags_for_a_diary_without_tags(tmp_path: Path) -> None:
    from netroots.check import run_check

    content = fresh_copy(tmp_path)
    story = content / "diaries/cara/2026-11-01-a-story-about-our-branch.md"
    story.write_text(story.read_text().replace("tags: [Libraries]", "tags: []"), encoding="utf-8")
    report = run_check(site_settings(content, tmp_path / "output"))
    hints = [str(p) for p in report.problems if "needs at least one tag" in p.message]
    assert len(hints) == 1, [str(p) for p in report.problems]
    assert hints[0].startswith("content/diaries/cara/2026-11-01-a-story-about-our-branch.md:4: error: tags:")
    suggested = hints[0].split("fit this diary: `tags: [", 1)[1].split("]", 1)[0].split(", ")
    assert suggested[0] == "Libraries"


def test_whoosh_work_can_be_switched_off(tmp_path: Path) -> None:
    content = fresh_copy(tmp_path)
    result = build_site(content, tmp_path / "output", SEARCH={"whoosh": False})
    assert not result.errors
    assert 'class="related-diaries"' not in read(result.output, "diaries/ana/rent-strike-notes/index.html")
    assert not (tmp_path / "net/.cache/search/related.sqlite").exists()
    assert not (tmp_path / "net/.cache/search/terms.sqlite").exists()
    assert (result.output / "pagefind/0/pagefind.js").is_file()


def test_a_build_keeps_each_diary_s_signature_from_its_title_tags_and_body(built: Path) -> None:
    from search.related import kept_related

    kept = kept_related(built.parent / ".cache/search")["signatures"]
    assert len(kept) == 10
    bookmobile = kept["diaries/cara/2026-07-20-bookmobile-returns.md"]
    assert "#libraries" in bookmobile and "bookmobil" in bookmobile


def test_only_content_pages_are_indexed_each_with_its_kind(demo_output) -> None:
    import re

    for listing in ("index.html", "diaries/index.html", "actions/index.html", "contacts/index.html",
                    "events/index.html", "chapters/index.html", "chapters/mentors/index.html", "tags/ca-sen/index.html",
                    "jobs/index.html", "search/index.html"):  # fmt: skip
        assert "data-pagefind-body" not in (demo_output / listing).read_text(), listing
    kinds = {
        "diaries/pat-okafor/first-meeting-in-a-library-basement/index.html": "diary",
        "actions/brenner-advertisers/index.html": "action",
        "events/index.html": None,
        "allies/index.html": "ally",
        "about/index.html": "page",
        "members/maria-lopez/index.html": "member",
        "groups/media-watch/index.html": "group",
    }
    for path, kind in kinds.items():
        page = (demo_output / path).read_text()
        found = re.findall(r'data-pagefind-filter="kind">([^<]+)<', page)
        assert found == ([kind] if kind else []), (path, found)


def test_a_build_leaves_the_terminal_index_to_the_first_search(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds never open the Whoosh index (a CI build nobody searches from pays nothing for
    it): ``search`` makes it on first use, with a progress bar, from content/, the built
    pages and the comments the last build kept, and brings it up to date after later builds."""
    from search import cli

    import tasks

    content = FIXTURES / "comments" / "content"
    shutil.copytree(content.parent, tmp_path / "net")
    content, output = tmp_path / "net" / "content", tmp_path / "net" / "output"
    assert not build_site(content, output).errors
    assert not (tmp_path / "net/.cache/search/whoosh").exists()
    monkeypatch.setattr(cli, "PROGRESS_FROM", 1)

    def search(*words: str) -> tuple[dict[str, str], str]:
        result = CliRunner().invoke(
            tasks.cli, ["--content", str(content), "--output", str(output), "search", *words, "--json"]
        )
        assert result.exit_code == 0, result.output
        found = json.loads(result.stdout)["results"]
        return {hit["url"]: hit["kind"] for hit in found}, result.stderr

    found, progress = search("landlord", "answer", "letter")
    assert "Indexing for search" in progress
    assert found == {"diaries/ana/rent-strike-notes/#c-ben.2026-03-02-0900-week-two": "comment"}
    found, progress = search("tenants")
    assert "groups/tenants/" in found and found["groups/tenants/"] == "group", found
    assert "Indexing for search" not in progress  # up to date: nothing indexed again

    comment = content / "comments/ben/2026-03-02-0900-week-two.md"
    comment.write_text(comment.read_text().replace("landlord", "zeppelin captain"), encoding="utf-8")
    assert search("zeppelin")[0] == {}  # as last built
    assert not build_site(content, output).errors
    assert list(search("zeppelin")[0].values()) == ["comment"]


def test_a_build_relates_what_pelican_read_without_parsing_a_file_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Related diaries count the words of the diaries and pages Pelican read: no content file
    is read or rendered again from content/ for them."""
    from search import documents

    def parsed_again(*args, **kwargs):
        raise RuntimeError("a content file was parsed again for related diaries")

    monkeypatch.setattr(documents, "source_documents", parsed_again)
    monkeypatch.setattr(documents, "render_markdown", parsed_again)
    content = fresh_copy(tmp_path)
    result = build_site(content, tmp_path / "output")
    assert not result.errors and not result.warnings, (result.errors, result.warnings)
    for diary in sorted(CLUSTERS["canvassing"]):
        assert set(related_ids(tmp_path / "output", diary)[:2]) <= CLUSTERS["canvassing"] - {diary}


def synthetic_documents(documents: dict[str, list]) -> tuple[dict, object]:
    """``key -> (content hash, kind, url)`` and ``make(key)`` for ``key -> [title, body, tags]``
    (what a build relates of diaries; each url is its key)."""
    import hashlib

    from search.index import Document

    current = {key: (hashlib.sha1(repr(value).encode()).hexdigest(), "diary", key) for key, value in documents.items()}

    def make(key: str) -> Document:
        title, body, tags = documents[key]
        return Document(key=key, url=key, kind="diary", title=title, body=body, tags=tuple(tags))

    return current, make


def synthetic_related(folder: Path, documents: dict[str, list], workers: int = 1, make=None) -> tuple:
    """Related lists (4 each) of the synthetic ``documents``, kept in ``folder``; and the keys recomputed."""
    from search.related import update_related

    current, made = synthetic_documents(documents)
    return update_related(current, make or made, folder, 4, workers)


def clean_signatures(documents: dict[str, list]) -> dict:
    """Every signature computed from scratch: each document's words counted, nothing kept."""
    from search.index import document_frequencies, signature_of
    from search.related import SIGNATURE_TERMS, count_words

    found = count_words(sorted(documents), synthetic_documents(documents)[1])
    frequencies = document_frequencies(found.values())
    return {key: signature_of(found[key], frequencies, len(found), SIGNATURE_TERMS) for key in found}


def _random_steps(
    folder: Path, seed: int, count: int, steps: int, most: int
) -> Iterator[tuple[Path, Path, dict[str, list]]]:
    """Related lists of ``count`` synthetic diaries kept in ``folder / "kept"``, then ``steps``
    rounds of up to ``most`` random changes (a diary edited with a rare word, cut to its first
    paragraph, deleted; one added). After each, the kept lists equal a clean computation's;
    yields (the kept folder, the clean one, the documents) for the test's own checks."""
    import random

    from bench.synthetic import diaries

    rng = random.Random(seed)
    items = diaries(count, count // 10, seed=seed)
    documents = {f"diaries/{item.handle}/{item.slug}.md": [item.title, item.body, item.tags] for item in items}
    synthetic_related(folder / "kept", documents)
    for step in range(steps):
        for _ in range(rng.randint(1, most)):
            key = rng.choice(sorted(documents))
            roll = rng.random()
            if roll < 0.5:
                documents[key][1] += f"\nAn edit, number {step}: zyx{rng.randint(0, 3)} {rng.choice(items).title}.\n"
            elif roll < 0.7:
                documents[key][1] = documents[key][1].split("\n\n", 1)[0]
            elif roll < 0.85:
                del documents[key]
            else:
                other = rng.choice(items)
                documents[f"diaries/new/{step}-{rng.randint(0, 999)}.md"] = [
                    other.title,
                    rng.choice(items).body,
                    other.tags,
                ]
        kept, _ = synthetic_related(folder / "kept", documents)
        (folder / f"clean{step}").mkdir()
        clean, _ = synthetic_related(folder / f"clean{step}", documents)
        assert kept == clean
        yield folder / "kept", folder / f"clean{step}", documents


@pytest.mark.parametrize("seed", range(3))
def test_related_lists_from_kept_words_equal_a_clean_computation(tmp_path: Path, seed: int) -> None:
    """After edits (new rare words, removed paragraphs), new and deleted diaries, the related
    lists, signatures and word weights an incremental build keeps (terms.sqlite, related.sqlite)
    equal those computed from scratch from the same diaries."""
    from search.related import kept_related

    for kept, clean, documents in _random_steps(tmp_path, seed, count=90, steps=5, most=3):
        cached, fresh = kept_related(kept), kept_related(clean)
        assert (cached["signatures"], cached["weights"]) == (fresh["signatures"], fresh["weights"])
        assert cached["signatures"] == clean_signatures(documents)
        assert held_words(kept) == held_words(clean)


def _edited_with_a_new_word(
    folder: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> tuple[list[str], str, dict[str, list]]:
    """Related lists of 60 synthetic diaries kept in ``folder``, then one diary edited with a
    word no other holds: the statements terms.sqlite ran for the edit, its key, the documents."""
    from search import related

    from bench.synthetic import diaries

    statements: list[str] = []
    opened = related.TermStore.__init__

    def traced(self: related.TermStore, path: Path) -> None:
        opened(self, path)
        if self.connection is not None:
            self.connection.set_trace_callback(statements.append)

    items = diaries(60, 6, seed=seed)
    documents = {f"diaries/{item.handle}/{item.slug}.md": [item.title, item.body, item.tags] for item in items}
    synthetic_related(folder, documents)
    synthetic_related(folder, documents)  # the store is written from the second time the folder exists
    monkeypatch.setattr(related.TermStore, "__init__", traced)
    key = sorted(documents)[7]
    documents[key][1] += "\nQuuxification.\n"
    synthetic_related(folder, documents)
    return statements, key, documents


def test_an_edit_rewrites_only_the_holders_of_the_words_it_added_or_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A diary edited with one new word rewrites that word's holders and nothing else in
    terms.sqlite but its own row: not every word of the diary (each held by many others) and
    not every document's number."""
    statements, key, _ = _edited_with_a_new_word(tmp_path, monkeypatch, seed=2)
    writes = [s for s in statements if s.startswith(("INSERT OR REPLACE INTO holders", "DELETE FROM holders"))]
    assert len(writes) == 1 and "quuxif" in writes[0]
    assert not [s for s in statements if s.startswith("SELECT key, number FROM terms") and "WHERE" not in s]
    assert held_words(tmp_path)[writes[0].split("'")[1]] == [key]


def test_an_edit_writes_the_frequencies_of_the_words_it_moved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """How many documents hold each word is kept a row a word in terms.sqlite: an edit that adds
    one new word writes that word's count and no other (one JSON value of every word's count was
    written whole), and the counts are a clean computation's."""
    import sqlite3

    statements, _, documents = _edited_with_a_new_word(tmp_path, monkeypatch, seed=3)
    writes = [s for s in statements if "frequencies" in s and s.startswith(("INSERT", "DELETE", "UPDATE"))]
    assert len(writes) == 1 and writes[0].startswith("INSERT OR REPLACE INTO frequencies") and "quuxif" in writes[0]

    (tmp_path / "clean").mkdir()
    synthetic_related(tmp_path / "clean", documents)

    def counts(folder: Path) -> dict[str, int]:
        connection = sqlite3.connect(folder / "terms.sqlite")
        try:
            return dict(connection.execute("SELECT word, count FROM frequencies"))
        finally:
            connection.close()

    assert counts(tmp_path) == counts(tmp_path / "clean")


def held_words(folder: Path) -> dict[str, list[str]]:
    """Which documents hold each word, by key, as ``terms.sqlite``'s holders table says."""
    import sqlite3
    from array import array

    connection = sqlite3.connect(folder / "terms.sqlite")
    try:
        keys = dict(connection.execute("SELECT number, key FROM terms"))
        return {
            word: sorted(keys[number] for number in array("I", numbers))
            for word, numbers in connection.execute("SELECT word, numbers FROM holders")
        }
    finally:
        connection.close()


def test_a_damaged_related_cache_is_computed_again(tmp_path: Path) -> None:
    """``related.sqlite`` is only a cache: cut short, overwritten, emptied, a row that does not
    unpickle, rows gone under a state that names them, or another format: the next build
    computes every list again (those of rows gone at least), the same as before."""
    import sqlite3

    from search import related

    from bench.synthetic import diaries

    items = diaries(30, 3, seed=6)
    documents = {f"diaries/{item.handle}/{item.slug}.md": [item.title, item.body, item.tags] for item in items}
    first, redone = synthetic_related(tmp_path, documents)
    assert len(redone) == 30
    cache = tmp_path / "related.sqlite"
    whole = cache.read_bytes()

    def changed(query: str, *parameters: object) -> None:
        connection = sqlite3.connect(cache)
        with connection:
            connection.execute(query, parameters)
        connection.close()

    damages = [
        lambda: cache.write_bytes(whole[:100]),
        lambda: cache.write_bytes(b"not a database" * 100),
        lambda: cache.write_bytes(b""),
        lambda: changed("UPDATE meta SET value = '4 4 12' WHERE name = 'version'"),
    ]
    for number, damage in enumerate(damages):
        damage()
        again, redone = synthetic_related(tmp_path, documents)
        assert again == first and len(redone) == 30, number
        assert synthetic_related(tmp_path, documents) == (first, [])
    changed("DELETE FROM diaries WHERE key = ?", sorted(documents)[5])
    again, redone = synthetic_related(tmp_path, documents)
    assert again == first and sorted(documents)[5] in redone
    assert synthetic_related(tmp_path, documents) == (first, [])
    # A signature that does not unpickle: an unchanged build reads none (its lists stand);
    # an edit of its diary reads it and computes everything again, as a clean computation would.
    changed("UPDATE diaries SET signature = ? WHERE key = ?", b"not a pickle", sorted(documents)[8])
    assert synthetic_related(tmp_path, documents) == (first, [])
    documents[sorted(documents)[8]][1] += "\nA new paragraph about bookmobiles and zyxwords.\n"
    again, redone = synthetic_related(tmp_path, documents)
    (tmp_path / "clean").mkdir()
    assert len(redone) == 30 and again == synthetic_related(tmp_path / "clean", documents)[0]
    assert related.kept_related(tmp_path) == related.kept_related(tmp_path / "clean")
    # Kept lists that do not unpickle: found when an edit reads one; everything again.
    changed("UPDATE diaries SET scored = ?", b"not a pickle")
    del documents[first[sorted(documents)[9]][0]]  # a diary in a list is gone: that list is read
    again, redone = synthetic_related(tmp_path, documents)
    assert len(redone) == 29 and again == synthetic_related(tmp_path / "clean", documents)[0]
    assert related.kept_related(tmp_path) == related.kept_related(tmp_path / "clean")


def signatures_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys of every kept signature read from ``related.sqlite`` from now on."""
    from search.store import RelatedStore

    read: list[str] = []
    signatures = RelatedStore.signatures
    monkeypatch.setattr(RelatedStore, "signatures", lambda self, keys: read.extend(keys) or signatures(self, keys))
    return read


def test_an_edit_reads_only_the_signatures_it_can_be_listed_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One edited diary (no word's weight moves) reads its own kept signature and those of
    diaries sharing a word with it or with a list recomputed (the store keeps each word's
    holders, so scoring it against all others reads no signature): not all 400, where every
    signature was read (0.8 s at 50,000 diaries). Its lists equal a clean computation's."""
    from search.related import kept_related

    from bench.synthetic import diaries

    items = diaries(400, 40, seed=5, vocabulary="topics")
    documents = {f"diaries/{item.handle}/{item.slug}.md": [item.title, item.body, item.tags] for item in items}
    synthetic_related(tmp_path / "kept", documents)
    kept = kept_related(tmp_path / "kept")
    before = kept["signatures"]
    read = signatures_read(monkeypatch)
    edited = sorted(documents)[23]
    documents[edited][1] += f"\n\n{documents[edited][1].split(chr(10))[0]}\n"  # its own words again: no weight moves
    lists, redone = synthetic_related(tmp_path / "kept", documents)
    after = kept_related(tmp_path / "kept")
    assert after["weights"] == kept["weights"] and after["signatures"][edited] != before[edited]

    def sharing(signature: dict[str, float]) -> set[str]:
        return {key for key, theirs in after["signatures"].items() if not theirs.keys().isdisjoint(signature)}

    allowed = {edited} | sharing(before[edited]) | sharing(after["signatures"][edited])
    for key in redone:
        allowed |= sharing(after["signatures"][key])
    assert edited in read and set(read) <= allowed
    assert len(set(read)) == len(read) < len(documents) / 4
    (tmp_path / "clean").mkdir()
    assert lists == synthetic_related(tmp_path / "clean", documents)[0]
    assert after == kept_related(tmp_path / "clean")


def test_an_edit_asks_about_the_diaries_it_changed_not_each_diary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One edit finds the hashes that changed, the rows to write and the keys to number by set
    operations over every key (in C), and takes every content hash at once from documents that
    make them so (the build's): it asks the merged signatures about the few diaries it
    recomputes and no document for its hash, where it asked each of 400 (0.3 s at 50,000
    diaries). Its lists and rows equal a clean computation's."""
    from search.related import Merged, corpus_state, kept_related, update_related

    from bench.synthetic import diaries
    from netroots.site import KeyedView

    items = diaries(400, 40, seed=5, vocabulary="topics")
    documents = {f"diaries/{item.handle}/{item.slug}.md": [item.title, item.body, item.tags] for item in items}
    synthetic_related(tmp_path / "kept", documents)
    edited = sorted(documents)[23]
    documents[edited][1] += "\n\nA new paragraph about lighthouses.\n"
    current, make = synthetic_documents(documents)

    class Hashes(KeyedView[tuple[str, str]]):
        def __init__(self) -> None:
            self.keys_held = current
            self.asked = 0

        def __getitem__(self, key: str) -> tuple[str, str]:
            self.asked += 1
            return current[key][:2]

        def content_hashes(self) -> dict[str, str]:
            return {key: entry[0] for key, entry in current.items()}

    asked: list[str] = []
    contains, getitem = Merged.__contains__, Merged.__getitem__
    monkeypatch.setattr(Merged, "__contains__", lambda self, key: asked.append(key) or contains(self, key))
    monkeypatch.setattr(Merged, "__getitem__", lambda self, key: asked.append(key) or getitem(self, key))
    hashed = Hashes()
    sources = (corpus_state(current, list(current)), list(current))  # as a build gives them
    lists, redone = update_related(hashed, make, tmp_path / "kept", 4, sources=sources)
    assert edited in redone and hashed.asked == 0
    assert edited in asked and len(asked) < len(documents) / 4
    monkeypatch.undo()
    (tmp_path / "clean").mkdir()
    assert lists == synthetic_related(tmp_path / "clean", documents)[0]
    assert kept_related(tmp_path / "kept") == kept_related(tmp_path / "clean")


def bytes_read() -> int:
    """What this process has read from files so far (page cache or not: SQLite's reads too)."""
    return int(dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())["rchar"])


@pytest.mark.skipif(not Path("/proc/self/io").is_file(), reason="counts reads with Linux's /proc/self/io")
def test_an_edit_reads_each_rows_hash_and_names_without_the_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What one edit reads of every row, each document's content hash in terms.sqlite and each
    diary's number, hash, names and what its page showed in related.sqlite, is read from
    indexes that hold just that: the scans read every row's page, its terms, signature and list
    too (311 MB at 50,000 diaries, for 5 MB of keys and hashes). The lists stay a clean
    computation's."""
    from search.related import TermStore, kept_related
    from search.store import SEPARATOR, RelatedStore

    from bench.synthetic import diaries

    items = diaries(300, 30, seed=5, vocabulary="topics")
    documents = {f"diaries/{item.handle}/{item.slug}.md": [item.title, item.body, item.tags] for item in items}
    synthetic_related(tmp_path / "kept", documents)
    read: list[int] = []

    def counted(method: Callable) -> Callable:
        def reading(self: object) -> object:
            before = bytes_read()
            found = method(self)
            read.append(bytes_read() - before)
            return found

        return reading

    for owner, name in ((TermStore, "hashes"), (RelatedStore, "computed"), (RelatedStore, "rows")):
        monkeypatch.setattr(owner, name, counted(getattr(owner, name)))
    edited = sorted(documents)[23]
    documents[edited][1] += "\nAn edit about bookmobiles.\n"
    lists, _ = synthetic_related(tmp_path / "kept", documents)
    kept = kept_related(tmp_path / "kept")
    # What the scans need: a key and a hash in each store, a number and a score, the names.
    hashes = kept["hashes"]
    needed = sum(2 * (len(key) + len(hashes[key])) + 16 + len(SEPARATOR.join(lists[key])) for key in documents)
    assert sum(read) < 2 * needed, (read, needed)
    (tmp_path / "clean").mkdir()
    assert lists == synthetic_related(tmp_path / "clean", documents)[0]
    assert kept == kept_related(tmp_path / "clean")


def held_by_signature(signatures: dict[str, dict[str, float]]) -> dict[str, list[tuple[str, float]]]:
    """Each word's holders (key, weight) as the signatures say."""
    held: dict[str, list[tuple[str, float]]] = {}
    for key, signature in signatures.items():
        for word, weight in signature.items():
            held.setdefault(word, []).append((key, weight))
    return {word: sorted(found) for word, found in held.items()}


@pytest.mark.parametrize("seed", range(3))
def test_kept_word_holders_follow_edits_additions_and_deletions(tmp_path: Path, seed: int) -> None:
    """After edits, new diaries and deleted ones, each word's kept holders (what an edit scores
    with instead of reading every signature) are those of the kept signatures, the same as a
    clean computation's, and so are the lists."""
    from search.related import kept_related

    for kept, clean, _ in _random_steps(tmp_path, seed, count=150, steps=6, most=2):
        found, fresh = kept_related(kept), kept_related(clean)
        assert found["holders"] == held_by_signature(found["signatures"]) == fresh["holders"]
        assert found == fresh


def test_a_related_store_of_the_older_shape_is_made_again(tmp_path: Path) -> None:
    """A related.sqlite made before the store kept each word's holders (no ``number`` in its
    rows, no ``holders``) is emptied and made again: every list computed, the holders kept;
    and the next build takes them as kept."""
    import sqlite3

    from search.related import kept_related

    from bench.synthetic import diaries

    items = diaries(30, 3, seed=8)
    documents = {f"diaries/{item.handle}/{item.slug}.md": [item.title, item.body, item.tags] for item in items}
    first, _ = synthetic_related(tmp_path, documents)
    connection = sqlite3.connect(tmp_path / "related.sqlite")
    with connection:
        connection.execute("DROP TABLE IF EXISTS holders")
        connection.execute("DROP INDEX IF EXISTS diaries_computed")  # an older store had none
        if "number" in [column[1] for column in connection.execute("PRAGMA table_info(diaries)")]:
            connection.execute("ALTER TABLE diaries DROP COLUMN number")
        connection.execute("UPDATE meta SET value = '1 5 4 12' WHERE name = 'version'")
    connection.close()
    again, redone = synthetic_related(tmp_path, documents)
    assert again == first and len(redone) == 30
    kept = kept_related(tmp_path)
    assert kept is not None and kept["holders"] == held_by_signature(kept["signatures"])
    assert synthetic_related(tmp_path, documents) == (first, [])


def written_rows(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[tuple]]]:
    """Every write to ``related.sqlite`` from now on: (statement, rows)."""
    from search.store import RelatedStore

    writes: list[tuple[str, list[tuple]]] = []
    write = RelatedStore._write

    def traced(self: RelatedStore, query: str, rows) -> None:
        rows = list(rows)
        writes.append((query, rows))
        write(self, query, rows)

    monkeypatch.setattr(RelatedStore, "_write", traced)
    return writes


def test_an_edit_writes_the_rows_of_the_diaries_whose_values_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One edited diary writes its own row (signature, hash, list) and the rows of the lists it
    entered or left, the weights that moved and the state: not every diary's row, where
    related.pickle was written whole (23 MB at 50,000 diaries). A build with nothing changed
    writes nothing. The rows equal a clean computation's. Only the kept lists it can change
    are read (related.pickle was read whole)."""
    from search.related import kept_related
    from search.store import RelatedStore

    from bench.synthetic import diaries

    items = diaries(120, 12, seed=4)
    documents = {f"diaries/{item.handle}/{item.slug}.md": [item.title, item.body, item.tags] for item in items}
    synthetic_related(tmp_path / "kept", documents)
    before = kept_related(tmp_path / "kept")
    writes = written_rows(monkeypatch)
    read: list[str] = []
    scored = RelatedStore.scored
    monkeypatch.setattr(RelatedStore, "scored", lambda self, key: read.append(key) or scored(self, key))
    statements: list[str] = []
    select = RelatedStore._select
    monkeypatch.setattr(
        RelatedStore, "_select", lambda self, query, *rest: statements.append(query) or select(self, query, *rest)
    )
    assert synthetic_related(tmp_path / "kept", documents)[1] == []
    assert writes == [] and read == []
    statements.clear()
    edited = sorted(documents)[17]
    documents[edited][1] += f"\nA new paragraph: {items[40].title}, quuxification.\n"
    _, redone = synthetic_related(tmp_path / "kept", documents)
    assert 0 < len(read) < 30  # the kept lists naming it or it may enter: not all 120
    assert sum("names" in query for query in statements) == 1  # the lists naming it: in the names read once
    after = kept_related(tmp_path / "kept")
    moved = {key for key in after["lists"] if after["lists"][key] != before["lists"][key]}
    assert 0 < len(redone) < 30
    keys = {
        row[0] if query.startswith("INSERT") else row[-1]
        for query, rows in writes
        if "diaries" in query
        for row in rows
    }
    assert keys == {edited} | moved
    (weights,) = [rows for query, rows in writes if "INTO weights" in query]
    changed = {word for word in after["weights"] if after["weights"][word] != before["weights"].get(word)}
    assert {word for word, _ in weights} == changed and len(weights) < len(after["weights"]) / 4
    (tmp_path / "clean").mkdir()
    synthetic_related(tmp_path / "clean", documents)
    assert after == kept_related(tmp_path / "clean")


def test_an_edited_title_rewrites_what_the_pages_relating_it_show_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A diary's title edited: its card and the digests of the lists naming it are written,
    nothing else of what pages show (related-shown.pickle was written whole); and the pages
    equal a clean build's."""
    content = fresh_copy(tmp_path)
    build_site(content, tmp_path / "output", SEARCH={"pagefind": False})
    writes = written_rows(monkeypatch)
    diary = next((content / "diaries" / "ben").glob("*library-board*"))
    diary.write_text(diary.read_text(encoding="utf-8").replace("budget fight", "Budget Fight"), encoding="utf-8")
    build_site(content, tmp_path / "output", SEARCH={"pagefind": False})
    cards = [row for query, rows in writes if query.startswith("UPDATE diaries SET card") for row in rows]
    digests = [row for query, rows in writes if query.startswith("UPDATE diaries SET shown") for row in rows]
    boxes = related_boxes(tmp_path / "output")
    relating = {page for page, box in boxes.items() if "The library board Budget Fight" in box}
    assert [key for *_, key in cards] == [str(diary.relative_to(content))]
    assert relating and len(digests) == len(relating) < len(boxes)
    assert all(digest is not None for digest, _ in digests)
    shutil.rmtree(content.parent / ".cache")
    build_site(content, tmp_path / "clean", SEARCH={"pagefind": False})
    assert related_boxes(tmp_path / "clean") == boxes


HOSTILE_TEXT = [
    ["", "", []],
    ["A", "a an the I x", ["Local News"]],
    ["U.S.A. e.g. v1.2.3 a*b ** *star* 3.14 .5 5.", "Hello...world ..dots.. end.", ["a,b", "C,D "]],
    ["İstanbul ÉCOLE Straße ﬁre ǅemal", "ΣΟΦΟΣ Ǆ ß ǈ KELVIN K Å naïve café résumé", ["Ünïcode"]],
    ["Running runners RUN ran", "generously generous generation running <script>alert(1)</script> &amp;", []],
    ["日本語のテキスト 中文", "١٢٣ arabic-indic ४५६ digits_with_underscores __init__", ["tag"]],
    ["tab\tnew\nline\r\x00nul", "\u200bzero\u200bwidth \ufeffbom \U0001f600emoji\U0001f600 word", [" spaced "]],
    ["Zebra zebra crossing", "Crossing once.", ["Local news"]],
]


def indexed_words(folder: Path, documents: dict[str, list]) -> dict[str, tuple[dict, list, list]]:
    """Each document's words as the terminal's Whoosh index holds them (its postings): weighted
    counts (title words twice), title-only words, lowercased tags."""
    from search.index import SearchIndex

    index = SearchIndex(folder)
    current, make = synthetic_documents(documents)
    index.update({key: value[0] for key, value in current.items()}, make)
    ix = index._open()
    found: dict[str, tuple[dict, set, list]] = {}
    with ix.searcher() as searcher:
        numbers = {searcher.document_number(key=key): key for key in documents}
        for number, key in numbers.items():
            tags = [tag for tag in (searcher.stored_fields(number).get("tags") or "").lower().split(",") if tag]
            found[key] = ({}, set(), tags)
        for name, weight in (("title", 2.0), ("body", 1.0)):
            boost = ix.schema[name].format.field_boost
            for term in searcher.reader().field_terms(name):
                postings = searcher.reader().postings(name, term)
                while postings.is_active():
                    counts, body, _ = found[numbers[postings.id()]]
                    counts[term] = counts.get(term, 0.0) + weight * postings.weight() / boost
                    if name == "body":
                        body.add(term)
                    postings.next()
    return {key: (counts, sorted(set(counts) - body), tags) for key, (counts, body, tags) in found.items()}


def test_words_counted_for_related_diaries_are_the_terminal_index_s_words_on_hostile_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Related diaries count each document's words in one loop (not Whoosh's chain of
    analyzers): the same words, weights, title-only words and tags as the terminal index's
    postings, on text members could write; and the same in worker processes."""
    from search import related

    from bench.synthetic import diaries

    documents = {f"diaries/x/{number}.md": value for number, value in enumerate(HOSTILE_TEXT)}
    items = diaries(30, 3, seed=5)
    documents |= {f"diaries/{item.handle}/{item.slug}.md": [item.title, item.body, item.tags] for item in items}
    make = synthetic_documents(documents)[1]
    counted = related.count_words(sorted(documents), make)
    assert {key: (t.counts, t.title_only, t.tags) for key, t in counted.items()} == indexed_words(
        tmp_path / "whoosh", documents
    )
    assert counted["diaries/x/7.md"].counts == {"zebra": 4.0, "cross": 3.0, "onc": 1.0}
    assert counted["diaries/x/7.md"].title_only == ["zebra"]
    monkeypatch.setattr(related, "PARALLEL_WORDS", 1)
    in_two = related.count_words(sorted(documents), make, workers=2)
    assert dict(in_two.items()) == dict(counted.items()) and in_two.frequencies == counted.frequencies


def test_an_edit_counts_the_words_of_the_edited_diary_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A one-diary edit counts that diary's words (not every document's) and recomputes the
    signatures of that diary and of the few holding a word whose weight moved."""
    from search import related

    from bench.synthetic import diaries

    items = diaries(60, 6, seed=5)
    documents = {f"diaries/{item.handle}/{item.slug}.md": [item.title, item.body, item.tags] for item in items}
    synthetic_related(tmp_path, documents)
    counted, signed = [], []
    make = synthetic_documents(documents)[1]
    signature_of = related.signature_of
    monkeypatch.setattr(
        related, "signature_of", lambda terms, *args: signed.append(terms) or signature_of(terms, *args)
    )
    edited = sorted(documents)[7]
    documents[edited][1] += "\nOne more paragraph about the library budget.\n"
    synthetic_related(tmp_path, documents, make=lambda key: counted.append(key) or make(key))
    assert counted == [edited]
    assert 1 <= len(signed) <= 6


def test_a_page_changed_only_in_its_related_diaries_keeps_its_search_hash(tmp_path: Path) -> None:
    """One edit rewrites the related lists of many diary pages; search never reads them
    (an aside marked data-pagefind-ignore="all"), so those pages are not indexed again."""
    from search.documents import scan_output

    def page(body: str, related: str) -> str:
        return (
            f'<html><body><article data-pagefind-body><span data-pagefind-filter="kind">Diary</span><p>{body}</p>'
            f'</article><aside class="related-diaries" data-pagefind-ignore="all"><ul><li>{related}</li></ul></aside>'
            "</body></html>"
        )

    def hashes(pages: dict[str, str]) -> dict[str, str]:
        for name, text in pages.items():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text(text, encoding="utf-8")
        return scan_output(tmp_path)[1]

    before = hashes({"a/index.html": page("Tenants met.", "Bus routes"), "b/index.html": page("Rent.", "Parks")})
    after = hashes(
        {"a/index.html": page("Tenants met.", "Library hours"), "b/index.html": page("Rent strike.", "Parks")}
    )
    assert after["a/index.html"] == before["a/index.html"]
    assert after["b/index.html"] != before["b/index.html"]


def related_outcome(documents: dict[str, list], folder: Path, workers: int) -> tuple:
    """What a first computation of related diaries gives: the lists, and the cache it keeps."""
    related, redone = synthetic_related(folder, documents, workers)
    from search.related import kept_related

    cached = kept_related(folder)
    return related, sorted(redone), cached["signatures"], cached["lists"], cached["weights"]


def test_related_diaries_computed_in_two_processes_equal_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first build counts every document's words and computes every list with its work shared
    out over worker processes: the same words, signatures, weights and lists as one process."""
    from search import related

    from bench.synthetic import diaries

    monkeypatch.setattr(related, "PARALLEL_LISTS", 1)
    monkeypatch.setattr(related, "PARALLEL_WORDS", 1)
    items = diaries(80, 8, seed=2)
    documents = {f"diaries/{item.handle}/{item.slug}.md": [item.title, item.body, item.tags] for item in items}
    alone = related_outcome(documents, tmp_path / "one", 1)
    shared = related_outcome(documents, tmp_path / "two", 2)
    assert shared == alone
    assert len(shared[0]) == 80 and all(shared[0].values())


def test_a_failed_related_worker_is_reported_and_its_share_done_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A worker process that fails (here: raises in every process but the build's) is named in
    a warning; the build computes that share itself, so the lists are the same."""
    import os

    from search import related
    from search.index import WordCounter

    from bench.synthetic import diaries

    monkeypatch.setattr(related, "PARALLEL_LISTS", 1)
    monkeypatch.setattr(related, "PARALLEL_WORDS", 1)
    items = diaries(40, 4, seed=4)
    documents = {f"diaries/{item.handle}/{item.slug}.md": [item.title, item.body, item.tags] for item in items}
    alone = related_outcome(documents, tmp_path / "one", 1)
    parent, add, best = os.getpid(), WordCounter.add, related._best

    def failing(function):
        def run(*args, **kwargs):
            if os.getpid() != parent:
                raise RuntimeError("worker lost")
            return function(*args, **kwargs)

        return run

    monkeypatch.setattr(WordCounter, "add", failing(add))
    monkeypatch.setattr(related, "_best", failing(best))
    assert related_outcome(documents, tmp_path / "two", 2) == alone
    warned = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert any(
        "counting words for related diaries failed in a worker process" in w and "worker lost" in w for w in warned
    )
    assert any("computing related diaries failed in a worker process" in w and "worker lost" in w for w in warned)


def test_a_first_build_with_related_diaries_in_workers_equals_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search fixture built with every step in one process and with worker processes
    (words counted, signatures weighed and lists computed in two): the same related lists on
    every diary page."""
    from search import related

    shared, in_workers = [], related.in_workers
    monkeypatch.setattr(
        related, "in_workers", lambda shares, *a, **k: shared.append(shares) or in_workers(shares, *a, **k)
    )
    monkeypatch.setattr(related, "PARALLEL_LISTS", 1)
    monkeypatch.setattr(related, "PARALLEL_WORDS", 1)
    content = fresh_copy(tmp_path)
    one = build_site(content, tmp_path / "one", NETROOTS_BUILD={"jobs": 1})
    assert shared == []
    shutil.rmtree(content.parent / ".cache")
    two = build_site(content, tmp_path / "two", NETROOTS_BUILD={"jobs": 2, "parallel_min": 1})
    assert shared == [2, 2, 2]  # words counted, weighed, lists computed
    assert not one.errors and not two.errors, (one.errors, two.errors)
    pages = sorted(
        path.relative_to(tmp_path / "one").as_posix() for path in (tmp_path / "one" / "diaries").rglob("index.html")
    )
    assert len(pages) > 10
    for page in pages:
        if 'class="related-diaries"' in read(tmp_path / "one", page):
            diary = page.removeprefix("diaries/").removesuffix("/index.html")
            assert related_ids(tmp_path / "two", diary) == related_ids(tmp_path / "one", diary), page


def test_a_title_with_markup_gives_the_same_related_lists_kept_or_clean(tmp_path: Path) -> None:
    """A title edited to hold markup (``<script>`` words dropped from the page's text): a build
    with .cache/ kept lists the same related diaries as a clean build, since a first build
    indexes the same documents a later one does (what Pelican read, not the raw front matter)."""
    content = fresh_copy(tmp_path)
    build_site(content, tmp_path / "kept")
    diary = next((content / "diaries" / "ben").glob("*library-board*"))
    diary.write_text(
        diary.read_text().replace(
            "title: The library board budget fight",
            'title: "Library <script>eviction court tenants rent strike</script> budget & \\\\a ]]> fight"',
        )
    )
    kept = build_site(content, tmp_path / "kept")
    shutil.rmtree(content.parent / ".cache")
    clean = build_site(content, tmp_path / "clean")
    assert not kept.errors and not clean.errors, (kept.errors, clean.errors)
    for folder in sorted((tmp_path / "clean" / "diaries").glob("*/*/")):
        diary_id = folder.relative_to(tmp_path / "clean" / "diaries").as_posix()
        assert related_ids(tmp_path / "kept", diary_id) == related_ids(tmp_path / "clean", diary_id), diary_id


def related_boxes(output: Path) -> dict[str, str]:
    """Each diary page's related-diaries box, by the page's address."""
    found = {}
    for page in sorted((output / "diaries").glob("*/*/index.html")):
        box = re.search(r'<aside class="related-diaries".*?</aside>', page.read_text(encoding="utf-8"), re.S)
        found[page.parent.relative_to(output).as_posix()] = box.group(0) if box else ""
    return found


def test_what_a_related_diary_shows_reaches_every_page_relating_it_as_a_clean_build_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A diary's new title (same words, so the same related lists), and its date moved to another
    zone (the same instant: ``==`` says equal, the page shows another time): every page that
    relates it shows the new one, as a clean build does. Each page's related list is kept with
    its digest (plugins/search/shown.py) while what it shows of each diary is the same."""
    from netroots.fingerprint import CHECK_KEPT

    monkeypatch.delenv(CHECK_KEPT)  # the pages themselves are compared here (the check: the next test)
    content = fresh_copy(tmp_path)
    output = tmp_path / "output"
    build_site(content, output, SEARCH={"pagefind": False})
    diary = next((content / "diaries" / "ben").glob("*library-board*"))
    relating = [page for page, box in related_boxes(output).items() if "library-board-budget-fight" in box]
    assert relating
    text = diary.read_text(encoding="utf-8")
    edits = [
        ("title: The library board budget fight", "title: The Library Board Budget Fight"),
        ("date: 2026-06-14 14:00", "date: 2026-06-14 18:00:00+00:00"),  # the same instant in UTC...
        ("date: 2026-06-14 18:00:00+00:00", "date: 2026-06-14 14:00:00-04:00"),  # ...and as an offset
    ]
    for step, (old, new) in enumerate(edits):
        assert old in text
        text = text.replace(old, new)
        diary.write_text(text, encoding="utf-8")
        kept = build_site(content, output, SEARCH={"pagefind": False})
        clean_content = tmp_path / f"clean{step}" / "content"
        shutil.copytree(content, clean_content)
        clean = build_site(clean_content, tmp_path / f"clean{step}" / "output", SEARCH={"pagefind": False})
        assert not kept.errors and not clean.errors
        boxes = related_boxes(output)
        assert boxes == related_boxes(tmp_path / f"clean{step}" / "output"), step
        assert all("The Library Board Budget Fight" in boxes[page] for page in relating)
    assert all('datetime="2026-06-14T14:00:00-04:00"' in boxes[page] for page in relating)


def test_a_kept_related_list_is_compared_as_the_digest_sees_it() -> None:
    """``shown.same``: equal fields are not enough for dates (``==`` compares instants, or
    wall times under one zone), the digest is their ``repr``."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from search.shown import RelatedDiary, same, shown_as

    from netroots.fingerprint import Digester

    york = ZoneInfo("America/New_York")
    when = dt.datetime(2026, 11, 1, 1, 30, tzinfo=york)  # the hour clocks go back: fold says which
    card = RelatedDiary("diaries/a/b/", "Title", "ana", when)
    others = [
        RelatedDiary("diaries/a/b/", "Title", "ana", when.astimezone(dt.UTC)),
        RelatedDiary("diaries/a/b/", "Title", "ana", when.replace(fold=1)),
        RelatedDiary("diaries/a/b/", "Title", "ana", when.replace(tzinfo=dt.timezone(dt.timedelta(hours=-4)))),
        RelatedDiary("diaries/a/b/", "title", "ana", when),
        RelatedDiary("diaries/a/c/", "Title", "ana", when),
        RelatedDiary("diaries/a/b/", "Title", "ben", when),
    ]
    assert same(card, shown_as(card)) and same(card, shown_as(RelatedDiary(*card)))
    assert same(card, shown_as(card._replace(date=when.replace(tzinfo=ZoneInfo.no_cache("America/New_York")))))
    assert not same(card, None)
    for other in others:
        assert not same(other, shown_as(card)), other
        assert Digester()(other) != Digester()(card)


def test_a_kept_related_list_trusted_against_the_rule_fails_the_checked_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The suite's builds digest every kept list again (``NETROOTS_CHECK_KEPT``): a keeper that
    trusted a list whose diary's title changed fails the build instead of keeping a stale page."""
    from search import shown

    from netroots.fingerprint import KeptChanged

    content = fresh_copy(tmp_path)
    build_site(content, tmp_path / "output", SEARCH={"pagefind": False})
    diary = next((content / "diaries" / "ben").glob("*library-board*"))
    diary.write_text(diary.read_text(encoding="utf-8").replace("budget fight", "Budget Fight"), encoding="utf-8")
    monkeypatch.setattr(shown, "same", lambda card, kept: True)
    with pytest.raises(KeptChanged, match="RelatedDiary"):
        build_site(content, tmp_path / "output", SEARCH={"pagefind": False})


def test_a_card_trusted_by_its_diarys_state_against_the_rule_fails_the_checked_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A card is made again only when its diary object is not the one it was made from
    (``shown.made_from``, asked in the build's walk of the diaries); the suite's builds make every card and compare it with the kept
    one, so a state that hid an edited title fails the build."""
    from search import generator

    from netroots.fingerprint import KeptChanged

    content = fresh_copy(tmp_path)
    monkeypatch.setattr(generator, "made_from", lambda item, kept: b"one state whatever the diary")
    build_site(content, tmp_path / "output", SEARCH={"pagefind": False})
    diary = next((content / "diaries" / "ben").glob("*library-board*"))
    diary.write_text(diary.read_text(encoding="utf-8").replace("budget fight", "Budget Fight"), encoding="utf-8")
    with pytest.raises(KeptChanged, match="library-board-budget-fight"):
        build_site(content, tmp_path / "output", SEARCH={"pagefind": False})


def test_a_build_makes_only_the_cards_of_edited_diaries_and_of_the_lists_pages_ask_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every build made each diary's card (what related lists show of it), compared its
    ``repr`` with the kept one and made every list of cards: 0.8 s at 50,000 diaries. A card
    is now made when its diary object is not the one it was made from (an edit), or when a
    list showing it is digested again or asked for by a page that renders: an unchanged
    build makes none, one edit a few. The pages equal a clean build's."""
    from search.shown import RelatedDiary

    from bench.synthetic import diaries, today_after, write_netroots
    from netroots.fingerprint import CHECK_KEPT

    items = diaries(40, 4, seed=3)
    content = tmp_path / "net" / "content"
    write_netroots(content, items, 4)
    monkeypatch.setenv("NETROOTS_TODAY", today_after(items))
    serial = {"SEARCH": {"pagefind": False}, "NETROOTS_BUILD": {"jobs": 1}}  # pages rendered here
    assert not build_site(content, tmp_path / "output", **serial).errors
    monkeypatch.delenv(CHECK_KEPT)  # the check makes every card, on purpose
    made: list[str] = []
    new = RelatedDiary.__new__
    monkeypatch.setattr(
        RelatedDiary, "__new__", staticmethod(lambda cls, *args: made.append(args[0]) or new(cls, *args))
    )
    result = build_site(content, tmp_path / "output", **serial)
    assert result.summary.startswith("rendered 0 of ") and made == []
    diary = sorted((content / "diaries").rglob("*.md"))[7]
    diary.write_text(diary.read_text(encoding="utf-8") + "\nAn edit about bookmobiles.\n", encoding="utf-8")
    assert not build_site(content, tmp_path / "output", **serial).errors
    assert 0 < len(set(made)) < len(items) / 2
    shutil.copytree(content, tmp_path / "clean" / "content")
    build_site(tmp_path / "clean" / "content", tmp_path / "clean" / "output", **serial)
    assert related_boxes(tmp_path / "output") == related_boxes(tmp_path / "clean" / "output")


def test_an_unchanged_build_takes_each_pagefind_parts_fingerprint_as_kept(
    tmp_path: Path, caplog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With every page as the last build found it, the parts and their fingerprints are the
    ones it kept: no page is hashed into a part again (11,800 at 10,000 diaries). A part
    removed from output/ is still restored, and an edit indexes its part again."""
    from search import pagefind

    content, output, runs = built_with_kept_pagefind(tmp_path, monkeypatch, caplog)
    parts = pagefind_runs(runs)
    first = bundle_files(output)
    made: list[int] = []
    split = pagefind.split
    monkeypatch.setattr(pagefind, "split", lambda pages, count: made.append(len(pages)) or split(pages, count))

    said = pagefind_said(content, output, caplog, pagefind_part_pages=4)
    assert made == [] and "up to date" in said and bundle_files(output) == first
    listed = json.loads((output / "pagefind/parts.json").read_text())["parts"]
    shutil.rmtree(output / "pagefind" / listed[0])
    said = pagefind_said(content, output, caplog, pagefind_part_pages=4)
    assert made == [] and "restored 1 from" in said and bundle_files(output) == first
    assert pagefind_runs(runs) == parts

    edited = content / "diaries/cara/2026-07-20-bookmobile-returns.md"
    edited.write_text(edited.read_text() + "\nThe bookmobile has a new driver.\n", encoding="utf-8")
    said = pagefind_said(content, output, caplog, pagefind_part_pages=4)
    assert made == [] and "indexed 1 of" in said, said  # the edited part's pages are the ones it kept
    assert "new driver" in pagefind_pages(output)["/diaries/cara/bookmobile-returns/"]["content"]


def test_an_edit_reads_only_the_rows_and_part_of_the_pages_it_wrote(
    tmp_path: Path, caplog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit read every page's row of the scan record and hashed every page into parts to
    find the one it changed (60,000 at 50,000 diaries). It reads the rows of the pages it
    wrote, moves their terms in the kept sums of their parts, and takes the edited part's
    pages from what that part kept. Kept pages that are not the part's (here: removed) are
    not used: every page is split into parts, as before. Either way the index is a clean build's."""
    from search import pagefind

    from netroots.keptrows import KeptRows
    from netroots.site import html_files

    content, output, _ = built_with_kept_pagefind(tmp_path, monkeypatch, caplog)
    records: list[KeptRows] = []
    scan_record = pagefind.scan_record
    monkeypatch.setattr(pagefind, "scan_record", lambda *args: records.append(scan_record(*args)) or records[-1])
    made: list[int] = []
    split = pagefind.split
    monkeypatch.setattr(pagefind, "split", lambda pages, count: made.append(len(pages)) or split(pages, count))
    edited = content / "diaries/cara/2026-07-20-bookmobile-returns.md"
    for edit in ("a new driver", "a new route"):
        before, made[:] = set(html_files(output)), []
        edited.write_text(edited.read_text() + f"\nThe bookmobile has {edit}.\n", encoding="utf-8")
        said = pagefind_said(content, output, caplog, pagefind_part_pages=4)
        written = {relative for relative, _, _ in set(html_files(output)) - before}
        assert "indexed 1 of" in said and 0 < len(written) < len(before) / 2, said
        indexed = len(pagefind_pages(output))
        kept = edit == "a new driver"
        assert records[-1].read == len(written) + (0 if kept else indexed) and records[-1].written == len(written)
        assert made == ([] if kept else [indexed])
        shutil.rmtree(tmp_path / "clean", ignore_errors=True)
        shutil.copytree(content.parent, tmp_path / "clean", ignore=shutil.ignore_patterns(".cache", "output"))
        pagefind_said(tmp_path / "clean" / "content", tmp_path / "clean" / "output", caplog, pagefind_part_pages=4)
        assert pagefind_pages(output) == pagefind_pages(tmp_path / "clean" / "output")
        for kept_pages in (content.parent / ".cache/search/pagefind-bundles").glob("*.pages.json"):
            kept_pages.unlink()
    assert edit in pagefind_pages(output)["/diaries/cara/bookmobile-returns/"]["content"]


@pytest.mark.parametrize("memory", ["room", "no room", "fills up"])
def test_pagefinds_parts_are_staged_in_memory_when_there_is_room(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memory: str
) -> None:
    """A part's pages are staged for Pagefind a folder a page; on a disk that frees blocks as it
    goes, removing them took seconds at every edit. In memory (/dev/shm) when it has room, else
    on disk, and on disk too when memory fills up while staging; removed either way."""
    from search import bundles, pagefind

    folder = tmp_path / "memory"
    folder.mkdir()
    monkeypatch.setattr(pagefind, "MEMORY_FOLDER", folder)
    monkeypatch.setattr(pagefind, "MEMORY_ROOM", 10**18 if memory == "no room" else 0)
    if memory == "fills up":
        link_or_copy, room = bundles.link_or_copy, [2]  # pages that fit

        def full(source: Path, target: Path) -> None:
            if folder in target.parents:
                if not room[0]:
                    raise OSError(28, "No space left on device")
                room[0] -= 1
            link_or_copy(source, target)

        monkeypatch.setattr(pagefind, "link_or_copy", full)
    sites = counted_pagefind(tmp_path, monkeypatch, "$2")
    content, output = fresh_copy(tmp_path), tmp_path / "output"
    assert not build_site(content, output, SEARCH={"pagefind_part_pages": 4}).errors
    staged = [Path(line) for line in sites.read_text().split()]
    disk = content.parent / ".cache" / "search" / "pagefind-stage"
    assert len(staged) >= 3
    assert all((folder in site.parents) == (memory == "room") for site in staged), staged
    assert all((disk in site.parents) == (memory != "room") for site in staged), staged
    assert list(folder.iterdir()) == []
    assert not disk.exists() or list(disk.iterdir()) == []
    clean = tmp_path / "clean"
    shutil.copytree(content.parent, clean, ignore=shutil.ignore_patterns(".cache", "output"))
    monkeypatch.setattr(pagefind, "MEMORY_ROOM", 10**18)  # staged on disk, as before
    monkeypatch.setattr(pagefind, "link_or_copy", bundles.link_or_copy)
    assert not build_site(clean / "content", clean / "output", SEARCH={"pagefind_part_pages": 4}).errors
    assert pagefind_pages(output) == pagefind_pages(clean / "output")


def file_identities(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder``: relative path -> (inode, mtime in ns)."""
    found = {}
    for path in folder.rglob("*"):
        if path.is_file():
            stat = path.stat()
            found[path.relative_to(folder).as_posix()] = (stat.st_ino, stat.st_mtime_ns)
    return found


def test_an_edit_writes_only_the_pagefind_files_that_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind writes a part anew at every run (~540 files at 500 pages); an edit changes ~30
    of them. Only those are written into the kept bundle and linked into output/, and only the
    files Pagefind no longer makes are removed: the rest keep their inode and time."""
    from search import pagefind

    memory = tmp_path / "memory"
    memory.mkdir()
    monkeypatch.setattr(pagefind, "MEMORY_FOLDER", memory)
    monkeypatch.setattr(pagefind, "MEMORY_ROOM", 0)
    content, output = fresh_copy(tmp_path), tmp_path / "output"
    kept = content.parent / ".cache/search/pagefind-bundles/0"
    assert not build_site(content, output).errors
    before_kept, before_output = file_identities(kept), file_identities(output / "pagefind/0")
    assert len(before_kept) >= 40

    edited = content / "diaries/cara/2026-07-20-bookmobile-returns.md"
    edited.write_text(edited.read_text() + "\nThe bookmobile has a new driver.\n", encoding="utf-8")
    assert not build_site(content, output).errors
    after_kept, after_output = file_identities(kept), file_identities(output / "pagefind/0")
    for before, after in ((before_kept, after_kept), (before_output, after_output)):
        written = [name for name, identity in after.items() if before.get(name) != identity]
        removed = before.keys() - after.keys()
        assert 1 <= len(written) <= len(before) // 3 and len(removed) <= len(written), (written, removed)
    assert after_kept == {name: identity for name, identity in after_output.items()}  # output/ links the kept files
    assert list(memory.iterdir()) == []
    assert "new driver" in pagefind_pages(output)["/diaries/cara/bookmobile-returns/"]["content"]
    clean = tmp_path / "clean"
    shutil.copytree(content.parent, clean, ignore=shutil.ignore_patterns(".cache", "output"))
    assert not build_site(clean / "content", clean / "output").errors
    assert pagefind_pages(output) == pagefind_pages(clean / "output")


def test_an_unchanged_build_makes_no_content_hash_and_a_member_s_new_state_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Related diaries are kept while the documents' hashes are: a build compared one digest of
    every hash with the kept one, so it made 50,000 hashes to find nothing changed. It now
    digests what the hashes are made of (each file's digest, its member's state, the tag
    vocabulary) and makes none; what it digests still sees a member's new state (part of each
    of their diaries' hashes), and the kept hashes equal a clean build's."""
    from search import generator
    from search.related import kept_related

    from netroots.fingerprint import CHECK_KEPT

    content = fresh_copy(tmp_path)
    quiet = {"SEARCH": {"pagefind": False}}
    build_site(content, tmp_path / "output", **quiet)
    made: list[str] = []

    def counted(function: Callable) -> Callable:
        def hashing(*args: object, **kwargs: object) -> object:
            made.append(function.__name__)
            return function(*args, **kwargs)

        return hashing

    monkeypatch.setattr(generator, "digest", counted(generator.digest))
    monkeypatch.setattr(generator, "content_hash", counted(generator.content_hash))
    monkeypatch.delenv(CHECK_KEPT)  # the check walks every diary again, on purpose
    build_site(content, tmp_path / "output", **quiet)
    assert made == ["digest"]  # of what the documents are made of besides the diaries
    monkeypatch.setenv(CHECK_KEPT, "1")
    member = content / "members" / "cara.yaml"
    member.write_text(member.read_text(encoding="utf-8").replace("state: TX", "state: NM"), encoding="utf-8")
    build_site(content, tmp_path / "output", **quiet)
    shutil.copytree(content, tmp_path / "clean" / "content")
    build_site(tmp_path / "clean" / "content", tmp_path / "clean" / "output", **quiet)
    kept, clean = (
        kept_related(content.parent / ".cache" / "search"),
        kept_related(tmp_path / "clean" / ".cache" / "search"),
    )
    assert kept is not None and kept == clean


def _counting_the_walk(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    """The diaries each build walks (their keys: ``made_from`` asked of each) and the documents
    it hashes, counted."""
    from search import generator

    walked: list[str] = []
    hashed: list[str] = []
    made_from, hashes = generator.made_from, generator.Documents._hashes

    def asked(item: object, kept: object) -> object:
        walked.append(item.source_path)  # type: ignore[attr-defined]
        return made_from(item, kept)

    def hashing(self: object) -> dict[str, str]:
        found = hashes(self)
        hashed.extend(found)
        return found

    monkeypatch.setattr(generator, "made_from", asked)
    monkeypatch.setattr(generator.Documents, "_hashes", hashing)
    return walked, hashed


def test_a_build_walks_and_hashes_only_the_diaries_that_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Related diaries walked every diary each build (their states, ids and paths: 0.34 s at
    50,000 diaries) and, after an edit, hashed every document to find which changed (0.6 s).
    A build now takes the diaries that changed from ``diary_changes`` (netroots/articlecache.py)
    and walks and hashes those alone: none when nothing changed, the one edited, the one added
    (and those Pelican made anew with it). The related boxes equal a clean build's."""
    from bench.synthetic import diaries, today_after, write_netroots
    from netroots.fingerprint import CHECK_KEPT

    items = diaries(40, 4, seed=3)
    content = tmp_path / "net" / "content"
    write_netroots(content, items, 4)
    monkeypatch.setenv("NETROOTS_TODAY", today_after(items))
    quiet = {"SEARCH": {"pagefind": False}}
    assert not build_site(content, tmp_path / "output", **quiet).errors
    monkeypatch.delenv(CHECK_KEPT)  # the check walks every diary again, on purpose
    walked, hashed = _counting_the_walk(monkeypatch)
    assert not build_site(content, tmp_path / "output", **quiet).errors
    assert walked == [] and hashed == []
    files = sorted((content / "diaries").rglob("*.md"))
    edited = files[7]
    removed = next(path for path in sorted(edited.parent.glob("*.md")) if path != edited)
    edited.write_text(edited.read_text(encoding="utf-8") + "\nAn edit about bookmobiles.\n", encoding="utf-8")
    assert not build_site(content, tmp_path / "output", **quiet).errors
    assert walked == [str(edited)] and [key for key in hashed if key.startswith("diaries/")] == [
        edited.relative_to(content).as_posix()
    ]
    walked.clear()
    hashed.clear()
    added = edited.with_name("2020-01-01-a-new-diary-about-bookmobiles.md")
    added.write_text(edited.read_text(encoding="utf-8").replace("An edit", "A copy"), encoding="utf-8")
    removed.unlink()
    assert not build_site(content, tmp_path / "output", **quiet).errors
    # a member's new or deleted diary makes their others anew (netroots/articlecache.py): walked too
    assert str(added) in walked and set(walked) <= {str(path) for path in added.parent.glob("*.md")}
    monkeypatch.undo()
    shutil.copytree(content, tmp_path / "clean" / "content")
    build_site(tmp_path / "clean" / "content", tmp_path / "clean" / "output", **quiet)
    assert related_boxes(tmp_path / "output") == related_boxes(tmp_path / "clean" / "output")


def test_a_build_walks_every_diary_when_what_else_documents_are_made_of_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``diary_changes`` does not cover (a member's state, the tag vocabulary, the pages,
    the kept diaries off) makes the walk of every diary, and its lists are a clean build's."""
    from search import generator

    from netroots.fingerprint import CHECK_KEPT

    content = fresh_copy(tmp_path)
    quiet = {"SEARCH": {"pagefind": False}}
    build_site(content, tmp_path / "output", **quiet)
    monkeypatch.delenv(CHECK_KEPT)
    walked, _ = _counting_the_walk(monkeypatch)
    every = len(list((content / "diaries").rglob("*.md")))
    member = content / "members" / "cara.yaml"
    member.write_text(member.read_text(encoding="utf-8").replace("state: TX", "state: NM"), encoding="utf-8")
    build_site(content, tmp_path / "output", **quiet)
    assert len(walked) == every
    walked.clear()
    vocabulary = content / "tags.yaml"
    vocabulary.write_text(
        vocabulary.read_text(encoding="utf-8") + "Bookmobiles:\n  aliases: [bookmobile]\n  description: On wheels.\n",
        encoding="utf-8",
    )
    build_site(content, tmp_path / "output", **quiet)
    assert len(walked) == every
    walked.clear()
    monkeypatch.setattr(generator, "diary_changes", lambda settings: generator.DiaryChanges())
    build_site(content, tmp_path / "output", **quiet)
    assert len(walked) == every
    monkeypatch.undo()
    shutil.copytree(content, tmp_path / "clean" / "content")
    build_site(tmp_path / "clean" / "content", tmp_path / "clean" / "output", **quiet)
    assert related_boxes(tmp_path / "output") == related_boxes(tmp_path / "clean" / "output")
    from search.related import kept_related

    assert kept_related(content.parent / ".cache" / "search") == kept_related(tmp_path / "clean" / ".cache" / "search")


def test_a_walk_of_the_changed_diaries_that_differs_from_a_whole_walk_fails_the_checked_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The suite's builds walk every diary again after a walk of the changed ones
    (``NETROOTS_CHECK_KEPT``): a change ``diary_changes`` did not name fails the build."""
    from search import generator

    from netroots.fingerprint import KeptChanged

    content = fresh_copy(tmp_path)
    build_site(content, tmp_path / "output", SEARCH={"pagefind": False})
    diary = next((content / "diaries" / "ben").glob("*library-board*"))
    diary.write_text(diary.read_text(encoding="utf-8") + "\nAn edit about bookmobiles.\n", encoding="utf-8")

    class Unseen(generator.DiaryChanges):
        def since(self, serial: int | None) -> frozenset[str] | None:
            return frozenset() if serial is not None else None

    monkeypatch.setattr(generator, "diary_changes", lambda settings: Unseen(1, 0))
    with pytest.raises(KeptChanged, match="walked only the diaries that changed"):
        build_site(content, tmp_path / "output", SEARCH={"pagefind": False})


def test_the_search_page_offers_the_kept_count_of_tags_updated_by_the_diaries_that_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/search/ offers every tag a diary holds: its generator counted the tags of every diary
    each build (0.08 s at 50,000 diaries). The count is kept with the related rows and moved by
    the diaries walked (netroots/articlecache.py ``diary_changes``): a tag a diary gains is
    offered, one no diary holds any more is not, no diary's tags are read otherwise, and the
    page equals a clean build's."""
    from search import generator

    from netroots.fingerprint import CHECK_KEPT

    content = fresh_copy(tmp_path)
    quiet = {"SEARCH": {"pagefind": False}}
    build_site(content, tmp_path / "output", **quiet)
    monkeypatch.delenv(CHECK_KEPT)  # the check counts every diary's tags, on purpose
    counted: list[int] = []
    names = generator.tag_names
    monkeypatch.setattr(generator, "tag_names", lambda articles: counted.append(1) or names(articles))

    def offered() -> list[str]:
        page = read(tmp_path / "output", "search/index.html")
        tags = page[page.index('id="search-tag"') : page.index('id="search-state"')]
        return re.findall(r'<option value="([^"]+)">', tags)

    diary = next((content / "diaries" / "ben").glob("*library-board*"))
    text = diary.read_text(encoding="utf-8")
    diary.write_text(text.replace("tags: [Libraries]", "tags: [Libraries, Bookmobile budgets]"), encoding="utf-8")
    build_site(content, tmp_path / "output", **quiet)
    assert "Bookmobile budgets" in offered() and counted == []
    diary.write_text(text, encoding="utf-8")
    build_site(content, tmp_path / "output", **quiet)
    assert "Bookmobile budgets" not in offered() and counted == []
    monkeypatch.undo()
    shutil.copytree(content, tmp_path / "clean" / "content")
    build_site(tmp_path / "clean" / "content", tmp_path / "clean" / "output", **quiet)
    assert read(tmp_path / "output", "search/index.html") == read(tmp_path / "clean" / "output", "search/index.html")
