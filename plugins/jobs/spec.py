"""The jobs plugin's contract: the ``JOBS = {...}`` settings and content/jobs/."""

from __future__ import annotations

from netroots.plugin import Content, PluginSpec
from netroots.settings import Setting, whole

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
    provides=("jobs", "open_jobs", "jobs_front"),
    docs="docs/jobs.md",
)
