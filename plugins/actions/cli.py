"""``tasks.py new action`` and ``tasks.py new contact``: what is the actions plugin's own in them
(the commands, their options and the starter texts come from the declarations in spec.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from netroots.members import guess_member
from netroots.starters import quoted, slug_of
from netroots.today import build_today

from .contacts import RESERVED_SLUGS
from .spec import actions_settings


def prepare_action(settings: dict[str, Any], content: Path, values: dict[str, Any]) -> dict[str, Any]:
    """The proposer (a member) and the targets (contacts) must exist; the deadline is 30 days out."""
    handle = values["handle"] or guess_member(content)
    if not handle:
        raise click.UsageError("could not tell who you are from git's user.email; pass --by YOUR-HANDLE")
    if not (content / "members" / f"{handle}.yaml").is_file():
        raise click.UsageError(f"no member '{handle}': content/members/{handle}.yaml does not exist")
    for target in values["targets"]:
        if not (content / "contacts" / f"{target}.yaml").is_file():
            raise click.UsageError(
                f"no contact '{target}': create it first with `python tasks.py new contact \"Name\"`"
            )
    today = build_today(settings)
    return {
        "slug": values["slug"] or slug_of(values["title"]),
        "title": quoted(values["title"]),
        "kind": values["kind"],
        "handle": handle,
        "today": today.isoformat(),
        "deadline": (today + dt.timedelta(days=30)).isoformat(),
        "targets": ", ".join(values["targets"]),
    }


def prepare_contact(settings: dict[str, Any], content: Path, values: dict[str, Any]) -> dict[str, Any]:
    """A slug that is not a directory page's address; phone numbers are read in ACTIONS' region."""
    slug = values["slug"] or slug_of(values["name"])
    if slug in RESERVED_SLUGS:
        raise click.UsageError(f"'{slug}' is reserved; pass another --slug")
    return {
        "slug": slug,
        "name": quoted(values["name"]),
        "kind": values["kind"],
        "region": actions_settings(settings)["phone_region"],
    }
