"""Events: pages, time zones, iCalendar across daylight-saving changes, JSON-LD, check and `new event`."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner
from conftest import build_fixture_once, read, site_settings

from netroots.check import run_check

UTC = dt.timedelta(0)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The chapters fixture (it carries the events), built once; tests only read it."""
    return build_fixture_once(tmp_path_factory, "chapters")


def parse(path: Path) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(path.read_bytes())


def only_event(cal: icalendar.Calendar) -> icalendar.Event:
    (event,) = cal.walk("VEVENT")
    return event


# --- iCalendar -----------------------------------------------------------------------------


def test_ics_has_uid_dtstamp_tzid_and_vtimezone(built: Path) -> None:
    raw = (built / "events/spring-forward-vigil.ics").read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.rstrip().endswith(b"END:VCALENDAR")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # RFC 5545 folds lines at 75 octets
    cal = parse(built / "events/spring-forward-vigil.ics")
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    event = only_event(cal)
    assert event["UID"] == "spring-forward-vigil@localhost"
    assert event.decoded("DTSTAMP") == dt.datetime(2026, 11, 22, 17, 0, tzinfo=dt.UTC)  # noon in New York
    assert event["DTSTART"].params["TZID"] == "America/Chicago"
    assert event["DTEND"].params["TZID"] == "America/Chicago"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["America/Chicago"]


def test_the_zones_of_a_calendar_are_in_one_order_in_every_build(built: Path) -> None:
    """icalendar adds the zones' VTIMEZONEs in the order of a set of names, which changes with
    each process's string hashing: events.ics changed at every build (and was uploaded again)."""
    zones = [str(zone["TZID"]) for zone in parse(built / "events.ics").walk("VTIMEZONE")]
    assert len(zones) >= 3 and zones == sorted(zones)


def test_utc_offsets_are_right_on_both_sides_of_spring_forward(built: Path) -> None:
    cal = parse(built / "events/spring-forward-vigil.ics")
    event = only_event(cal)
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start.utcoffset() == dt.timedelta(hours=-6)  # CST, before 2 a.m. on 2027-03-14
    assert end.utcoffset() == dt.timedelta(hours=-5)  # CDT after
    assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=5)  # six on the wall clock
    # The file's own VTIMEZONE (not only the reader's tz database) says the same.
    zone = cal.walk("VTIMEZONE")[0].to_tz()
    naive_start, naive_end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    assert zone.utcoffset(naive_start) == dt.timedelta(hours=-6)
    assert zone.utcoffset(naive_end) == dt.timedelta(hours=-5)


def test_utc_offsets_are_right_on_both_sides_of_fall_back(built: Path) -> None:
    event = only_event(parse(built / "events/fall-back-count.ics"))
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start.utcoffset() == dt.timedelta(hours=-4) and end.utcoffset() == dt.timedelta(hours=-5)
    assert start.astimezone(dt.UTC) == dt.datetime(2026, 11, 1, 4, 30, tzinfo=dt.UTC)
    assert end.astimezone(dt.UTC) == dt.datetime(2026, 11, 1, 8, 30, tzinfo=dt.UTC)
    assert event.decoded("GEO") is not None


def test_all_events_and_chapter_calendars(built: Path) -> None:
    everything = parse(built / "events.ics")
    uids = sorted(str(e["UID"]) for e in everything.walk("VEVENT"))
    assert uids == [f"{s}@localhost" for s in ("fall-back-count", "hostile", "online-call", "spring-forward-vigil")]
    assert {str(tz["TZID"]) for tz in everything.walk("VTIMEZONE")} == {
        "America/Chicago",
        "America/New_York",
        "America/Denver",
    }
    ohio = parse(built / "chapters/oh/events.ics")
    assert sorted(str(e["SUMMARY"]) for e in ohio.walk("VEVENT"))[0] == "</script><script>alert('x')</script> & more"
    assert len(ohio.walk("VEVENT")) == 2
    wyoming = only_event(parse(built / "chapters/wy/events.ics"))
    assert str(wyoming["LOCATION"]) == "https://meet.example.net/alone"


