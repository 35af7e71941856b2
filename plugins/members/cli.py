"""``python tasks.py new member HANDLE``: what is the members plugin's own in it (the command,
the options and the starter text come from the declaration in spec.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from netroots.members import handle_problem, state_code
from netroots.schema import Invalid
from netroots.starters import quoted
from netroots.today import build_today


def prepare_member(settings: dict[str, Any], content: Path, values: dict[str, Any]) -> dict[str, Any]:
    """A usable handle, the state's postal code, and the day they join. Starters ask rather
    than guess: state and city stay empty (with a comment) unless given."""
    handle, state, city = values["handle"], values["state"], values["city"]
    if problem := handle_problem(handle):
        raise click.UsageError(problem)
    if state:
        try:
            state = state_code(state)
        except Invalid as exc:
            raise click.UsageError(f"--state: {exc.message}") from None
    return {
        "handle": handle,
        "name": quoted(values["name"] or handle.replace("-", " ").title()),
        "github": values["github"] or handle,
        "joined": build_today(settings).isoformat(),
        "state": state,
        "city": quoted(city) if city else "",
        "todo": "bio" if state and city else "bio, state and city",
    }
