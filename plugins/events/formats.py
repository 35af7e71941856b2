"""What events look like to other programs: iCalendar (RFC 5545) and schema.org JSON-LD."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import icalendar

from netroots.feeds import absolute
from netroots.html import one_line, plain_text, script_json

from .model import Event

PRODID = "-//Netroots//Events//EN"
ICAL_STATUS = {"cancelled": "CANCELLED", "postponed": "TENTATIVE"}
SCHEMA_STATUS = {
    "scheduled": "EventScheduled",
    "cancelled": "EventCancelled",
    "postponed": "EventPostponed",
    "rescheduled": "EventRescheduled",
    "moved-online": "EventMovedOnline",
}


def uid(event: Event, site_url: str) -> str:
    """A stable, globally unique id: the slug at the site's host."""
    host = urlsplit(site_url).hostname or "localhost"
    return f"{event.slug}@{host}"


def place_text(event: Event) -> str:
    if not event.location:
        return event.online or ""
    parts = [event.location.get(key) for key in ("name", "address", "city", "state", "postal_code")]
    return ", ".join(str(p) for p in parts if p)


def calendar(events: Iterable[Event], *, name: str, site_url: str, stamp: dt.datetime, description: str = "") -> bytes:
    """A VCALENDAR with one VEVENT per event and a VTIMEZONE for every zone used."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", one_line(name))
    if description:
        cal.add("x-wr-caldesc", one_line(description))
    years = []
    for event in events:
        cal.add_component(vevent(event, site_url, stamp))
        years.append(event.start.year)
    if years:
        cal.add_missing_timezones(first_date=dt.date(min(years) - 1, 1, 1), last_date=dt.date(max(years) + 2, 1, 1))
        # icalendar adds the zones in the order of a set of names, which differs from one process to
        # the next: sorted, the same events make the same bytes (a calendar re-uploaded every build)
        zones = sorted((c for c in cal.subcomponents if c.name == "VTIMEZONE"), key=lambda zone: str(zone["TZID"]))
        cal.subcomponents[:] = zones + [c for c in cal.subcomponents if c.name != "VTIMEZONE"]
    return cal.to_ical()


def vevent(event: Event, site_url: str, stamp: dt.datetime) -> icalendar.Event:
    item = icalendar.Event()
    page = absolute(site_url, event.url)
    item.add("uid", uid(event, site_url))
    item.add("dtstamp", stamp.astimezone(dt.UTC))
    item.add("dtstart", event.start)  # aware in the event's zone: written with TZID
    item.add("dtend", event.end)
    item.add("summary", one_line(event.title))
    text = event.summary or plain_text(event.description)
    item.add("description", f"{text}\n\n{page}".strip())
    item.add("url", page)
    item.add("location", one_line(place_text(event)))
    item.add("status", ICAL_STATUS.get(event.status, "CONFIRMED"))
    if event.location and event.location.get("lat") is not None and event.location.get("lon") is not None:
        item.add("geo", (event.location["lat"], event.location["lon"]))
    return item


def json_ld(event: Event, site_url: str, organizer_name: str | None = None) -> str:
    """schema.org ``Event`` as JSON, safe to put inside ``<script type="application/ld+json">``."""
    places: list[dict[str, Any]] = []
    if event.location:
        address = {
            "@type": "PostalAddress",
            "streetAddress": event.location.get("address"),
            "addressLocality": event.location.get("city"),
            "addressRegion": event.location.get("state"),
            "postalCode": event.location.get("postal_code"),
            "addressCountry": event.location.get("country"),
        }
        place: dict[str, Any] = {
            "@type": "Place",
            "name": event.location["name"],
            "address": {k: v for k, v in address.items() if v},
        }
        if event.location.get("lat") is not None and event.location.get("lon") is not None:
            place["geo"] = {
                "@type": "GeoCoordinates",
                "latitude": event.location["lat"],
                "longitude": event.location["lon"],
            }
        places.append(place)
    if event.online:
        places.append({"@type": "VirtualLocation", "url": event.online})
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "startDate": event.start.isoformat(),
        "endDate": event.end.isoformat(),
        "eventAttendanceMode": f"https://schema.org/{event.attendance_mode}",
        "eventStatus": f"https://schema.org/{SCHEMA_STATUS[event.status]}",
        "location": places[0] if len(places) == 1 else places,
        "url": absolute(site_url, event.url),
    }
    description = event.summary or plain_text(event.description)
    if description:
        data["description"] = description
    if event.organizer:
        data["organizer"] = {
            "@type": "Person",
            "name": organizer_name or event.organizer,
            "url": absolute(site_url, f"members/{event.organizer}/"),
        }
    if event.rsvp and event.rsvp.startswith("http"):
        data["offers"] = {"@type": "Offer", "url": event.rsvp, "price": 0, "priceCurrency": "USD"}
    return script_safe_json(data)


def script_safe_json(data: Any) -> str:
    """JSON no text inside can end the script element with (``netroots.html.script_json``)."""
    return script_json(data)
