"""Actions and contacts: support counting, the current target, call/write links, vCards, feed, check, new."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import feedparser
import pytest
import vobject
import yaml
from actions import support
from actions.contacts import phone
from actions.links import fill, mailto
from actions.model import Action, Support, Target
from click.testing import CliRunner
from conftest import FIXTURES, build_fixture_once, read, site_settings

import tasks
from netroots import schema
from netroots.check import run_check

TODAY = dt.date(2026, 11, 22)
# Without the web of trust every registered member counts; with it (here a stand-in plugin
# publishing `trusted_members`), only trusted ones do.
NO_TRUST = {"PLUGINS": ["diaries", "tags", "members", "groups", "actions"]}
FAKE_TRUST = {
    "PLUGINS": ["diaries", "tags", "members", "groups", "fake_trust", "actions"],
    "PLUGIN_PATHS": [str(Path(tasks.ROOT) / "plugins"), str(FIXTURES / "actions" / "plugins")],
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The actions fixture built once (no web of trust); tests only read it."""
    return build_fixture_once(tmp_path_factory, "actions", **NO_TRUST)


class Links(HTMLParser):
    """Every <a>: (href, text), with entities decoded the way a browser does."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "a":
            self._href, self._text = dict(attrs).get("href", ""), []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None


def links(page: str) -> list[tuple[str, str]]:
    parser = Links()
    parser.feed(page)
    return parser.links


def text(page: str) -> str:
    main = page[page.index("<main") :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).replace("&#39;", "'").replace("&amp;", "&")


def decode_mailto(href: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(href)
    assert parts.scheme == "mailto"
    return unquote(parts.path), dict(parse_qsl(parts.query, keep_blank_values=True))


# --- support, promotion and the current target -------------------------------------------


def make(
    slug: str, *, status: str = "proposed", deadline: dt.date | None = None, threshold: int | None = None
) -> Action:
    return Action(
        slug=slug,
        title=slug,
        kind="letter",
        declared_status=status,
        proposed_by="ana",
        ask="Ask.",
        body="",
        path=Path(f"{slug}.md"),
        deadline=deadline,
        threshold_override=threshold,
    )


def test_threshold_promotes_and_trust_narrows_the_count() -> None:
    actions = {"a": make("a", threshold=3), "b": make("b", threshold=3)}
    supporters = {"a": ["ana", "ben", "cara"], "b": ["ana", "ben", "cara", "dev"]}
    counts = {slug: Support(members=m) for slug, m in supporters.items()}
    assert support.apply(actions, counts, 5, TODAY).slug == "b"
    assert actions["a"].status == actions["b"].status == "active" and actions["a"].promoted
    # With a web of trust only trusted supporters count: two of three is below the threshold.
    trusted = {
        slug: Support(members=m, trusted=[h for h in m if h in {"ana", "cara"}]) for slug, m in supporters.items()
    }
    assert support.apply(actions, trusted, 5, TODAY) is None
    assert actions["a"].status == "proposed" and actions["a"].support.counted == 2
    # Without an override the setting applies.
    plain = {"c": make("c")}
    support.apply(plain, {"c": Support(["ana", "ben"])}, 2, TODAY)
    assert plain["c"].status == "active" and plain["c"].threshold == 2


def test_current_target_tie_breaks_are_deterministic() -> None:
    # Same trusted support: more registered support wins.
    actions = {"a": make("a", status="active"), "b": make("b", status="active")}
    counts = {"a": Support(["x", "y", "z"], ["x", "y"]), "b": Support(["x", "y"], ["x", "y"])}
    assert support.apply(actions, counts, 5, TODAY).slug == "a"
    # Same support: the nearer deadline wins, then the slug.
    actions = {
        "b": make("b", status="active", deadline=dt.date(2026, 12, 1)),
        "a": make("a", status="active", deadline=dt.date(2026, 12, 9)),
    }
    counts = {"a": Support(["x"]), "b": Support(["x"])}
    assert support.apply(actions, counts, 5, TODAY).slug == "b"
    actions["a"].deadline = actions["b"].deadline
    assert support.apply(actions, counts, 5, TODAY).slug == "a"
    # An action past its deadline is ended and never the target.
    actions["a"].deadline = dt.date(2026, 11, 21)
    assert support.apply(actions, counts, 5, TODAY).slug == "b"
    assert actions["a"].ended and actions["a"].days_left == -1


def test_support_counts_registered_members_once_with_the_proposer(built) -> None:
    page = text(read(built, "actions/rent-relief/index.html"))
    # ana proposed it and lists it twice; ben and cara support it: 3 of threshold 3, so active.
    assert "3 members support this." in page
    assert "Active" in page and "Proposed" not in page
    assert re.search(r"Ana Ruiz\s+proposed it", page)
    for name in ("Ben Osei", "Cara Mendes"):
        assert name in page
    assert "Dev Patel" not in page
    assert "39 days left (until December 31, 2026)" in page


def test_actions_page_sections_and_progress_bar(built) -> None:
    page = read(built, "actions/index.html")
    active, proposed, archive = (page.index(h) for h in ("Active</h2>", "Proposed</h2>", "Won and closed</h2>"))
    assert active < page.index("Freeze bus fares") < page.index("Rent relief now") < proposed
    assert proposed < page.index("Benches for Schiller Park") < archive
    assert archive < page.index("March on the statehouse") and archive < page.index("Save the branch library")
    assert '<progress max="5" value="1"' in page
    assert "1 of 5 supporters needed" in page
    assert "Current target" in page[active:proposed]
    march = text(read(built, "actions/old-march/index.html"))
    assert "Ended October 1, 2026" in march and "This action has ended" in march


def test_front_page_shows_current_target_with_ask_and_buttons(built) -> None:
    page = read(built, "index.html")
    target = page[page.index('class="target"') : page.index("</section>", page.index('class="target"'))]
    assert "Freeze bus fares" in target and "Freeze bus fares for 2027." in target
    hrefs = [href for href, _ in links(target)]
    assert "tel:+16145550120" in hrefs
    assert "mailto:chair@transit.example.org" in hrefs
    assert page.index("Freeze bus fares") < page.index("Recent diaries")


def test_trusted_members_from_the_trust_plugin_change_counts_and_target(site, copy_fixture) -> None:
    content = copy_fixture("actions")
    result = site(content, FAKE_TRUSTED=["ana", "ben", "cara"], **FAKE_TRUST)
    assert not result.errors, result.errors
    page = text(read(result.output, "actions/bus-fares/index.html"))
    assert "4 members support this, 3 of them trusted." in page
    # bus-fares (3 trusted, 4 members) still beats rent-relief (3 trusted, 3 members).
    assert "Freeze bus fares" in text(read(result.output, "index.html"))
    fewer = site(content, FAKE_TRUSTED=["ana", "cara"], **FAKE_TRUST)
    index = read(fewer.output, "actions/index.html")
    assert "No active action right now" in index
    assert 'class="target"' not in read(fewer.output, "index.html")
    assert "2 of 3 trusted supporters needed" in text(index)


# --- call and write -----------------------------------------------------------------------


def test_mailto_round_trips_special_characters() -> None:
    subject = "Rent & relief? Yes #now 100% + more"
    body = "Dear Ana,\n\nQ&A: who pays? #rent 50%\nÜnïcödé — “quotes” = ok;/\r\nEnd"
    address, query = decode_mailto(mailto("press@example.org", subject, body))
    assert address == "press@example.org"
    assert query["subject"] == subject
    assert query["body"] == body.replace("\r\n", "\n").replace("\n", "\r\n")  # RFC 6068: CRLF line breaks
    assert set(query) == {"subject", "body"}


def test_placeholders_fill_only_target_and_person() -> None:
    assert fill("Hi {person} at {target}, {other} {", "KBRT", "Rick") == "Hi Rick at KBRT, {other} {"
    # Without a named person, {person} is the organization itself.
    action = make("x")
    action.script = "Dear {person}, about {target}"
    assert action.script_for(Target(name="Parks Department")) == "Dear Parks Department, about Parks Department"
    assert action.script_for(Target(name="KBRT", person="Rick")) == "Dear Rick, about KBRT"


def test_action_page_call_and_write_blocks(built) -> None:
    page = read(built, "actions/rent-relief/index.html")
    mail = next(href for href, _ in links(page) if href.startswith("mailto:standards@"))
    _, query = decode_mailto(mail)
    assert query["subject"] == "Rent & relief? Yes #now 100%"
    expected = (
        "Dear José Núñez,\n\nWill The City Paper cover the vote? Q&A: who pays? #rent 50% + more…\n"
        "Ünïcödé — “quotes” and a literal {unknown} brace.\n\nThanks,\nAna"
    )
    assert query["body"] == expected.replace("\n", "\r\n")
    assert "tel:+16145550111;ext=12" in [href for href, _ in links(page)]
    printable = read(built, "actions/rent-relief/letter/index.html")
    assert "Dear José Núñez," in printable and "10 Main Street" in printable
    call = text(read(built, "actions/bus-fares/index.html"))
    assert "Hello Lee Park, I'm calling Metro Transit Board to ask for a fare freeze." in call


def test_phone_numbers_normalize_to_e164() -> None:
    us = phone("US")
    assert us("(614) 555-0142").e164 == "+16145550142"
    assert us("614.555.0142").display == "(614) 555-0142"
    london = us("+44 20 7946 0018")
    assert london.e164 == "+442079460018" and london.display.startswith("+44")
    assert us("+1 614-555-0111 ext. 12").href == "tel:+16145550111;ext=12"
    for bad in ("555-0123", "call me", "(614) 555-01"):
        with pytest.raises(schema.Invalid, match="phone number"):
            us(bad)


# --- contacts -----------------------------------------------------------------------------


def test_contact_directory_grouped_with_a_filter_without_javascript(built) -> None:
    page = read(built, "contacts/index.html")
    assert page.index("Media</h2>") < page.index("The City Paper") < page.index("Companies</h2>")
    assert page.index("Companies</h2>") < page.index(">Paper Holdings</a></th>") < page.index("Officials</h2>")
    assert "<script" not in page
    assert ("../contacts/kind/official/", "Officials (1)") in links(page)
    officials = read(built, "contacts/kind/official/index.html")
    assert "Metro Transit Board" in officials and "The City Paper" not in officials
    assert 'aria-current="page">Officials' in officials


def test_contact_page_links_phones_emails_owner_and_vcard(built) -> None:
    page = read(built, "contacts/city-paper/index.html")
    hrefs = dict(links(page))
    assert hrefs["tel:+16145550110"] == "(614) 555-0110"
    assert "mailto:standards@citypaper.example.com" in hrefs
    assert hrefs["../../contacts/paper-holdings/"] == "Paper Holdings"
    assert hrefs["../../contacts/city-paper/city-paper.vcf"].startswith("Download vCard")
    assert "10 Main Street" in page and "Rent relief now" in page
    assert "The City Paper" in read(built, "contacts/paper-holdings/index.html")


def test_vcard_parses_with_vobject(built) -> None:
    cards = list(vobject.readComponents((built / "contacts/city-paper/city-paper.vcf").read_text("utf-8")))
    org, person = cards
    assert org.fn.value == "The City Paper" and org.org.value == ["The City Paper"]
    assert org.tel.value == "+16145550110"
    assert org.adr.value.city == "Columbus" and org.adr.value.code == "43215"
    assert org.url.value == "https://citypaper.example.com/"
    assert "Paper Holdings" in org.note.value
    assert person.fn.value == "José Núñez" and person.title.value == "Standards Editor"
    assert person.email.value == "standards@citypaper.example.com"


# --- feed ---------------------------------------------------------------------------------


def test_feed_has_an_entry_when_active_and_when_won(built) -> None:
    feed = feedparser.parse(built / "feeds/actions.atom.xml")
    assert not feed.bozo
    entries = {e.title: e for e in feed.entries}
    assert entries["Won: Save the branch library"].updated.startswith("2026-06-15")
    assert entries["Now active: Save the branch library"].updated.startswith("2026-04-01")
    assert entries["Now active: March on the statehouse"].updated.startswith("2026-09-01")
    # Promoted by support without an `activated:` date: the first build that saw it remembers the day.
    assert entries["Now active: Freeze bus fares"].updated.startswith("2026-11-22")
    assert not any(t.endswith("Benches for Schiller Park") for t in entries)
    assert entries["Won: Save the branch library"].id.endswith("/actions/library-win/#won")


def test_feed_keeps_the_remembered_activation_date(site, copy_fixture, monkeypatch) -> None:
    content = copy_fixture("actions")
    site(content, **NO_TRUST)
    monkeypatch.setenv("NETROOTS_TODAY", "2026-11-25")
    again = site(content, **NO_TRUST)
    feed = feedparser.parse(again.output / "feeds/actions.atom.xml")
    entry = next(e for e in feed.entries if e.title == "Now active: Freeze bus fares")
    assert entry.updated.startswith("2026-11-22")


# --- check and new ------------------------------------------------------------------------


def check_messages(content: Path, **overrides) -> list[str]:
    settings = site_settings(content, content.parent / "output", **{**NO_TRUST, **overrides})
    return [str(p) for p in run_check(settings).problems]


def test_check_accepts_the_fixture(copy_fixture) -> None:
    problems = check_messages(copy_fixture("actions"))
    assert not [p for p in problems if ": error: " in p], problems


def test_check_reports_unknown_targets_bad_phones_emails_and_fields(copy_fixture) -> None:
    content = copy_fixture("actions")
    action = content / "actions/bus-fares.md"
    action.write_text(
        action.read_text()
        .replace(
            "  - transit-board", "  - transit-board\n  - no-such-contact\n  - {contact: city-paper, person: Nobody}"
        )
        .replace("kind: call", "kind: sit-in")
        .replace("threshold: 3", "threshold: 0")
        .replace("deadline: 2027-01-15", "deadline: 2026-10-01"),
        encoding="utf-8",
    )
    contact = content / "contacts/transit-board.yaml"
    contact.write_text(
        contact.read_text()
        .replace("kind: official", "kind: blogger")
        .replace("614.555.0120", "555-0120")
        .replace("chair@transit.example.org", "chair at transit"),
        encoding="utf-8",
    )
    (content / "members/dev.yaml").write_text(
        "name: Dev Patel\nsupports: [bus-fares, no-such-action]\n", encoding="utf-8"
    )
    problems = "\n".join(check_messages(content))
    assert "content/actions/bus-fares.md:3: error: kind: 'sit-in' is not one of: boycott, letter" in problems
    assert "content/actions/bus-fares.md:8: error: threshold: must be at least 1, not 0" in problems
    assert "content/actions/bus-fares.md:7: error: deadline: 2026-10-01 is before proposed (2026-11-02)" in problems
    assert (
        "content/contacts/transit-board.yaml:2: error: kind: 'blogger' is not one of: media, advertiser, company, official"
        in problems
    )
    assert (
        "content/contacts/transit-board.yaml:3: error: phone: '555-0120' is not a valid phone number for US" in problems
    )
    assert (
        "content/contacts/transit-board.yaml:8: error: people: item 1: email: 'chair at transit' is not an email address"
        in problems
    )
    assert "content/members/dev.yaml:2: error: supports: 'no-such-action' is not an action" in problems
    assert "bus-fares.md:12: error: targets: item 2: 'no-such-contact' is not a contact" in problems
    assert "'Nobody' is not one of the people of city-paper (José Núñez)" in problems
    # The contact file exists but has errors: say so, rather than that there is no such file.
    assert (
        "bus-fares.md:11: error: targets: item 1: contact 'transit-board' has errors; "
        "fix content/contacts/transit-board.yaml" in problems
    )
    assert "no content/contacts/transit-board.yaml" not in problems


def test_phone_region_setting_reads_numbers_without_a_country_code(copy_fixture) -> None:
    problems = "\n".join(check_messages(copy_fixture("actions"), ACTIONS={"phone_region": "GB"}))
    assert "content/contacts/transit-board.yaml:3: error: phone: '614.555.0120' is not a valid phone number for GB" in (
        problems
    )


def test_check_validates_statuses_dates_and_letters(copy_fixture) -> None:
    content = copy_fixture("actions")
    (content / "actions/bad.md").write_text(
        "---\ntitle: Bad\nkind: letter\nstatus: maybe\nproposed_by: zed\nask: Do it.\n"
        "proposed: 2026-05-01\nactivated: 2026-04-01\nwon: someday\n---\nWhy.\n",
        encoding="utf-8",
    )
    problems = "\n".join(check_messages(content))
    assert "content/actions/bad.md:4: error: status: 'maybe' is not one of: proposed, active, won, closed" in problems
    assert "content/actions/bad.md:5: error: proposed_by: 'zed' is not a member" in problems
    assert "content/actions/bad.md:9: error: won: 'someday' is not a date; write it as YYYY-MM-DD" in problems
    assert "content/actions/bad.md:8: error: activated: 2026-04-01 is before proposed (2026-05-01)" in problems
    assert "content/actions/bad.md:3: error: a letter action needs `letter:`" in problems


def test_bad_action_is_left_out_and_the_rest_builds(site, copy_fixture) -> None:
    content = copy_fixture("actions")
    (content / "actions/bus-fares.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    result = site(content, **NO_TRUST)
    assert result.errors == [
        "content/actions/bus-fares.md:3: error: YAML syntax error: did not find expected ',' or ']'; "
        "check indentation, and quote values that contain ': ' or start with a symbol"
    ]
    assert (result.output / "actions/rent-relief/index.html").is_file()
    assert not (result.output / "actions/bus-fares").exists()


def invoke(content: Path, *args: str):
    return CliRunner().invoke(tasks.cli, ["--content", str(content), *args], catch_exceptions=False)


def test_new_action_and_new_contact_write_files_that_check_clean(copy_fixture) -> None:
    content = copy_fixture("actions")
    made = invoke(content, "new", "contact", "Dayton Daily Bugle", "--kind", "media")
    assert made.exit_code == 0, made.output
    assert yaml.safe_load((content / "contacts/dayton-daily-bugle.yaml").read_text())["kind"] == "media"
    made = invoke(
        content, "new", "action", 'Ask the "Bugle" for a fix', "--by", "eve", "--target", "dayton-daily-bugle"
    )
    assert made.exit_code == 0, made.output
    path = content / "actions/ask-the-bugle-for-a-fix.md"
    front = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
    assert front["title"] == 'Ask the "Bugle" for a fix' and front["proposed_by"] == "eve"
    assert front["targets"] == ["dayton-daily-bugle"] and front["deadline"] == dt.date(2026, 12, 22)
    problems = [p for p in check_messages(content) if "dayton" in p or "bugle" in p]
    assert problems and all("still the starter's example" in p for p in problems), problems  # asks the writer
    refused = CliRunner().invoke(tasks.cli, ["--content", str(content), "new", "action", "X", "--by", "zed"])
    assert refused.exit_code == 2 and "no member 'zed'" in refused.output


def test_demo_network_actions(demo_output) -> None:
    front = read(demo_output, "index.html")
    assert "Ask advertisers to pull their ads from The Hal Brenner Hour" in front
    index = read(demo_output, "actions/index.html")
    for slug in ("brenner-advertisers", "meridian-local-newsroom", "daily-ledger-corrections"):
        assert f"actions/{slug}/" in index
    assert (demo_output / "contacts/kbrt-radio/kbrt-radio.vcf").is_file()
    assert "Meridian Broadcast Group" in read(demo_output, "contacts/kbrt-radio/index.html")
