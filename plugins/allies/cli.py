"""``tasks.py fetch [--strict]`` and ``tasks.py allies import FILE.opml``."""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from netroots.report import Report

from .model import Ally, allies_file, allies_settings, load_allies, normalize_url
from .opml import OPMLError, Subscription, read_opml, yaml_item

if TYPE_CHECKING:  # fetching imports httpx and asyncio: only when fetching (every command loads this module)
    from .fetch import Outcome, Summary


def _show_progress(config: dict[str, Any]) -> bool:
    if config["progress"] is not None:
        return bool(config["progress"])
    return sys.stderr.isatty() and not os.environ.get("CI")


def fetch_allies(settings: dict[str, Any], *, force: bool = False, echo: bool = True) -> Summary:
    """Fetch every ally into the cache (``build --fetch`` calls this). Never raises for a bad feed."""
    from .update import run_fetch

    config = allies_settings(settings)
    with ExitStack() as stack:
        on_start = on_done = None
        if echo and _show_progress(config):
            from rich.progress import Progress

            progress = stack.enter_context(Progress(transient=True, console=_console()))
            task = progress.add_task("Fetching allied feeds", total=None)

            def on_start(total: int) -> None:
                progress.update(task, total=total)

            def on_done(outcome: Outcome) -> None:
                progress.update(task, advance=1, description=f"Fetching allied feeds ({outcome.slug})")

        summary = run_fetch(settings, force=force, on_start=on_start, on_done=on_done)
    if echo:
        click.echo(summary.line(int(config["failing_after"])), err=True)
        if any(o.skipped for o in summary.outcomes.values()):
            click.echo(
                "  skipped allies are backing off after failures, or gone; `fetch --force` fetches them now", err=True
            )
        for slug in sorted(summary.outcomes):
            outcome = summary.outcomes[slug]
            if outcome.error:
                click.echo(f"  {slug}: {outcome.error}", err=True)
            if outcome.moved_to:
                click.echo(
                    f"  {slug}: moved permanently; update its feed in allies.yaml to {outcome.moved_to}", err=True
                )
    return summary


def _console():
    from rich.console import Console

    return Console(stderr=True)


def add_commands(cli: click.Group, new: click.Group) -> None:
    @cli.command("fetch")
    @click.option(
        "--strict", is_flag=True, help="Exit 1 when more allies are failing than ALLIES['strict_max_failing']."
    )
    @click.option("--force", is_flag=True, help="Also fetch allies that are backing off or gone.")
    def fetch_command(strict: bool, force: bool) -> None:
        """Fetch allied feeds into the cache (.cache/allies/), with a progress bar."""
        fetch_into_cache(strict, force)

    @cli.group("allies")
    def allies_group() -> None:
        """Allied blogs: import an OPML subscription list."""

    @allies_group.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Show what would be added without changing allies.yaml.")
    def import_command(file: Path, dry_run: bool) -> None:
        """Add the feeds of FILE.opml to content/allies.yaml (feeds already there are skipped)."""
        import_opml(file, dry_run)


def fetch_into_cache(strict: bool, force: bool) -> None:
    """``tasks.py fetch``: with ``--strict``, exit 1 when too many allies fail (for a scheduled job)."""
    from netroots.build import cli_settings

    settings = cli_settings()
    summary = fetch_allies(settings, force=force)
    limit = int(allies_settings(settings)["strict_max_failing"])
    if strict and len(summary.failing) > limit:
        click.echo(
            f"allies: {len(summary.failing)} failing ({', '.join(summary.failing)}), more than {limit} allowed; "
            "see /allies/health/",
            err=True,
        )
        sys.exit(1)


def import_opml(file: Path, dry_run: bool) -> None:
    """``tasks.py allies import``: append the OPML file's new feeds to allies.yaml (or show them)."""
    from netroots.build import cli_settings

    settings = cli_settings()
    target = allies_file(settings)
    try:
        subscriptions = read_opml(file)
    except (OPMLError, OSError) as exc:
        raise click.ClickException(f"{file}: {exc}") from None
    report = Report(root=target.parent.parent)
    existing = load_allies(target, report)
    if report.errors:
        for problem in report.errors:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"fix {target.name} first; nothing was imported")
    added = _not_yet_allies(subscriptions, existing)
    if not added:
        click.echo(f"Nothing to add: all {len(subscriptions)} feed(s) are already allies.")
        return
    text = "".join(yaml_item(sub) for sub in added)
    if dry_run:
        click.echo(text, nl=False)
        click.echo(f"Would add {len(added)} ally(ies) to {target.name}.")
        return
    _append(target, text)
    click.echo(f"Added {len(added)} ally(ies) to {target}; skipped {len(subscriptions) - len(added)} already there.")
    click.echo("Next: python tasks.py check, then python tasks.py fetch.")


def _not_yet_allies(subscriptions: list[Subscription], existing: list[Ally]) -> list[Subscription]:
    """The subscriptions whose feed (normalized) is neither an ally already nor listed twice."""
    known = {normalize_url(a.feed) for a in existing}
    added = []
    for sub in subscriptions:
        key = normalize_url(sub.feed)
        if key in known:
            continue
        known.add(key)
        added.append(sub)
    return added


def _append(target: Path, text: str) -> None:
    """Add YAML list items to the end of allies.yaml, replacing an empty ``[]`` list."""
    current = target.read_text(encoding="utf-8") if target.is_file() else ""
    if current.strip() in ("[]", ""):
        current = ""
    if current and not current.endswith("\n"):
        current += "\n"
    target.write_text(current + text, encoding="utf-8")
