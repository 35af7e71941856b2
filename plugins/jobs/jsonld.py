"""schema.org ``JobPosting`` structured data for an open job, safe inside a <script> element."""

from __future__ import annotations

import datetime as dt
from typing import Any

from netroots.feeds import absolute
from netroots.html import script_json  # noqa: F401  (re-exported for the generator)

from .model import EMPLOYMENT_TYPES, Job


def _area(code: str) -> dict[str, str]:
    """A US state (by its full name) or a country, where remote applicants may live."""
    if len(code) == 2 and code != "US":
        import us

        found = us.states.lookup(code)
        return {"@type": "State", "name": found.name if found else code}
    return {"@type": "Country", "name": code}


def job_posting(job: Job, site_url: str, zone: dt.tzinfo) -> dict[str, Any]:
    """The ``JobPosting`` object Google for Jobs and other search engines read."""
    end_of_last_day = dt.datetime.combine(job.closes, dt.time(23, 59, 59), tzinfo=zone)
    organization: dict[str, Any] = {"@type": "Organization", "name": job.organization}
    if job.organization_url:
        organization["sameAs"] = job.organization_url
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": job.title,
        "description": job.description,
        "identifier": {"@type": "PropertyValue", "name": job.organization, "value": job.slug},
        "datePosted": job.posted.isoformat(),
        "validThrough": end_of_last_day.isoformat(),
        "employmentType": EMPLOYMENT_TYPES[job.type],
        "hiringOrganization": organization,
        "url": absolute(site_url, job.url),
    }
    if job.location:
        address = {"@type": "PostalAddress", "addressCountry": job.location.get("country") or "US"}
        if job.location.get("city"):
            address["addressLocality"] = job.location["city"]
        if job.location.get("state"):
            address["addressRegion"] = job.location["state"]
        data["jobLocation"] = {"@type": "Place", "address": address}
    if job.remote:
        data["jobLocationType"] = "TELECOMMUTE"
        areas = [_area(code) for code in job.remote_from] or [_area("US")]
        data["applicantLocationRequirements"] = areas[0] if len(areas) == 1 else areas
    pay = job.pay_parsed
    if pay is not None:
        value: dict[str, Any] = {"@type": "QuantitativeValue", "unitText": pay.unit}
        if pay.maximum is None:
            value["value"] = pay.minimum
        else:
            value["minValue"] = pay.minimum
            value["maxValue"] = pay.maximum
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": pay.currency, "value": value}
    return data
