#!/usr/bin/env python3
"""Netroots' command line: build, serve, preview, check, new, and each plugin's commands.

Run it inside the project's virtual environment: ``.venv/bin/python tasks.py --help``.
"""

from __future__ import annotations

import datetime as dt
import gc
import importlib
import logging
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "plugins"))

from netroots.build import build, cli_settings, site_address_warning  # noqa: E402
from netroots.check import run_check, select  # noqa: E402
from netroots.report import setup_logging  # noqa: E402
from netroots.starters import add_new_commands  # noqa: E402
from netroots.today import ENV_TODAY  # noqa: E402


class WholeHelpGroup(click.Group):
    """Lists each command with its whole first sentence, wrapped, never cut off with "...".

    Plugins' commands and benchmarks are added when first asked for (a name this group does
    not know, or the list of them): ``build`` and the other built-in commands import no
    plugin's command line and no benchmark."""

    group_class = type  # groups made with @cli.group() list their commands the same way

    def list_commands(self, ctx: click.Context) -> list[str]:
        _load_plugin_commands()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is None and _load_plugin_commands():
            found = super().get_command(ctx, cmd_name)
        return found

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=WholeHelpGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--content",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Content folder (default: content/).",
)
@click.option(
    "--output",
    "site_output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: output/).",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help=f"Every command works as if today were this date (also: {ENV_TODAY}=YYYY-MM-DD).",
)
@click.pass_context
def cli(ctx: click.Context, content: Path | None, site_output: Path | None, today: dt.datetime | None) -> None:
    """Netroots: build and run a grassroots blog network's site."""
    setup_logging()
    _apply_today(today)
    overrides: dict[str, str] = {}
    if content:
        overrides["PATH"] = str(content.resolve())
        overrides["NETROOTS_CACHE"] = str(content.resolve().parent / ".cache")
    if site_output:
        overrides["OUTPUT_PATH"] = str(site_output.resolve())
    ctx.obj = {"overrides": overrides}


def _today_option(function):
    return click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        help=f"Build as if today were this date (also: {ENV_TODAY}=YYYY-MM-DD).",
    )(function)


def _apply_today(today: dt.datetime | None) -> None:
    if today is not None:
        os.environ[ENV_TODAY] = today.date().isoformat()


@cli.command("build")
@click.option("--publish", is_flag=True, help="Use publishconf.py: absolute URLs, for deploying.")
@click.option("--offline", is_flag=True, help="Never touch the network (the default unless --fetch).")
@click.option("--fetch", "fetch_first", is_flag=True, help="Fetch allied feeds before building.")
@click.option(
    "--output", type=click.Path(file_okay=False, path_type=Path), help="Write the site here instead of output/."
)
@click.option("--strict", is_flag=True, help="Exit 1 when any content has errors.")
@_today_option
def build_command(publish: bool, offline: bool, fetch_first: bool, output: Path | None, strict: bool, today) -> None:
    """Build the site into output/."""
    _apply_today(today)
    overrides = {"OUTPUT_PATH": str(output.resolve())} if output else {}
    settings = cli_settings(publish=publish, overrides=overrides)
    if publish and (warning := site_address_warning(settings)):
        click.echo(warning, err=True)
    if fetch_first and not offline:
        fetch = _plugin_command("allies", "fetch_allies")
        if fetch is not None:
            fetch(settings)
    try:
        result = build(settings)
    except Exception as exc:
        if os.environ.get("NETROOTS_DEBUG"):
            raise
        raise click.ClickException(
            f"the build stopped: {type(exc).__name__}: {exc}. Run `python tasks.py check` for content problems; "
            "NETROOTS_DEBUG=1 shows where it failed."
        ) from None
    summary = f"Built {result.output}" + (f": {result.summary}" if result.summary else "")
    if result.errors:
        summary += f" with {len(result.errors)} error(s): the files named above were left out"
    click.echo(summary, err=bool(result.errors))
    global _BUILT
    _BUILT = True
    if strict and result.errors:
        sys.exit(1)


