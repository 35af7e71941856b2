"""Jobs board: expiry on the boundary day, filters, JSON-LD, feeds, `check` and `new job`."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from conftest import build_fixture_once, read, site_settings

from netroots.check import run_check

FIXTURE_TITLES = {
    "columbus-tenant-organizer": "Tenant organizer",  # expires 2026-11-22
    "newsletter-editor": "Newsletter editor",  # posted 2026-09-23, no expires: max_age_days 60 -> 2026-11-22
    "remote-data-volunteer": "Volunteer data wrangler",
    "atlanta-canvass-lead": "Canvass lead",  # expired 2026-09-01
}


# Only what the jobs board needs: builds take a fraction of a second instead of seconds.
PLUGINS = ["diaries", "tags", "members", "groups", "jobs"]


@pytest.fixture
def jobs_site(site):
    """Build the jobs fixture (or a content folder) with the jobs plugin and its basics."""

    def make(name_or_content="jobs", **overrides):
        return site(name_or_content, PLUGINS=PLUGINS, **overrides)

    return make


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The jobs fixture built once on 2026-11-22, for the tests that only read it."""
    return build_fixture_once(tmp_path_factory, "jobs", PLUGINS=PLUGINS)


def json_ld(page: str) -> dict:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(found) == 1, found
    return json.loads(found[0])


def feed_titles(output: Path, name: str) -> list[str]:
    feed = feedparser.parse(output / "feeds" / name)
    assert not feed.bozo, feed.bozo_exception
    return [entry.title for entry in feed.entries]


def write_job(content: Path, slug: str, front: str, body: str = "The work.") -> Path:
    path = content / "jobs" / f"{slug}.md"
    path.write_text(f"---\n{front.strip()}\n---\n\n{body}\n", encoding="utf-8")
    return path


# --- expiry -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "still_open"),
    [("2026-11-21", True), ("2026-11-22", True), ("2026-11-23", False)],
)
def test_job_is_open_through_its_expires_day_and_closed_the_next(jobs_site, monkeypatch, today, still_open) -> None:
    monkeypatch.setenv("NETROOTS_TODAY", today)
    out = jobs_site().output
    board = read(out, "jobs/index.html")
    page = read(out, "jobs/columbus-tenant-organizer/index.html")  # expires: 2026-11-22
    aged = read(out, "jobs/newsletter-editor/index.html")  # no expires; posted 60 days before 2026-11-22
    for slug, html in (("columbus-tenant-organizer", page), ("newsletter-editor", aged)):
        title = FIXTURE_TITLES[slug]
        assert (title in board) is still_open
        assert (title in read(out, "index.html")) is still_open
        assert any(title in t for t in feed_titles(out, "jobs.atom.xml")) is still_open
        assert any(title in t for t in feed_titles(out, "jobs.rss.xml")) is still_open
        assert ("This job is closed" in html) is not still_open
        assert ('<meta name="robots" content="noindex">' in html) is not still_open
        assert ("application/ld+json" in html) is still_open
    assert ("Tenant organizer" in read(out, "jobs/oh/index.html")) is still_open
    assert ("Tenant organizer" in read(out, "jobs/full-time/index.html")) is still_open


