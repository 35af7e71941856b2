"""Allies: fetching from a local server that plays every bad ally, and the pages built from the cache.

Every request goes to a server these tests start on 127.0.0.1; timeouts and budgets
are small so the whole file runs in seconds.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import feedparser
import pytest
from allies.fetch import retry_after_seconds, skip_reason
from allies.model import Ally, normalize_url, safe_url
from allies.parse import NotAFeed, parse_body
from allies.update import backoff_seconds, run_fetch
from allies_server import FIXTURES, HostileServer, send, standard_routes
from click.testing import CliRunner
from conftest import FIXTURES as SITE_FIXTURES
from conftest import ROOT, TODAY, build_site, read, site_settings

FAST = {
    "allow_private_addresses": True,
    "timeout": 1.0,
    "budget": 8,
    "max_bytes": 1_000_000,
    "retry_wait": 2,
    "parse_workers": 0,
    "progress": False,
}
GOOD = ["rss090", "rss091", "rss10", "rss20", "atom03", "atom10"]
HOSTILE = [
    "latin1", "entity-bomb", "control", "evil", "dates", "dup-a", "dup-b", "slow", "drip", "huge",
    "huge-declared", "gzip-bomb", "loop-a", "moved", "moved-308", "to-javascript", "missing", "gone",
    "error", "throttled", "busy", "html", "gzipped",
]  # fmt: skip


def allies_yaml(server: HostileServer, names: list[str], extra: dict[str, str] | None = None) -> str:
    lines = []
    for name in names:
        lines.append(f"- name: Ally {name}\n  slug: {name}\n  feed: {server.url('/' + name)}\n")
        for key, value in (extra or {}).get(name, {}).items():
            lines.append(f"  {key}: {value}\n")
    return "".join(lines)


def new_site(root: Path, yaml_text: str) -> Path:
    content = root / "content"
    shutil.copytree(SITE_FIXTURES / "basic" / "content", content)
    (content / "allies.yaml").write_text(yaml_text, encoding="utf-8")
    return content


def settings_for(content: Path, **allies: Any) -> dict[str, Any]:
    return site_settings(content, content.parent / "output", ALLIES={**FAST, **allies})


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    """Fetch every good and bad ally twice, then build once: shared by the tests below."""
    os.environ["NETROOTS_TODAY"] = TODAY
    with HostileServer() as server:
        standard_routes(server)
        root = tmp_path_factory.mktemp("allies")
        extra = {"dup-b": {"full_text": "false"}, "atom03": {"full_text": "false"}}
        content = new_site(root, allies_yaml(server, GOOD + HOSTILE, extra))
        settings = settings_for(content)
        started = time.monotonic()
        first = run_fetch(settings)
        first_seconds = time.monotonic() - started
        hits_after_first = dict(server.hits)
        second = run_fetch(settings)
        hits_after_second = dict(server.hits)
        result = build_site(content, root / "output", ALLIES={**FAST})
        yield SimpleNamespace(
            server=server,
            settings=settings,
            content=content,
            first=first,
            first_seconds=first_seconds,
            second=second,
            hits1=hits_after_first,
            hits2=hits_after_second,
            result=result,
            output=result.output,
            cache=content.parent / ".cache" / "allies",
        )


def test_every_feed_format_is_read(world) -> None:
    river = read(world.output, "allies/index.html")
    for title in ("Ninety story", "Ninety-one story", "RDF story", "Twenty story", "Atom 0.3 story", "Atom 1.0 story"):
        assert title in river
    for name in GOOD:
        assert world.first.outcomes[name].ok, world.first.outcomes[name].error


def test_fetch_is_concurrent_and_bounded_by_timeouts(world) -> None:
    # slow (3 s) and drip (6 s) are cut at the 1 s timeout, in parallel with everything else
    assert world.first_seconds < 5
    assert "within 1 s" in world.first.outcomes["slow"].error
    assert "within 1 s" in world.first.outcomes["drip"].error


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("huge", "larger than max_bytes"),
        ("huge-declared", "more than max_bytes"),
        ("gzip-bomb", "once decompressed"),
        ("loop-a", "redirect loop"),
        ("to-javascript", "redirect"),
        ("missing", "HTTP 404"),
        ("error", "HTTP 500"),
        ("gone", "410 Gone"),
        ("busy", "asked to wait 3600 s"),
        ("html", "HTML page, not a feed"),
    ],
)
def test_each_bad_ally_is_reported_and_nothing_breaks(world, name: str, message: str) -> None:
    outcome = world.first.outcomes[name]
    assert not outcome.ok
    assert message in outcome.error
    health = json.loads((world.cache / "health.json").read_text())["allies"][name]
    assert health["consecutive_failures"] >= 1
    assert message in read(world.output, "allies/health/index.html") or message.split()[0] in read(
        world.output, "allies/health/index.html"
    )
    assert not world.result.errors


def test_gzipped_feed_is_decompressed(world) -> None:
    outcome = world.first.outcomes["gzipped"]
    assert outcome.ok and outcome.bytes == len((FIXTURES / "rss20").read_bytes())


def test_html_page_names_the_feed_it_links_to(world) -> None:
    assert "links to a feed at https://blog.example.org/feed.xml" in world.first.outcomes["html"].error


def test_second_fetch_is_conditional_and_answered_304(world) -> None:
    sent = world.server.headers["/atom10"][-1]
    assert sent.get("If-None-Match") == '"atom10-v1"'
    assert sent.get("If-Modified-Since") == "Sat, 21 Nov 2026 10:00:00 GMT"
    assert world.second.outcomes["atom10"].not_modified
    assert "Atom 1.0 story" in read(world.output, "allies/index.html")  # kept from the first fetch


def test_gone_and_retry_after_stop_further_requests(world) -> None:
    assert world.hits2["/gone"] == world.hits1["/gone"] == 1
    assert world.hits2["/busy"] == world.hits1["/busy"] == 1
    assert "gone" in world.second.outcomes["gone"].skipped
    assert "waiting until" in world.second.outcomes["busy"].skipped
    health = json.loads((world.cache / "health.json").read_text())["allies"]
    assert health["gone"]["failing"] is True
    assert health["busy"]["next_attempt"] > "2026"


def test_short_retry_after_is_honoured_within_the_same_fetch(world) -> None:
    assert world.hits1["/throttled"] == 2
    assert world.first.outcomes["throttled"].ok


def test_permanent_redirects_are_followed_and_reported(world) -> None:
    assert world.first.outcomes["moved"].moved_to == world.server.url("/atom10")
    assert world.first.outcomes["moved-308"].moved_to == world.server.url("/rss10")
    health = read(world.output, "allies/health/index.html")
    assert "Update the URL" in health
    assert world.server.url("/rss10") in health


def test_hostile_content_is_sanitized_everywhere(world) -> None:
    pages = [
        read(world.output, "allies/index.html"),
        read(world.output, "index.html"),
        read(world.output, "feeds/allies.atom.xml"),
        read(world.output, "allies.opml"),
    ]
    for page in pages:
        low = page.lower()
        for bad in (
            "<script",
            "javascript:",
            "onerror",
            "onclick",
            "onmouseover",
            "<iframe",
            "data:text/html",
            "<object",
            'action="https://evil',
            "<style",
            "alert(",
        ):
            assert bad not in low, bad
    river = pages[0]
    assert "Headline" in river and "safe link" in river
    assert 'href="https://safe.example.org/page"' in river
    # a remote picture is a link to it (PRIVACY["remote_images"] "drop", the default): no request to img.example.org
    assert 'src="https://img.example.org' not in river and '<a href="https://img.example.org/x.png">' in river
    assert river.count('id="main"') == 1  # a feed's heading cannot take the page's ids
    # valid HTML (checked with the Nu HTML Checker): no rel without href, every img has alt
    assert not [tag for tag in re.findall(r"<a\b[^>]*>", river) if " rel=" in tag and " href=" not in tag]
    assert not [tag for tag in re.findall(r"<img\b[^>]*>", river) if " alt=" not in tag]
    assert not re.search(r'datetime="[^"]*\.\d', river)
    assert "https://evil.example.org/ok.mp3" in river  # a safe enclosure stays, the javascript: one is gone


def test_allied_enclosures_survive_into_the_combined_feed(world) -> None:
    feed = feedparser.parse(read(world.output, "feeds/allies.atom.xml"))
    enclosures = [link for entry in feed.entries for link in entry.get("enclosures", [])]
    assert "https://evil.example.org/ok.mp3" in [link.href for link in enclosures]
    assert all(link.href.startswith("https://") for link in enclosures)


def test_entity_bomb_never_expands() -> None:
    body = (FIXTURES / "entity-bomb").read_bytes()
    started = time.monotonic()
    parsed = parse_body(
        body, "application/rss+xml", "https://bomb.example.org/", "2026-11-22T12:00:00+00:00", 50, 100_000
    )
    assert time.monotonic() - started < 2
    text = json.dumps(parsed)
    assert "lollol" not in text
    assert "root:" not in text  # the external entity (file:///etc/passwd) was not read
    assert "entity declarations were removed, not expanded" in parsed["warnings"]


def test_entity_bomb_from_the_server_is_read_without_expanding(world) -> None:
    outcome = world.first.outcomes["entity-bomb"]
    assert outcome.ok and "entity declarations were removed, not expanded" in outcome.warnings
    assert world.first_seconds < 5
    river = read(world.output, "allies/index.html")
    assert "Laughs" in river and "lollol" not in river and "root:" not in river


def test_wrong_encoding_and_control_characters(world) -> None:
    river = read(world.output, "allies/index.html")
    assert "Señora’s story – résumé" in river
    assert "Bell and tab story" in river
    feed_text = read(world.output, "feeds/allies.atom.xml")
    assert not any(ch in feed_text for ch in "\x00\x01\x07\x08\x0b\x1b")
    feed = feedparser.parse(feed_text.encode())
    assert not feed.bozo, feed.get("bozo_exception")
    assert any(e.title == "Bell and tab story" for e in feed.entries)


def test_dates_missing_future_and_backfill(world) -> None:
    river = read(world.output, "allies/index.html")
    assert "No date at all" in river and "first seen" in river
    assert "From the future" in river and "2035-01-01" not in river and "January 1, 2035" not in river
    assert "Ancient history" not in river  # older than the first fetch minus backfill_days


def test_one_story_in_two_feeds_is_shown_once(world) -> None:
    river = read(world.output, "allies/index.html")
    assert river.count("Shared story") == 1  # same URL once tracking, www, http and slash are folded
    assert "Shared story (repost)" not in river
    assert river.count("Cross-posted essay") == 1  # same content hash
    assert river.count("Same id story") == 1  # same global id
    assert "Also posted by Ally dup-b" in river
    assert "Only in A" in river


def test_combined_feed_is_valid_atom(world) -> None:
    feed = feedparser.parse(read(world.output, "feeds/allies.atom.xml").encode())
    assert not feed.bozo
    assert feed.version == "atom10"
    titles = [e.title for e in feed.entries]
    assert "Atom 1.0 story" in titles and titles.count("Shared story") == 1
    assert all(e.link.startswith(("http://", "https://")) for e in feed.entries)


def test_summary_only_ally_links_to_the_original(world) -> None:
    river = read(world.output, "allies/index.html")
    card = river[river.index("Atom 0.3 story") : river.index("</article>", river.index("Atom 0.3 story"))]
    assert '<p class="card-summary">Atom 0.3 body</p>' in card
    assert "Read the full post at Ally atom03" in card
    assert "ally-content" not in card
    feed = feedparser.parse(read(world.output, "feeds/allies.atom.xml").encode())
    entry = next(e for e in feed.entries if e.title == "Atom 0.3 story")
    assert "content" not in entry and entry.summary == "<p>Atom 0.3 body</p>"


def test_front_page_short_list(world) -> None:
    front = read(world.output, "index.html")
    assert "From our allies" in front
    assert front.count('class="ally-list"') == 1


def test_build_never_fetches_and_survives_a_bad_cache(tmp_path: Path) -> None:
    with HostileServer() as server:
        content = new_site(tmp_path, allies_yaml(server, ["rss20", "atom10"]))
        cache = tmp_path / ".cache" / "allies"
        (cache / "feeds").mkdir(parents=True)
        (cache / "health.json").write_text("{not json", encoding="utf-8")
        (cache / "feeds" / "rss20.json").write_bytes(b"\xff\xfe garbage")
        (cache / "feeds" / "atom10.json").write_text(
            json.dumps({"entries": [{"title": "<script>x</script>Kept", "published": "nonsense"}, 7, None]})
        )
        result = build_site(content, tmp_path / "output", ALLIES=FAST)
        assert server.hits == {}
    assert not result.errors
    river = read(result.output, "allies/index.html")
    assert "Our allies&#39; latest posts appear here" in river or "Our allies' latest posts appear here" in river
    assert "tasks.py" not in river and "Maintainers" not in river  # readers never see maintainers' instructions
    assert any("run `python tasks.py fetch`" in warning for warning in result.warnings)  # the build log does
    assert "<script" not in river


def test_budget_keeps_the_last_good_copy(tmp_path: Path) -> None:
    with HostileServer() as server:
        server.routes["/flaky"] = lambda h: send(h, 200, (FIXTURES / "rss20").read_bytes())
        content = new_site(tmp_path, allies_yaml(server, ["flaky"]))
        assert run_fetch(settings_for(content)).outcomes["flaky"].ok

        def stall(h) -> None:
            time.sleep(2)
            send(h, 200, b"late")

        server.routes["/flaky"] = stall
        started = time.monotonic()
        summary = run_fetch(settings_for(content, budget=0.5, timeout=5, backoff=0))
        assert time.monotonic() - started < 1.8
    assert "not done within the fetch budget" in summary.outcomes["flaky"].error
    result = build_site(content, tmp_path / "output", ALLIES=FAST)
    assert "Twenty story" in read(result.output, "allies/index.html")
    assert "failed lately" in read(result.output, "allies/health/index.html")


def test_fetch_command_end_to_end_with_worker_processes(tmp_path: Path) -> None:
    """``tasks.py --content X fetch`` in its own process: single-threaded, so feeds are parsed in forked workers."""
    with HostileServer() as server:
        content = new_site(tmp_path, allies_yaml(server, ["rss20", "atom10", "evil"]))
        done = subprocess.run(
            [sys.executable, str(ROOT / "tasks.py"), "--content", str(content), "fetch", "--strict"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "CI": "true", "NETROOTS_ALLOW_PRIVATE_FEEDS": "1"},
        )
    assert done.returncode == 0, done.stderr
    assert "allies, this run: 3 fetched with new content, 0 unchanged since last time, 0 could not be fetched" in (
        done.stderr
    )
    assert "parsing in one thread" not in done.stderr
    cached = json.loads((tmp_path / ".cache/allies/feeds/evil.json").read_text())
    assert cached["entries"][0]["title"] == "Headline"


def test_not_a_feed() -> None:
    with pytest.raises(NotAFeed, match="HTML page"):
        parse_body(
            b"<!doctype html><html><body>hi</body></html>",
            "text/html",
            "https://x.example/",
            "2026-11-22T12:00:00+00:00",
            5,
            1000,
        )
    with pytest.raises(NotAFeed, match="not an RSS or Atom feed"):
        parse_body(b"just some text", "text/plain", "https://x.example/", "2026-11-22T12:00:00+00:00", 5, 1000)


def test_entry_limits() -> None:
    items = "".join(
        f"<item><title>T{i}</title><link>https://x.example/{i}</link><description>{'word ' * 500}</description></item>"
        for i in range(30)
    )
    body = f"<rss version='2.0'><channel><title>x</title>{items}</channel></rss>".encode()
    parsed = parse_body(body, "application/rss+xml", "https://x.example/", "2026-11-22T12:00:00+00:00", 10, 300)
    assert len(parsed["entries"]) == 10
    assert all(len(e["content"]) <= 400 and e["truncated"] for e in parsed["entries"])


def test_url_rules() -> None:
    assert safe_url("javascript:alert(1)") is None
    assert safe_url(" JaVaScRiPt:alert(1)") is None
    assert safe_url("data:text/html,x") is None
    assert safe_url("/a", "https://x.example/b/") == "https://x.example/a"
    assert normalize_url("http://www.News.example.org/story/?utm_source=x&b=2&a=1#top") == normalize_url(
        "https://news.example.org/story?a=1&b=2"
    )
    assert normalize_url("https://x.example/a") != normalize_url("https://x.example/b")


def test_backoff_and_retry_after_rules() -> None:
    config = {"backoff": 100, "max_backoff": 1000}
    assert [backoff_seconds(n, config) for n in (1, 2, 3, 5)] == [100, 200, 400, 1000]
    import datetime as dt

    now = dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC)
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("Sun, 22 Nov 2026 12:01:00 GMT", now) == 60
    assert retry_after_seconds("soon", now) is None
    ally = Ally(slug="a", name="A", feed="https://a.example/feed", site="https://a.example/")
    later = (now + dt.timedelta(hours=1)).isoformat()
    assert "waiting until" in skip_reason(ally, {"feed": ally.feed, "next_attempt": later}, now)
    assert skip_reason(ally, {"feed": "https://old.example/feed", "next_attempt": later}, now) == ""


def _cli(monkeypatch: pytest.MonkeyPatch, settings: dict[str, Any], *args: str):
    import netroots.build
    import tasks

    monkeypatch.setattr(netroots.build, "load_settings", lambda *a, **k: settings)
    return CliRunner().invoke(tasks.cli, list(args))


def test_fetch_strict_fails_ci_past_the_threshold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with HostileServer() as server:
        standard_routes(server)
        content = new_site(tmp_path, allies_yaml(server, ["rss20", "gone"]))
        # Neither ally is slow: FAST's 1 s timeout failed rss20 too on a machine at load 15.
        settings = settings_for(content, timeout=10)
        result = _cli(monkeypatch, settings, "fetch", "--strict")
        assert result.exit_code == 1, result.output
        assert "1 failing (gone)" in result.output
        assert "allies, this run: 1 fetched" in result.output
        lenient = settings_for(content, strict_max_failing=1, timeout=10)
        assert _cli(monkeypatch, lenient, "fetch", "--strict").exit_code == 0


def test_opml_export_and_import(world, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exported = read(world.output, "allies.opml")
    assert exported.count("<outline ") == len(GOOD + HOSTILE)
    assert f'xmlUrl="{world.server.url("/atom10")}"' in exported
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
        '<outline text="Labor"><outline text="Union &lt;b&gt;Hall&lt;/b&gt;" xmlUrl="https://union.example.org/feed" htmlUrl="https://union.example.org/"/></outline>'
        '<outline text="Evil" xmlUrl="javascript:alert(1)"/>'
        f'<outline text="Already" xmlUrl="{world.server.url("/atom10")}"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    content = tmp_path / "content"
    shutil.copytree(world.content, content)
    settings = settings_for(content)
    result = _cli(monkeypatch, settings, "allies", "import", str(opml))
    assert result.exit_code == 0, result.output
    assert "Added 1 ally(ies)" in result.output
    text = (content / "allies.yaml").read_text(encoding="utf-8")
    assert 'name: "Union Hall"' in text and 'tags: ["Labor"]' in text and "javascript:" not in text
    from allies.model import load_allies

    from netroots.report import Report

    report = Report()
    assert len(load_allies(content / "allies.yaml", report)) == len(GOOD + HOSTILE) + 1
    assert not report.problems


def test_opml_import_refuses_entities(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opml = tmp_path / "bomb.opml"
    opml.write_text(
        '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        '<opml version="2.0"><body><outline text="&b;" xmlUrl="https://x.example.org/feed"/></body></opml>',
        encoding="utf-8",
    )
    content = new_site(tmp_path, "")
    result = _cli(monkeypatch, settings_for(content), "allies", "import", str(opml))
    assert result.exit_code == 1
    assert "refused for safety" in result.output
    assert (content / "allies.yaml").read_text() == ""


def test_check_reports_bad_allies_with_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = new_site(
        tmp_path,
        "- name: Fine\n  feed: https://fine.example.org/feed\n"
        "- name: Bad scheme\n  feed: ftp://bad.example.org/feed\n"
        "- feed: https://nameless.example.org/feed\n"
        "- name: Fine\n  feed: https://other.example.org/feed\n"
        "- name: Bad flag\n  feed: https://flag.example.org/feed\n  full_text: maybe\n",
    )
    result = _cli(monkeypatch, site_settings(content, tmp_path / "output"), "check")
    assert result.exit_code == 1
    out = result.output
    assert "content/allies.yaml:4: error: feed: 'ftp://bad.example.org/feed' is not an http(s) address" in out
    assert "content/allies.yaml:5: error: ally 3: missing `name`" in out
    assert "content/allies.yaml:6: error: ally 4: 'fine' is already used by the ally on line 1" in out
    assert "content/allies.yaml:10: error: full_text: 'maybe' is not true or false" in out


def test_demo_builds_with_an_empty_cache(demo_output: Path) -> None:
    """No fetch: the river shows the demo's sample feeds (ALLIES["sample_cache"], demo/allies-cache/)."""
    river = read(demo_output, "allies/index.html")
    assert "Prairie Dispatch" in river
    assert "Runoff canvassers: lead with the date" in river  # a sample post
    assert "not fetched yet" in read(demo_output, "allies/health/index.html")
    assert read(demo_output, "allies.opml").count("<outline ") >= 6
    assert "From our allies" in read(demo_output, "index.html")
    feed = feedparser.parse(read(demo_output, "feeds/allies.atom.xml").encode())
    assert not feed.bozo and len(feed.entries) == 3


