"""Jobs: postings read from ``content/jobs/<slug>.md``, their validation and their expiry.

A job is open from its ``posted`` date through the whole of its ``expires`` date (in the
site's time zone); without ``expires`` it closes ``JOBS["max_age_days"]`` after ``posted``.
The build's "today" comes from ``netroots.today.build_today``, so a scheduled rebuild
(or ``--today``) is all it takes for a job to leave the board.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netroots import schema
from netroots.html import render_markdown, words
from netroots.members import state_code
from netroots.report import Report
from netroots.source import Source

from .spec import SPEC, TYPES

logger = logging.getLogger("netroots")

TYPE_NAMES = {
    "full-time": "Full-time",
    "part-time": "Part-time",
    "contract": "Contract",
    "volunteer": "Volunteer",
    "internship": "Internship",
}
# schema.org JobPosting employmentType values, as Google for Jobs reads them.
EMPLOYMENT_TYPES = {
    "full-time": "FULL_TIME",
    "part-time": "PART_TIME",
    "contract": "CONTRACTOR",
    "volunteer": "VOLUNTEER",
    "internship": "INTERN",
}
REMOTE = "remote"
US_NAMES = {"us", "usa", "u.s.", "u.s.a.", "united states", "united states of america"}


def job_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``JOBS`` merged over the declared defaults, with bad values replaced by the defaults."""
    return SPEC.options(settings)


# --- converters -----------------------------------------------------------------------------


def is_us(country: str | None) -> bool:
    return not country or country.strip().lower() in US_NAMES


def location(value: Any) -> dict[str, str | None]:
    """``{city, state, country}``; ``state`` is a postal code when the country is the US."""
    checked = schema.mapping(
        (
            schema.Field("city", schema.text),
            schema.Field("state", schema.text),
            schema.Field("country", schema.text, default="US"),
        ),
        example="`{city: Columbus, state: OH}`",
    )(value)
    if is_us(checked["country"]):
        checked["country"] = "US"
        if checked["state"] is not None:
            try:
                checked["state"] = state_code(checked["state"])
            except schema.Invalid as exc:
                raise schema.Invalid(f"state: {exc.message}", ("state",)) from None
    if not checked["city"] and not checked["state"]:
        raise schema.Invalid("needs a `city` or a `state`, e.g. `{city: Columbus, state: OH}`")
    return checked


def apply_to(value: Any) -> str:
    """Where to apply: an http(s) address, or an email address (``mailto:`` is accepted)."""
    if isinstance(value, str) and "@" in value and "://" not in value:
        address = value.strip().removeprefix("mailto:")
        try:
            return schema.email(address)
        except schema.Invalid:
            raise schema.Invalid(
                f"'{value}' is not an email address; write e.g. jobs@example.org or https://example.org/apply"
            ) from None
    try:
        return schema.url(value)
    except schema.Invalid:
        raise schema.Invalid(
            f"{value!r} is neither an http(s) address nor an email; write e.g. https://example.org/apply "
            "or jobs@example.org"
        ) from None


def place(value: Any) -> str:
    """An area remote applicants may live in: a US state code (``OH``) or a country (``US``)."""
    name = schema.text(value)
    if len(name) == 2 and name.upper() != "US":
        return state_code(name)
    return "US" if is_us(name) else name


JOB_FIELDS = (
    schema.Field("title", schema.text, required=True, help="e.g. `title: Field organizer`"),
    schema.Field(
        "organization", schema.text, required=True, help="who is hiring, e.g. `organization: Ohio Tenants Union`"
    ),
    schema.Field("organization_url", schema.url),
    schema.Field("location", location),
    schema.Field("remote", schema.boolean, default=False),
    schema.Field("remote_from", schema.list_of(place, allow_single=True), default=list),
    schema.Field("type", schema.choice(*TYPES), required=True, help=f"one of: {', '.join(TYPES)}"),
    schema.Field("pay", schema.text),
    schema.Field("apply", apply_to, required=True, help="an address or email, e.g. `apply: jobs@example.org`"),
    schema.Field("posted", schema.date, required=True, help="the day it was posted, e.g. `posted: 2026-11-02`"),
    schema.Field("expires", schema.date),
    schema.Field("summary", schema.text),
)


