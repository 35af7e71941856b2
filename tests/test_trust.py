"""Web of trust: who is trusted, recommended and rescued diaries, and a Sybil attack."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from conftest import build_site, read
from trust.metric import compute_trust, scaled_capacities
from trust.model import METRIC_OPTIONS, kept_trust
from trust.recommend import decay, rank

import tasks

PLUGINS = ["diaries", "tags", "members", "groups", "trust"]
FAKES = [f"fake-{number:02d}" for number in range(1, 61)]
FAKE_DIARY = "fake-60/miracle-cure-for-everything"
TODAY = dt.date(2026, 11, 22)


def graph(output: Path) -> dict:
    return json.loads(read(output, "trust/graph.json"))


def statuses(output: Path) -> dict[str, dict]:
    return {member["handle"]: member for member in graph(output)["members"]}


def text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


def add_sybils(content: Path, entry_voucher: str = "ivan", with_cause: bool = True) -> None:
    """60 fakes vouching for each other, reached by one vouch from an honest member.

    Every fake vouches for every other fake, except that the entry fake (fake-01) does
    not vouch for fake-60, who wrote the fakes' diary. All 60 recommend that diary and
    support one fake cause.
    """
    member = content / "members" / f"{entry_voucher}.yaml"
    member.write_text(member.read_text().replace("vouches: [", "vouches: [fake-01, ", 1))
    for fake in FAKES:
        others = [other for other in FAKES if other != fake and not (fake == "fake-01" and other == "fake-60")]
        supports = "supports: [fake-cause]\n" if with_cause else ""
        (content / "members" / f"{fake}.yaml").write_text(
            f"name: {fake.replace('-', ' ').title()}\nvouches: [{', '.join(others)}]\n"
            f"recommends: [{FAKE_DIARY}]\n{supports}"
        )
    folder = content / "diaries" / "fake-60"
    folder.mkdir()
    (folder / "2026-11-22-miracle-cure-for-everything.md").write_text(
        "---\ntitle: Miracle cure for everything\ntags: [Health]\nsummary: Click here.\n---\n\nBuy now.\n"
    )
    if with_cause:
        (content / "actions").mkdir(exist_ok=True)
        (content / "actions" / "fake-cause.md").write_text(
            "---\ntitle: Fake cause\nkind: petition\nproposed_by: fake-60\nask: Do what the fakes want.\n---\n\nBecause.\n"
        )


# --- the metric on its own ------------------------------------------------------------------------


def test_capacities_scale_with_the_network_and_never_drop_below_one() -> None:
    base = (800, 200, 50, 12, 4, 2, 1)
    assert scaled_capacities(base, 10, "auto") == (50, 13, 4, 1, 1, 1, 1)
    assert scaled_capacities(base, 72, "auto") == (72, 18, 5, 2, 1, 1, 1)
    assert scaled_capacities(base, 5000, "auto") == base
    assert scaled_capacities(base, 10, 1) == base


def test_node_splitting_bounds_what_passes_through_one_member() -> None:
    # s vouches only for gate; gate (one vouch away) can pass on capacity − 1 = 2 units
    # to a crowd of 20 who all vouch for each other: 1 + 2 of the 21 are accepted.
    crowd = [f"c{i}" for i in range(20)]
    vouches = {"s": ["gate"], "gate": crowd, **{c: [o for o in crowd if o != c] for c in crowd}}
    result = compute_trust(vouches, ["s"], capacities=(10, 3, 1), scale=1)
    assert result.members["gate"].capacity == 3
    assert "gate" in result.trusted
    assert len(result.trusted & set(crowd)) == 2
    assert result.flow == 4  # s, gate and two of the crowd


def test_no_seeds_turns_trust_off_and_everyone_counts() -> None:
    result = compute_trust({"a": ["b"], "b": []}, [])
    assert not result.enabled
    assert result.trusted == {"a", "b"}
    assert result.weight("a") == 1.0


def test_recommendations_decay_by_half_life_and_skip_self_and_untrusted() -> None:
    assert decay(TODAY - dt.timedelta(days=30), TODAY, 30) == pytest.approx(0.5)
    assert decay(TODAY, TODAY, 30) == 1.0
    trust = compute_trust({"s": ["a", "b"], "a": ["b"], "b": ["a"], "loner": []}, ["s"])
    recommends = {
        "s": ["a/old", "b/new"],
        "a": ["b/new", "a/mine"],
        "b": ["a/old", "a/mine"],
        "loner": ["b/new", "b/new"],
    }
    published = {"a/old": TODAY - dt.timedelta(days=90), "b/new": TODAY - dt.timedelta(days=1), "a/mine": TODAY}
    ranked = rank(recommends, published, trust, today=TODAY, half_life_days=30, min_weight=0.5, min_recommenders=2)
    # Newest first: a/old has three half-lives behind it; a/mine has one recommender only.
    assert list(ranked) == ["b/new", "a/mine", "a/old"]
    assert [diary for diary, entry in ranked.items() if entry.listed] == ["b/new", "a/old"]
    new = ranked["b/new"]
    assert set(new.handles) == {"s", "a"}
    assert new.untrusted == ["loner"]  # counted once, and for nothing
    assert ranked["a/old"].score == pytest.approx(ranked["a/old"].weight * 0.125, rel=1e-3)
    mine = ranked["a/mine"]
    assert mine.self_recommended and mine.handles == ["b"] and not mine.listed


def test_pagerank_score_weights_recommendations_from_the_seeds() -> None:
    vouches = {"s": ["a", "b"], "a": ["c"], "b": ["c"], "c": ["d"], "d": [], "x": ["d"]}
    result = compute_trust(vouches, ["s"], capacities=(10, 5, 3, 2, 1), scale=1)
    weight = {handle: member.weight for handle, member in result.members.items()}
    assert weight["s"] == max(weight.values())  # the walk restarts at the seed
    assert weight["c"] > weight["d"] and weight["c"] > weight["a"] == weight["b"]  # two vouches beat one
    assert weight["x"] == 0.0 and not result.members["x"].trusted
    trusted = [weight[h] for h in result.trusted]
    assert sum(trusted) / len(trusted) == pytest.approx(1.0, abs=1e-3)  # an average trusted member weighs 1
    capped = compute_trust(vouches, ["s"], capacities=(10, 5, 3, 2, 1), scale=1, max_weight=1.2)
    assert capped.members["s"].weight == 1.2
    # The same two recommendations weigh more from the seed and c than from a and b.
    published = {"a/one": TODAY, "b/two": TODAY}
    ranked = rank(
        {"s": ["a/one"], "c": ["a/one"], "a": ["b/two"], "d": ["b/two"]},
        published,
        result,
        today=TODAY,
        half_life_days=30,
        min_weight=0.5,
        min_recommenders=2,
    )
    assert list(ranked) == ["a/one", "b/two"]
    assert ranked["a/one"].weight == pytest.approx(weight["s"] + weight["c"], rel=1e-3)


# --- the demo network -------------------------------------------------------------------------------


def test_demo_trust_page_explains_the_method_and_lists_seeds_and_every_member(demo_output: Path) -> None:
    page = read(demo_output, "trust/index.html")
    words = text(page)
    assert "<h1>The web of trust</h1>" in page
    assert "like water through pipes" in words
    assert "a seed can pass on 49, a member one vouch away 12, two vouches away 3" in words
    assert "members more than 3 vouches away from every seed are not reached at all" in words
    assert "fake accounts" in words
    seeds = page[page.index('id="how"') : page.index("</details>")]  # the method, below the table
    assert "Maria López" in seeds and "Patricia Okafor" in seeds
    for handle in ("maria-lopez", "pat-okafor", "jkim", "bea-fontaine", "sam-hollis"):
        assert f'id="member-{handle}"' in page
    assert "10 of 11 members are trusted" in words  # Glen Harper joined last week; nobody vouches for him yet
    assert 'href="../trust/graph.json"' in page or "/trust/graph.json" in page


def test_demo_graph_json_publishes_inputs_and_results(demo_output: Path) -> None:
    data = graph(demo_output)
    assert data["seeds"] == ["maria-lopez", "pat-okafor"]
    members = {m["handle"]: m for m in data["members"]}
    assert members["pat-okafor"]["seed"] and members["pat-okafor"]["distance"] == 0
    assert members["bea-fontaine"]["distance"] == 2  # ruth-abernathy vouches for her
    assert "bea-fontaine" in members["ruth-abernathy"]["vouches"]
    assert members["jkim"]["recommends"][0] == "maria-lopez/what-meridian-did-to-kbrt"
    assert [m["handle"] for m in data["members"] if not m["trusted"]] == ["glen-harper"]  # nobody vouches yet
    assert data["method"]["capacities"][0] >= 10
    assert [r["date"] for r in data["rescued"]] == ["2026-11-15", "2026-10-04"]
    listed = [r["diary"] for r in data["recommended"] if r["listed"]]
    assert "pat-okafor/first-meeting-in-a-library-basement" in listed


def test_demo_recommended_page_feed_and_front_page(demo_output: Path) -> None:
    page = read(demo_output, "diaries/recommended/index.html")
    assert "First meeting in a library basement" in page
    feed = feedparser.parse(demo_output / "feeds/recommended.atom.xml")
    assert not feed.bozo
    titles = [entry.title for entry in feed.entries]
    assert "First meeting in a library basement" in titles
    # A diary with one recommendation is not on the list (it needs two trusted members).
    assert "GA-05 wait times" not in page
    front = read(demo_output, "index.html")
    recommended = section(front, "recommended-heading")
    assert "First meeting in a library basement" in recommended
    assert front.index("recommended-heading") < front.index("recent-heading")


def test_demo_rescued_page_and_feed(demo_output: Path) -> None:
    page = text(read(demo_output, "diaries/rescued/index.html"))
    assert page.index("November 15, 2026") < page.index("October 4, 2026")
    assert "A video room for people who are the only one" in page or "Zoom" in page
    assert "Picked by Ruth Abernathy" in page and "Picked by Beatrice Fontaine" in page
    feed = feedparser.parse(demo_output / "feeds/rescued.atom.xml")
    assert not feed.bozo and len(feed.entries) == 5
    assert "Rescued" in section(read(demo_output, "index.html"), "rescued-heading")


def test_demo_diary_page_shows_who_recommends_it(demo_output: Path) -> None:
    page = read(demo_output, "diaries/pat-okafor/first-meeting-in-a-library-basement/index.html")
    aside = page[page.index('id="recommends-heading"') :]
    aside = aside[: aside.index("</aside>")]
    for name in ("Maria López", "Jenny Kim", "Lee Nakamura"):
        assert name in aside
    assert "On the recommended list" in aside


def test_demo_member_page_shows_trust_status(demo_output: Path) -> None:
    bea = text(read(demo_output, "members/bea-fontaine/index.html"))
    assert "Web of trust" in bea
    assert "Trusted" in bea and "2 vouches from a seed" in bea
    assert "Vouched for by Ruth Abernathy" in bea
    maria = text(read(demo_output, "members/maria-lopez/index.html"))
    assert "is a seed" in maria


# --- the trust fixture -------------------------------------------------------------------------------


def test_untrusted_and_self_recommendations_count_for_nothing(site) -> None:
    result = site("trust", PLUGINS=PLUGINS)
    assert not result.errors, result.errors
    assert any("'ana/ana-on-zoning' is your own diary" in w for w in result.warnings)
    members = statuses(result.output)
    assert not members["nell"]["trusted"]
    assert members["nell"]["reason"] == "no chain of vouches reaches them from a seed"
    assert members["kim"]["trusted"] and members["kim"]["distance"] == 3
    quiet = read(result.output, "diaries/kim/kims-quiet-diary/index.html")
    assert "No trusted member recommends this diary yet." in quiet
    assert "1 more recommendation from members who are not trusted yet does not count." in text(quiet)
    recommended = read(result.output, "diaries/recommended/index.html")
    assert "Tenant meeting minutes" in recommended
    assert "Ana on zoning" not in recommended  # only kim, and ana's own recommendation
    nell = text(read(result.output, "members/nell/index.html"))
    assert "Not trusted" in nell and "do not count yet" in nell
    # The front page's recent diaries are trusted members' only: nell's diary is not there.
    front = read(result.output, "index.html")
    assert "My first diary" not in front and "Jo on the library" in front
    assert "My first diary" in read(result.output, "diaries/index.html")


def test_revoking_a_vouch_removes_trust_on_the_next_build(site, copy_fixture) -> None:
    content = copy_fixture("trust")
    before = site(content, PLUGINS=PLUGINS)
    assert statuses(before.output)["gus"]["trusted"] and statuses(before.output)["kim"]["trusted"]
    cara = content / "members" / "cara.yaml"
    cara.write_text(cara.read_text().replace("vouches: [gus, dev]", "vouches: [dev]"))
    after = site(content, PLUGINS=PLUGINS)
    members = statuses(after.output)
    assert not members["gus"]["trusted"] and not members["kim"]["trusted"]
    assert "Not trusted" in read(after.output, "members/gus/index.html")
    minutes = next(r for r in graph(after.output)["recommended"] if r["diary"] == "cara/tenant-meeting-minutes")
    assert "gus" in minutes["not_counted"]
    assert "gus" not in [r["handle"] for r in minutes["recommenders"]]


def test_seeds_can_come_from_settings(site, copy_fixture) -> None:
    content = copy_fixture("trust")
    (content / "trust.yaml").unlink()
    off = site(content, PLUGINS=PLUGINS)
    assert "The web of trust is off" in text(read(off.output, "trust/index.html"))
    result = site(content, PLUGINS=PLUGINS, TRUST={"seeds": ["ana", "ben"]})
    assert not result.errors, result.errors
    assert graph(result.output)["seeds"] == ["ana", "ben"]
    members = statuses(result.output)
    assert members["ana"]["seed"] and members["kim"]["trusted"] and not members["nell"]["trusted"]


def test_rescue_list_by_a_non_editor_is_an_error_and_left_out(site, copy_fixture) -> None:
    content = copy_fixture("trust")
    rescue = content / "rescue.yaml"
    rescue.write_text(
        rescue.read_text() + "- date: 2026-11-20\n  editor: nell\n  diaries: [nell/my-first-diary]\n"
        "- date: 2026-11-21\n  editor: cara\n  diaries: [fay/draft-notes, jo/nope]\n"
    )
    result = site(content, PLUGINS=PLUGINS)
    assert any(
        "rescue.yaml:12: error: editor: 'nell' is not an editor of rescue-rangers (editors: cara, dev)" in e
        for e in result.errors
    ), result.errors
    assert any("rescue.yaml:16: error: diaries: 'fay/draft-notes' is a draft" in e for e in result.errors)
    assert any("rescue.yaml:16: error: diaries: 'jo/nope' is not a published diary" in e for e in result.errors)
    page = read(result.output, "diaries/rescued/index.html")
    assert "My first diary" not in page
    assert "Kim&#39;s quiet diary" in page or "Kim's quiet diary" in page
    assert "A quiet diary worth <strong>reading</strong>." in page


def test_check_reports_bad_vouches_seeds_and_recommendations_once(copy_fixture) -> None:
    content = copy_fixture("trust")
    (content / "members" / "dev.yaml").write_text(
        "name: Dev Patel\nvouches: [hana, dev, ghost]\nrecommends: [cara/tenant-meeting-minutes, nobody/no-such-diary, "
        "fay/draft-notes, not-an-id]\n"
    )
    (content / "trust.yaml").write_text("seeds: [ana, ben, phantom]\n")
    result = CliRunner().invoke(tasks.cli, ["--content", str(content), "check"])
    output = result.output
    assert result.exit_code == 1
    assert output.count("vouches: 'ghost' is not a member") == 1
    assert output.count("a member cannot vouch for themselves") == 1
    assert "content/members/dev.yaml:3: error: recommends: 'nobody/no-such-diary' is not a published diary" in output
    assert "content/members/dev.yaml:3: error: recommends: 'fay/draft-notes' is a draft" in output
    assert "content/members/dev.yaml:3: error: recommends: 'not-an-id' is not a diary id" in output
    assert "content/trust.yaml:1: error: seeds: 'phantom' is not a member" in output
    assert "'ana/ana-on-zoning' is your own diary" in output


def test_basic_site_without_seeds_has_trust_off(site) -> None:
    result = site("basic")
    assert not result.errors, result.errors
    page = text(read(result.output, "trust/index.html"))
    assert "The web of trust is off" in page
    # Everyone counts, so the front page still lists every member's diaries.
    assert "Rent strike notes" in read(result.output, "index.html")


# --- the Sybil attack ----------------------------------------------------------------------------------


def fakes_accepted(output: Path) -> set[str]:
    return {h for h, m in statuses(output).items() if h.startswith("fake-") and m["trusted"]}


def test_sybil_nest_gains_at_most_what_one_vouch_carries(site, copy_fixture) -> None:
    content = copy_fixture("trust")
    add_sybils(content, with_cause=False)
    result = site(content, PLUGINS=PLUGINS)
    assert not result.errors, result.errors
    members = statuses(result.output)
    capacities = graph(result.output)["method"]["capacities"]
    # The promise: the nest receives no more than the fooled member can pass on
    # (capacity − 1), nor more than the entry fake's own capacity.
    bound = min(members["ivan"]["capacity"] - 1, capacities[members["ivan"]["distance"] + 1])
    accepted = fakes_accepted(result.output)
    assert len(accepted) <= bound == 1
    assert members["fake-60"]["distance"] == 5 and not members["fake-60"]["trusted"]
    honest = [h for h in members if not h.startswith("fake-") and h != "nell"]
    assert all(members[h]["trusted"] for h in honest)
    # The fakes' diary: not recommended, not in the feed, not on the front page.
    assert "Miracle cure" not in read(result.output, "diaries/recommended/index.html")
    assert "Miracle cure" not in read(result.output, "feeds/recommended.atom.xml")
    assert "Miracle cure" not in read(result.output, "index.html")
    entry = next(r for r in graph(result.output)["recommended"] if r["diary"] == FAKE_DIARY)
    assert not entry["listed"] and len(entry["not_counted"]) >= 60 - bound - 1  # fake-60 is the author


def test_sybil_nest_through_a_member_near_the_seeds_is_still_bounded(site, copy_fixture) -> None:
    content = copy_fixture("trust")
    add_sybils(content, entry_voucher="eli", with_cause=False)
    result = site(content, PLUGINS=PLUGINS)
    members = statuses(result.output)
    capacities = graph(result.output)["method"]["capacities"]
    bound = min(members["eli"]["capacity"] - 1, capacities[members["eli"]["distance"] + 1])
    assert len(fakes_accepted(result.output)) <= bound == 4
    assert "Miracle cure" not in read(result.output, "diaries/recommended/index.html")


def test_sybil_cause_stays_below_threshold(site, copy_fixture) -> None:
    content = copy_fixture("trust")
    add_sybils(content)
    result = site(content, PLUGINS=[*PLUGINS, "actions"])
    assert not result.errors, result.errors
    threshold = 5  # ACTIONS["threshold"] default
    trusted_supporters = fakes_accepted(result.output)
    assert len(trusted_supporters) < threshold
    # The actions plugin counts only trusted supporters: the cause stays proposed.
    page = text(read(result.output, "actions/fake-cause/index.html"))
    assert "Proposed" in page and "Active" not in page
    assert f"60 members support this, {len(trusted_supporters)} of them trusted." in page
    assert "Fake cause" not in read(result.output, "index.html")


def test_the_web_of_trust_is_kept_until_what_it_is_computed_from_changes(tmp_path: Path, monkeypatch) -> None:
    """A build whose vouches, seeds and options are unchanged reuses the kept result (no
    networkx, no flow); any change, or a damaged file, computes it again."""
    import trust.model

    computed = []

    def counted(*args, **options):
        computed.append(args)
        return compute_trust(*args, **options)

    monkeypatch.setattr(trust.model, "compute_trust", counted)
    vouches = {"ana": ["ben"], "ben": ["cara"], "cara": [], "dev": ["cara"]}
    options = {"capacities": (4, 2, 1), "scale": 1.0, "min_scale_members": 50, "damping": 0.85, "max_weight": 3.0}
    assert sorted(options) == sorted(METRIC_OPTIONS)
    first = kept_trust(tmp_path, vouches, ["ana"], options)
    assert kept_trust(tmp_path, vouches, ["ana"], options) == first and len(computed) == 1
    changed = kept_trust(tmp_path, {**vouches, "dev": ["ben"]}, ["ana"], options)
    assert changed.members["ben"].vouched_by == ("ana", "dev") and len(computed) == 2
    kept_trust(tmp_path, {**vouches, "dev": ["ben"]}, ["ana", "dev"], options)
    kept_trust(tmp_path, {**vouches, "dev": ["ben"]}, ["ana", "dev"], {**options, "damping": 0.5})
    assert len(computed) == 4
    (tmp_path / "web.pickle").write_bytes(b"not a pickle")
    assert kept_trust(tmp_path, vouches, ["ana"], options) == first and len(computed) == 5
    assert kept_trust(None, vouches, ["ana"], options) == first and len(computed) == 6


def test_the_web_of_trust_asks_the_dates_of_recommended_diaries_only(site, monkeypatch) -> None:
    """Recommendations decay by their diary's age: the date of each of 50,000 diaries was made
    every build for the few recommended. jo's diary, which no one recommends, is not asked."""
    import trust.generator

    asked: set[str] = set()

    class Counted(dt.datetime):
        diary = ""

        def date(self) -> dt.date:
            asked.add(self.diary)
            return super().date()

    generate_context = trust.generator.TrustGenerator.generate_context

    def counted(self) -> None:
        articles = self.context["articles"]
        dates = [article.date for article in articles]
        for article, when in zip(articles, dates, strict=True):
            article.date = Counted(*when.timetuple()[:6], when.microsecond, when.tzinfo)
            article.date.diary = article.diary_id
        try:
            generate_context(self)
        finally:
            for article, when in zip(articles, dates, strict=True):
                article.date = when

    monkeypatch.setattr(trust.generator.TrustGenerator, "generate_context", counted)
    result = site("trust", PLUGINS=PLUGINS)
    assert not result.errors, result.errors
    recommended = {"cara/tenant-meeting-minutes", "gus/bus-fare-hearing", "ana/ana-on-zoning"}
    recommended |= {"eli/school-board-night", "nell/my-first-diary", "kim/kims-quiet-diary"}
    assert asked and asked <= recommended
    assert "jo/jo-on-the-library" in read(result.output, "diaries/index.html")