def test_sample_cache_is_only_for_allies_never_fetched(tmp_path: Path) -> None:
    from allies.model import Ally
    from allies.river import load_river
    from allies.spec import SPEC

    ally = Ally(slug="peach-state-ballot", name="Peach", feed="https://p.example.org/f", site="https://p.example.org/")
    sample = Path(__file__).resolve().parent.parent / "demo" / "allies-cache"
    config = SPEC.defaults()
    assert len(load_river([ally], tmp_path, {}, config, sample)) == 2
    assert load_river([ally], tmp_path, {"peach-state-ballot": {"feed": ally.feed}}, config, sample) == []
    assert load_river([ally], tmp_path, {}, config, None) == []


def test_health_page_and_json_list_every_field(world) -> None:
    health = json.loads((world.cache / "health.json").read_text())["allies"]
    good = health["rss20"]
    # as after the second fetch, which was answered 304; bytes and entries are the first fetch's
    assert good["last_success"] and good["consecutive_failures"] == 0 and good["status"] == 304
    assert good["bytes"] == len((FIXTURES / "rss20").read_bytes()) and good["entries"] >= 1
    assert isinstance(good["latency_ms"], int | float)
    assert health["moved-308"]["moved_to"] == world.server.url("/rss10")
    page = read(world.output, "allies/health/index.html")
    for column in ("Last success", "Failures in a row", "HTTP", "Bytes", "Latency", "Entries"):
        assert f'<th scope="col">{column}</th>' in page
    row = page[page.index(">Ally rss20<") :]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row[: row.index("</tr>")], re.S)
    last_success, failures, status, size, latency, entries = (c.strip() for c in cells[1:7])
    assert last_success != "never" and failures == "0" and status == "304 (not modified)"
    assert size == f"{good['bytes']:,}" and latency.endswith(" ms") and entries == str(good["entries"])


