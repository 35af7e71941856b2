"""Chapters: isolation, mentor pairing (neighbours, caps, determinism), the map, pages, errors."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from chapters.model import Elections, build_chapters, local_jobs
from chapters.pairing import NEAREST, NEIGHBOUR, SAME_STATE, adjacency, hops, isolated_members, pair_mentors
from chapters.usmap import legend, shade, state_shapes
from conftest import build_fixture_once, build_site, read, site_settings

from netroots.check import run_check
from netroots.members import Member


def member(handle: str, state: str | None, city: str | None = None, mentor: bool = False) -> Member:
    return Member(
        handle=handle, name=handle.title(), path=Path(f"{handle}.yaml"), state=state, city=city, mentor=mentor
    )


def people(*items: Member) -> dict[str, Member]:
    return {m.handle: m for m in items}


# --- state borders -------------------------------------------------------------------------


def test_adjacency_is_real_symmetric_border_data() -> None:
    graph = adjacency()
    assert graph["OH"] == {"IN", "KY", "MI", "PA", "WV"}
    assert graph["ME"] == {"NH"}
    assert graph["WY"] == {"CO", "ID", "MT", "NE", "SD", "UT"}
    assert graph["TX"] == {"AR", "LA", "NM", "OK"}
    assert graph["HI"] == set() and graph["AK"] == set()
    assert "DC" in graph["MD"] and graph["DC"] == {"MD", "VA"}
    assert all(a in graph[b] for a in graph for b in graph[a])
    pairs = {frozenset((a, b)) for a in graph for b in graph[a]}
    assert len(pairs) == 107 + 2  # the 48 contiguous states' land borders, plus DC's two


def test_hops_count_state_borders() -> None:
    assert hops("OH", "OH") == 0
    assert hops("OH", "PA") == 1
    assert hops("ME", "MA") == 2
    assert hops("WY", "HI") > 100  # no land route


# --- isolation -----------------------------------------------------------------------------


def test_isolated_by_state_and_by_city() -> None:
    everyone = [
        member("a", "OH", "Columbus"),
        member("b", "OH", "Cleveland"),
        member("c", "WY", "Casper"),
        member("d", None),
    ]
    assert [m.handle for m in isolated_members(everyone, "state")] == ["c"]
    assert [m.handle for m in isolated_members(everyone, "city")] == ["a", "b", "c"]
    same_city = [member("a", "OH", "Columbus"), member("b", "OH", " columbus "), member("e", "OH")]
    assert [m.handle for m in isolated_members(same_city, "city")] == []


# --- pairing -------------------------------------------------------------------------------


def test_same_state_mentor_comes_first_then_neighbour_then_nearest() -> None:
    roster = people(
        member("mentor-oh", "OH", "Columbus", mentor=True),
        member("mentor-pa", "PA", "Pittsburgh", mentor=True),
        member("mentor-ca", "CA", "Oakland", mentor=True),
        member("cleveland", "OH", "Cleveland"),
        member("wheeling", "WV", "Wheeling"),
        member("bangor", "ME", "Bangor"),
        member("reno", "NV", "Reno"),
    )
    pairs = pair_mentors(roster, by="city", cap=3)
    assert pairs["cleveland"].mentor == "mentor-oh" and pairs["cleveland"].reason == SAME_STATE
    assert pairs["wheeling"].mentor in {"mentor-oh", "mentor-pa"} and pairs["wheeling"].reason == NEIGHBOUR
    assert pairs["reno"].mentor == "mentor-ca" and pairs["reno"].reason == NEIGHBOUR
    # Maine borders only New Hampshire: the nearest mentor is Pennsylvania (ME-NH-VT-NY-PA).
    assert pairs["bangor"].mentor == "mentor-pa" and pairs["bangor"].reason == NEAREST
    assert pairs["bangor"].hops == 4
    assert "4 state borders away" in pairs["bangor"].explanation


def test_cap_limits_members_per_mentor_and_leaves_the_rest_waiting() -> None:
    roster = people(
        member("mentor", "OH", mentor=True),
        *(member(f"m{i}", state) for i, state in enumerate(["WY", "ME", "TX", "CA", "FL"])),
    )
    pairs = pair_mentors(roster, cap=3)
    # From Ohio: TX and FL are 4 borders away, WY and ME 5, CA 7; the nearest are served first.
    assert sorted(p.member for p in pairs.values() if p.mentor == "mentor") == ["m0", "m2", "m4"]
    assert sorted(p.member for p in pairs.values() if p.mentor is None) == ["m1", "m3", "mentor"]
    assert pairs["m1"].explanation == "no mentor has room yet"
    loose = pair_mentors(roster, cap=10)
    assert all(p.mentor == "mentor" for p in loose.values() if p.member != "mentor")
    assert loose["mentor"].mentor is None  # never their own mentor


def test_load_is_spread_and_scarce_neighbours_go_to_who_needs_them() -> None:
    roster = people(
        member("mentor-nh", "NH", mentor=True),
        member("mentor-tx", "TX", mentor=True),
        member("nh-friend", "NH"),
        member("tx-friend", "TX"),
        member("bangor", "ME"),  # only NH is near
        member("boston", "MA"),  # NH is near too
        member("el-paso-far", "NM"),  # TX is near
    )
    pairs = pair_mentors(roster, cap=1)
    assert pairs["bangor"].mentor == "mentor-nh"
    assert pairs["el-paso-far"].mentor == "mentor-tx"
    assert pairs["boston"].mentor is None


def test_a_mentor_is_never_their_own_mentor_and_an_isolated_mentor_gets_one() -> None:
    roster = people(member("solo", "WY", mentor=True), member("other", "CO", mentor=True))
    pairs = pair_mentors(roster)
    assert pairs["solo"].mentor == "other" and pairs["other"].mentor == "solo"


def test_pairing_is_deterministic_whatever_the_order() -> None:
    base = [
        member("mentor-a", "OH", mentor=True),
        member("mentor-b", "TX", mentor=True),
        *(member(f"x{i}", s) for i, s in enumerate(["WY", "ME", "CA", "FL", "GA", "ND", "VT", "HI"])),
    ]
    expected = pair_mentors(people(*base), cap=3)
    for seed in range(5):
        shuffled = base[:]
        random.Random(seed).shuffle(shuffled)
        assert pair_mentors(people(*shuffled), cap=3) == expected


# --- model helpers -------------------------------------------------------------------------


def test_cities_with_enough_members_get_sections() -> None:
    roster = [member("a", "OH", "Columbus"), member("b", "OH", "columbus"), member("c", "OH", "Dayton")]
    chapters = build_chapters(roster, {}, city_min_members=2)
    assert [c.name for c in chapters["oh"].cities] == ["Columbus"]
    assert [m.handle for m in chapters["oh"].elsewhere] == ["c"]
    assert build_chapters(roster, {}, city_min_members=3)["oh"].cities == []


def test_local_jobs_read_the_jobs_plugin_context_and_survive_its_absence() -> None:
    class Job:
        def __init__(self, title: str, state: str | None, open: bool = True) -> None:
            self.title, self.url, self.open = title, f"jobs/{title}/", open
            self.location = {"state": state, "city": "Columbus"} if state else None

    jobs = [Job("a", "OH"), Job("b", "TX"), Job("closed", "OH", open=False), Job("remote", None)]
    assert [j.title for j in local_jobs(jobs, "OH")] == ["a"]
    assert [j.title for j in local_jobs({"x": {"title": "d", "url": "u", "state": "oh"}}, "OH")] == ["d"]
    assert local_jobs(None, "OH") == []


class _Diary:
    """What ``Elections`` reads of a diary: its tags."""

    def __init__(self, *tags: object) -> None:
        self.tags = list(tags)


def test_election_tags_select_diaries_by_state_prefix() -> None:
    class Tag:
        def __init__(self, name: str) -> None:
            self.name = name

    a, b, c = _Diary(Tag("OH-Gov")), _Diary(Tag("Housing"), Tag("oh-03")), _Diary(Tag("OHIO"), Tag("GA-05"))
    assert Elections.of([a, b, c]).diaries("oh") == [a, b]


def test_each_election_tags_state_is_worked_out_once_not_once_a_diary() -> None:
    """Every diary's tags were split and upper-cased to find its states (50,000 diaries, every
    build): a Tag is shared by its diaries, so each one's state is worked out once."""
    asked: list[str] = []

    class Tag:
        def __init__(self, name: str) -> None:
            self._name = name

        @property
        def name(self) -> str:
            asked.append(self._name)
            return self._name

    gov, district, housing, georgia = Tag("OH-Gov"), Tag("oh-03"), Tag("Housing"), Tag("GA-05")
    diaries = [_Diary(gov, housing), _Diary(housing, district), _Diary(georgia, gov), _Diary(housing)] * 25
    elections = Elections.of(diaries)
    assert elections.diaries("OH") == [d for d in diaries if gov in d.tags or district in d.tags]
    assert elections.diaries("GA") == [d for d in diaries if georgia in d.tags] and set(elections.by_state) == {
        "OH",
        "GA",
    }
    assert sorted(asked) == ["GA-05", "Housing", "OH-Gov", "oh-03"]


