"""Actions: campaigns in ``content/actions/<slug>.md`` and the targets they call and write to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netroots import schema
from netroots.html import render_markdown
from netroots.report import Report
from netroots.source import Source

from .contacts import Contact, Phone, phone
from .links import fill, mailto, unknown_placeholders
from .spec import ACTION_KINDS

KINDS = ACTION_KINDS
STATUSES = ("proposed", "active", "won", "closed")
KIND_LABELS = {"boycott": "Boycott", "letter": "Letter", "call": "Call-in", "petition": "Petition", "rally": "Rally"}


def target_item(region: str) -> schema.Converter:
    """A target: a contact slug, ``{contact: slug, person: Name}``, or an inline ``{name, phone, email}``."""
    example = (
        "a contact slug like `daily-ledger`, `{contact: daily-ledger, person: Ana Diaz}` or `{name: ..., phone: ...}`"
    )
    by_contact = schema.mapping(
        (schema.Field("contact", schema.slug, required=True), schema.Field("person", schema.text, default=""))
    )
    inline = schema.mapping(
        (
            schema.Field("name", schema.text, required=True),
            schema.Field("person", schema.text, default=""),
            schema.Field("phone", phone(region)),
            schema.Field("email", schema.email),
            schema.Field("address", schema.text, default=""),
        )
    )

    def convert(value: Any) -> dict[str, Any]:
        if isinstance(value, str):
            return {"contact": schema.slug(value.strip()), "person": ""}
        if isinstance(value, dict):
            unknown = sorted(set(map(str, value)) - {"contact", "person", "name", "phone", "email", "address"})
            if unknown:
                raise schema.Invalid(f"unknown target field `{unknown[0]}`; write {example}")
            return by_contact(value) if "contact" in value else inline(value)
        raise schema.Invalid(f"{value!r} is not a target; write {example}")

    return convert


LETTER_FIELDS = (
    schema.Field("subject", schema.text, required=True),
    schema.Field("body", schema.text, required=True),
)


def action_fields(region: str) -> tuple[schema.Field, ...]:
    return (
        schema.Field("title", schema.text, required=True, help="e.g. `title: Tell advertisers to drop the show`"),
        schema.Field("kind", schema.choice(*KINDS), required=True, help=f"one of: {', '.join(KINDS)}"),
        schema.Field("status", schema.choice(*STATUSES), default="proposed"),
        schema.Field("proposed_by", schema.handle, required=True, help="the proposer's handle, e.g. `maria-lopez`"),
        schema.Field("proposed", schema.date),
        schema.Field("targets", schema.list_of(target_item(region)), default=list),
        schema.Field("ask", schema.text, required=True, help="one sentence: what members ask the target to do"),
        schema.Field("script", schema.text, default=""),
        schema.Field(
            "letter",
            schema.mapping(LETTER_FIELDS, example="`{subject: ..., body: ...}` with `body: |` and the letter below"),
        ),
        schema.Field("deadline", schema.date),
        schema.Field("threshold", schema.integer(1)),
        schema.Field("activated", schema.date),
        schema.Field("won", schema.date),
        schema.Field("closed", schema.date),
        schema.Field("link", schema.url),
        schema.Field("summary", schema.text, default=""),
    )


@dataclass
class Target:
    """Who members call or write to for one action."""

    name: str
    person: str = ""
    role: str = ""
    phone: Phone | None = None
    email: str | None = None
    address: str = ""
    contact: Contact | None = None

    @property
    def addressee(self) -> str:
        """``{person}``: the named person, else the organization."""
        return self.person or self.name


@dataclass
class Support:
    """Who supports an action: registered members, each once (the proposer counts)."""

    members: list[str] = field(default_factory=list)
    trusted: list[str] | None = None  # None: the network has no web of trust

    @property
    def counted(self) -> int:
        """The number thresholds and the current target use."""
        return len(self.trusted) if self.trusted is not None else len(self.members)


@dataclass
class Action:
    slug: str
    title: str
    kind: str
    declared_status: str  # as written in the file
    proposed_by: str
    ask: str
    body: str  # sanitized HTML: why
    path: Path
    lines: dict[str, int] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    script: str = ""
    letter_subject: str = ""
    letter_body: str = ""
    proposed: dt.date | None = None
    deadline: dt.date | None = None
    threshold_override: int | None = None
    activated: dt.date | None = None
    won: dt.date | None = None
    closed: dt.date | None = None
    link: str | None = None
    summary: str = ""
    # Filled in by support.apply():
    threshold: int = 0
    status: str = ""
    promoted: bool = False
    support: Support = field(default_factory=Support)
    days_left: int | None = None
    ended: bool = False
    current: bool = False

    @property
    def url(self) -> str:
        return f"actions/{self.slug}/"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def has_letter(self) -> bool:
        return bool(self.letter_subject or self.letter_body)

    def script_for(self, target: Target) -> str:
        return fill(self.script, target.name, target.addressee)

    def subject_for(self, target: Target) -> str:
        return fill(self.letter_subject, target.name, target.addressee)

    def letter_for(self, target: Target) -> str:
        return fill(self.letter_body, target.name, target.addressee)

    def mailto(self, target: Target) -> str:
        if not target.email:
            return ""
        return mailto(target.email, self.subject_for(target), self.letter_for(target))

    def line(self, key: str, *more: str | int) -> int:
        dotted = ".".join(str(k) for k in (key, *more))
        return self.lines.get(dotted) or self.lines.get(key, 1)


def resolve_target(raw: dict[str, Any], contacts: dict[str, Contact], folder: Path | None = None) -> Target | str:
    """A ``Target``, or the message saying why it cannot be used (``folder``: content/contacts)."""
    if "contact" not in raw:
        return Target(
            name=raw["name"], person=raw["person"], phone=raw["phone"], email=raw["email"], address=raw["address"]
        )
    slug = raw["contact"]
    contact = contacts.get(slug)
    if contact is None and folder is not None and (folder / f"{slug}.yaml").is_file():
        return f"contact '{slug}' has errors; fix content/contacts/{slug}.yaml (its errors are listed there)"
    if contact is None:
        known = ", ".join(sorted(contacts)[:8]) or "none yet"
        return f"'{slug}' is not a contact (no content/contacts/{slug}.yaml; known: {known})"
    person = contact.person(raw["person"]) if raw["person"] else (contact.people[0] if contact.people else None)
    if raw["person"] and person is None:
        names = ", ".join(p.name for p in contact.people) or "nobody is listed"
        return f"'{raw['person']}' is not one of the people of {slug} ({names})"
    return Target(
        name=contact.name,
        person=person.name if person else "",
        role=person.role if person else "",
        phone=(person.phone if person and person.phone else contact.phone),
        email=(person.email if person and person.email else contact.email),
        address=contact.address,
        contact=contact,
    )


def _check_dates(source: Source, meta: dict[str, Any], report: Report) -> None:
    path = source.path
    order = [("proposed", "activated"), ("activated", "won"), ("activated", "closed"), ("proposed", "deadline")]
    for before, after in order:
        if meta[before] and meta[after] and meta[after] < meta[before]:
            report.error(
                path,
                source.line(after),
                f"{after}: {meta[after].isoformat()} is before {before} ({meta[before].isoformat()}); check both dates",
            )
    status = meta["status"]
    for name in ("won", "closed"):
        if meta[name] and status != name:
            report.warning(
                path, source.line(name), f"{name}: a date is given but the status is '{status}'; set `status: {name}`"
            )
    if meta["won"] and meta["closed"]:
        report.error(path, source.line("closed"), "an action is either won or closed, not both; remove one date")


def _check_texts(source: Source, meta: dict[str, Any], report: Report) -> None:
    path = source.path
    texts = [("script", meta["script"])]
    if meta["letter"]:
        texts += [("letter", meta["letter"]["subject"]), ("letter", meta["letter"]["body"])]
        if "\n" in meta["letter"]["subject"].strip():
            report.error(path, source.line("letter", "subject"), "letter.subject: write the subject on one line")
    for name, text in texts:
        for word in unknown_placeholders(text):
            report.warning(
                path,
                source.line(name),
                f"{name}: unknown placeholder {{{word}}} is left as written; use {{target}} or {{person}}",
            )
    if meta["kind"] == "call" and not meta["script"]:
        report.warning(path, source.line("kind"), "a call action needs a `script:` for members to read on the phone")
    if meta["kind"] == "letter" and not meta["letter"]:
        report.error(path, source.line("kind"), "a letter action needs `letter:` with `subject:` and `body: |`")
    if not meta["targets"] and meta["kind"] in ("letter", "call", "boycott"):
        report.warning(path, source.line("kind"), "no `targets:`: members will not know whom to call or write to")


def read_action(
    path: Path, region: str, contacts: dict[str, Contact], members: set[str], report: Report
) -> Action | None:
    slug = schema.file_slug(path, report)
    read = schema.read_validated(path, action_fields(region), report, kind="action")
    if slug is None or read is None:
        return None
    source, meta, ok = read
    if meta["proposed_by"] and meta["proposed_by"] not in members:
        report.error(
            path,
            source.line("proposed_by"),
            f"proposed_by: '{meta['proposed_by']}' is not a member (no content/members/{meta['proposed_by']}.yaml)",
        )
        ok = False
    targets = []
    for index, raw in enumerate(meta["targets"] or []):
        target = resolve_target(raw, contacts, path.parent.parent / "contacts")
        if isinstance(target, str):
            report.error(path, source.line("targets", index), f"targets: item {index + 1}: {target}")
            ok = False
        else:
            targets.append(target)
    _check_dates(source, meta, report)
    _check_texts(source, meta, report)
    if not ok:
        return None
    letter = meta["letter"] or {}
    return Action(
        slug=slug,
        title=meta["title"],
        kind=meta["kind"],
        declared_status=meta["status"],
        proposed_by=meta["proposed_by"],
        ask=meta["ask"],
        body=render_markdown(source.body),
        path=path,
        lines=source.lines,
        targets=targets,
        script=meta["script"],
        letter_subject=letter.get("subject", ""),
        letter_body=letter.get("body", ""),
        proposed=meta["proposed"],
        deadline=meta["deadline"],
        threshold_override=meta["threshold"],
        activated=meta["activated"],
        won=meta["won"],
        closed=meta["closed"],
        link=meta["link"],
        summary=meta["summary"],
    )


def load_actions(
    content: Path, region: str, contacts: dict[str, Contact], members: set[str], report: Report
) -> dict[str, Action]:
    actions: dict[str, Action] = {}
    for path in sorted((content / "actions").glob("*.md")):
        action = read_action(path, region, contacts, members, report)
        if action is not None:
            actions[action.slug] = action
    return actions
