"""Take-part links: forge URLs built in one place with exact encoding, links on the pages
where acts belong, none without a repository, and the handle filled in by acts.js."""

from __future__ import annotations

import html
import re
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, TODAY, build_fixture_once, build_site, read

from netroots.core import FORGE_SPEC
from netroots.forge import Forge, site_forge

HOSTILE = "Rent & \"repairs\" #1: it's São Paulo's 100% / ünïcode\n? = +"
REPO = {"FORGE": {"repository": "commons/network"}}


@pytest.mark.parametrize(
    ("kind", "page", "name_field", "text_field"),
    [
        ("github", "https://github.com/commons/network/new/main?", "filename", "value"),
        ("gitlab", "https://gitlab.com/commons/network/-/new/main/?", "file_name", "content"),
        ("gitea", "https://gitea.com/commons/network/_new/main/?", "filename", "value"),
        ("forgejo", "https://codeberg.org/commons/network/_new/main/?", "filename", "value"),
    ],
)
def test_new_file_links_for_each_forge_survive_the_round_trip(kind, page, name_field, text_field) -> None:
    forge = site_forge({"FORGE": {"kind": kind, "repository": "commons/network"}})
    path = "content/acts/ana/2026-11-22-#1 & ü.yaml"
    url = forge.new_file(path, HOSTILE)
    assert url.startswith(page)
    query = urlsplit(url).query
    assert set(query) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789%-._~=&")
    assert parse_qs(query, keep_blank_values=True) == {name_field: [path], text_field: [HOSTILE]}
    assert "%20" in url and "+" not in url  # a space is %20, never a +


def test_self_hosted_forge_branch_and_edit_links() -> None:
    forge = site_forge(
        {
            "FORGE": {
                "kind": "forgejo",
                "url": "https://git.example.org/",
                "repository": "/org/site/",
                "branch": "live/site",
            }
        }
    )
    assert forge == Forge("forgejo", "https://git.example.org/", "org/site", "live/site")
    assert forge.new_file("a b", "x").startswith(
        "https://git.example.org/org/site/_new/live/site/?filename=a%20b&value=x"
    )
    assert forge.edit_file("content/diaries/ana/2026-01-01-a b.md") == (
        "https://git.example.org/org/site/_edit/live/site/content/diaries/ana/2026-01-01-a%20b.md"
    )
    assert site_forge({"FORGE": {"repository": ""}}) is None
    # FORGE is declared like every plugin's settings: a bad kind is one error line and the default.
    problems: list[str] = []
    assert FORGE_SPEC.options({"FORGE": {"kind": "svn"}}, problems)["kind"] == "github"
    assert problems == [
        "FORGE: kind must be 'github' or 'gitlab' or 'gitea' or 'forgejo', not 'svn'; using the default 'github'"
    ]


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_once(tmp_path_factory, "acts", **REPO)


@pytest.fixture(scope="module")
def unlinked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_once(tmp_path_factory, "acts")


def act_links(page: str) -> dict[str, str]:
    """Label -> href of the take-part links on a page."""
    found = re.findall(r'<a class="button[^"]*" data-act href="([^"]+)"[^>]*>([^<]+)</a>', page)
    return {html.unescape(label): html.unescape(href) for href, label in found}


def filled(href: str) -> tuple[str, str]:
    query = parse_qs(urlsplit(href).query)
    return query["filename"][0], query["value"][0]


