"""The contact directory: ``content/contacts/<slug>.yaml`` (media, advertisers, companies, officials)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netroots import schema
from netroots.html import render_markdown
from netroots.report import Report
from netroots.source import read_yaml

from .spec import CONTACT_KINDS

KINDS = CONTACT_KINDS
KIND_LABELS = {"media": "Media", "advertiser": "Advertisers", "company": "Companies", "official": "Officials"}
RESERVED_SLUGS = frozenset({"kind"})  # /contacts/kind/<kind>/ is the directory's filter


@dataclass(frozen=True)
class Phone:
    """A checked phone number: ``e164`` for ``tel:`` links, ``display`` for people."""

    e164: str
    display: str
    extension: str = ""

    @property
    def href(self) -> str:
        return f"tel:{self.e164}" + (f";ext={self.extension}" if self.extension else "")


def phone(region: str) -> schema.Converter:
    """A converter to ``Phone``; numbers without ``+`` are read as numbers of ``region``."""

    def convert(value: Any) -> Phone:
        import phonenumbers

        example = "write it like (614) 555-0142 or +1 614 555 0142"
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise schema.Invalid(f"{value!r} is not a phone number; {example}")
        text = str(value).strip()
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException as exc:
            raise schema.Invalid(f"'{text}' is not a phone number ({exc._msg}); {example}") from None
        if not phonenumbers.is_valid_number(number):
            raise schema.Invalid(
                f"'{text}' is not a valid phone number for {region} (check the digits and the area code); {example}"
            )
        home = phonenumbers.region_code_for_number(number)
        style = (
            phonenumbers.PhoneNumberFormat.NATIONAL if home == region else phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        display = phonenumbers.format_number(number, style)
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return Phone(e164=e164, display=display, extension=number.extension or "")

    return convert


def person_fields(region: str) -> tuple[schema.Field, ...]:
    return (
        schema.Field("name", schema.text, required=True),
        schema.Field("role", schema.text, default=""),
        schema.Field("phone", phone(region)),
        schema.Field("email", schema.email),
    )


def contact_fields(region: str) -> tuple[schema.Field, ...]:
    person = schema.mapping(
        person_fields(region), example="`{name: Dana Ortiz, role: Press officer, phone: (614) 555-0142}`"
    )
    return (
        schema.Field("name", schema.text, required=True, help="e.g. `name: KBRT 1340 AM`"),
        schema.Field("kind", schema.choice(*KINDS), required=True, help=f"one of: {', '.join(KINDS)}"),
        schema.Field("owner", schema.text, default=""),
        schema.Field("address", schema.text, default=""),
        schema.Field("phone", phone(region)),
        schema.Field("email", schema.email),
        schema.Field("website", schema.url),
        schema.Field("people", schema.list_of(person), default=list),
        schema.Field("notes", schema.text, default=""),
    )


@dataclass
class Person:
    name: str
    role: str = ""
    phone: Phone | None = None
    email: str | None = None


@dataclass
class Contact:
    """An organization people can call or write to, with its people."""

    slug: str
    name: str
    kind: str
    path: Path
    owner: str = ""
    address: str = ""
    phone: Phone | None = None
    email: str | None = None
    website: str | None = None
    people: list[Person] = field(default_factory=list)
    notes: str = ""  # sanitized HTML
    lines: dict[str, int] = field(default_factory=dict)
    owner_contact: Contact | None = None  # when `owner` names another contact (slug or name)
    owns: list[Contact] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"contacts/{self.slug}/"

    @property
    def vcard_url(self) -> str:
        return f"contacts/{self.slug}/{self.slug}.vcf"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def person(self, name: str) -> Person | None:
        wanted = name.strip().casefold()
        return next((p for p in self.people if p.name.casefold() == wanted), None)


def read_contact(path: Path, region: str, report: Report) -> Contact | None:
    slug = schema.file_slug(path, report, RESERVED_SLUGS, address="a directory page (/contacts/{slug}/)")
    read = schema.read_validated(path, contact_fields(region), report, kind="contact", read=read_yaml)
    if slug is None or read is None:
        return None
    source, meta, ok = read
    if not ok:
        return None
    return Contact(
        slug=slug,
        name=meta["name"],
        kind=meta["kind"],
        path=path,
        owner=meta["owner"],
        address=meta["address"],
        phone=meta["phone"],
        email=meta["email"],
        website=meta["website"],
        people=[Person(**p) for p in meta["people"]],
        notes=render_markdown(meta["notes"]) if meta["notes"] else "",
        lines=source.lines,
    )


def load_contacts(content: Path, region: str, report: Report) -> dict[str, Contact]:
    """Every valid contact by slug; `owner` is linked when it names another contact."""
    contacts: dict[str, Contact] = {}
    for path in sorted((content / "contacts").glob("*.yaml")):
        contact = read_contact(path, region, report)
        if contact is not None:
            contacts[contact.slug] = contact
    by_name = {c.name.casefold(): c for c in contacts.values()}
    for contact in contacts.values():
        if not contact.owner:
            continue
        owner = contacts.get(contact.owner) or by_name.get(contact.owner.casefold())
        if owner is contact:
            report.warning(contact.path, contact.lines.get("owner", 1), "owner: a contact cannot own itself")
        elif owner is not None:
            contact.owner_contact = owner
            owner.owns.append(contact)
    for contact in contacts.values():
        contact.owns.sort(key=lambda c: c.name.casefold())
    return contacts
