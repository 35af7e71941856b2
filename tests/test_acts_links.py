"""Take-part links: forge URLs built in one place with exact encoding, links on the pages
where acts belong, none without a repository, and the handle filled in by acts.js."""

from __future__ import annotations

import html
import json
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


def clicked(text: str, day: str = TODAY, minute: str = "1930") -> str:
    """What acts.js makes of a link's name or text when it is followed at ``day`` ``minute``."""
    text = re.sub(r"(^|/)YYYY-MM-DD-HHMM(?=-[^/\n]*$)", rf"\g<1>{day}-{minute}", text)
    text = re.sub(r"(^|/)YYYY-MM-DD(?=-[^/\n]*$)", rf"\g<1>{day}", text)
    return re.sub(r"^([a-z_]+): YYYY-MM-DD$", rf"\1: {day}", text, flags=re.M)


def test_links_where_acts_belong(linked: Path) -> None:
    diary = act_links(read(linked, "diaries/cara/tenant-minutes/index.html"))
    assert set(diary) == {"Recommend", "Edit", "Reply", "Join the network"}  # Reply: the comments plugin is on
    assert (
        diary["Edit"]
        == "https://github.com/commons/network/edit/main/content/diaries/cara/2026-11-15-tenant-minutes.md"
    )
    assert 'hidden data-act-owner="cara"' in read(linked, "diaries/cara/tenant-minutes/index.html")
    name, text = filled(diary["Recommend"])
    assert name == "content/acts/YOUR-HANDLE/YYYY-MM-DD-recommend-cara-tenant-minutes.yaml"  # acts.js dates it
    assert text.endswith("act: recommend\ndiary: cara/tenant-minutes\n")
    assert "Support this cause" in act_links(read(linked, "actions/bus-fares/index.html"))
    assert "I'm going" in act_links(read(linked, "events/library-meetup/index.html"))
    assert "Vouch for Ana Ruiz" in act_links(read(linked, "members/ana/index.html"))
    front = act_links(read(linked, "index.html"))
    name, text = filled(front["Join the network"])
    assert name == "content/members/YOUR-HANDLE.yaml" and "name:" in text and "\njoined: YYYY-MM-DD\n" in text
    assert 'data-act-zone="America/New_York"' in read(linked, "index.html")  # the zone acts.js dates files in
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
    target = work / clicked(name.replace("YOUR-HANDLE", "dev"))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    for label, page in (
        ("Vouch for Dev Patel", "members/dev/index.html"),
        ("I'm going", "events/library-meetup/index.html"),
    ):
        name, text = filled(act_links(read(linked, page))[label])
        (work / clicked(name.replace("YOUR-HANDLE", "ana"))).write_text(text, encoding="utf-8")
    name, text = filled(links["Reply"])
    (work / clicked(name.replace("YOUR-HANDLE", "ben"))).write_text(text + "Agreed.\n", encoding="utf-8")
    name, text = filled(act_links(read(linked, "index.html"))["Join the network"])
    text = clicked(text)
    joined = work / name.replace("YOUR-HANDLE", "zoe")
    # The starter asks for a bio: left as it is, check names it (tests/test_writer_loop.py).
    bio = "A sentence or two about you."
    assert bio in text
    joined.write_text(text.replace("YOUR-LOGIN", "zoe-gh").replace(bio, "Zoe organizes tenants."), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--content", str(work / "content"), "check"])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output.replace("0 warning", ""), result.output


def test_a_file_saved_without_javascript_names_the_placeholder_left_in_it(tmp_path: Path, linked: Path) -> None:
    """Without JavaScript the forge shows YYYY-MM-DD in the new file's name: a member who
    saves it as it is gets one error naming the file and what to write there; an act that
    says its `date:` is fine whatever its name; the rest of the site builds."""
    from tasks import cli

    work = tmp_path / "site"
    shutil.copytree(FIXTURES / "acts", work)
    diary = act_links(read(linked, "diaries/cara/tenant-minutes/index.html"))
    recommend, text = filled(diary["Recommend"])
    (work / recommend.replace("YOUR-HANDLE", "dev")).write_text(text, encoding="utf-8")
    reply, text = filled(diary["Reply"])
    (work / reply.replace("YOUR-HANDLE", "dev")).parent.mkdir(parents=True, exist_ok=True)
    (work / reply.replace("YOUR-HANDLE", "dev")).write_text(text + "Agreed.\n", encoding="utf-8")
    going, text = filled(act_links(read(linked, "events/library-meetup/index.html"))["I'm going"])
    dated = work / going.replace("YOUR-HANDLE", "ana")
    dated.write_text(text + f"date: {TODAY}\n", encoding="utf-8")  # named as it came, dated inside
    join, text = filled(act_links(read(linked, "index.html"))["Join the network"])
    member = work / join.replace("YOUR-HANDLE", "zoe")
    member.write_text(
        text.replace("YOUR-LOGIN", "zoe-gh").replace("A sentence or two about you.", "Zoe organizes."),
        encoding="utf-8",
    )
    joined_line = text.splitlines().index("joined: YYYY-MM-DD") + 1
    result = CliRunner().invoke(cli, ["--content", str(work / "content"), "check"])
    assert result.exit_code == 1
    said = result.output
    assert (
        "content/acts/dev/YYYY-MM-DD-recommend-cara-tenant-minutes.yaml:1: error: the file name still starts with "
        "YYYY-MM-DD: write the day you made it in its place, e.g. 2026-11-22-recommend-cara-tenant-minutes.yaml"
    ) in said, said
    assert (
        "content/comments/dev/YYYY-MM-DD-HHMM-re-tenant-minutes.md:1: error: the file name still starts with "
        "YYYY-MM-DD-HHMM: write the date and 24-hour time you wrote the reply in its place, "
        "e.g. 2026-11-20-1930-re-tenant-minutes.md"
    ) in said, said
    assert (
        f"content/members/zoe.yaml:{joined_line}: error: joined: still says YYYY-MM-DD; "
        "write the date in its place, e.g. 2026-04-18"
    ) in said, said
    assert "library-meetup" not in said and "Traceback" not in said, said  # the dated act passes
    build = build_site(work / "content", tmp_path / "out", **REPO)
    assert len(build.errors) == 3, build.errors
    assert (tmp_path / "out" / "diaries/cara/tenant-minutes/index.html").is_file()
    event = read(tmp_path / "out", "events/library-meetup/index.html")
    assert 'members/ana/">Ana Ruiz</a>' in event[event.index('<p class="going">') :]


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

    from acts.links import ActLinks
    from jinja2 import Environment, FileSystemLoader

    forge = site_forge({"FORGE": {"repository": "commons/network"}})
    links = ActLinks(forge, "content", comments=True)
    env = Environment(loader=FileSystemLoader(str(Path(__file__).parent.parent / "theme/templates")), autoescape=True)
    macro = env.from_string('{% from "acts/_links.html" import comment_links %}{{ comment_links(l, c, n, d, t) }}')
    page = macro.render(
        l=links, c="ben/2026-11-20-1930-thanks", n="Ben Ortiz", d="cara/tenant-minutes", t="Tenant & co"
    )
    found = act_links(page)
    name, text = filled(found["Recommend"])
    assert name == "content/acts/YOUR-HANDLE/YYYY-MM-DD-recommend-ben-2026-11-20-1930-thanks.yaml"
    assert text.endswith("act: recommend\ncomment: ben/2026-11-20-1930-thanks\n")
    name, text = filled(found["Reply"])
    assert name == "content/comments/YOUR-HANDLE/YYYY-MM-DD-HHMM-re-tenant-minutes.md"  # the name dates it
    assert text.startswith(
        '---\non: cara/tenant-minutes\nparent: ben/2026-11-20-1930-thanks\ntitle: "Re: Tenant & co"\n---\n'
    )
    assert macro.render(l=None, c="x/y", n="", d="a/b", t="") == ""


def test_a_title_cannot_add_lines_to_the_prefilled_act() -> None:

    import yaml
    from acts.links import ActLinks

    links = ActLinks(site_forge(REPO), "content")
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
    assert name == "content/acts/YOUR-HANDLE/YYYY-MM-DD-recommend-ben-2026-11-20-1930-thanks.yaml"
    assert text.endswith("act: recommend\ncomment: ben/2026-11-20-1930-thanks\n")
    name, text = filled(found["Reply"])
    assert name == "content/comments/YOUR-HANDLE/YYYY-MM-DD-HHMM-re-tenant-minutes.md"
    assert "on: cara/tenant-minutes\nparent: ben/2026-11-20-1930-thanks\n" in text
    assert 'title: "Re: Tenant minutes"' in text
    plain = read(unlinked, "diaries/cara/tenant-minutes/index.html")
    assert 'data-comment-id="ben/2026-11-20-1930-thanks"' in plain and "data-act href" not in plain


def test_pages_with_take_part_links_do_not_depend_on_the_build_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The links carry placeholders that acts.js fills, never the build's time: a second build
    later the same day writes the same bytes and renders nothing (issue 19)."""
    shutil.copytree(FIXTURES / "acts", tmp_path / "site")
    content, output = tmp_path / "site" / "content", tmp_path / "output"
    # A week and a few hours before the builds: "most discussed this week" counts whole days.
    (content / "comments/ana").mkdir()
    (content / "comments/ana/2026-11-15-1200-routes.md").write_text(
        "---\non: ben/bus-routes\n---\n\nWhich routes?\n", encoding="utf-8"
    )
    monkeypatch.setenv("NETROOTS_TODAY", f"{TODAY}T09:00")
    first = build_site(content, output, **REPO)
    assert not first.errors, first.errors
    pages = {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*.html")}
    diary = "diaries/cara/tenant-minutes/index.html"
    assert "Reply" in act_links(pages[diary].decode())
    assert "Bus routes" in pages["digest/2026-w47/index.html"].decode().split("Most discussed</h2>")[1]
    monkeypatch.setenv("NETROOTS_TODAY", f"{TODAY}T21:47")
    again = build_site(content, output, **REPO)
    assert again.summary.startswith("rendered 0 of "), again.summary
    changed = [name for name, data in pages.items() if (output / name).read_bytes() != data]
    assert changed == [], changed


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The acts fixture with a diary whose title holds the placeholders and markup, served."""
    work = tmp_path_factory.mktemp("hostile-links")
    shutil.copytree(FIXTURES / "acts", work, dirs_exist_ok=True)
    (work / "content/diaries/cara/2026-11-18-hostile.md").write_text(
        f"---\ntitle: {json.dumps(HOSTILE_TITLE)}\ntags: [Housing]\n---\n\nBody.\n", encoding="utf-8"
    )
    result = build_site(work / "content", work / "output", **REPO)
    assert not result.errors, result.errors
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(work / "output")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


HOSTILE_TITLE = (
    'YYYY-MM-DD-HHMM YOUR-HANDLE/x.yaml "><img src=x onerror="window.pwned=1"></a><script>window.pwned=2</script>'
)


@pytest.mark.browser
def test_a_clicked_link_carries_the_moment_of_the_click_in_the_sites_time_zone(browser, hostile_site: str) -> None:
    """The reader's clock, in the site's zone (America/New_York, not the browser's Tokyo),
    dates the new file's name and its `joined:` line; a title holding the placeholders and
    markup stays as written and runs nothing; a hostile remembered handle is ignored."""
    forge = site_forge(REPO)
    context = browser.new_context(timezone_id="Asia/Tokyo")
    served = hostile_site
    forge_pages: list[str] = []

    def route(request_route) -> None:  # the site from 127.0.0.1; the forge answered here, never asked
        if request_route.request.url.startswith(served):
            request_route.continue_()
        else:
            forge_pages.append(request_route.request.url)
            request_route.fulfill(status=200, content_type="text/plain", body="the forge")

    context.route("**/*", route)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.clock.set_fixed_time("2026-11-26T23:30:00Z")  # 18:30 in New York, 08:30 on the 27th in Tokyo
    page.goto(f"{served}/diaries/cara/hostile/")
    page.fill("#act-handle", "dev")
    page.click("text=Fill in my links")
    recommend = page.get_attribute("a.act-link >> text=Recommend", "href")
    name, text = filled(recommend)
    assert name == "content/acts/dev/2026-11-26-recommend-cara-hostile.yaml"
    assert recommend == forge.new_file(name, text)  # encoded as the site encodes
    join = page.get_attribute("a[data-act] >> text=Join the network", "href")
    assert "\njoined: 2026-11-26\n" in filled(join)[1] and join == forge.new_file(*filled(join))
    page.clock.set_fixed_time("2026-11-27T05:05:00Z")  # the page stays open past midnight in New York
    reply = page.locator("a.act-link", has_text="Reply").first
    assert page.evaluate("window.pwned") is None and dialogs == [] and forge_pages == []
    reply.click()
    page.wait_for_url("https://github.com/**")
    assert len(forge_pages) == 1, forge_pages
    name, text = filled(forge_pages[0])
    assert name == "content/comments/dev/2026-11-27-0005-re-hostile.md"
    assert json.loads(text.split("title: ", 1)[1].split("\n", 1)[0]) == f"Re: {HOSTILE_TITLE}"  # untouched
    assert forge_pages[0] == forge.new_file(name, text)
    # A handle planted in localStorage that is not a handle is never put into a link.
    page = context.new_page()
    page.goto(f"{served}/members/ana/")
    page.evaluate("localStorage.setItem('netroots-handle', '../x\"><script>window.pwned=3</script>')")
    page.reload()
    vouch = page.get_attribute("a.act-link >> text=Vouch for", "href")
    assert filled(vouch)[0].startswith("content/acts/YOUR-HANDLE/") and page.evaluate("window.pwned") is None
    context.close()