def _plugin_command(plugin: str, name: str):
    try:
        module = importlib.import_module(f"{plugin}.cli")
    except ModuleNotFoundError:
        return None
    return getattr(module, name, None)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--changes", metavar="BASE..HEAD", help="Also check that these commits touch only LOGIN's own files.")
@click.option("--as", "login", metavar="LOGIN", help="The GitHub login making the --changes.")
@click.option("--format", "style", type=click.Choice(["text", "github"]), default="text", help="github: annotations.")
@_today_option
def check(paths: tuple[str, ...], changes: str | None, login: str | None, style: str, today) -> None:
    """Validate content; print path:line: messages; exit 1 on any error."""
    from publish.cli import add_ownership, format_problem

    _apply_today(today)
    settings = cli_settings()
    report = run_check(settings)
    add_ownership(report, settings, changes, login)
    problems = select(report, paths, report.root or ROOT)
    for problem in problems:
        click.echo(format_problem(problem, style))
    errors = sum(p.is_error for p in problems)
    notes = sum(p.severity == "note" for p in problems)
    warnings = len(problems) - errors - notes
    summary = f"{errors} error(s), {warnings} warning(s)"
    click.echo(summary + (f", {notes} note(s) (drafts and scheduled posts)" if notes else ""), err=True)
    sys.exit(1 if errors else 0)


PREVIEW_MARK = ".netroots-preview"


def preview_folder(output: Path | None) -> Path:
    """Where ``preview`` may write and empty: a fresh private temporary folder, or ``--output``
    when it is new, empty, or an earlier preview (it holds our mark). Never a symbolic link:
    emptying through one would delete another folder's files."""
    if output is None:
        return Path(tempfile.mkdtemp(prefix="netroots-preview-")).resolve()
    if output.is_symlink():
        raise click.UsageError(f"{output} is a symbolic link; give preview a real folder")
    if output.exists():
        if not output.is_dir():
            raise click.UsageError(f"{output} is not a folder")
        if any(output.iterdir()) and not (output / PREVIEW_MARK).is_file():
            raise click.UsageError(
                f"{output} is not empty and was not made by preview, so preview will not empty it; "
                "choose a new or empty folder"
            )
    output.mkdir(parents=True, exist_ok=True)
    (output / PREVIEW_MARK).write_text("made by `python tasks.py preview`: it may empty this folder\n")
    return output.resolve()


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), help="Where to write the preview.")
def preview(file: Path, output: Path | None) -> None:
    """Render one diary as it will look, in about a second, whatever the network's size."""
    settings = cli_settings()
    content = Path(settings["PATH"]).resolve()
    try:
        relative = file.resolve().relative_to(content)
    except ValueError:
        raise click.UsageError(f"{file} is not under {content}") from None
    target = preview_folder(output)
    others = OtherFiles(file.resolve(), content.parent)
    handlers = logging.getLogger().handlers
    for handler in handlers:
        handler.addFilter(others)
    try:
        build(cli_settings(overrides=preview_settings(settings, relative, file.resolve(), target)))
    finally:
        for handler in handlers:
            handler.removeFilter(others)
    (target / PREVIEW_MARK).write_text("made by `python tasks.py preview`: it may empty this folder\n")
    pages = sorted(p for p in target.rglob("index.html"))
    if not pages:
        click.echo("Nothing to preview: fix the errors above.", err=True)
        sys.exit(1)
    if others.left_out:
        click.echo(
            f"({others.left_out} message(s) about other files left out: a preview reads only what this page "
            "shows; `python tasks.py check` checks everything)",
            err=True,
        )
    click.echo(f"Preview written: {pages[0]}")
    click.echo(f"Open it in a browser: file://{pages[0]}")


class OtherFiles(logging.Filter):
    """Leaves out ``path:line:`` messages about files other than the previewed one: a preview reads
    only the member's diaries, so references to the rest of the network look broken to it."""

    MESSAGE = re.compile(r"^(?P<path>[^\s:][^:]*):\d+: (?:error|warning|note):")

    def __init__(self, source: Path, root: Path) -> None:
        super().__init__()
        self.names = {str(source), source.relative_to(root).as_posix()}
        self.left_out = 0

    def filter(self, record: logging.LogRecord) -> bool:
        found = self.MESSAGE.match(record.getMessage())
        if found is None or found["path"] in self.names:
            return True
        if not getattr(record, "netroots_left_out", False):  # one record passes every handler
            record.netroots_left_out = True
            self.left_out += 1
        return False