def test_all_events_calendar_is_right_across_both_dst_changes(built: Path) -> None:
    raw = (built / "events.ics").read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and all(len(line) <= 75 for line in raw.split(b"\r\n"))
    cal = parse(built / "events.ics")
    zones = {str(tz["TZID"]): tz.to_tz() for tz in cal.walk("VTIMEZONE")}
    events = {str(e["UID"]).split("@")[0]: e for e in cal.walk("VEVENT")}
    for event in events.values():
        assert event.get("DTSTAMP") is not None and event["DTSTART"].params["TZID"] in zones
    # Offsets read from this file's own VTIMEZONEs, on both sides of each change.
    expected = {"spring-forward-vigil": (-6, -5), "fall-back-count": (-4, -5)}
    for slug, (before, after) in expected.items():
        event = events[slug]
        zone = zones[event["DTSTART"].params["TZID"]]
        start, end = (event.decoded(key).replace(tzinfo=None) for key in ("DTSTART", "DTEND"))
        assert zone.utcoffset(start) == dt.timedelta(hours=before), slug
        assert zone.utcoffset(end) == dt.timedelta(hours=after), slug


# --- pages ---------------------------------------------------------------------------------


def test_events_index_splits_upcoming_and_past_in_local_time(built: Path) -> None:
    page = read(built, "events/index.html")
    upcoming, past = page.split('id="past-heading"')
    assert "Spring-forward vigil" in upcoming and "Fall-back ballot count watch" in past
    assert "Thursday, December 3, 2026, 7–8 PM MST" in upcoming
    assert "Saturday, March 13, 2027, 10 PM CST – Sunday, March 14, 2027, 4 AM CDT" in upcoming
    assert upcoming.index("Call for members who are alone") < upcoming.index("Spring-forward vigil")


def test_event_page_links_osm_ics_and_organizer(built: Path) -> None:
    page = read(built, "events/fall-back-count/index.html")
    assert "https://www.openstreetmap.org/?mlat=40.05930&amp;mlon=-82.97090#map=17/40.05930/-82.97090" in page
    assert "<iframe" not in page
    assert 'href="../../events/fall-back-count.ics"' in page and ">Ana Ruiz</a>" in page
    assert "Past event" in page
    search = read(built, "events/spring-forward-vigil/index.html")
    assert "https://www.openstreetmap.org/search?query=1+Main+St%2C+Austin%2C+TX" in search