def test_a_states_races_are_counted_in_the_one_pass_and_each_address_asked_once() -> None:
    """Each chapter's races were counted by a second pass over its race diaries, asking a
    race's address (Pelican formats it anew each time) once a diary: 3,800 diaries for one
    state at 50,000. They are counted in the pass that finds the diaries, each address asked
    once."""
    addressed: list[str] = []

    class Tag:
        def __init__(self, name: str) -> None:
            self.name = name

        @property
        def url(self) -> str:
            addressed.append(self.name)
            return f"tag/{self.name.lower()}/"

    gov, district, housing, georgia = Tag("OH-Gov"), Tag("oh-03"), Tag("Housing"), Tag("GA-05")
    diaries = [_Diary(gov, housing), _Diary(housing, district, gov), _Diary(georgia, gov), _Diary(housing)] * 25
    elections = Elections.of(diaries)
    assert elections.races("oh") == [("OH-Gov", "tag/oh-gov/", 75), ("oh-03", "tag/oh-03/", 25)]
    assert elections.races("GA") == [("GA-05", "tag/ga-05/", 25)] and elections.races("NY") == []
    assert sorted(addressed) == ["GA-05", "OH-Gov", "oh-03"]


# --- the map -------------------------------------------------------------------------------


def test_every_state_and_dc_has_a_shape() -> None:
    shapes = state_shapes()
    assert len(shapes) == 51 and shapes["OH"][0] == "Ohio"
    assert all(re.fullmatch(r"[Mlz0-9.,\-]+", path) for _, path in shapes.values())