def test_links_where_acts_belong(linked: Path) -> None:
    diary = act_links(read(linked, "diaries/cara/tenant-minutes/index.html"))
    assert set(diary) == {"Recommend", "Edit", "Reply", "Join the network"}  # Reply: the comments plugin is on
    assert (
        diary["Edit"]
        == "https://github.com/commons/network/edit/main/content/diaries/cara/2026-11-15-tenant-minutes.md"
    )
    assert 'hidden data-act-owner="cara"' in read(linked, "diaries/cara/tenant-minutes/index.html")
    name, text = filled(diary["Recommend"])
    assert name == f"content/acts/YOUR-HANDLE/{TODAY}-recommend-cara-tenant-minutes.yaml"
    assert text.endswith("act: recommend\ndiary: cara/tenant-minutes\n")
    assert "Support this cause" in act_links(read(linked, "actions/bus-fares/index.html"))
    assert "I'm going" in act_links(read(linked, "events/library-meetup/index.html"))
    assert "Vouch for Ana Ruiz" in act_links(read(linked, "members/ana/index.html"))
    front = act_links(read(linked, "index.html"))
    name, text = filled(front["Join the network"])
    assert name == "content/members/YOUR-HANDLE.yaml" and "name:" in text
    assert '<script src="./theme/js/acts.js" defer></script>' in read(linked, "index.html")


def test_the_action_page_no_longer_tells_members_to_edit_yaml_when_there_is_a_link(linked, unlinked) -> None:
    assert "add <code>bus-fares</code> to <code>supports:</code>" not in read(linked, "actions/bus-fares/index.html")
    assert "Members add their support from their own profile" in read(unlinked, "actions/bus-fares/index.html")


def test_no_links_and_no_script_without_a_repository(unlinked: Path) -> None:
    for page in unlinked.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "data-act" not in text and "acts.js" not in text and "github.com" not in text, page
    assert "Going: " in read(unlinked, "events/library-meetup/index.html")  # who is going shows anyway


