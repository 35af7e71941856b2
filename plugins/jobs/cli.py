"""``python tasks.py new job``: what is the jobs plugin's own in it.

The command, its options, the questions (asked for what is missing, each answer through
the converter ``check`` and the build use, a bad one asked again) and the starter text come
from the declaration in spec.py (``NEW_JOB``); so the file written is always valid.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from netroots import schema
from netroots.report import Report
from netroots.starters import quoted, slug_of
from netroots.today import build_today

from .model import job_settings, read_job, reserved_slugs
from .spec import TYPES


def posted_today(settings: dict[str, Any], content: Path, values: dict[str, Any]) -> dict[str, Any]:
    """Posted today unless given; the question about ``expires`` says when the job closes without one."""
    posted = values["posted"] or build_today(settings)
    max_age = job_settings(settings)["max_age_days"]
    return {**values, "posted": posted, "max_age": max_age, "default_close": posted + dt.timedelta(days=max_age)}


def after_posted(day: dt.date, values: dict[str, Any]) -> dt.date:
    """``expires`` comes after ``posted``."""
    if day <= values["posted"]:
        raise schema.Invalid(f"{day} is not after the day it is posted ({values['posted']}); give a later date")
    return day


def make_slug(title: str, organization: str) -> str:
    """From the title, or title and organization when the title alone is a filter page's address."""
    slug = slug_of(title, "job")
    if slug in reserved_slugs():
        slug = slug_of(f"{title} {organization}", "job")
    return slug


def _where(values: dict[str, Any]) -> str:
    city, state = values["city"], values["state"]
    where = ""
    if city or state:
        parts = [f"city: {quoted(city)}"] if city else []
        parts += [f"state: {state}"] if state else []
        where += f"location: {{{', '.join(parts)}}}\n"
    return where + ("remote: true\n" if values["remote"] else "")


def prepare_job(settings: dict[str, Any], content: Path, values: dict[str, Any]) -> dict[str, Any]:
    """The job's lines: optional fields only when given, and a note on when a job without ``expires`` closes."""
    slug = values["slug"] or make_slug(values["title"], values["organization"])
    if slug in reserved_slugs():
        raise click.BadParameter(f"'{slug}' is the address of a filter page (/jobs/{slug}/)", param_hint="--slug")
    url, pay, expires = values["organization_url"], values["pay"], values["expires"]
    return {
        "slug": slug,
        "title": quoted(values["title"]),
        "organization": quoted(values["organization"]),
        "organization_url": f"organization_url: {quoted(url)}\n" if url else "",
        "where": _where(values),
        "type": values["kind"],
        "types": ", ".join(TYPES),
        "pay": f"pay: {quoted(pay)}\n" if pay else "",
        "apply": quoted(values["apply"]),
        "posted": values["posted"].isoformat(),
        "expires": f"expires: {expires.isoformat()}  # the last day to apply; the job is open all that day\n"
        if expires
        else f"# expires: YYYY-MM-DD  (without it the job closes {values['max_age']} days after posted)\n",
    }


def read_back(settings: dict[str, Any], content: Path, path: Path) -> Report:
    """The new file, read as the build reads it."""
    report = Report(root=content.parent)
    read_job(path, report, build_today(settings), job_settings(settings)["max_age_days"])
    return report
