"""``python tasks.py search QUERY``: ranked results with highlighted snippets, from the terminal."""

from __future__ import annotations

import html
import json
import sys
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import click

from netroots.site import site_address

from .spec import KIND_LABELS, search_settings

BOLD = ("\x1b[1;33m", "\x1b[0m")
# From this many documents to index, a progress bar (a first search of a big network).
PROGRESS_FROM = 200


def progress(todo: list[str]) -> Iterator[str]:
    """A bar on stderr while many documents are indexed (the first search after a clone
    indexes them all), nothing for a few."""
    if len(todo) < PROGRESS_FROM:
        yield from todo
        return
    with click.progressbar(todo, label="Indexing for search", file=sys.stderr) as bar:
        yield from bar


def run_search(settings: dict, text: str, *, kind=None, member=None, tag=None, limit=10, as_html=False):
    """Bring the index up to date (only what changed), then search it."""
    from netroots.members import load_members
    from netroots.report import Report

    from .generator import refresh

    content = Path(settings["PATH"]).resolve()
    members = load_members(content, Report(root=content.parent))
    index = refresh(settings, members, progress)
    marks = ("<mark>", "</mark>") if as_html else BOLD
    escape = html.escape if as_html else str
    return index.search(text, kind=kind, member=member, tag=tag, limit=limit, marks=marks, escape=escape)


def add_commands(cli: click.Group, new: click.Group) -> None:
    @cli.command("search")
    @click.argument("query", nargs=-1, required=True)
    @click.option("--kind", metavar="KIND", help=f"Only this kind of content: {', '.join(KIND_LABELS)}.")
    @click.option("--member", metavar="HANDLE", help="Only diaries by this member.")
    @click.option("--tag", metavar="TAG", help="Only content with this tag.")
    @click.option("--limit", default=None, type=click.IntRange(1, 500), help="How many results (default: 10).")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON (snippets marked with <mark>).")
    def search_command(query, kind, member, tag, limit, as_json) -> None:
        """Search the network's content: diaries and pages as they are now, other kinds as last built."""
        from netroots.build import cli_settings

        settings = cli_settings()
        limit = limit or int(search_settings(settings)["results"])
        text = " ".join(query)
        hits = run_search(settings, text, kind=kind, member=member, tag=tag, limit=limit, as_html=as_json)
        if as_json:
            click.echo(json.dumps({"query": text, "results": [asdict(hit) for hit in hits]}, indent=2))
            return
        if not hits:
            click.echo(f"No results for {text!r}.", err=True)
            raise SystemExit(1)
        base = site_address(settings)
        for number, hit in enumerate(hits, 1):
            facts = " · ".join(part for part in (hit.kind, hit.member and f"@{hit.member}", hit.date) if part)
            click.echo(f"{number}. {click.style(hit.title, bold=True)}  ({facts})")
            click.echo(f"   {base}/{hit.url}")
            if hit.snippet:
                click.echo(f"   {' '.join(hit.snippet.split())}")
