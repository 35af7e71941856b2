"""``python tasks.py digest [--week YYYY-Www] [--send]``: the weekly digest page, feed and e-mail."""

from __future__ import annotations

import email
import email.policy
import os
from pathlib import Path
from typing import Any

import click

from netroots.build import build, cli_settings
from netroots.site import cache_dir
from netroots.today import build_today

from .mail import DigestMailError, send
from .model import parse_week, slug, week_of
from .spec import digest_settings


def add_commands(cli: click.Group, new: click.Group) -> None:
    cli.add_command(digest_command)


@click.command("digest")
@click.option("--week", metavar="YYYY-Www", help="The ISO week, e.g. 2026-W47 (default: this week).")
@click.option("--send", "send_it", is_flag=True, help="Send the e-mail to DIGEST['list_address'] over TLS.")
@click.option(
    "--publish/--dev",
    default=None,
    help="Links to the published site (publishconf.py; the default with --send) or to the local one.",
)
def digest_command(week: str | None, send_it: bool, publish: bool | None) -> None:
    """Write the week's digest (page, feed, e-mail); --send mails it to the list."""
    publish = send_it if publish is None else publish
    settings: dict[str, Any] = cli_settings(publish=publish)
    if week:
        try:
            year, number = parse_week(week)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--week") from None
    else:
        year, number = week_of(build_today(settings))
    settings["DIGEST"] = {**(settings.get("DIGEST") or {}), "email_week": slug(year, number)}
    result = build(settings)
    eml = cache_dir(settings, "digest") / f"{slug(year, number)}.eml"
    if not eml.is_file():
        raise click.ClickException("the digest was not written: is 'digest' in PLUGINS? See the errors above.")
    output = Path(settings["OUTPUT_PATH"])
    page = output / "digest" / slug(year, number) / "index.html"
    click.echo(f"Digest page: {page}" if page.is_file() else f"Week {slug(year, number)} is older than the archive.")
    click.echo(f"Digest feed: {output / 'feeds' / 'digest.atom.xml'}")
    click.echo(f"E-mail: {eml}")
    if result.errors:
        click.echo(f"{len(result.errors)} content error(s) above: those files are not in the digest.", err=True)
    if send_it:
        message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        options = digest_settings(settings)
        try:
            send(message, options)
        except DigestMailError as exc:
            raise click.ClickException(str(exc)) from None
        host = os.environ.get("NETROOTS_SMTP_HOST") or options["smtp_host"]
        click.echo(f"Sent to {options['list_address']} through {host}.")
