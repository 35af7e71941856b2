"""The web editor at /admin/: Decap CMS's config generated from the content formats, its own
page (CSP, noindex, out of the sitemap), skipped in one line when the bundle is missing, and
in headless Chromium, a diary written and saved through Decap's local backend."""

from __future__ import annotations

import html
import logging
import os
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import FIXTURES, ROOT, build_site, read

from netroots.forge import site_forge

BUNDLE = ROOT / ".cache" / "decap" / "decap-cms"
INSTALL = "bash scripts/install-decap.sh"


def need_bundle() -> None:
    """The pinned bundle and decap-server (scripts/install-decap.sh); CI installs them."""
    from editor.local import server_script

    if (BUNDLE / "decap-cms.js").is_file() and server_script(
        {"NETROOTS_CACHE": str(ROOT / ".cache"), "PATH": "."}
    ).is_file():
        return
    if os.environ.get("NETROOTS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"Decap CMS is not installed and NETROOTS_REQUIRE_BROWSER=1: run `{INSTALL}`")
    pytest.skip(f"Decap CMS is not installed (run `{INSTALL}`)")


def config_for(**forge) -> dict:
    from editor.config import decap_config
    from editor.generator import content_types
    from editor.spec import DEFAULTS

    from netroots.build import load_settings

    settings = load_settings(publish=False, overrides={"FORGE": forge} if forge else {})
    return decap_config(site_forge(settings), DEFAULTS, content_types(settings), "content", "https://example.org")


def test_config_is_generated_from_the_content_formats() -> None:
    config = config_for(repository="commons/network")
    collections = {c["name"]: c for c in config["collections"]}
    assert [c["name"] for c in config["collections"]][:2] == ["members", "diaries"]  # members' own first
    assert {"actions", "contacts", "jobs", "events", "groups"} <= set(collections)  # maintainers'
    diaries = collections["diaries"]
    assert diaries["folder"] == "content/diaries"
    assert diaries["path"] == "{{author}}/{{year}}-{{month}}-{{day}}-{{slug}}"  # the writer's own folder
    fields = {f["name"]: f for f in diaries["fields"]}
    assert diaries["fields"][0]["name"] == "author" and fields["author"]["required"] is True
    assert fields["status"] == {
        **fields["status"],
        "widget": "select",
        "options": ["published", "draft"],
        "default": "draft",
    }
    assert fields["tags"]["widget"] == "list" and fields["date"]["format"] == "YYYY-MM-DD HH:mm"
    assert diaries["fields"][-1] == {"name": "body", "label": "Diary", "widget": "markdown"}
    assert "modified" not in fields
    assert collections["members"]["create"] is False and collections["members"]["format"] == "yaml"
    jobs = {f["name"]: f for f in collections["jobs"]["fields"]}
    assert jobs["type"]["options"][:2] == ["full-time", "part-time"]
    assert jobs["remote"]["widget"] == "boolean"
    assert collections["contacts"]["extension"] == "yaml" and "body" not in {
        f["name"] for f in collections["contacts"]["fields"]
    }
    assert config["publish_mode"] == "editorial_workflow"  # each save is a pull request
    assert config["backend"] == {"repo": "commons/network", "branch": "main", "name": "github", "open_authoring": True}
    assert "local_backend" not in config
    assert config["slug"]["encoding"] == "ascii"


@pytest.mark.parametrize(
    ("kind", "url", "backend"),
    [
        ("gitlab", "", {"name": "gitlab"}),
        ("gitea", "https://git.example.org", {"name": "gitea", "api_root": "https://git.example.org/api/v1"}),
        ("forgejo", "", {"name": "gitea", "api_root": "https://codeberg.org/api/v1"}),
    ],
)
def test_each_forge_gets_its_decap_backend(kind: str, url: str, backend: dict) -> None:
    config = config_for(kind=kind, url=url, repository="org/site")
    assert backend.items() <= config["backend"].items() and config["backend"]["repo"] == "org/site"


def test_without_the_bundle_there_is_no_admin_and_one_line_says_why(
    copy_fixture, site, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    result = site("acts", FORGE={"repository": "commons/network"}, EDITOR={"bundle": str(tmp_path / "none")})
    assert not (result.output / "admin").exists()
    lines = [r.getMessage() for r in caplog.records if "/admin/" in r.getMessage()]
    assert lines == [
        "Web editor (/admin/) not built: Decap CMS is not installed; run `bash scripts/install-decap.sh` (needs npm)"
    ]


def test_the_admin_page_has_its_own_policy_and_stays_out_of_search_and_the_sitemap(tmp_path: Path) -> None:
    need_bundle()
    work = tmp_path / "site"
    shutil.copytree(FIXTURES / "acts", work)
    result = build_site(
        work / "content",
        work / "output",
        publish=True,
        FORGE={"repository": "commons/network"},
        EDITOR={"bundle": str(BUNDLE)},
    )
    assert not result.errors, result.errors
    page = html.unescape(read(work / "output", "admin/index.html"))
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert "connect-src 'self' https://api.github.com https://raw.githubusercontent.com blob:" in page
    assert "data-pagefind-body" not in page and "localhost" not in page
    assert (work / "output/admin/decap-cms.js").is_file() and (work / "output/admin/LICENSE.txt").is_file()
    config = yaml.safe_load(read(work / "output", "admin/config.yml"))
    assert "local_backend" not in config  # publishconf.py: never on the published site
    assert "/admin/" not in read(work / "output", "sitemap.xml")
    # the site's own pages keep their strict policy
    assert "'unsafe-eval'" not in read(work / "output", "index.html")


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def editor_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The acts fixture with decap-server saving into it, built and served on 127.0.0.1."""
    need_bundle()
    from editor.local import start_local_backend

    work = tmp_path / "site"
    shutil.copytree(FIXTURES / "acts", work)
    process, api = start_local_backend({"NETROOTS_CACHE": str(ROOT / ".cache"), "PATH": str(work / "content")}, work)
    try:
        result = build_site(work / "content", work / "output", EDITOR={"local_backend": api, "bundle": str(BUNDLE)})
        assert not result.errors, result.errors
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(work / "output")))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{server.server_address[1]}", work
        server.shutdown()
        server.server_close()
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.browser
def test_a_writer_saves_a_diary_in_their_own_folder_and_it_passes_check(browser, editor_site) -> None:
    from tasks import cli

    base, work = editor_site
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1:") else route.abort(),
    )
    page = context.new_page()
    page.goto(f"{base}/admin/")
    page.get_by_role("button", name="Login").click()
    page.get_by_text("Diaries").first.wait_for()
    page.goto(f"{base}/admin/#/collections/diaries/new")
    page.locator("#author-field-1").fill("ben")
    page.locator("[id^=title-field]").fill('Night bus & "rails" #2 São')
    page.locator("[id^=tags-field]").fill("Transit, Buses")
    page.locator("[contenteditable=true]").last.click()
    page.keyboard.type("The 2 runs late, every night.")
    page.get_by_role("button", name="Publish").first.click()
    page.get_by_text("Publish now").click()
    folder = work / "content/diaries/ben"
    for _ in range(100):
        saved = [p for p in folder.glob("*-night-bus-rails-2-sao.md")]
        if saved:
            break
        page.wait_for_timeout(100)
    context.close()
    assert len(saved) == 1, sorted(p.name for p in folder.iterdir())
    text = saved[0].read_text(encoding="utf-8")
    assert "author: ben" in text and "São" in text and "- Transit" in text and "every night" in text
    result = CliRunner().invoke(cli, ["--content", str(work / "content"), "check"])
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s)" in result.output