def test_a_file_made_from_a_link_passes_check_and_counts(tmp_path: Path, linked: Path) -> None:
    from tasks import cli

    work = tmp_path / "site"
    shutil.copytree(FIXTURES / "acts", work)
    title = HOSTILE.replace("\n", " ")
    diary = work / "content/diaries/cara/2026-11-17-hostile.md"
    diary.write_text(
        f'---\ntitle: "{title.replace(chr(34), chr(92) + chr(34))}"\ntags: [Housing]\n---\n\nBody.\n', encoding="utf-8"
    )
    build = build_site(work / "content", tmp_path / "out", **REPO)
    assert not build.errors, build.errors
    links = act_links(read(tmp_path / "out", "diaries/cara/hostile/index.html"))
    name, text = filled(links["Recommend"])
    assert title in text  # the title, in the comment line, as written
    target = work / name.replace("YOUR-HANDLE", "dev")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    for label, page in (
        ("Vouch for Dev Patel", "members/dev/index.html"),
        ("I'm going", "events/library-meetup/index.html"),
    ):
        name, text = filled(act_links(read(linked, page))[label])
        (work / name.replace("YOUR-HANDLE", "ana")).write_text(text, encoding="utf-8")
    name, text = filled(act_links(read(linked, "index.html"))["Join the network"])
    joined = work / name.replace("YOUR-HANDLE", "zoe")
    # The starter asks for a bio: left as it is, check names it (tests/test_writer_loop.py).
    bio = "A sentence or two about you."
    assert bio in text
    joined.write_text(text.replace("YOUR-LOGIN", "zoe-gh").replace(bio, "Zoe organizes tenants."), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--content", str(work / "content"), "check"])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output.replace("0 warning", ""), result.output


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(linked: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(linked)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_a_reader_says_once_who_they_are_and_the_links_fill_in(browser, served: str) -> None:
    context = browser.new_context()
    requested: list[str] = []

    def route(request_route) -> None:
        requested.append(request_route.request.url)
        if request_route.request.url.startswith(served):
            request_route.continue_()
        else:
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.goto(f"{served}/diaries/cara/tenant-minutes/")
    assert page.locator("a.act-link", has_text="Edit").is_hidden()
    page.fill("#act-handle", "Not a handle!")
    page.click("text=Fill in my links")
    assert "lowercase letters" in page.inner_text("[data-act-status]")
    page.fill("#act-handle", "cara")
    page.click("text=Fill in my links")
    recommend = page.get_attribute("a.act-link >> text=Recommend", "href")
    assert "content%2Facts%2Fcara%2F" in recommend and "YOUR-HANDLE" not in recommend
    assert page.locator("a.act-link", has_text="Edit").is_visible()  # cara's own diary
    page.goto(f"{served}/members/cara/")  # remembered on the next page
    assert page.locator("a.act-link", has_text="Vouch for").is_hidden()  # not for yourself
    page.goto(f"{served}/members/ana/")
    assert "content%2Facts%2Fcara%2F" in page.get_attribute("a.act-link >> text=Vouch for", "href")
    page.click("text=Forget me")
    assert "YOUR-HANDLE" in page.get_attribute("a.act-link >> text=Vouch for", "href")
    assert all(url.startswith(served) for url in requested), requested  # nothing asked of the forge
    context.close()


def test_comment_links_recommend_the_comment_and_reply_under_it() -> None:
    import datetime as dt

    from acts.links import ActLinks
    from jinja2 import Environment, FileSystemLoader

    forge = site_forge({"FORGE": {"repository": "commons/network"}})
    links = ActLinks(forge, "content", dt.datetime(2026, 11, 22, 19, 5), comments=True)
    env = Environment(loader=FileSystemLoader(str(Path(__file__).parent.parent / "theme/templates")), autoescape=True)
    macro = env.from_string('{% from "acts/_links.html" import comment_links %}{{ comment_links(l, c, n, d, t) }}')
    page = macro.render(
        l=links, c="ben/2026-11-20-1930-thanks", n="Ben Ortiz", d="cara/tenant-minutes", t="Tenant & co"
    )
    found = act_links(page)
    name, text = filled(found["Recommend"])
    assert name == "content/acts/YOUR-HANDLE/2026-11-22-recommend-ben-2026-11-20-1930-thanks.yaml"
    assert text.endswith("act: recommend\ncomment: ben/2026-11-20-1930-thanks\n")
    name, text = filled(found["Reply"])
    assert name == "content/comments/YOUR-HANDLE/2026-11-22-1905-re-tenant-minutes.md"
    assert text.startswith(
        '---\non: cara/tenant-minutes\nparent: ben/2026-11-20-1930-thanks\ntitle: "Re: Tenant & co"\n'
        "date: 2026-11-22 19:05\n---\n"
    )
    assert macro.render(l=None, c="x/y", n="", d="a/b", t="") == ""


def test_a_title_cannot_add_lines_to_the_prefilled_act() -> None:
    import datetime as dt

    import yaml
    from acts.links import ActLinks

    links = ActLinks(site_forge(REPO), "content", dt.datetime(2026, 11, 22, 12, 0))
    title = 'Hi"\nact: vouch\nmember: mallory\r\n# </a><script>alert(1)</script>'
    _name, text = filled(links.recommend("cara/tenant-minutes", title, "Cara\nWells"))
    assert yaml.safe_load(text) == {"act": "recommend", "diary": "cara/tenant-minutes"}
    assert text.count("\n") == 4  # two comment lines, two fields


def test_each_comment_in_a_thread_gets_recommend_and_reply(linked: Path, unlinked: Path) -> None:
    page = read(linked, "diaries/cara/tenant-minutes/index.html")
    start = page.index('data-comment-id="ben/2026-11-20-1930-thanks"')
    found = act_links(page[start : page.index("</li>", start)])
    assert set(found) == {"Recommend", "Reply"}
    name, text = filled(found["Recommend"])
    assert name == f"content/acts/YOUR-HANDLE/{TODAY}-recommend-ben-2026-11-20-1930-thanks.yaml"
    assert text.endswith("act: recommend\ncomment: ben/2026-11-20-1930-thanks\n")
    name, text = filled(found["Reply"])
    assert name.startswith(f"content/comments/YOUR-HANDLE/{TODAY}-")
    assert "on: cara/tenant-minutes\nparent: ben/2026-11-20-1930-thanks\n" in text
    assert 'title: "Re: Tenant minutes"' in text
    plain = read(unlinked, "diaries/cara/tenant-minutes/index.html")
    assert 'data-comment-id="ben/2026-11-20-1930-thanks"' in plain and "data-act href" not in plain