def test_shades_and_legend_follow_the_steps() -> None:
    steps = [1, 2, 5, 10]
    assert [shade(n, steps) for n in (0, 1, 2, 4, 5, 9, 10, 400)] == [0, 1, 2, 2, 3, 3, 4, 4]
    assert legend(steps) == [(0, "none"), (1, "1"), (2, "2–4"), (3, "5–9"), (4, "10+")]


# --- the built site ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The chapters fixture (members, events, jobs), built once; tests only read it."""
    return build_fixture_once(tmp_path_factory, "chapters")


def test_map_counts_and_table_agree(built: Path) -> None:
    page = read(built, "chapters/index.html")
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'aria-hidden="true"' in svg and "<script" not in svg
    assert re.search(r'<path class="shade-2" data-state="OH"[^>]*><title>Ohio: 3 members</title>', svg)
    assert re.search(r'<path class="shade-1" data-state="WY"[^>]*><title>Wyoming: 1 member</title>', svg)
    assert re.search(r'<path class="shade-0" data-state="NV"[^>]*><title>Nevada: no members yet</title>', svg)
    assert svg.count("<path ") == 51
    assert not re.search(r'src="(https?:)?//', page) and "<iframe" not in page  # drawn at build time, no tiles
    table = page[page.index('<table class="data chapters-table') : page.index("</table>")]
    assert re.search(r'<a href="[./]*chapters/oh/">Ohio</a></th><td[^>]*>3</td><td[^>]*>1</td>', table)
    assert re.search(
        r'<a href="[./]*chapters/wy/">Wyoming</a></th><td[^>]*>1</td><td[^>]*>0</td><td[^>]*>1</td>', table
    )
    assert "Columbus, OH" in page  # a city with enough members is listed