def test_build_today_option_closes_a_job_without_a_commit(cli, copy_fixture, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("NETROOTS_TODAY", "2026-11-22")  # the option replaces it; monkeypatch restores it
    content, out = copy_fixture("jobs"), tmp_path / "out"
    args = ["--content", str(content), "--output", str(out), "build", "--today", "2026-11-23"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Tenant organizer" not in read(out, "jobs/index.html")  # expires: 2026-11-22
    assert "This job is closed" in read(out, "jobs/columbus-tenant-organizer/index.html")
    assert all("Tenant organizer" not in t for t in feed_titles(out, "jobs.atom.xml"))


def test_max_age_days_setting_moves_the_closing_day(jobs_site, monkeypatch) -> None:
    monkeypatch.setenv("NETROOTS_TODAY", "2026-11-22")
    out = jobs_site("jobs", JOBS={"max_age_days": 59}).output  # newsletter-editor now closed 2026-11-21
    assert "Newsletter editor" not in read(out, "jobs/index.html")
    assert "This job is closed" in read(out, "jobs/newsletter-editor/index.html")
    assert "November 21, 2026" in read(out, "jobs/newsletter-editor/index.html")


def test_closing_day_rule() -> None:
    from jobs.model import closes_on, is_open

    posted = dt.date(2026, 11, 1)
    assert closes_on(posted, dt.date(2026, 11, 30), 60) == dt.date(2026, 11, 30)
    assert closes_on(posted, None, 60) == dt.date(2026, 12, 31)
    last = dt.date(2026, 11, 30)
    assert is_open(last, last - dt.timedelta(days=1))
    assert is_open(last, last)
    assert not is_open(last, last + dt.timedelta(days=1))


def test_expired_job_keeps_its_page_with_a_banner_but_leaves_board_filters_and_feeds(built) -> None:
    out = built
    page = read(out, "jobs/atlanta-canvass-lead/index.html")
    assert "This job is closed." in page
    assert "September 1, 2026" in page
    assert '<meta name="robots" content="noindex">' in page
    assert "application/ld+json" not in page
    assert "data-pagefind-body" not in page  # not in search either
    assert "faircount.example.org/apply" not in page  # no apply button on a closed job
    for listing in ("jobs/index.html", "jobs/ga/index.html", "jobs/part-time/index.html", "index.html"):
        assert "Canvass lead" not in read(out, listing), listing
    assert "No open Georgia jobs right now" in read(out, "jobs/ga/index.html")
    assert all("Canvass lead" not in t for t in feed_titles(out, "jobs.atom.xml"))
    assert all("Canvass lead" not in t for t in feed_titles(out, "jobs.rss.xml"))


# --- board and filters ------------------------------------------------------------------------


def test_board_lists_open_jobs_newest_first_with_filter_nav(built) -> None:
    out = built
    board = read(out, "jobs/index.html")
    order = [board.index(t) for t in ("Volunteer data wrangler", "Tenant organizer", "Newsletter editor")]
    assert order == sorted(order)
    nav = board[board.index('<nav class="job-filters"') : board.index("</nav>", board.index("job-filters"))]
    for link in ('href="../jobs/remote/"', 'href="../jobs/oh/"', 'href="../jobs/volunteer/"'):
        assert link in nav
    assert 'aria-current="page">All open jobs' in nav
    assert "<script" not in board.split("</head>")[1]  # filters are plain links


def test_filter_pages_for_remote_state_and_type(built) -> None:
    out = built
    remote = read(out, "jobs/remote/index.html")
    assert "Volunteer data wrangler" in remote and "Newsletter editor" in remote
    assert "Tenant organizer" not in remote
    ohio = read(out, "jobs/oh/index.html")
    assert "<h1>Ohio jobs</h1>" in ohio
    assert "Tenant organizer" in ohio and "Newsletter editor" in ohio
    assert "Volunteer data wrangler" not in ohio
    assert 'href="../../jobs/oh/" aria-current="page"' in ohio
    assert "Newsletter editor" in read(out, "jobs/pa/index.html")  # a remote job open to Pennsylvanians
    volunteer = read(out, "jobs/volunteer/index.html")
    assert "Volunteer data wrangler" in volunteer and "Tenant organizer" not in volunteer
    assert "No open Internship jobs right now" in read(out, "jobs/internship/index.html")


def test_front_page_lists_newest_open_jobs(jobs_site) -> None:
    out = jobs_site("jobs", JOBS={"front_page_count": 2}).output
    front = read(out, "index.html")
    section = front[front.index('class="jobs-front"') :]
    assert "Volunteer data wrangler" in section and "Tenant organizer" in section
    assert "Newsletter editor" not in section
    assert 'href="./jobs/"' in section


# --- JSON-LD ----------------------------------------------------------------------------------


def test_json_ld_job_posting_for_a_place(built) -> None:
    data = json_ld(read(built, "jobs/columbus-tenant-organizer/index.html"))
    assert data["@type"] == "JobPosting"
    assert data["title"] == "Tenant organizer"
    assert "<strong>north Columbus</strong>" in data["description"]
    assert data["datePosted"] == "2026-11-02"
    assert data["validThrough"] == "2026-11-22T23:59:59-05:00"  # the whole last day, in the site's time zone
    assert data["employmentType"] == "FULL_TIME"
    assert data["hiringOrganization"] == {
        "@type": "Organization",
        "name": "Columbus Tenants Union",
        "sameAs": "https://tenants.example.org",
    }
    assert data["jobLocation"]["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "Columbus",
        "addressRegion": "OH",
        "addressCountry": "US",
    }
    assert "jobLocationType" not in data
    assert data["baseSalary"] == {
        "@type": "MonetaryAmount",
        "currency": "USD",
        "value": {"@type": "QuantitativeValue", "minValue": 52000, "maxValue": 58000, "unitText": "YEAR"},
    }


def test_json_ld_remote_jobs_name_where_applicants_may_live(built) -> None:
    out = built
    anywhere = json_ld(read(out, "jobs/remote-data-volunteer/index.html"))
    assert anywhere["jobLocationType"] == "TELECOMMUTE"
    assert anywhere["applicantLocationRequirements"] == {"@type": "Country", "name": "US"}
    assert anywhere["employmentType"] == "VOLUNTEER"
    assert "jobLocation" not in anywhere
    assert "baseSalary" not in anywhere  # "Unpaid" has no amount to read
    states = json_ld(read(out, "jobs/newsletter-editor/index.html"))
    assert states["applicantLocationRequirements"] == [
        {"@type": "State", "name": "Ohio"},
        {"@type": "State", "name": "Pennsylvania"},
    ]
    assert states["baseSalary"]["value"] == {"@type": "QuantitativeValue", "value": 4000, "unitText": "MONTH"}


def test_hostile_title_cannot_close_the_json_ld_script(jobs_site, copy_fixture) -> None:
    content = copy_fixture("jobs")
    hostile = '</script><script>alert("owned")</script> & <!-- Co'
    write_job(
        content,
        "hostile",
        f"""
title: {json.dumps(hostile)}
organization: "Tom & Jerry </script>"
location: {{city: Toledo, state: OH}}
type: part-time
apply: https://example.org/apply
posted: 2026-11-20
""",
        body="<script>alert(2)</script> Real **work**.",
    )
    page = read(jobs_site(content).output, "jobs/hostile/index.html")
    head = page.split("</head>")[0]
    assert head.count("<script") == 1 and head.count("</script>") == 1
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert "<" not in raw and ">" not in raw and "&" not in raw
    assert "\\u003c/script\\u003e" in raw and "\\u0026" in raw
    data = json.loads(raw)
    assert data["title"] == hostile
    assert data["hiringOrganization"]["name"] == "Tom & Jerry </script>"
    assert "alert(2)" not in data["description"] and "<strong>work</strong>" in data["description"]
    body = page.split("</head>")[1]
    assert "<script" not in body
    assert "&lt;/script&gt;&lt;script&gt;alert(" in body


def test_read_pay() -> None:
    from jobs.model import Pay, read_pay

    assert read_pay("$22/hour") == Pay("USD", 22, None, "HOUR")
    assert read_pay("$55,000–$62,000 a year") == Pay("USD", 55000, 62000, "YEAR")
    assert read_pay("$60k-$70k annually") == Pay("USD", 60000, 70000, "YEAR")
    assert read_pay("€1,800 per month") == Pay("EUR", 1800, None, "MONTH")
    assert read_pay("$18.50 an hour") == Pay("USD", 18.5, None, "HOUR")
    for unreadable in ("Unpaid", "Stipend", "$500", "competitive", None, "", "$30–$20/hour"):
        assert read_pay(unreadable) is None, unreadable


# --- feeds ------------------------------------------------------------------------------------


def test_feeds_list_open_jobs_only_with_links_and_details(built) -> None:
    out = built
    atom = feedparser.parse(out / "feeds/jobs.atom.xml")
    assert not atom.bozo
    assert [e.title for e in atom.entries] == [
        "Volunteer data wrangler (Open Ballot Project)",
        "Tenant organizer (Columbus Tenants Union)",
        "Newsletter editor (Prairie Voices)",
    ]
    first = atom.entries[0]
    assert first.link == "http://localhost:8000/jobs/remote-data-volunteer/"
    assert "mailto:volunteer@openballot.example.org" in first.content[0].value
    assert {t.term for t in first.tags} >= {"Remote", "Volunteer"}
    rss = feedparser.parse(out / "feeds/jobs.rss.xml")
    assert not rss.bozo and len(rss.entries) == 3
    board = read(out, "jobs/index.html")
    assert 'type="application/atom+xml" title="Commons Network: jobs"' in board


# --- check: bad input -------------------------------------------------------------------------

BAD_JOBS = {
    "bad-apply": (
        "title: T\norganization: O\nlocation: {city: Columbus, state: OH}\ntype: full-time\n"
        "apply: javascript:alert(1)\nposted: 2026-11-01",
        6,
        "apply: 'javascript:alert(1)' is neither an http(s) address nor an email",
    ),
    "bad-email": (
        "title: T\norganization: O\nremote: true\ntype: volunteer\napply: jobs@@example\nposted: 2026-11-01",
        6,
        "apply: 'jobs@@example' is not an email address",
    ),
    "bad-dates": (
        "title: T\norganization: O\nremote: true\ntype: volunteer\napply: a@example.org\n"
        "posted: 2026-11-10\nexpires: 2026-11-01",
        8,
        "expires: 2026-11-01 is not after posted (2026-11-10)",
    ),
    "same-day": (
        "title: T\norganization: O\nremote: true\ntype: volunteer\napply: a@example.org\n"
        "posted: 2026-11-10\nexpires: 2026-11-10",
        8,
        "expires: 2026-11-10 is not after posted",
    ),
    "bad-type": (
        "title: T\norganization: O\nremote: true\ntype: gig\napply: a@example.org\nposted: 2026-11-01",
        5,
        "type: 'gig' is not one of: full-time, part-time, contract, volunteer, internship",
    ),
    "nowhere": (
        "title: T\norganization: O\ntype: contract\napply: a@example.org\nposted: 2026-11-01",
        1,
        "missing `location`: give the place, e.g. `location: {city: Columbus, state: OH}`, or `remote: true`",
    ),
    "bad-state": (
        "title: T\norganization: O\nlocation:\n  city: Springfield\n  state: Zz\ntype: contract\n"
        "apply: a@example.org\nposted: 2026-11-01",
        6,
        "location: state: 'Zz' is not a US state or territory",
    ),
    "bad-date": (
        "title: T\norganization: O\nremote: true\ntype: contract\napply: a@example.org\nposted: last week",
        7,
        "posted: 'last week' is not a date; write it as YYYY-MM-DD",
    ),
    "no-title": (
        "organization: O\nremote: true\ntype: contract\napply: a@example.org\nposted: 2026-11-01",
        1,
        "missing `title`: every job needs one",
    ),
    "remote": (
        "title: T\norganization: O\nremote: true\ntype: contract\napply: a@example.org\nposted: 2026-11-01",
        1,
        "file name: 'remote' is taken by a filter page (/jobs/remote/)",
    ),
}


def test_check_reports_bad_jobs_with_file_line_and_a_valid_example(copy_fixture, tmp_path) -> None:
    content = copy_fixture("jobs")
    for slug, (front, _, _) in BAD_JOBS.items():
        write_job(content, slug, front)
    report = run_check(site_settings(content, tmp_path / "out"))
    shown = [str(p) for p in report.problems]
    for slug, (_, line, message) in BAD_JOBS.items():
        expected = f"content/jobs/{slug}.md:{line}: error: {message}"
        assert any(s.startswith(expected) for s in shown), (expected, shown)
    good = [p for p in report.problems if p.path.endswith(tuple(f"{s}.md" for s in FIXTURE_TITLES))]
    assert good == []


def test_check_warns_about_pay_search_engines_cannot_read(copy_fixture, tmp_path) -> None:
    content = copy_fixture("jobs")
    write_job(
        content,
        "vague-pay",
        "title: T\norganization: O\nremote: true\ntype: contract\npay: 3000\napply: a@example.org\nposted: 2026-11-01",
    )
    report = run_check(site_settings(content, tmp_path / "out"))
    assert [str(p) for p in report.problems if p.path.startswith("content/jobs/")] == [
        "content/jobs/vague-pay.md:6: warning: pay: '3000' cannot be read by job search engines; write an amount, "
        "a currency and a period, e.g. `$22/hour` or `$55,000–$62,000 a year`"
    ]


def test_build_leaves_out_a_bad_job_and_keeps_the_rest(jobs_site, copy_fixture) -> None:
    content = copy_fixture("jobs")
    write_job(content, "bad-apply", BAD_JOBS["bad-apply"][0])
    result = jobs_site(content)
    assert any("bad-apply.md:6: error: apply:" in e for e in result.errors)
    assert not (result.output / "jobs/bad-apply").exists()
    assert "Tenant organizer" in read(result.output, "jobs/index.html")


# --- new job ----------------------------------------------------------------------------------


@pytest.fixture
def cli():
    import tasks

    return tasks.cli


def test_new_job_prompts_for_missing_fields_and_asks_again_after_bad_answers(cli, tmp_path) -> None:
    content = tmp_path / "content"
    answers = [
        "Field organizer",  # title
        "Ohio Tenants Union",  # organization
        "n",  # remote?
        "Columbus",  # city
        "Zz",  # state: not a state, asked again
        "OH",
        "gig",  # type: not in the list, asked again
        "full-time",
        "$50,000 a year",  # pay
        "javascript:alert(1)",  # apply: refused, asked again
        "jobs@example.org",
        "2026-11-01",  # expires before posted: asked again
        "2026-12-20",
    ]
    result = CliRunner().invoke(cli, ["new", "job", "--content", str(content)], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "is not a US state or territory" in result.output
    assert "Error: 'gig' is not one of" in result.output
    assert "is neither an http(s) address nor an email" in result.output
    assert "2026-11-01 is not after the day it is posted (2026-11-22)" in result.output
    path = content / "jobs" / "field-organizer.md"
    text = path.read_text(encoding="utf-8")
    for line in (
        'title: "Field organizer"',
        'location: {city: "Columbus", state: OH}',
        "type: full-time",
        'pay: "$50,000 a year"',
        'apply: "jobs@example.org"',
        "posted: 2026-11-22",
        "expires: 2026-12-20",
    ):
        assert line in text
    assert "Created content/jobs/field-organizer.md" in result.output


def test_new_job_with_every_option_asks_nothing_and_writes_a_valid_remote_job(cli, tmp_path) -> None:
    content = tmp_path / "content"
    args = ["new", "job", "--content", str(content), "--title", 'Data "wrangler"', "--organization", "Open Ballot"]
    args += ["--remote", "--type", "volunteer", "--pay", "", "--apply", "https://example.org/v", "--expires", ""]
    result = CliRunner().invoke(cli, args, input="")
    assert result.exit_code == 0, result.output
    text = (content / "jobs" / "data-wrangler.md").read_text(encoding="utf-8")
    assert 'title: "Data \\"wrangler\\""' in text and "remote: true" in text and "location" not in text
    assert "# expires: YYYY-MM-DD  (without it the job closes 60 days after posted)" in text
    again = CliRunner().invoke(cli, args, input="")
    assert again.exit_code != 0 and "already exists" in again.output


def test_new_job_refuses_a_bad_option(cli, tmp_path) -> None:
    args = ["new", "job", "--content", str(tmp_path), "--title", "T", "--organization", "O", "--remote"]
    result = CliRunner().invoke(cli, [*args, "--type", "volunteer", "--apply", "ftp://example.org"], input="")
    assert result.exit_code == 2
    assert "Invalid value for --apply" in result.output
    assert not (tmp_path / "jobs").exists()


# --- demo -------------------------------------------------------------------------------------


def test_demo_jobs_board(demo_output) -> None:
    board = read(demo_output, "jobs/index.html")
    assert board.count('class="card job-card"') == 6
    assert "Canvass lead" not in board  # the demo's expired job
    closed = read(demo_output, "jobs/savannah-canvass-lead/index.html")
    assert "This job is closed" in closed and 'content="noindex"' in closed
    for path in ("jobs/remote/", "jobs/oh/", "jobs/volunteer/", "jobs/me/"):
        assert (demo_output / path / "index.html").is_file(), path
    data = json_ld(read(demo_output, "jobs/columbus-tenant-organizer/index.html"))
    assert data["url"] == "https://commons.example.org/jobs/columbus-tenant-organizer/"
    assert len(feed_titles(demo_output, "jobs.atom.xml")) == 6