# What a diary's page shows comes from these plugins (when the network uses them): the author
# card and "More by" (members), pictures and players (media), tags, groups' names, Recommend and
# Reply links (acts), "Recommended by" (trust), and the comment thread with allied responses
# (allies, comments). The rest make other pages.
PREVIEW_PLUGINS = ("diaries", "media", "tags", "members", "groups", "acts", "trust", "allies", "comments")


def preview_settings(settings: dict, relative: Path, source: Path, target: Path) -> dict:
    """A build that reads what the page shows (the diary's member's diaries, not the whole
    network) and writes only the page: fast whatever the network's size."""
    pages = relative.parts[0] == "pages"
    own = relative.parent.as_posix() if relative.parts[0] == "diaries" and len(relative.parts) == 3 else None
    return {
        "OUTPUT_PATH": str(target),
        "NETROOTS_PREVIEW": str(source),  # the writer renders only this file's page
        "ARTICLE_PATHS": [] if pages else [own or relative.as_posix()],  # "More by" lists the member's others
        "PAGE_PATHS": [relative.as_posix()] if pages else [],
        "DIRECT_TEMPLATES": [],
        "TAG_SAVE_AS": "",
        "PLUGINS": [name for name in settings["PLUGINS"] if name in PREVIEW_PLUGINS],
        "DRAFT_SAVE_AS": settings["ARTICLE_SAVE_AS"],
        "DRAFT_URL": settings["ARTICLE_URL"],
        "DELETE_OUTPUT_DIRECTORY": True,
        "OUTPUT_RETENTION": [PREVIEW_MARK],
    }


def rebuild(settings_for_build, counter=None) -> bool:
    """One build for ``serve``: content errors print as path:line (the build logs them), and
    even a crash is reported and survived, so the server keeps answering with the last site."""
    try:
        result = build(settings_for_build())
    except Exception as exc:  # a half-saved file must not stop the server
        click.echo(
            f"error: the build stopped: {type(exc).__name__}: {exc}; fix it and save again "
            "(`python tasks.py check` names the file and line)",
            err=True,
        )
        return False
    if counter is not None:
        counter.bump()  # open pages reload themselves (development server only)
    if result.errors:
        click.echo(f"Rebuilt with {len(result.errors)} error(s) above; those files were left out.", err=True)
    click.echo(f"Rebuilt: {result.summary}" if result.summary else "Rebuilt.")
    gc.collect()  # builds run without full collections (netroots.build): free what this one left
    return True