def test_chapter_page_shows_text_cities_mentors_events_and_election_diaries(built: Path) -> None:
    page = read(built, "chapters/oh/index.html")
    assert "<h1>Buckeye chapter</h1>" in page and "<strong>first Saturday</strong>" in page
    assert 'id="city-columbus"' in page and "carpool" in page
    assert "Tenants Together" in page  # a group a member belongs to
    assert "Rent strike notes" in page  # tagged oh-3 -> OH-03
    assert "chapters/oh/events.ics" in page
    assert "Fall-back ballot count watch" not in page  # past: not in upcoming
    assert "Starting alone" not in page  # guides are for chapters of one


def test_a_chapter_page_lists_its_newest_race_diaries_and_links_every_race(copy_fixture, site) -> None:
    """A chapter's page lists its state's newest race diaries and links each race's tag page
    with its count for the rest: at 50,000 diaries one state's races were 3,800 diaries on one
    page of 2.5 MB, rendered again whenever one of them changed."""
    content = copy_fixture("chapters")
    for day in range(1, 6):
        (content / f"diaries/ana/2026-07-0{day}-canvass-{day}.md").write_text(
            f"---\ntitle: Canvass night {day}\ntags: [OH-Gov{', OH-03' if day % 2 else ''}]\n---\n\nDoors {day}.\n",
            encoding="utf-8",
        )
    result = site(content, CHAPTERS={"race_diaries": 2})
    assert not result.errors
    page = read(result.output, "chapters/oh/index.html")
    assert "Canvass night 5" in page and "Canvass night 4" in page
    assert "Canvass night 3" not in page and "Rent strike notes" not in page
    assert "The newest 2 of 6." in page  # five canvasses and Rent strike notes (OH-03), each once
    races = re.findall(
        r'<li><a href="[./]*tags/([\w-]+)/">([\w-]+)</a> <span class="meta">(\d+) diar(?:y|ies)</span></li>', page
    )
    assert races == [("oh-03", "OH-03", "4"), ("oh-gov", "OH-Gov", "5")], races
    all_on_gov = read(result.output, "tags/oh-gov/index.html")
    assert all(f"Canvass night {day}" in all_on_gov for day in range(1, 6))


def test_single_member_chapter_links_guides_and_names_the_mentor(built: Path) -> None:
    page = read(built, "chapters/wy/index.html")
    assert "One member so far" in page
    assert 'href="../../guides/alone/">Starting alone</a>' in page
    assert re.search(r"Ana Ruiz</a> \(Columbus, OH\) is Fay Lund's mentor", page)
    assert "Call for members who are alone" in page


def test_mentors_worklist_and_member_profiles(built: Path) -> None:
    page = read(built, "chapters/mentors/index.html")
    assert '<meta name="robots" content="noindex">' in page
    ana = page[page.index('id="mentor-ana"') : page.index("</section>", page.index('id="mentor-ana"'))]
    # Wyoming to Ohio is 4 borders (WY-NE-MO-KY-OH); Maine's nearest is Pennsylvania.
    assert "Fay Lund" in ana and "https://github.com/fay-gh" in ana and "4 state borders away" in ana
    assert "Eve Kowalski" in ana and "neighbouring state" in ana
    eve = page[page.index('id="mentor-eve"') : page.index("</section>", page.index('id="mentor-eve"'))]
    assert "Gus Pelletier" in eve and "Fay Lund" not in eve
    profile = read(built, "members/fay/index.html")
    assert re.search(r"Mentor: <a [^>]*>Ana Ruiz</a> \(Columbus, OH\)", profile)
    mentor = read(built, "members/ana/index.html")
    assert "Should greet:" in mentor and "Fay Lund" in mentor


def test_demo_network_pairs_its_two_isolated_members(demo_output: Path) -> None:
    page = read(demo_output, "chapters/mentors/index.html")
    maria = page[
        page.index('id="mentor-maria-lopez"') : page.index("</section>", page.index('id="mentor-maria-lopez"'))
    ]
    pat = page[page.index('id="mentor-pat-okafor"') : page.index("</section>", page.index('id="mentor-pat-okafor"'))]
    assert "Sam Hollis" in maria and "Beatrice Fontaine" in pat  # WY: CA and TX tie at 3 borders; ME: OH is 5
    wyoming = read(demo_output, "chapters/wy/index.html")
    assert "One member so far" in wyoming and "/guides/starting-alone/" in wyoming
    assert "/guides/starting-alone/" not in read(demo_output, "chapters/oh/index.html")


