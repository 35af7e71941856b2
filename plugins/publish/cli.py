"""Commands: ``publish`` (build with publishconf.py, rsync to a host) and ``codeowners``;
plus the pieces ``check`` uses for ``--changes``/``--as`` and ``--format github``."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click

from netroots.build import build, cli_settings, site_address_warning
from netroots.members import load_members
from netroots.plugin import member_owned
from netroots.report import Problem, Report

from .deploy import rsync_command
from .ownership import check_changes, codeowners_text, maintainer_logins
from .spec import publish_settings


def _escape(value: str, property: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_problem(problem: Problem, style: str = "text") -> str:
    """``path:line: error: msg``, or a GitHub Actions annotation (``::error file=..,line=..::msg``)."""
    if style != "github":
        return str(problem)
    level = "error" if problem.is_error else ("notice" if problem.severity == "note" else "warning")
    return f"::{level} file={_escape(problem.path, True)},line={problem.line}::{_escape(problem.message)}"


def add_ownership(report: Report, settings: dict[str, Any], changes: str | None, login: str | None) -> None:
    """``check --changes BASE..HEAD --as LOGIN``: add ownership problems to ``report``."""
    if changes is None and login is None:
        return
    if not changes or not login:
        raise click.UsageError(
            "--changes BASE..HEAD and --as LOGIN go together, e.g. --changes origin/main..HEAD --as octocat"
        )
    check_changes(report, settings, changes, login)


def add_commands(cli: click.Group, new: click.Group) -> None:
    cli.add_command(publish)
    cli.add_command(codeowners)
    cli.add_command(web_links)
    cli.add_command(merge_decision_command)


@click.command("merge-decision")
@click.argument("changes", metavar="BASE..HEAD")
@click.option("--as", "login", required=True, metavar="LOGIN", help="The GitHub login that opened the pull request.")
def merge_decision_command(changes: str, login: str) -> None:
    """May a pull request merge by itself? Prints each reason; exit 0: merge, exit 1: a maintainer decides.

    Run it in a checkout of HEAD (its content/ is what `check` reads), with the code of main.
    """
    from .merge import merge_decision

    decision = merge_decision(cli_settings(), changes, login)
    for ok, text in decision.reasons:
        click.echo(f"{'yes' if ok else 'no '}  {text}")
    if decision.merge:
        click.echo("MERGE: every condition holds; this pull request may merge by itself.")
        return
    click.echo("WAIT: a maintainer reviews and merges this pull request.")
    sys.exit(1)


@click.command()
@click.option("--target", help="rsync destination, overriding PUBLISH['RSYNC_TARGET'] (user@host:/path/).")
@click.option("--dry-run", is_flag=True, help="Build, then show what rsync would change without changing it.")
@click.option("--no-build", is_flag=True, help="Deploy output/ as it is.")
@click.option("--allow-errors", is_flag=True, help="Deploy even when some content had errors and was left out.")
def publish(target: str | None, dry_run: bool, no_build: bool, allow_errors: bool) -> None:
    """Build with publishconf.py and copy output/ to the host with rsync over ssh."""
    settings = cli_settings(publish=True)
    options = publish_settings(settings)
    output = Path(settings["OUTPUT_PATH"])
    try:
        command = rsync_command(output, options, target=target, dry_run=dry_run)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if shutil.which(command[0]) is None:
        raise click.UsageError("rsync is not installed: install it (e.g. apt-get install rsync) and try again")
    if warning := site_address_warning(settings):
        click.echo(warning, err=True)
    if not no_build:
        try:
            result = build(settings)
        except Exception as exc:  # never a traceback: say what stopped and how to learn more
            if os.environ.get("NETROOTS_DEBUG"):
                raise
            raise click.ClickException(
                f"not published: the build stopped ({type(exc).__name__}: {exc}). Run `python tasks.py check`; "
                "NETROOTS_DEBUG=1 shows where it failed."
            ) from None
        if result.errors and not allow_errors:
            click.echo(
                f"Not published: the build had {len(result.errors)} error(s) (above). "
                "Fix them, or pass --allow-errors to publish without the files they name.",
                err=True,
            )
            sys.exit(1)
    if not (output / "index.html").is_file():
        raise click.UsageError(f"{output} has no index.html: build the site first")
    click.echo(f"$ {shlex.join(command)}")
    try:
        done = subprocess.run(command, check=False)
    except FileNotFoundError:
        click.echo("rsync is not installed: install it (e.g. apt-get install rsync) and try again.", err=True)
        sys.exit(1)
    if done.returncode != 0:
        click.echo(f"rsync failed (exit {done.returncode}); nothing more was done.", err=True)
        sys.exit(done.returncode)
    click.echo(
        "Dry run: nothing was changed on the host." if dry_run else f"Published to {target or options['RSYNC_TARGET']}"
    )


@click.command()
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Where to write (default: PUBLISH['CODEOWNERS'])."
)
@click.option("--check", "verify", is_flag=True, help="Exit 1 if the file is missing or out of date (for CI).")
def codeowners(output: Path | None, verify: bool) -> None:
    """Write CODEOWNERS from the members' `github` fields: each member owns their files."""
    settings = cli_settings()
    content = Path(settings["PATH"]).resolve()
    report = Report(root=content.parent)
    members = load_members(content, report)
    text = codeowners_text(members, maintainer_logins(settings, content), member_owned(settings), content.name)
    target = output or content.parent / publish_settings(settings)["CODEOWNERS"]
    missing = sorted(h for h, m in members.items() if not m.github)
    if verify:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            click.echo(f"{target} is out of date: run `python tasks.py codeowners`", err=True)
            sys.exit(1)
        click.echo(f"{target} is up to date")
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {target} ({len(members) - len(missing)} member(s))")
    for handle in missing:
        click.echo(f"warning: {handle} has no `github` field: only maintainers can change their files", err=True)


@click.command("web-links")
@click.argument("handle", required=False)
@click.option(
    "--repo",
    "repository",
    help="owner/name on the forge (default: FORGE['repository'], PUBLISH['REPOSITORY'] or the origin remote).",
)
@click.option("--branch", help="default: FORGE['branch'] (main)")
def web_links(handle: str | None, repository: str | None, branch: str | None) -> None:
    """Links to the forge's web editor for members without git: join, write a diary, edit a profile."""
    from netroots.forge import forge_settings, site_forge
    from netroots.today import build_today

    from .weblinks import diary_link, edit_link, guess_repository, join_link

    settings = cli_settings()
    content = Path(settings["PATH"]).resolve()
    repository = (
        repository
        or forge_settings(settings)["repository"]
        or publish_settings(settings)["REPOSITORY"]
        or guess_repository(content.parent)
    )
    if branch:
        settings = {**settings, "FORGE": {**forge_settings(settings), "branch": branch}}
    try:
        forge = site_forge(settings, repository)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if forge is None:
        raise click.UsageError("which repository? pass --repo owner/name or set FORGE['repository']")
    today = build_today(settings)
    if handle is None:
        click.echo(f"Join the network (a new member file):\n{join_link(forge, today, content.name)}")
        return
    if not (content / "members" / f"{handle}.yaml").is_file():
        raise click.UsageError(f"no member '{handle}' (content/members/{handle}.yaml)")
    click.echo(f"Write a new diary as {handle}:\n{diary_link(forge, handle, today, content.name)}")
    click.echo(f"Edit {handle}'s profile:\n{edit_link(forge, handle, content.name)}")
