"""``python tasks.py bench phases --content SITE/content --output SITE/output``: where one build's time goes.

Runs one build of an existing site in a fresh process and prints each generator's
``generate_context`` and ``generate_output`` and each Pelican signal's receivers, in wall and
CPU seconds of the build's own process (worker processes are not counted in its CPU), plus
the time before Pelican runs (imports, settings, plugins). No profiler: the figures are the
build's own, so a first build (remove ``.cache/`` and the output first), a build with nothing
changed and a one-edit build can be compared phase by phase.

``--function MODULE:NAME`` (repeatable) also times named functions inside the build, as
``netroots.fingerprint:Kept.holds``: their calls, and the wall and CPU seconds of their outermost
calls, in the build's process (a forked worker's calls are not counted; the timer's own cost,
about a microsecond a call, is). So a figure like "the check's `Kept.holds` took 0.45 s" comes
from a command in the repository, not from a throwaway wrapper.
"""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from .common import ROOT, machine

# Blinker's names of Pelican's signals ("pelican_finalized" is ``signals.finalized``).
SIGNALS = (
    "pelican_initialized",
    "article_generator_init",
    "article_generator_finalized",
    "page_generator_finalized",
    "all_generators_finalized",
    "article_writer_finalized",
    "pelican_finalized",
)


@dataclass
class Timed:
    """What ``--function`` measured of one function: calls, and its outermost calls' time."""

    name: str
    calls: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    depth: int = 0

    def wrap(self, function: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.depth:  # a recursive call: counted in its outermost call's time
                self.depth += 1
                try:
                    return function(*args, **kwargs)
                finally:
                    self.depth -= 1
            self.depth = 1
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.wall += time.perf_counter() - wall
                self.cpu += time.process_time() - cpu
                self.depth = 0

        run.__wrapped__ = function
        return run


def time_functions(names: list[str]) -> list[Timed]:
    """Wrap each ``module:Qualified.name`` where it is defined and wherever a loaded module
    imported it by name (``from .fingerprint import page_fingerprint``). A plugin's module is
    named as Pelican loads it, from ``plugins/``: ``search.related:update_related``."""
    found = []
    for name in names:
        module_name, _, path = name.partition(":")
        try:
            owner: Any = _module(module_name)
            *parents, attribute = path.split(".")
            for parent in parents:
                owner = getattr(owner, parent)
            held = inspect.getattr_static(owner, attribute)
        except (ImportError, AttributeError, ValueError) as error:
            raise click.ClickException(f"--function {name}: no such function ({error})") from None
        kind = type(held) if isinstance(held, staticmethod | classmethod) else None
        function = held.__func__ if kind else held
        if not callable(function):
            raise click.ClickException(f"--function {name}: not a function")
        timed = Timed(name)
        wrapped = timed.wrap(function)
        setattr(owner, attribute, kind(wrapped) if kind else wrapped)
        for module in list(sys.modules.values()):
            for key, value in list(getattr(module, "__dict__", {}).items()):
                if value is function and module is not owner:
                    setattr(module, key, wrapped)
        found.append(timed)
    return found


def _module(name: str) -> Any:
    """The module as the build will use it (a plugin's as Pelican names it: ``search``)."""
    plugins = str(ROOT / "plugins")
    sys.path.append(plugins)
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(plugins)


def run_timed(arguments: list[str], functions: list[str] = ()) -> list[tuple[str, float, float]]:
    """Build with ``tasks.py arguments`` in this process, timing each phase (and ``functions``)."""
    import blinker
    from pelican import Pelican

    started = (time.perf_counter(), time.process_time())
    phases: list[tuple[str, float, float]] = []

    def timed(name: str, function):
        def run(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                phases.append((name, time.perf_counter() - wall, time.process_time() - cpu))

        run.timed = True
        return run

    pelican_run, send = Pelican.run, blinker.Signal.send

    def run(self):
        phases.append(("before Pelican runs", *since(started)))
        for kind in set(self._get_generator_classes()):
            for method in ("generate_context", "generate_output"):
                function = getattr(kind, method, None)
                if function is not None and not getattr(function, "timed", False):
                    setattr(kind, method, timed(f"  {kind.__name__}.{method}", function))
        return pelican_run(self)

    def sent(self, *args, **kwargs):
        if getattr(self, "name", "") in SIGNALS:
            return timed(f"signal {self.name.removeprefix('pelican_')}", send)(self, *args, **kwargs)
        return send(self, *args, **kwargs)

    Pelican.run, blinker.Signal.send = run, sent
    sys.path.insert(0, str(ROOT))
    import tasks

    timed_functions = time_functions(list(functions))
    try:
        tasks.cli.main(arguments, standalone_mode=False)
    finally:
        phases.append(("total", *since(started)))
    for timed in timed_functions:
        calls = f"{timed.calls:,} call{'s' if timed.calls != 1 else ''}"
        phases.append((f"function {timed.name} ({calls})", timed.wall, timed.cpu))
    return phases


def since(started: tuple[float, float]) -> tuple[float, float]:
    return time.perf_counter() - started[0], time.process_time() - started[1]


@click.command()
@click.option("--content", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True)
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--today", default=None, help="Build as if today were this date (YYYY-MM-DD).")
@click.option("--shortest", default=0.05, show_default=True, help="Leave out phases shorter than this (s).")
@click.option(
    "--function",
    "functions",
    multiple=True,
    metavar="MODULE:NAME",
    help="Also time this function inside the build (e.g. netroots.fingerprint:Kept.holds); repeatable.",
)
def command(content: Path, output: Path, today: str | None, shortest: float, functions: tuple[str, ...]) -> None:
    """Time one build of an existing site, phase by phase (wall and CPU of the build's process)."""
    arguments = ["--content", str(content), *(["--today", today] if today else []), "build", "--output", str(output)]
    done = subprocess.run(
        [sys.executable, "-m", "bench.phases", str(shortest), ",".join(functions), *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    click.echo(done.stdout, nl=False)
    if done.returncode == 2 and done.stderr.startswith("Error: --function"):
        raise click.ClickException(done.stderr.strip().removeprefix("Error: "))
    if done.returncode:
        raise click.ClickException(f"the build failed:\n{done.stderr[-2000:]}")
    click.echo(f"Machine: {machine()}")


def main() -> None:
    shortest, functions, arguments = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
    try:
        phases = run_timed(arguments, [name for name in functions.split(",") if name])
    except click.ClickException as error:
        click.echo(f"Error: {error.message}", err=True)
        raise SystemExit(2) from None
    click.echo(f"{'phase':58s} {'wall':>8s} {'CPU':>8s}")
    for name, wall, cpu in phases:
        if name.startswith("function "):  # often short: milliseconds count
            click.echo(f"{name:58s} {wall:7.3f}s {cpu:7.3f}s")
        elif wall >= shortest or name == "total":
            click.echo(f"{name:58s} {wall:7.2f}s {cpu:7.2f}s")


if __name__ == "__main__":
    main()
