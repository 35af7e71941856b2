"""Action and contact pages, the actions feed, and the current target for the front page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pelican.generators import Generator

from netroots.feeds import write_feeds
from netroots.members import members_in
from netroots.report import Report
from netroots.site import site_address, write_output, write_page
from netroots.today import build_today

from . import support
from .contacts import KIND_LABELS as CONTACT_KINDS
from .contacts import KINDS as CONTACT_KIND_ORDER
from .contacts import Contact, load_contacts
from .feed import feed_entries, milestone_dates
from .model import Action, load_actions
from .spec import actions_settings
from .vcard import contact_vcard


def load_all(
    content: Path, settings: dict[str, Any], members: dict[str, Any], trusted: Any, today: dt.date, report: Report
) -> tuple[dict[str, Contact], dict[str, Action], Action | None]:
    """Read contacts and actions, count support, and pick the current target; the same for check and build."""
    config = actions_settings(settings)
    contacts = load_contacts(content, config["phone_region"], report)
    actions = load_actions(content, config["phone_region"], contacts, set(members), report)
    files = {path.stem for path in (content / "actions").glob("*.md")}
    tally = support.tally(actions, members, trusted, report, files)
    current = support.apply(actions, tally, config["threshold"], today)
    return contacts, actions, current


def sections(actions: dict[str, Action]) -> dict[str, list[Action]]:
    """The /actions/ page: running (by rank), proposed (by rank), and the archive (newest first)."""
    running = [a for a in actions.values() if not a.ended]
    archive = [a for a in actions.values() if a.ended or a.status in ("won", "closed")]

    def finished(action: Action) -> dt.date:
        return action.won or action.closed or action.deadline or action.activated or action.proposed or dt.date.min

    return {
        "active": sorted((a for a in running if a.status == "active"), key=support.rank),
        "proposed": sorted((a for a in running if a.status == "proposed"), key=support.rank),
        "archive": sorted(archive, key=lambda a: (finished(a), a.slug), reverse=True),
    }


class ActionsGenerator(Generator):
    """Writes ``/actions/``, ``/contacts/``, their pages, vCards and ``/feeds/actions.atom.xml``."""

    def generate_context(self) -> None:
        content = Path(self.settings["PATH"]).resolve()
        report = Report(root=content.parent)
        self.today = build_today(self.settings)
        self.config = actions_settings(self.settings)
        members = members_in(self.context, self.settings)
        trusted = self.context.get("trusted_members")
        self.contacts, self.actions, current = load_all(content, self.settings, members, trusted, self.today, report)
        report.log()
        self.context["contacts"] = self.contacts
        self.context["actions"] = self.actions
        self.context["actions_current_target"] = current if self.config["front_page"] else None
        self.context["actions_trust"] = trusted is not None
        self.context["actions_sections"] = sections(self.actions)
        self.context["actions_feed"] = self.config["feed"]
        self.context["actions_threshold"] = self.config["threshold"]

    def generate_output(self, writer: Any) -> None:
        output = Path(self.output_path)
        for action in self.actions.values():
            write_page(
                self,
                writer,
                "actions/action.html",
                f"actions/{action.slug}/index.html",
                action=action,
                page_title=action.title,
            )
            if action.has_letter:
                write_page(
                    self,
                    writer,
                    "actions/letter.html",
                    f"actions/{action.slug}/letter/index.html",
                    action=action,
                    page_title=f"Letter: {action.title}",
                )
        write_page(self, writer, "actions/index.html", "actions/index.html", page_title="Actions")
        self.write_contacts(writer, output)
        if self.config["feed"]:
            dates = milestone_dates(self.actions.values(), self.settings, self.today)
            names = {handle: m.name for handle, m in members_in(self.context, self.settings).items()}
            write_feeds(
                output,
                atom_path=self.config["feed"],
                title=f"Actions: {self.settings['SITENAME']}",
                subtitle="Actions that became active or were won",
                site_url=site_address(self.settings),
                page_path="actions/",
                entries=feed_entries(self.actions.values(), dates, self.settings, names),
            )

    def write_contacts(self, writer: Any, output: Path) -> None:
        ordered = sorted(self.contacts.values(), key=lambda c: c.name.casefold())
        grouped = {kind: [c for c in ordered if c.kind == kind] for kind in CONTACT_KIND_ORDER}
        common = {"contact_kinds": CONTACT_KINDS, "contacts_by_kind": grouped}
        write_page(
            self, writer, "actions/contacts.html", "contacts/index.html", page_title="Contacts", kind=None, **common
        )
        for kind, label in CONTACT_KINDS.items():
            write_page(
                self,
                writer,
                "actions/contacts.html",
                f"contacts/kind/{kind}/index.html",
                page_title=f"Contacts: {label}",
                kind=kind,
                **common,
            )
        targeted_by: dict[str, list[Action]] = {slug: [] for slug in self.contacts}
        for action in self.actions.values():
            for slug in dict.fromkeys(t.contact.slug for t in action.targets if t.contact):
                targeted_by[slug].append(action)
        for contact in ordered:
            write_page(
                self,
                writer,
                "actions/contact.html",
                f"contacts/{contact.slug}/index.html",
                contact=contact,
                contact_actions=sorted(targeted_by[contact.slug], key=support.rank),
                page_title=contact.name,
            )
            write_output(output, contact.vcard_url, contact_vcard(contact))


def check_actions(context: dict[str, Any], report: Report) -> None:
    """``tasks.py check``: contacts, actions, targets, dates, thresholds and members' ``supports``."""
    settings = context["settings"]
    contacts, actions, current = load_all(
        context["content"],
        settings,
        context["members"],
        context.get("trusted_members"),
        build_today(settings),
        report,
    )
    context["contacts"] = contacts
    context["actions"] = actions
    context["actions_current_target"] = current
