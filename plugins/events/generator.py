"""Event pages and calendars: ``/events/``, ``/events/<slug>/``, ``.ics`` files."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

from pelican.generators import Generator

from netroots.members import members_in
from netroots.report import Report
from netroots.site import site_address, write_output, write_page
from netroots.today import build_now

from .formats import calendar, json_ld
from .model import Event, load_events
from .spec import events_settings


def site_url(settings: dict[str, Any]) -> str:
    return site_address(settings)


class EventsGenerator(Generator):
    """Reads ``content/events/``; writes the event pages and iCalendar feeds."""

    def generate_context(self) -> None:
        self.options = events_settings(self.settings)
        content = Path(self.settings["PATH"]).resolve()
        report = Report(root=content.parent)
        members = members_in(self.context, self.settings)
        self.events = load_events(content, members, report, self.options)
        report.log()
        self.now = build_now(self.settings)
        upcoming = [e for e in self.events if e.is_upcoming(self.now)]
        past = [e for e in reversed(self.events) if not e.is_upcoming(self.now)]
        by_chapter: dict[str, list[Event]] = defaultdict(list)
        for event in self.events:
            if event.chapter:
                by_chapter[event.chapter].append(event)
        self.context["events"] = self.events
        self.context["upcoming_events"] = upcoming
        self.context["past_events"] = past
        self.context["events_by_chapter"] = dict(by_chapter)
        self.context["front_events"] = upcoming[: int(self.options["front_page_count"])]

    def generate_output(self, writer: Any) -> None:
        output = Path(self.output_path)
        url = site_url(self.settings)
        members = self.context.get("members", {})
        stamp = self.now.astimezone(dt.UTC).replace(microsecond=0)
        name = self.options["calendar_name"] or self.settings["SITENAME"]
        for event in self.events:
            organizer = members.get(event.organizer) if event.organizer else None
            write_page(
                self,
                writer,
                "events/event.html",
                f"events/{event.slug}/index.html",
                event=event,
                organizer=organizer,
                event_json_ld=json_ld(event, url, organizer.name if organizer else None),
                event_is_past=not event.is_upcoming(self.now),
                page_title=event.title,
            )
            write_output(output, event.ics_url, calendar([event], name=event.title, site_url=url, stamp=stamp))
        write_page(
            self,
            writer,
            "events/index.html",
            "events/index.html",
            upcoming_list=self.context["upcoming_events"],
            past_list=self.context["past_events"],
            page_title="Events",
        )
        write_output(output, "events.ics", calendar(self.events, name=name, site_url=url, stamp=stamp))
        for chapter, events in self.context["events_by_chapter"].items():
            write_output(
                output,
                f"chapters/{chapter}/events.ics",
                calendar(events, name=f"{name}: {chapter.upper()} chapter", site_url=url, stamp=stamp),
            )


def check_events(context: dict[str, Any], report: Report) -> None:
    options = events_settings(context["settings"])
    context["events"] = load_events(context["content"], context["members"], report, options)
