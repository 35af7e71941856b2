"""The actions plugin's contract: the ``ACTIONS = {...}`` settings, actions and contacts, and
the starters of a new action and a new contact."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netroots import schema
from netroots.plugin import Content, PluginSpec
from netroots.settings import FLAG, TEXT, Kind, Setting, optional, whole
from netroots.starters import Ask, Starter

ACTION_KINDS = ("boycott", "letter", "call", "petition", "rally")
CONTACT_KINDS = ("media", "advertiser", "company", "official")

ACTION = """---
title: {title}
kind: {kind}            # boycott, letter, call, petition or rally
status: proposed        # maintainers set won or closed; support makes it active
proposed_by: {handle}
proposed: {today}
deadline: {deadline}    # YYYY-MM-DD; the page counts the days left
summary: ""             # one plain sentence for lists and feeds
ask: "Say in one sentence what we ask the target to do."
# Contact slugs from content/contacts/ (see /contacts/), or
# {{contact: slug, person: Name}} for one person there, or an inline {{name: ..., phone: ..., email: ...}}.
targets: [{targets}]
# For calls: {{target}} and {{person}} are filled in for each target.
script: |
  Hello, my name is ___ and I'm calling {{target}} to ask ...
letter:
  subject: "A short subject line"
  body: |
    Dear {{person}},

    Write the letter members will send to {{target}}.

    Sincerely,
# threshold: 5          # supporters needed to become active (default in ACTIONS)
---

Why this matters, in Markdown: what happened, what we want, and how members can help.
"""

CONTACT = """name: {name}
kind: {kind}            # media, advertiser, company or official
owner: ""               # who owns it: a contact slug (e.g. meridian-broadcast-group) or a name
address: ""             # street on one line, "City, ST 12345" on the next (use `address: |`)
# phone: (614) 555-0100 # numbers without +country are read as {region} numbers
# email: press@example.org
# website: https://example.org/
people: []              # e.g. [{{name: Ana Diaz, role: Standards Editor, phone: (614) 555-0126, email: ...}}]
notes: ""
"""

STARTERS = (
    Starter(
        kind="action",
        help="Propose an action: create content/actions/<slug>.md.",
        path="actions/{slug}.md",
        text=ACTION,
        asks=(
            Ask("title"),
            Ask("kind", option="--kind", choices=ACTION_KINDS, default="letter"),
            Ask("handle", "Your handle (guessed from git's user.email if left out).", option="--by"),
            Ask("targets", "A contact slug; repeat for several.", option="--target", multiple=True),
            Ask("slug", "The file name and URL (default: from the title).", option="--slug"),
        ),
        sample={"kind": "letter", "today": "2026-01-01", "deadline": "2026-02-01"},
        prepare="cli:prepare_action",
        next="Next: write the ask and the why, then `python tasks.py check {path}`. Members support it by adding "
        "`{slug}` to `supports:` in their own file; you count already.",
        exists="choose another title or --slug",
    ),
    Starter(
        kind="contact",
        help="Add to the contact directory: create content/contacts/<slug>.yaml.",
        path="contacts/{slug}.yaml",
        text=CONTACT,
        asks=(
            Ask("name"),
            Ask("kind", option="--kind", choices=CONTACT_KINDS, default="media"),
            Ask("slug", "The file name and URL (default: from the name).", option="--slug"),
        ),
        sample={"kind": "media", "region": "US"},
        prepare="cli:prepare_contact",
        next="Next: add phone, email and people, then `python tasks.py check {path}`.",
        exists="pass another --slug",
    ),
)


def _region(value: Any) -> str:
    import phonenumbers

    region = value.strip().upper() if isinstance(value, str) else ""
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError
    return region


SPEC = PluginSpec(
    name="actions",
    doc="Campaigns members vote onto the front page, and the contact directory they target.",
    settings_name="ACTIONS",
    settings=(
        Setting(
            "threshold",
            5,
            whole(minimum=1),
            "Members needed (the proposer counts) before a proposed action becomes active; "
            "an action's own `threshold:` overrides it.",
        ),
        Setting(
            "phone_region",
            "US",
            Kind("a two-letter region code like 'US' or 'CA'", _region),
            "Phone numbers written without a country code are read as numbers of this region.",
        ),
        Setting(
            "feed",
            "feeds/actions.atom.xml",
            optional(TEXT),
            "The Atom feed of actions becoming active and being won; None: no feed.",
        ),
        Setting("front_page", True, FLAG, "Show the current target on the front page."),
    ),
    content=(
        Content("actions/*.md", "an action: its target, demands and supporters"),
        Content("contacts/*.yaml", "a contact an action targets"),
    ),
    provides=(
        "contacts",
        "actions",
        "actions_current_target",
        "actions_trust",
        "actions_sections",
        "actions_feed",
        "actions_threshold",
    ),
    uses=("acts_merged", "trusted_members"),
    member_fields=(schema.Field("supports", schema.list_of(schema.slug), default=list),),  # actions, by slug
    starters=STARTERS,
    docs="docs/actions.md",
)
DEFAULTS = SPEC.defaults()


def actions_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``ACTIONS`` over the defaults; a bad value is logged and replaced by its default."""
    return SPEC.options(settings)