def json_ld(page: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert match, "no JSON-LD"
    return json.loads(match.group(1))


def test_json_ld_for_places_and_online_events(built: Path) -> None:
    place = json_ld(read(built, "events/spring-forward-vigil/index.html"))
    assert place["@type"] == "Event"
    assert place["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert place["eventStatus"] == "https://schema.org/EventScheduled"
    assert place["location"]["@type"] == "Place" and place["location"]["address"]["addressRegion"] == "TX"
    assert place["startDate"] == "2027-03-13T22:00:00-06:00" and place["endDate"] == "2027-03-14T04:00:00-05:00"
    online = json_ld(read(built, "events/online-call/index.html"))
    assert online["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert online["location"] == {"@type": "VirtualLocation", "url": "https://meet.example.net/alone"}
    assert online["organizer"]["name"] == "Ben Osei"


def test_hostile_text_cannot_close_the_script_or_run(built: Path) -> None:
    page = read(built, "events/hostile/index.html")
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert "<" not in script and ">" not in script and "&" not in script
    data = json.loads(script)
    assert data["name"] == "</script><script>alert('x')</script> & more"
    assert data["location"]["name"] == "<b>Hall</b> & Annex"
    assert page.count("<script") == 1  # only the JSON-LD: the body's <script> was sanitized away
    assert "alert(1)" not in page


def test_front_page_lists_upcoming_events(built: Path) -> None:
    page = read(built, "index.html")
    section = page[page.index('id="front-events-heading"') :]
    assert "Call for members who are alone" in section and "Fall-back" not in section


def test_a_cancelled_event_says_so_on_its_page_in_json_ld_and_in_ics(copy_fixture, site) -> None:
    content = copy_fixture("chapters")
    path = content / "events" / "online-call.md"
    path.write_text(path.read_text(encoding="utf-8").replace("organizer: ben", "organizer: ben\nstatus: cancelled"))
    result = site(content)
    assert not result.errors, result.errors
    page = read(result.output, "events/online-call/index.html")
    assert "This event is cancelled." in page
    assert json_ld(page)["eventStatus"] == "https://schema.org/EventCancelled"
    assert str(only_event(parse(result.output / "events/online-call.ics"))["STATUS"]) == "CANCELLED"
    assert "Cancelled</span>" in read(result.output, "events/index.html")


# --- check ---------------------------------------------------------------------------------

BAD_EVENTS = {
    "bad-zone.md": "title: T\nstart: 2026-12-01 18:00\ntimezone: America/Springfield\nonline: https://x.example\n",
    "backwards.md": "title: T\nstart: 2026-12-01 18:00\nend: 2026-12-01 17:00\ntimezone: UTC\nonline: https://x.example\n",
    "stranger.md": "title: T\nstart: 2026-12-01 18:00\ntimezone: UTC\nonline: https://x.example\norganizer: zed\n",
    "nowhere-state.md": ("title: T\nstart: 2026-12-01 18:00\ntimezone: UTC\nlocation:\n  name: Hall\n  state: ZZ\n"),
    "no-place.md": "title: T\nstart: 2026-12-01 18:00\ntimezone: UTC\n",
    "gap.md": "title: T\nstart: 2027-03-14 02:30\ntimezone: America/Chicago\nonline: https://x.example\n",
    "bad-chapter.md": "title: T\nstart: 2026-12-01 18:00\ntimezone: UTC\nonline: https://x.example\nchapter: zz\n",
}


def test_check_reports_bad_events_with_file_line_and_a_valid_example(copy_fixture, tmp_path: Path) -> None:
    content = copy_fixture("chapters")
    for name, front in BAD_EVENTS.items():
        (content / "events" / name).write_text(f"---\n{front}---\nBody\n", encoding="utf-8")
    messages = [str(p) for p in run_check(site_settings(content, tmp_path / "out")).problems]
    text = "\n".join(messages)
    assert "events/bad-zone.md:4: error: timezone: 'America/Springfield' is not a time zone" in text
    assert "America/Chicago" in text
    assert "events/backwards.md:4: error: end: 2026-12-01 17:00 is not after start 2026-12-01 18:00" in text
    assert "events/stranger.md:6: error: organizer: 'zed' is not a member" in text
    assert "events/nowhere-state.md:7: error: location: state: 'ZZ' is not a US state" in text
    assert "events/no-place.md:1: error: an event needs `location`" in text
    assert "events/gap.md:3: error: start: 2027-03-14 02:30 does not exist in America/Chicago" in text
    assert "events/bad-chapter.md:6: error: chapter: 'zz' is not a US state" in text
    assert not any("spring-forward-vigil" in m or "online-call" in m for m in messages)


def test_a_bad_event_is_left_out_and_the_rest_still_build(copy_fixture, site) -> None:
    content = copy_fixture("chapters")
    (content / "events" / "broken.md").write_text(
        "---\ntitle: Broken\nstart: soon\ntimezone: UTC\nonline: https://x.example\n---\n", encoding="utf-8"
    )
    result = site(content)
    assert any("broken.md:3: error: start: 'soon' is not a date and time" in e for e in result.errors)
    assert not (result.output / "events/broken").exists()
    assert (result.output / "events/spring-forward-vigil/index.html").exists()


# --- new event -----------------------------------------------------------------------------


def test_new_event_writes_a_valid_file(copy_fixture) -> None:
    from tasks import cli

    content = copy_fixture("chapters")
    args = ["new", "event", 'First "real" meeting', "--start", "2026-12-05 10:30", "--place", "Main Library"]
    args += ["--city", "Casper", "--state", "wy", "--organizer", "fay", "--content", str(content)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    path = content / "events" / "first-real-meeting.md"
    text = path.read_text(encoding="utf-8")
    assert 'title: "First \\"real\\" meeting"' in text and "timezone: America/Denver" in text
    assert "end: 2026-12-05 12:30" in text and "chapter: wy" in text
    assert "error" not in result.output
    again = CliRunner().invoke(cli, args)
    assert again.exit_code != 0 and "already exists" in again.output


def test_new_event_refuses_bad_input(copy_fixture) -> None:
    from tasks import cli

    content = copy_fixture("chapters")
    base = ["new", "event", "X", "--content", str(content), "--online", "https://meet.example.net/x"]
    bad_zone = CliRunner().invoke(cli, [*base, "--start", "2026-12-05 10:30", "--timezone", "Mars/Olympus"])
    assert bad_zone.exit_code != 0 and "not a time zone" in bad_zone.output
    bad_time = CliRunner().invoke(cli, [*base, "--start", "tomorrow"])
    assert bad_time.exit_code != 0 and "YYYY-MM-DD HH:MM" in bad_time.output
    stranger = CliRunner().invoke(cli, [*base, "--start", "2026-12-05 10:30", "--organizer", "zed"])
    assert stranger.exit_code != 0 and "'zed' is not a member" in stranger.output
    gap = CliRunner().invoke(cli, [*base, "--start", "2027-03-14 02:30", "--timezone", "America/Chicago"])
    assert gap.exit_code != 0 and "does not exist in America/Chicago" in gap.output
    nowhere = CliRunner().invoke(cli, ["new", "event", "X", "--content", str(content), "--start", "2026-12-05 10:30"])
    assert nowhere.exit_code != 0 and "--place" in nowhere.output
    assert not list((content / "events").glob("x.md"))
