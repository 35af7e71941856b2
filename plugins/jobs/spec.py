"""The jobs plugin's contract: the ``JOBS = {...}`` settings, content/jobs/, and the starter of
a new job, asked for field by field (``python tasks.py new job``)."""

from __future__ import annotations

from netroots import schema
from netroots.members import state_code
from netroots.plugin import Content, PluginSpec
from netroots.settings import Setting, whole
from netroots.starters import Ask, Starter

TYPES = ("full-time", "part-time", "contract", "volunteer", "internship")

JOB = """---
title: {title}
organization: {organization}
{organization_url}{where}type: {type}  # one of: {types}
{pay}apply: {apply}  # an http(s) address or an email address
posted: {posted}
{expires}---

Describe the work: what the person will do, who they will work with, what they need
to know already, and how the organization supports them. Markdown works here.
"""


def _on_site(values: dict) -> bool:
    return not values["remote"]


NEW_JOB = Starter(
    kind="job",
    help="Post a job in content/jobs/, asking for every field not given as an option.",
    path="jobs/{slug}.md",
    text=JOB,
    # In the order they are asked; each answer goes through the converter `check` uses.
    asks=(
        Ask("title", "The job's title, e.g. 'Field organizer'.", "--title", schema.text, prompt="Job title"),
        Ask("organization", "Who is hiring.", "--organization", schema.text, prompt="Organization (who is hiring)"),
        Ask("organization_url", "The organization's website (optional).", "--organization-url", schema.url),
        Ask(
            "remote",
            "Whether the work can be done remotely.",
            "--remote/--on-site",
            prompt="Can the work be done remotely?",
        ),
        Ask("city", "City of the workplace.", "--city", schema.text, prompt="City", when=_on_site),
        Ask(
            "state",
            "State of the workplace, as a postal code, e.g. OH.",
            "--state",
            state_code,
            prompt="State (postal code, e.g. OH)",
            when=_on_site,
        ),
        Ask("kind", "The kind of job.", "--type", choices=TYPES, prompt="Type"),
        Ask(
            "pay",
            "e.g. '$22/hour', '$55,000–$62,000 a year' or 'Unpaid' ('' to leave out).",
            "--pay",
            schema.text,
            prompt="Pay (e.g. $22/hour, $55,000–$62,000 a year, Unpaid; empty to leave out)",
            optional=True,
        ),
        Ask(
            "apply",
            "An http(s) address or an email address to apply to.",
            "--apply",
            "model:apply_to",
            prompt="Where to apply (an https:// address or an email)",
        ),
        Ask("posted", "The day it is posted (default: today), YYYY-MM-DD.", "--posted", schema.date),
        Ask(
            "expires",
            "The last day to apply, YYYY-MM-DD ('': none, the job closes JOBS max_age_days after posted).",
            "--expires",
            schema.date,
            check="cli:after_posted",
            prompt="Last day to apply, YYYY-MM-DD (empty: {default_close}, {max_age} days after posting)",
            optional=True,
        ),
        Ask("slug", "The file name and address /jobs/<slug>/ (default: from the title).", "--slug", schema.slug),
    ),
    sample={
        "organization_url": "",
        "where": "remote: true\n",
        "type": "contract",
        "types": "contract",
        "pay": "",
        "posted": "2026-01-01",
        "expires": "",
    },
    begin="cli:posted_today",
    prepare="cli:prepare_job",
    after="cli:read_back",
    next="Next: write the description, then `python tasks.py check {path}` and open a pull request.",
    exists="choose another --slug",
)

SPEC = PluginSpec(
    name="jobs",
    doc="A board of job postings that expire on time, with filters, JSON-LD and feeds.",
    settings_name="JOBS",
    settings=(
        Setting("max_age_days", 60, whole(minimum=1), "A job without `expires` closes this many days after `posted`."),
        Setting("front_page_count", 5, whole(minimum=1), "Open jobs listed on the front page."),
        Setting("feed_limit", 100, whole(minimum=1), "Entries in /feeds/jobs.atom.xml and .rss.xml."),
    ),
    content=(Content("jobs/*.md", "a job posting"),),
    provides=("jobs", "open_jobs", "front_jobs"),
    starters=(NEW_JOB,),
    docs="docs/jobs.md",
)