def test_repeated_failures_back_off(world) -> None:
    # a 500 is not asked again on the next fetch: it waits `backoff` seconds, doubling each time
    assert world.hits2["/error"] == world.hits1["/error"] == 1
    assert "waiting until" in world.second.outcomes["error"].skipped
    state = json.loads((world.cache / "health.json").read_text())["allies"]["error"]
    assert state["consecutive_failures"] == 1 and state["next_attempt"] > state["last_attempt"]
    assert "Skipped: waiting until" in read(world.output, "allies/health/index.html")


def test_summary_only_ally_shows_summary_words_and_links_to_the_original(tmp_path: Path) -> None:
    body = " ".join(f"w{i}" for i in range(100))
    rss = (
        "<rss version='2.0'><channel><title>Long</title><link>https://long.example.org/</link>"
        "<item><title>Long story</title><link>https://long.example.org/story</link>"
        f"<description>&lt;p&gt;{body}&lt;/p&gt;</description></item></channel></rss>"
    ).encode()
    with HostileServer() as server:
        server.routes["/long"] = lambda h: send(h, 200, rss, "application/rss+xml")
        content = new_site(tmp_path, allies_yaml(server, ["long"], {"long": {"full_text": "false"}}))
        assert run_fetch(settings_for(content, summary_words=7)).outcomes["long"].ok
    result = build_site(content, tmp_path / "output", ALLIES={**FAST, "summary_words": 7})
    river = read(result.output, "allies/index.html")
    assert '<p class="card-summary">w0 w1 w2 w3 w4 w5 w6…</p>' in river
    assert "w7" not in river
    assert 'href="https://long.example.org/story"' in river and "Read the full post at Ally long" in river