# --- pay ------------------------------------------------------------------------------------

CURRENCIES = {"$": "USD", "usd": "USD", "€": "EUR", "eur": "EUR", "£": "GBP", "gbp": "GBP", "cad": "CAD"}
UNITS = (
    (re.compile(r"\b(hour|hourly|hr)s?\b|/\s*h\b"), "HOUR"),
    (re.compile(r"\b(day|daily)s?\b"), "DAY"),
    (re.compile(r"\b(week|weekly|wk)s?\b"), "WEEK"),
    (re.compile(r"\b(month|monthly|mo)s?\b"), "MONTH"),
    (re.compile(r"\b(year|yearly|yr|annual|annually|annum|salary)s?\b"), "YEAR"),
)
AMOUNT = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(k)?\b", re.I)


@dataclass(frozen=True)
class Pay:
    """Pay read from text such as ``$55,000–$62,000 a year`` or ``$22/hour``."""

    currency: str
    minimum: int | float
    maximum: int | float | None
    unit: str


MAX_PAY = 1e9  # a year's pay above a billion is a typo, not a job


def read_pay(text: str | None) -> Pay | None:
    """The amount, currency and period in ``text``, or ``None`` when they cannot all be read."""
    if not text:
        return None
    lowered = text.lower()
    currency = next((code for mark, code in CURRENCIES.items() if mark in lowered), None)
    unit = next((name for pattern, name in UNITS if pattern.search(lowered)), None)
    amounts = []
    for number, thousands in AMOUNT.findall(lowered):
        value = float(number.replace(",", "")) * (1000 if thousands else 1)
        if not math.isfinite(value) or value > MAX_PAY:
            return None  # no real pay; "Infinity" would make the job's JSON-LD invalid
        amounts.append(int(value) if value.is_integer() else value)
    if not currency or not unit or not amounts or len(amounts) > 2:
        return None
    low, high = (amounts[0], amounts[1]) if len(amounts) == 2 else (amounts[0], None)
    if high is not None and high < low:
        return None
    return Pay(currency=currency, minimum=low, maximum=high, unit=unit)


# --- the job --------------------------------------------------------------------------------


@dataclass
class Job:
    """A validated job posting; ``open`` depends on the build's today."""

    slug: str
    title: str
    organization: str
    type: str
    apply: str
    posted: dt.date
    closes: dt.date
    description: str
    path: Path
    open: bool = True
    organization_url: str | None = None
    location: dict[str, str | None] | None = None
    remote: bool = False
    remote_from: list[str] = field(default_factory=list)
    pay: str | None = None
    expires: dt.date | None = None
    summary: str = ""
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"jobs/{self.slug}/"

    @property
    def type_name(self) -> str:
        return TYPE_NAMES[self.type]

    @property
    def apply_href(self) -> str:
        return self.apply if "://" in self.apply else f"mailto:{self.apply}"

    @property
    def apply_is_email(self) -> bool:
        return "://" not in self.apply

    @property
    def state(self) -> str | None:
        """The US state of the job's location, if it has one."""
        if self.location and self.location.get("country") == "US":
            return self.location.get("state")
        return None

    @property
    def states(self) -> list[str]:
        """Every state page the job belongs on: its location, and where remote applicants may live."""
        found = [self.state] if self.state else []
        found += [p for p in self.remote_from if len(p) == 2 and p != "US" and p not in found]
        return found

    @property
    def place(self) -> str:
        """Where, for people: ``Columbus, OH``, ``Remote (OH)``, ``Columbus, OH or remote``."""
        parts = []
        if self.location:
            country = self.location.get("country")
            bits = [self.location.get("city"), self.location.get("state")]
            if country and country != "US":
                bits.append(country)
            parts.append(", ".join(b for b in bits if b))
        if self.remote:
            areas = [p for p in self.remote_from if p != "US"]
            word = "remote" if parts else "Remote"
            parts.append(word + (f" ({', '.join(areas)})" if areas else ""))
        return " or ".join(parts)

    @property
    def pay_parsed(self) -> Pay | None:
        return read_pay(self.pay)

    @property
    def filters(self) -> list[str]:
        """The filter pages (``/jobs/<filter>/``) this job is listed on while open."""
        found = [REMOTE] if self.remote else []
        return [*found, *(s.lower() for s in self.states), self.type]