def test_demo_chapter_pages_list_members_and_open_local_jobs(demo_output: Path) -> None:
    ohio = read(demo_output, "chapters/oh/index.html")
    members = ohio[ohio.index('id="members-heading"') : ohio.index("</section>", ohio.index('id="members-heading"'))]
    assert "Lee Nakamura" in members and "Patricia Okafor" in members
    jobs = ohio[ohio.index('id="jobs-heading"') : ohio.index("</section>", ohio.index('id="jobs-heading"'))]
    assert 'jobs/columbus-tenant-organizer/">Tenant organizer</a>' in jobs
    georgia = read(demo_output, "chapters/ga/index.html")
    jobs = georgia[georgia.index('id="jobs-heading"') : georgia.index("</section>", georgia.index('id="jobs-heading"'))]
    assert "atlanta-voter-protection-coordinator" in jobs
    assert "savannah-canvass-lead" not in jobs  # expired: off the board, off the chapter page


def test_demo_guides_are_built_and_linked_from_single_member_chapters(demo_output: Path) -> None:
    guides = {
        "starting-alone": "Starting when you are the only member",
        "running-for-local-office": "Running for local office",
        "solidarity-network": "Building a solidarity network",
        "first-meeting": "Holding a first meeting",
    }
    wyoming = read(demo_output, "chapters/wy/index.html")
    for slug, title in guides.items():
        page = read(demo_output, f"guides/{slug}/index.html")
        assert f"<h1>{title}</h1>" in page and len(re.sub(r"<[^>]+>", " ", page).split()) > 500, slug
        assert f'guides/{slug}/">{title}</a>' in wyoming, slug


def test_bad_chapter_text_and_settings_are_reported(copy_fixture, tmp_path: Path) -> None:
    content = copy_fixture("chapters")
    (content / "chapters" / "ohio.md").write_text("---\ntitle: Ohio\n---\nText\n", encoding="utf-8")
    (content / "chapters" / "zz.md").write_text("---\ntitle: Nowhere\n---\n", encoding="utf-8")
    (content / "chapters" / "tx.md").write_text("---\ntitle: [not, text]\n---\n", encoding="utf-8")
    settings = site_settings(content, tmp_path / "out", CHAPTERS={"isolation": "county", "mentor_cap": 0})
    messages = [str(p) for p in run_check(settings).problems]
    assert any("chapters/ohio.md:1: error: file name: 'ohio' is not a chapter" in m for m in messages)
    assert any("chapters/zz.md:1: error: file name" in m for m in messages)
    assert any("chapters/tx.md:2: error: title: must be plain text" in m for m in messages)
    assert any("CHAPTERS: isolation must be 'state' or 'city'" in m for m in messages)
    assert any("CHAPTERS: mentor_cap must be a whole number of at least 1" in m for m in messages)


def test_one_retagged_diary_is_the_one_whose_races_are_read(copy_fixture, tmp_path: Path, diary_indexes) -> None:
    """Each chapter's race diaries came from a look at every diary's tags each build (50,000
    diaries, 0.08 s): they are kept between builds (netroots/diaryindex.py), and a diary tagged
    with a race is the one read, listed on its state's chapter in the diaries' order."""
    content = copy_fixture("basic")
    output = tmp_path / "output"
    assert not build_site(content, output).errors
    assert diary_indexes["elections"].read_count == 2
    assert "Bus routes matter" not in read(output, "chapters/oh/index.html")

    diary = content / "diaries/ben/2026-02-14-bus-routes-matter.md"
    diary.write_text(diary.read_text(encoding="utf-8").replace("[Transit, Housing]", "[Transit, OH-Gov]"))
    assert not build_site(content, output).errors
    assert diary_indexes["elections"].read_count == 1
    page = read(output, "chapters/oh/index.html")
    assert page.index("Rent strike notes") < page.index("Bus routes matter")
