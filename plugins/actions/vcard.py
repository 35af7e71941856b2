"""vCard 3.0 (``.vcf``) for a contact: the organization, then one card per person."""

from __future__ import annotations

import re

import vobject

from netroots.html import plain_text

from .contacts import Contact, Person, Phone

CITY_LINE = re.compile(r"^(?P<city>[^,]+),\s*(?P<region>[A-Z]{2})\s+(?P<code>\d{5}(?:-\d{4})?)$")


def address_parts(text: str) -> vobject.vcard.Address:
    """Split "street lines / City, ST 12345" into vCard parts; anything else stays in street."""
    lines = [line.strip() for line in re.split(r"\n|;", text) if line.strip()]
    match = CITY_LINE.match(lines[-1]) if lines else None
    if match and len(lines) > 1:
        return vobject.vcard.Address(
            street=", ".join(lines[:-1]),
            city=match["city"].strip(),
            region=match["region"],
            code=match["code"],
            country="USA",
        )
    return vobject.vcard.Address(street=", ".join(lines))


def _card(name: str, organization: str, phone: Phone | None, email: str | None) -> vobject.base.Component:
    card = vobject.vCard()
    card.add("fn").value = name
    if name == organization:
        card.add("n").value = vobject.vcard.Name(family="", given="")
        card.add("x-abshowas").value = "COMPANY"
    else:
        given, _, family = name.rpartition(" ")
        card.add("n").value = vobject.vcard.Name(family=family, given=given)
    card.add("org").value = [organization]
    if phone:
        tel = card.add("tel")
        tel.value = phone.e164 + (f";ext={phone.extension}" if phone.extension else "")
        tel.type_param = "WORK"
    if email:
        mail = card.add("email")
        mail.value = email
        mail.type_param = "INTERNET"
    return card


def person_card(contact: Contact, person: Person) -> vobject.base.Component:
    card = _card(person.name, contact.name, person.phone or contact.phone, person.email or contact.email)
    if person.role:
        card.add("title").value = person.role
    return card


def contact_vcard(contact: Contact) -> str:
    """The ``.vcf`` text: the organization's card first, then its people's."""
    main = _card(contact.name, contact.name, contact.phone, contact.email)
    if contact.address:
        main.add("adr").value = address_parts(contact.address)
    if contact.website:
        main.add("url").value = contact.website
    note = plain_text(contact.notes) if contact.notes else ""
    if contact.owner:
        owner = contact.owner_contact.name if contact.owner_contact else contact.owner
        note = f"Owner: {owner}" + (f"\n{note}" if note else "")
    if note:
        main.add("note").value = note
    cards = [main] + [person_card(contact, person) for person in contact.people]
    return "".join(card.serialize() for card in cards)