def closes_on(posted: dt.date, expires: dt.date | None, max_age_days: int) -> dt.date:
    """The last day a job is open: ``expires``, or ``max_age_days`` after ``posted``."""
    return expires if expires is not None else posted + dt.timedelta(days=max_age_days)


def is_open(closes: dt.date, today: dt.date) -> bool:
    """Open through the whole of its closing day; closed from the next morning."""
    return today <= closes


def reserved_slugs() -> set[str]:
    """Job slugs that would collide with the board's filter pages."""
    import us

    return {REMOTE, *TYPES, *(s.abbr.lower() for s in us.states.STATES_AND_TERRITORIES), "dc"}


def read_job(path: Path, report: Report, today: dt.date, max_age_days: int) -> Job | None:
    """Read and validate one job; ``None`` (with errors reported) when it must not publish."""
    slug = schema.file_slug(path, report, reserved_slugs(), address="a filter page (/jobs/{slug}/)")
    read = schema.read_validated(path, JOB_FIELDS, report, kind="job")
    if read is None:
        return None
    source, meta, valid = read
    ok = _fields_agree(path, source, meta, report, valid) and slug is not None
    _warn_unusual(path, source, meta, report, today)
    if not ok:
        return None
    description = render_markdown(source.body)
    closes = closes_on(meta["posted"], meta["expires"], max_age_days)
    if meta["remote"] and not meta["remote_from"]:
        country = (meta["location"] or {}).get("country") or "US"
        meta["remote_from"] = [country]
    return Job(
        slug=slug,
        title=meta["title"],
        organization=meta["organization"],
        organization_url=meta["organization_url"],
        type=meta["type"],
        apply=meta["apply"],
        posted=meta["posted"],
        expires=meta["expires"],
        closes=closes,
        open=is_open(closes, today),
        location=meta["location"],
        remote=meta["remote"],
        remote_from=meta["remote_from"],
        pay=meta["pay"],
        summary=meta["summary"] or words(description, 30),
        description=description,
        path=path,
        lines=source.lines,
    )


def _fields_agree(path: Path, source: Source, meta: dict[str, Any], report: Report, valid: bool) -> bool:
    """Fields that are each valid but contradict one another (a place or remote, closing after
    posting) are errors; returns ``valid`` and no such error."""
    ok = valid
    if meta["remote_from"] and not meta["remote"]:
        report.error(path, source.line("remote_from"), "remote_from: only a remote job has it; add `remote: true`")
        ok = False
    if valid and not meta["location"] and not meta["remote"]:
        report.error(
            path,
            1,
            "missing `location`: give the place, e.g. `location: {city: Columbus, state: OH}`, or `remote: true`",
        )
        ok = False
    if meta["posted"] and meta["expires"] and meta["expires"] <= meta["posted"]:
        report.error(
            path,
            source.line("expires"),
            f"expires: {meta['expires']} is not after posted ({meta['posted']}); "
            f"write the last day to apply, e.g. {meta['posted'] + dt.timedelta(days=30)}",
        )
        ok = False
    return ok


def _warn_unusual(path: Path, source: Source, meta: dict[str, Any], report: Report, today: dt.date) -> None:
    """Warnings, not errors: a future posting date or a pay that job search engines can't read."""
    if meta["posted"] and meta["posted"] > today:
        report.warning(
            path, source.line("posted"), f"posted: {meta['posted']} is after today ({today}); is the year right?"
        )
    if meta["pay"] and re.search(r"\d", meta["pay"]) and read_pay(meta["pay"]) is None:
        report.warning(
            path,
            source.line("pay"),
            f"pay: '{meta['pay']}' cannot be read by job search engines; write an amount, a currency and a period, "
            "e.g. `$22/hour` or `$55,000–$62,000 a year`",
        )


def load_jobs(content: Path, report: Report, today: dt.date, max_age_days: int) -> list[Job]:
    """Every valid job, newest first (then by title)."""
    jobs = []
    for path in sorted((content / "jobs").glob("*.md")):
        job = read_job(path, report, today, max_age_days)
        if job is not None:
            jobs.append(job)
    return sorted(jobs, key=lambda j: (-j.posted.toordinal(), j.title.casefold()))