def test_one_new_diary_reads_that_diary_only_and_counts_its_recommendations(
    copy_fixture, tmp_path: Path, diary_indexes
) -> None:
    """Every build made a dict of each diary's id (50,000 diaries, 0.08 s) and looked at each
    writer for the front page: both are kept between builds (netroots/diaryindex.py) and a new
    diary is read (and those Pelican makes again with it: kim's other, ana's as her file changed).
    Its id is known to the recommendations, its writer to the front page."""
    content = copy_fixture("trust")
    output = tmp_path / "output"
    assert not build_site(content, output, PLUGINS=PLUGINS).errors
    assert diary_indexes["diary_id"].read_count == diary_indexes["author"].read_count == 7  # every published diary

    diary = content / "diaries/kim/2026-11-21-kims-second-diary.md"
    diary.write_text("---\ntitle: Kim again\nsummary: More.\ntags: [Organizing]\n---\n\nMore.\n", encoding="utf-8")
    ana = content / "members/ana.yaml"
    ana.write_text(ana.read_text().replace("recommends: [", "recommends: [kim/kims-second-diary, "))
    result = build_site(content, output, PLUGINS=PLUGINS)
    assert not result.errors, result.errors
    assert diary_indexes["diary_id"].read_count == diary_indexes["author"].read_count == 3  # of 8: and kim's, ana's
    assert "Kim again" in read(output, "index.html")
    found = next(r for r in graph(output)["recommended"] if r["diary"] == "kim/kims-second-diary")
    assert [r["handle"] for r in found["recommenders"]] == ["ana"]