def test_build_fetch_fetches_first_and_plain_build_does_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with HostileServer() as server:
        content = new_site(tmp_path, allies_yaml(server, ["rss20"]))
        settings = settings_for(content)
        plain = _cli(monkeypatch, settings, "build")
        assert plain.exit_code == 0, plain.output
        assert server.hits == {}
        assert "Our allies' latest posts appear here" in read(tmp_path / "output", "allies/index.html").replace(
            "&#39;", "'"
        )
        fetched = _cli(monkeypatch, settings, "build", "--fetch")
        assert fetched.exit_code == 0, fetched.output
        assert server.hits == {"/rss20": 1}
    assert "allies, this run: 1 fetched" in fetched.output
    assert "Twenty story" in read(tmp_path / "output", "allies/index.html")


def test_opml_round_trip_keeps_every_ally(world, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from allies.model import load_allies

    from netroots.report import Report

    exported = tmp_path / "allies.opml"
    exported.write_text(read(world.output, "allies.opml"), encoding="utf-8")
    content = new_site(tmp_path, "")
    result = _cli(monkeypatch, settings_for(content), "allies", "import", str(exported))
    assert result.exit_code == 0, result.output
    assert f"Added {len(GOOD + HOSTILE)} ally(ies)" in result.output

    def summary(path: Path) -> set[tuple[str, str]]:
        report = Report()
        found = {(a.name, a.feed) for a in load_allies(path, report)}
        assert not report.problems
        return found

    assert summary(content / "allies.yaml") == summary(world.content / "allies.yaml")


def test_an_empty_allies_file_means_no_allies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = new_site(tmp_path, "\n")
    result = _cli(monkeypatch, site_settings(content, tmp_path / "output"), "check")
    assert "allies.yaml" not in result.output


def test_requests_are_capped_overall_and_per_host(tmp_path: Path) -> None:
    import threading

    state = {"now": 0, "most": 0}
    lock = threading.Lock()

    def counted(h) -> None:
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.3)
        with lock:
            state["now"] -= 1
        send(h, 200, (FIXTURES / "rss20").read_bytes())

    names = [f"feed{i}" for i in range(6)]
    with HostileServer() as server:
        for name in names:
            server.routes["/" + name] = counted
        content = new_site(tmp_path, allies_yaml(server, names))
        for limits, expected in (({"per_host": 2}, 2), ({"per_host": 4, "concurrency": 1}, 1), ({"per_host": 6}, 6)):
            state["most"] = 0
            summary = run_fetch(settings_for(content, **limits))
            assert all(o.ok for o in summary.outcomes.values())
            assert state["most"] == expected, limits


def test_progress_bar_on_a_terminal_and_a_summary_line_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    from allies.cli import _show_progress

    monkeypatch.setenv("CI", "true")
    assert _show_progress({"progress": None}) is False
    monkeypatch.delenv("CI")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert _show_progress({"progress": None}) is True
    assert _show_progress({"progress": False}) is False


def test_dates_are_stored_in_utc_and_shown_in_the_site_time_zone(world) -> None:
    # rss20's story is dated Fri, 20 Nov 2026 09:00:00 GMT; the site's zone is America/New_York
    cached = json.loads((world.cache / "feeds" / "rss20.json").read_text())["entries"][0]
    assert cached["published"] == "2026-11-20T09:00:00+00:00"
    river = read(world.output, "allies/index.html")
    card = river[river.index("Twenty story") : river.index("</article>", river.index("Twenty story"))]
    assert '<time datetime="2026-11-20T09:00:00+00:00">November 20, 2026, 4:00 AM</time>' in card