@cli.command()
@click.option("--port", default=8000, show_default=True, help="Port on localhost.")
@click.option("--bind", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--once", is_flag=True, hidden=True, help="Build and serve without watching (tests).")
def serve(port: int, bind: str, once: bool) -> None:
    """Build, serve output/ on localhost, rebuild what changed when content or theme change,
    and reload open pages after each rebuild."""
    from watchfiles import watch

    from netroots.devserver import BuildCounter, changed_since, start_server

    settings = cli_settings()
    output = Path(settings["OUTPUT_PATH"])
    output.mkdir(parents=True, exist_ok=True)
    counter = BuildCounter()
    started = time.time()
    rebuild(lambda: settings, counter)
    server = start_server(output, bind, port, counter)
    serving = f"Serving {output} at http://{bind}:{server.server_address[1]}/ (Ctrl+C to stop)"
    if once:
        click.echo(serving)
        server.shutdown()
        return
    watched = [Path(settings["PATH"]), Path(settings["THEME"]), ROOT / "plugins", ROOT / "pelicanconf.py"]
    # The watcher is on once the first step returns (changes, or nothing within the timeout):
    # only then does serve say it is serving, and it rebuilds what was saved before that.
    steps = watch(*watched, yield_on_timeout=True, rust_timeout=250)
    try:
        first = next(steps)
        click.echo(serving)
        if first or changed_since(started, watched):
            click.echo("Changed while building; rebuilding…")
            rebuild(cli_settings, counter)
        for changes in steps:
            if not changes:
                continue
            names = ", ".join(sorted({Path(p).name for _, p in changes}))[:200]
            click.echo(f"Changed: {names}; rebuilding…")
            rebuild(cli_settings, counter)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()


@cli.group()
def new() -> None:
    """Create a content file from a template with valid front matter."""


def shown(path: Path) -> str:
    """A path as the user would type it: relative to where they stand, when it can be."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@cli.command()
@click.option(
    "--into",
    type=click.Path(file_okay=False, path_type=Path),
    default=ROOT / "docs" / "screenshots",
    show_default=True,
    help="Folder for the PNG files.",
)
def screenshots(into: Path) -> None:
    """Build the site (publish settings) and photograph its main pages at phone and desktop widths."""
    from bench.screenshots import take

    settings = cli_settings(publish=True)
    with tempfile.TemporaryDirectory() as work:
        settings["OUTPUT_PATH"] = str(Path(work) / "output")
        result = build(settings)
        if result.errors:
            raise click.ClickException(f"the build has {len(result.errors)} error(s); fix them first")
        for path in take(Path(settings["OUTPUT_PATH"]), settings["SITEURL"], into):
            click.echo(f"{shown(path)}  {path.stat().st_size // 1024} kB")


@cli.group(invoke_without_command=True)
@click.pass_context
def bench(ctx: click.Context) -> None:
    """Benchmarks (bench/): compare Netroots against a baseline in the same run."""
    if ctx.invoked_subcommand is None:
        _load_plugin_commands()
        ctx.invoke(bench.commands["diaries"])


@cli.command("settings-doc")
@click.option("--check", "only_check", is_flag=True, help="Exit 1 when docs/settings.md is stale; write nothing.")
def settings_doc(only_check: bool) -> None:
    """Write docs/settings.md from every plugin's declaration (plugins/<name>/spec.py)."""
    from netroots.plugin import known_specs, settings_markdown

    target = ROOT / "docs" / "settings.md"
    text = settings_markdown(known_specs(cli_settings()))
    if only_check:
        stale = not target.is_file() or target.read_text(encoding="utf-8") != text
        click.echo(
            "docs/settings.md is stale: run `python tasks.py settings-doc`"
            if stale
            else "docs/settings.md is up to date"
        )
        sys.exit(1 if stale else 0)
    target.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {target.relative_to(ROOT)}")


_PLUGIN_COMMANDS: list[bool] = []  # [True] once they are loaded


def _load_plugin_commands() -> bool:
    """Plugins add commands in ``plugins/<name>/cli.py`` (``add_commands(cli, new)``) and ``new``
    commands by declaring starters (``PluginSpec.starters``); benchmarks are ``bench/<name>.py`` modules exposing a click ``command``.
    Once, when a command line first asks for one (``WholeHelpGroup``); False when already loaded."""
    if _PLUGIN_COMMANDS:
        return False
    _PLUGIN_COMMANDS.append(True)
    for folder in sorted((ROOT / "plugins").iterdir()):
        if (folder / "cli.py").is_file():
            module = importlib.import_module(f"{folder.name}.cli")
            add = getattr(module, "add_commands", None)
            if callable(add):
                add(cli, new)
    add_new_commands(new)  # `new <kind>` for every starter a plugin declares (plugins/<name>/spec.py)
    for script in sorted((ROOT / "bench").glob("[a-z]*.py")):
        module = importlib.import_module(f"bench.{script.stem}")
        command = getattr(module, "command", None)
        if isinstance(command, click.Command):
            bench.add_command(command, script.stem)
    return True


_BUILT = False  # set by ``build``: what it leaves in memory need not be freed before exiting


def main() -> None:
    """Run a command; after ``build``, end the process without freeing the build's objects
    one by one (Python's teardown took 0.6 s at 10,000 diaries, after everything was written)."""
    try:
        cli()
    except SystemExit as done:
        code = done.code
    else:
        code = 0
    if not _BUILT:
        sys.exit(code)
    if not isinstance(code, int):
        if code is not None:
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
