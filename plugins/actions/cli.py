"""``tasks.py new action`` and ``tasks.py new contact``: start a file with valid front matter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from netroots.build import cli_settings
from netroots.members import guess_member
from netroots.starters import GIVEN, quoted, register_starter, slug_of
from netroots.today import build_today

from .contacts import KINDS as CONTACT_KINDS
from .contacts import RESERVED_SLUGS
from .model import KINDS as ACTION_KINDS

ACTION_TEMPLATE = """---
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

CONTACT_TEMPLATE = """name: {name}
kind: {kind}            # media, advertiser, company or official
owner: ""               # who owns it: a contact slug (e.g. meridian-broadcast-group) or a name
address: ""             # street on one line, "City, ST 12345" on the next (use `address: |`)
# phone: (614) 555-0100 # numbers without +country are read as {region} numbers
# email: press@example.org
# website: https://example.org/
people: []              # e.g. [{{name: Ana Diaz, role: Standards Editor, phone: (614) 555-0126, email: ...}}]
notes: ""
"""

register_starter(
    "action",
    "actions/*.md",
    lambda: ACTION_TEMPLATE.format(
        title=GIVEN, kind="letter", handle=GIVEN, today="2026-01-01", deadline="2026-02-01", targets=GIVEN
    ),
)
register_starter("contact", "contacts/*.yaml", lambda: CONTACT_TEMPLATE.format(name=GIVEN, kind="media", region="US"))


def add_commands(cli: click.Group, new: click.Group) -> None:
    @new.command("action")
    @click.argument("title")
    @click.option("--kind", type=click.Choice(ACTION_KINDS), default="letter", show_default=True)
    @click.option("--by", "handle", help="Your handle (guessed from git's user.email if left out).")
    @click.option("--target", "targets", multiple=True, help="A contact slug; repeat for several.")
    @click.option("--slug", help="The file name and URL (default: from the title).")
    def new_action(title: str, kind: str, handle: str | None, targets: tuple[str, ...], slug: str | None) -> None:
        """Propose an action: create content/actions/<slug>.md."""
        settings = cli_settings()
        content = Path(settings["PATH"]).resolve()
        handle = handle or guess_member(content)
        if not handle:
            raise click.UsageError("could not tell who you are from git's user.email; pass --by YOUR-HANDLE")
        if not (content / "members" / f"{handle}.yaml").is_file():
            raise click.UsageError(f"no member '{handle}': content/members/{handle}.yaml does not exist")
        for target in targets:
            if not (content / "contacts" / f"{target}.yaml").is_file():
                raise click.UsageError(
                    f"no contact '{target}': create it first with `python tasks.py new contact \"Name\"`"
                )
        slug = slug or slug_of(title)
        path = content / "actions" / f"{slug}.md"
        if path.exists():
            raise click.UsageError(f"{path} already exists; choose another title or --slug")
        today = build_today(settings)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            ACTION_TEMPLATE.format(
                title=quoted(title),
                kind=kind,
                handle=handle,
                today=today.isoformat(),
                deadline=(today + dt.timedelta(days=30)).isoformat(),
                targets=", ".join(targets),
            ),
            encoding="utf-8",
        )
        click.echo(f"Created {path}")
        click.echo(
            f"Next: write the ask and the why, then `python tasks.py check {path}`. Members support it by adding "
            f"`{slug}` to `supports:` in their own file; you count already."
        )

    @new.command("contact")
    @click.argument("name")
    @click.option("--kind", type=click.Choice(CONTACT_KINDS), default="media", show_default=True)
    @click.option("--slug", help="The file name and URL (default: from the name).")
    def new_contact(name: str, kind: str, slug: str | None) -> None:
        """Add to the contact directory: create content/contacts/<slug>.yaml."""
        from .spec import actions_settings

        settings = cli_settings()
        content = Path(settings["PATH"]).resolve()
        slug = slug or slug_of(name)
        if slug in RESERVED_SLUGS:
            raise click.UsageError(f"'{slug}' is reserved; pass another --slug")
        path = content / "contacts" / f"{slug}.yaml"
        if path.exists():
            raise click.UsageError(f"{path} already exists; pass another --slug")
        path.parent.mkdir(parents=True, exist_ok=True)
        region = actions_settings(settings)["phone_region"]
        path.write_text(CONTACT_TEMPLATE.format(name=quoted(name), kind=kind, region=region), encoding="utf-8")
        click.echo(f"Created {path}")
        click.echo(f"Next: add phone, email and people, then `python tasks.py check {path}`.")
