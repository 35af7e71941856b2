"""``python tasks.py new job``: write ``content/jobs/<slug>.md``, asking for what is missing.

Every answer goes through the same converters ``check`` and the build use, so a bad
answer is asked again with the same message, and the file written is always valid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from netroots import schema
from netroots.build import cli_settings
from netroots.report import Report
from netroots.starters import GIVEN, quoted, register_starter, slug_of
from netroots.today import build_today

from .model import TYPES, apply_to, job_settings, read_job, reserved_slugs

JOB_TEMPLATE = """---
title: {title}
organization: {organization}
{organization_url}{where}type: {type}  # one of: {types}
{pay}apply: {apply}  # an http(s) address or an email address
posted: {posted}
{expires}---

Describe the work: what the person will do, who they will work with, what they need
to know already, and how the organization supports them. Markdown works here.
"""

register_starter(
    "job",
    "jobs/*.md",
    lambda: JOB_TEMPLATE.format(
        title=GIVEN,
        organization=GIVEN,
        organization_url="",
        where="remote: true\n",
        type="contract",
        types="contract",
        pay="",
        apply=GIVEN,
        posted="2026-01-01",
        expires="",
    ),
)


def converter(convert: Callable[[Any], Any], optional: bool = False) -> Callable[[str], Any]:
    """Turn a schema converter into a click ``value_proc``: a bad answer is asked again."""

    def proc(value: str) -> Any:
        if optional and not str(value).strip():
            return None
        try:
            return convert(value)
        except schema.Invalid as exc:
            raise click.UsageError(exc.message) from None

    return proc


def given(value: Any, convert: Callable[[Any], Any], name: str) -> Any:
    """Check an option given on the command line with the same converter."""
    try:
        return convert(value)
    except schema.Invalid as exc:
        raise click.BadParameter(exc.message, param_hint=f"--{name}") from None


def after(posted: dt.date) -> Callable[[Any], dt.date]:
    def convert(value: Any) -> dt.date:
        day = schema.date(value)
        if day <= posted:
            raise schema.Invalid(f"{day} is not after the day it is posted ({posted}); give a later date")
        return day

    return convert


def us_state(value: Any) -> str:
    from netroots.members import state_code

    return state_code(value)


def make_slug(title: str, organization: str) -> str:

    slug = slug_of(title, "job")
    if slug in reserved_slugs():
        slug = slug_of(f"{title} {organization}", "job")
    return slug


@click.command("job")
@click.option("--title", help="The job's title, e.g. 'Field organizer'.")
@click.option("--organization", help="Who is hiring.")
@click.option("--organization-url", help="The organization's website (optional).")
@click.option("--remote/--on-site", default=None, help="Whether the work can be done remotely.")
@click.option("--city", help="City of the workplace.")
@click.option("--state", help="State of the workplace, as a postal code, e.g. OH.")
@click.option("--type", "kind", type=click.Choice(TYPES), help="The kind of job.")
@click.option("--pay", help="e.g. '$22/hour', '$55,000–$62,000 a year' or 'Unpaid' ('' to leave out).")
@click.option("--apply", "apply_", help="An http(s) address or an email address to apply to.")
@click.option("--posted", help="The day it is posted (default: today), YYYY-MM-DD.")
@click.option(
    "--expires", help="The last day to apply, YYYY-MM-DD ('': none, the job closes JOBS max_age_days after posted)."
)
@click.option("--slug", help="The file name and address /jobs/<slug>/ (default: from the title).")
@click.option(
    "--content",
    type=click.Path(file_okay=False, path_type=Path),
    help="The content folder (default: the site's, from pelicanconf.py).",
)
def new_job(
    title: str | None,
    organization: str | None,
    organization_url: str | None,
    remote: bool | None,
    city: str | None,
    state: str | None,
    kind: str | None,
    pay: str | None,
    apply_: str | None,
    posted: str | None,
    expires: str | None,
    slug: str | None,
    content: Path | None,
) -> None:
    """Post a job in content/jobs/, asking for every field not given as an option."""
    settings = cli_settings()
    content = (content or Path(settings["PATH"])).resolve()
    max_age = job_settings(settings)["max_age_days"]

    # Options given on the command line are checked first, so a typo fails before any question.
    title = given(title, schema.text, "title") if title else None
    organization = given(organization, schema.text, "organization") if organization else None
    organization_url = given(organization_url, schema.url, "organization-url") if organization_url else None
    city = given(city, schema.text, "city") if city else None
    state = given(state, us_state, "state") if state else None
    pay = given(pay, schema.text, "pay") if pay else pay
    apply_ = given(apply_, apply_to, "apply") if apply_ else None
    posted_day = given(posted, schema.date, "posted") if posted else build_today(settings)
    expires_day = given(expires, after(posted_day), "expires") if expires else None
    slug = given(slug, schema.slug, "slug") if slug else None

    if title is None:
        title = click.prompt("Job title", value_proc=converter(schema.text))
    if organization is None:
        organization = click.prompt("Organization (who is hiring)", value_proc=converter(schema.text))
    if remote is None:
        remote = click.confirm("Can the work be done remotely?", default=False)
    if not remote:
        if city is None:
            city = click.prompt("City", value_proc=converter(schema.text))
        if state is None:
            state = click.prompt("State (postal code, e.g. OH)", value_proc=converter(us_state))
    if kind is None:
        kind = click.prompt("Type", type=click.Choice(TYPES))
    if pay is None:
        pay = click.prompt(
            "Pay (e.g. $22/hour, $55,000–$62,000 a year, Unpaid; empty to leave out)",
            default="",
            show_default=False,
            value_proc=converter(schema.text, optional=True),
        )
    if apply_ is None:
        apply_ = click.prompt("Where to apply (an https:// address or an email)", value_proc=converter(apply_to))
    if expires is None:
        default_close = posted_day + dt.timedelta(days=max_age)
        expires_day = click.prompt(
            f"Last day to apply, YYYY-MM-DD (empty: {default_close}, {max_age} days after posting)",
            default="",
            show_default=False,
            value_proc=converter(after(posted_day), optional=True),
        )

    slug = slug or make_slug(title, organization)
    if slug in reserved_slugs():
        raise click.BadParameter(f"'{slug}' is the address of a filter page (/jobs/{slug}/)", param_hint="--slug")
    path = content / "jobs" / f"{slug}.md"
    if path.exists():
        raise click.UsageError(f"{path} already exists; choose another --slug")

    where = ""
    if city or state:
        parts = [f"city: {quoted(city)}"] if city else []
        parts += [f"state: {state}"] if state else []
        where += f"location: {{{', '.join(parts)}}}\n"
    if remote:
        where += "remote: true\n"
    text = JOB_TEMPLATE.format(
        title=quoted(title),
        organization=quoted(organization),
        organization_url=f"organization_url: {quoted(organization_url)}\n" if organization_url else "",
        where=where,
        type=kind,
        types=", ".join(TYPES),
        pay=f"pay: {quoted(pay)}\n" if pay else "",
        apply=quoted(apply_),
        posted=posted_day.isoformat(),
        expires=f"expires: {expires_day.isoformat()}  # the last day to apply; the job is open all that day\n"
        if expires_day
        else f"# expires: YYYY-MM-DD  (without it the job closes {max_age} days after posted)\n",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")

    report = Report(root=content.parent)
    read_job(path, report, build_today(settings), max_age)
    for problem in sorted(report.problems):
        click.echo(str(problem), err=True)
    shown = path.relative_to(content.parent) if content.parent in path.parents else path
    click.echo(f"Created {shown}")
    click.echo(f"Next: write the description, then `python tasks.py check {shown}` and open a pull request.")
    if report.errors:
        raise SystemExit(1)


def add_commands(cli: click.Group, new: click.Group) -> None:
    new.add_command(new_job)
