"""``python tasks.py bench phases --content SITE/content --output SITE/output``: where one build's time goes.

Runs one build of an existing site in a fresh process and prints each generator's
``generate_context`` and ``generate_output`` and each Pelican signal's receivers, in wall and
CPU seconds of the build's own process (worker processes are not counted in its CPU), plus
the time before Pelican runs (imports, settings, plugins). No profiler: the figures are the
build's own, so a first build (remove ``.cache/`` and the output first), a build with nothing
changed and a one-edit build can be compared phase by phase.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

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


def run_timed(arguments: list[str]) -> list[tuple[str, float, float]]:
    """Build with ``tasks.py arguments`` in this process, timing each phase."""
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

    try:
        tasks.cli.main(arguments, standalone_mode=False)
    finally:
        phases.append(("total", *since(started)))
    return phases


def since(started: tuple[float, float]) -> tuple[float, float]:
    return time.perf_counter() - started[0], time.process_time() - started[1]


@click.command()
@click.option("--content", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True)
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--today", default=None, help="Build as if today were this date (YYYY-MM-DD).")
@click.option("--shortest", default=0.05, show_default=True, help="Leave out phases shorter than this (s).")
def command(content: Path, output: Path, today: str | None, shortest: float) -> None:
    """Time one build of an existing site, phase by phase (wall and CPU of the build's process)."""
    arguments = ["--content", str(content), *(["--today", today] if today else []), "build", "--output", str(output)]
    done = subprocess.run(
        [sys.executable, "-m", "bench.phases", str(shortest), *arguments], cwd=ROOT, capture_output=True, text=True
    )
    click.echo(done.stdout, nl=False)
    if done.returncode:
        raise click.ClickException(f"the build failed:\n{done.stderr[-2000:]}")
    click.echo(f"Machine: {machine()}")


def main() -> None:
    shortest, arguments = float(sys.argv[1]), sys.argv[2:]
    phases = run_timed(arguments)
    click.echo(f"{'phase':58s} {'wall':>8s} {'CPU':>8s}")
    for name, wall, cpu in phases:
        if wall >= shortest or name == "total":
            click.echo(f"{name:58s} {wall:7.2f}s {cpu:7.2f}s")


if __name__ == "__main__":
    main()
