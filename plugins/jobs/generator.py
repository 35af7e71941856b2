"""The jobs board: ``/jobs/``, filter pages, a page per job, JSON-LD and the jobs feeds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape as _escape
from pathlib import Path
from typing import Any

from pelican.generators import Generator

from netroots.feeds import FeedEntry, absolute, write_feeds
from netroots.report import Report
from netroots.site import site_address, write_page
from netroots.today import aware, build_today, site_timezone

from .jsonld import job_posting, script_json
from .model import REMOTE, TYPE_NAMES, TYPES, Job, job_settings, load_jobs

ATOM = "feeds/jobs.atom.xml"
RSS = "feeds/jobs.rss.xml"


@dataclass(frozen=True)
class Filter:
    """One pre-built filter page, ``/jobs/<slug>/``, and its link in the filter nav."""

    slug: str
    label: str
    kind: str  # "where" or "type"
    count: int

    @property
    def url(self) -> str:
        return f"jobs/{self.slug}/"


def state_name(code: str) -> str:
    import us

    found = us.states.lookup(code)
    return found.name if found else code


def build_filters(jobs: list[Job]) -> list[Filter]:
    """Remote and every type always; a state once any job (open or closed) names it,
    so a state page does not vanish when its last job closes."""
    open_jobs = [j for j in jobs if j.open]
    states = sorted({s for job in jobs for s in job.states}, key=state_name)
    filters = [Filter(REMOTE, "Remote", "where", sum(j.remote for j in open_jobs))]
    filters += [
        Filter(code.lower(), state_name(code), "where", sum(code in j.states for j in open_jobs)) for code in states
    ]
    filters += [Filter(kind, TYPE_NAMES[kind], "type", sum(j.type == kind for j in open_jobs)) for kind in TYPES]
    return filters


def feed_entry(job: Job, site_url: str, zone: dt.tzinfo) -> FeedEntry:
    link = absolute(site_url, job.url)
    details = [f"<strong>{_escape(job.organization)}</strong>", _escape(job.place), job.type_name]
    if job.pay:
        details.append(_escape(job.pay))
    details.append(f"apply by {job.closes.strftime('%B %-d, %Y')}")
    header = "<p>" + " · ".join(details) + "</p>"
    apply = f'<p><a href="{_escape(job.apply_href)}">How to apply</a></p>'
    posted = aware(job.posted, zone)
    return FeedEntry(
        id=link,
        title=f"{job.title} ({job.organization})",
        link=link,
        updated=posted,
        published=posted,
        summary=_escape(job.summary),
        content=header + job.description + apply,
        author=job.organization,
        categories=tuple(["Remote"] * job.remote + [state_name(s) for s in job.states] + [job.type_name]),
    )


class JobsGenerator(Generator):
    """Reads ``content/jobs/`` and writes the board, its filters, each job and the feeds."""

    def generate_context(self) -> None:
        content = Path(self.settings["PATH"]).resolve()
        self.options = job_settings(self.settings)
        self.today = build_today(self.settings)
        report = Report(root=content.parent)
        self.jobs = load_jobs(content, report, self.today, self.options["max_age_days"])
        report.log()
        self.open_jobs = [job for job in self.jobs if job.open]
        self.filters = build_filters(self.jobs)
        # The front page is rendered before generate_output, so it reads these now.
        self.context["jobs"] = self.jobs
        self.context["open_jobs"] = self.open_jobs
        self.context["front_jobs"] = self.open_jobs[: self.options["front_page_count"]]

    def generate_output(self, writer: Any) -> None:
        site_url = site_address(self.settings)
        zone = site_timezone(self.settings)
        common = {"job_filters": self.filters, "jobs_today": self.today}
        for job in self.jobs:
            write_page(
                self,
                writer,
                "jobs/job.html",
                f"jobs/{job.slug}/index.html",
                job=job,
                job_jsonld=script_json(job_posting(job, site_url, zone)) if job.open else "",
                page_title=job.title if job.open else f"{job.title} (closed)",
                **common,
            )
        write_page(
            self,
            writer,
            "jobs/index.html",
            "jobs/index.html",
            job_list=self.open_jobs,
            job_filter=None,
            page_title="Jobs",
            **common,
        )
        for chosen in self.filters:
            listed = [job for job in self.open_jobs if chosen.slug in job.filters]
            title = f"{chosen.label} jobs"
            write_page(
                self,
                writer,
                "jobs/index.html",
                f"{chosen.url}index.html",
                job_list=listed,
                job_filter=chosen,
                page_title=title,
                **common,
            )
        write_feeds(
            Path(self.output_path),
            atom_path=ATOM,
            rss_path=RSS,
            title=f"Jobs: {self.settings['SITENAME']}",
            subtitle=f"Open jobs on {self.settings['SITENAME']}",
            site_url=site_url,
            page_path="jobs/",
            entries=[feed_entry(job, site_url, zone) for job in self.open_jobs],
            limit=self.options["feed_limit"],
        )


def check_jobs(context: dict[str, Any], report: Report) -> None:
    """``tasks.py check``: the build's validation, with the build's today."""
    options = job_settings(context["settings"])
    context["jobs"] = load_jobs(context["content"], report, build_today(context["settings"]), options["max_age_days"])
