"""``python tasks.py bench ab --base REF [--head REF]``: two checkouts built side by side, in turns.

A shared machine's load moves by a factor of two or more within minutes, so figures from two
separate runs do not compare. Here both checkouts build the same synthetic network (each its
own copy, with its own ``.cache/`` and output) on the same machine, taking turns: each builds
it twice first (a clone's first build, then a second that fills what the first left), then
per round one diary is edited on both sides and each builds twice (the edit, then nothing
changed), then warm full builds (output removed, ``.cache/`` kept). Base goes first in even
rounds and head in odd ones, so a load that rises or falls through the run weighs on both.
Every build is a fresh ``tasks.py build`` process of its own checkout, measured by
``bench.scale.run_measured``: wall, and CPU (user + system of the build and every process it
waited for: its rendering workers, Pagefind). The report is a Markdown table for
docs/benchmarks.md, with the machine and its load average at the start and the end.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click

from .common import ROOT, machine, median, save
from .scale import edit_diary, run_measured
from .synthetic import diaries, today_after, vocabulary_option, write_netroots

NOT_BUILT = (":(exclude)docs", ":(exclude)tests", ":(exclude)bench", ":(exclude)*.md")
CASES = ("first build", "one edit", "nothing changed", "warm full build")


@dataclass
class Side:
    """One checkout of the comparison and the copy of the network it builds."""

    name: str
    label: str
    code: Path
    site: Path
    runs: dict[str, list[dict]] = field(default_factory=dict)
    pages: int = 0

    def build(self, case: str, env: dict[str, str]) -> None:
        content, output = self.site / "content", self.site / "output"
        command = [sys.executable, str(self.code / "tasks.py"), "--content", str(content), "--output", str(output)]
        measured = run_measured([*command, "build"], env)
        self.runs.setdefault(case, []).append(measured)
        click.echo(
            f"{self.name} {case}: {measured['seconds']:.2f} s wall, {measured['cpu_seconds']:.2f} s CPU", err=True
        )


def git(*arguments: str, cwd: Path = ROOT) -> str:
    done = subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, text=True)
    if done.returncode:
        raise click.ClickException(f"git {' '.join(arguments)}: {done.stderr.strip()}")
    return done.stdout.strip()


def described(ref: str) -> tuple[str, str]:
    """The commit ``ref`` names and a label for it: ``main (d15f406)``, or the short hash alone."""
    try:
        commit = git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except click.ClickException:
        raise click.ClickException(f"no commit named {ref!r} in this repository") from None
    short = git("rev-parse", "--short", commit)
    return commit, short if commit.startswith(ref) else f"{ref} ({short})"


def working_tree_label() -> str:
    branch, short = git("rev-parse", "--abbrev-ref", "HEAD"), git("rev-parse", "--short", "HEAD")
    changed = " + uncommitted changes" if git("status", "--porcelain") else ""
    return f"working tree: {branch} at {short}{changed}"


def working_tree_state(root: Path = ROOT) -> str:
    """A digest of what a working tree's builds run, uncommitted and untracked files included
    (docs, tests, benchmarks and Markdown left out: writing those or committing changes nothing)."""
    digest = hashlib.sha256()
    names = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ".", *NOT_BUILT, cwd=root)
    for name in sorted(set(names.split("\0")) - {""}):
        path = root / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"-") + b"\0")
    return digest.hexdigest()


@contextlib.contextmanager
def checkout(commit: str, folder: Path) -> Iterator[Path]:
    """A git worktree of ``commit`` in ``folder``, sharing this checkout's ``.venv``; removed afterwards."""
    git("worktree", "add", "--detach", "--quiet", str(folder), commit)
    try:
        if (ROOT / ".venv").exists():
            (folder / ".venv").symlink_to((ROOT / ".venv").resolve())
        yield folder
    finally:
        try:
            git("worktree", "remove", "--force", str(folder))
        except click.ClickException:
            shutil.rmtree(folder, ignore_errors=True)
            git("worktree", "prune")


@contextlib.contextmanager
def stopped_by_sigterm() -> Iterator[None]:
    """SIGTERM (``timeout``, ``kill``) ends the run as Ctrl-C does: the build, then the folders."""

    def stop(number: int, frame: object) -> None:
        raise SystemExit(128 + number)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def compare(sides: list[Side], edits: int, full: int, env: dict[str, str]) -> None:
    """Every build of both sides, in turns."""
    for case in ("first build", "second build"):
        for side in sides:
            side.build(case, env)
    for index in range(edits):
        for side in sides if index % 2 == 0 else sides[::-1]:
            edit_diary(side.site / "content", index)
            side.build("one edit", env)
            side.build("nothing changed", env)
    for index in range(full):
        for side in sides if (edits + index) % 2 == 0 else sides[::-1]:
            shutil.rmtree(side.site / "output")
            side.build("warm full build", env)
    for side in sides:
        side.pages = sum(1 for _ in (side.site / "output").rglob("*.html"))


def _medians(runs: list[dict]) -> tuple[float, float]:
    return median([run["seconds"] for run in runs]), median([run["cpu_seconds"] for run in runs])


def _cell(runs: list[dict]) -> str:
    each = ", ".join(f"{run['seconds']:.2f} / {run['cpu_seconds']:.2f}" for run in runs)
    if len(runs) == 1:
        return each
    wall, cpu = _medians(runs)
    return f"{each}; median **{wall:.2f} / {cpu:.2f}**"


def _ratio(base_runs: list[dict], head_runs: list[dict]) -> str:
    """Head's medians over base's; with several rounds, also each round's CPU ratio (the same
    diary edited on both sides), whose spread is the noise of the run."""
    (base_wall, base_cpu), (head_wall, head_cpu) = _medians(base_runs), _medians(head_runs)
    medians = f"{head_wall / base_wall:.3f}x / {head_cpu / base_cpu:.3f}x"
    if len(base_runs) == 1:
        return medians
    rounds = ", ".join(f"{h['cpu_seconds'] / b['cpu_seconds']:.2f}" for b, h in zip(base_runs, head_runs, strict=True))
    return f"**{medians}**; CPU by round {rounds}"


def table(base: Side, head: Side, count: int) -> str:
    """The Markdown table: a row a case, every run of each side, their medians, head / base."""
    shown = f"{base.pages:,} pages" if base.pages == head.pages else f"{base.pages:,} / {head.pages:,} pages"
    lines = [
        f"| {count:,} diaries ({shown}), wall / CPU s | base: {base.label} | head: {head.label} | head / base |",
        "|---|---|---|---|",
    ]
    for case in CASES:
        if case not in base.runs:
            continue
        runs = base.runs[case], head.runs[case]
        label = case if len(runs[0]) == 1 else f"{case} ({len(runs[0])})"
        lines.append(f"| {label} | {_cell(runs[0])} | {_cell(runs[1])} | {_ratio(*runs)} |")
    return "\n".join(lines)


def _load() -> str:
    now = dt.datetime.now(dt.UTC).strftime("%H:%M UTC")
    return " / ".join(f"{value:.2f}" for value in os.getloadavg()) + f" at {now}"


def _summary(side: Side) -> str:
    """What the last one-edit build says it did ("rendered 12 of 1312 pages, ...")."""
    said = side.runs["one edit"][-1]["summary"]
    return said.partition(": ")[2] or said


@click.command()
@click.option("--base", "base_ref", required=True, help="The git revision compared against (a commit, branch or tag).")
@click.option(
    "--head", "head_ref", default=None, help="The git revision measured [default: this working tree, as it is]."
)
@click.option("--diaries", "count", default=1000, show_default=True, help="Synthetic diaries.")
@click.option("--members", default=100, show_default=True, help="Members who write them.")
@click.option(
    "--edits",
    default=3,
    show_default=True,
    type=click.IntRange(min=1),
    help="Rounds of one edit and one nothing-changed build.",
)
@click.option(
    "--full",
    default=2,
    show_default=True,
    type=click.IntRange(min=0),
    help="Rounds of warm full builds (output removed).",
)
@vocabulary_option
def command(
    base_ref: str, head_ref: str | None, count: int, members: int, edits: int, full: int, vocabulary: str
) -> None:
    """Two checkouts side by side on one network, in turns: a Markdown table for docs/benchmarks.md.

    Both build the same synthetic network (each its own copy, .cache/ and output): first and
    second builds, then per round an edit of one diary followed by a build where nothing
    changed, then warm full builds (output removed), base and head taking turns to go first.
    Each cell lists every run's wall / CPU seconds (CPU: user + system of the build and every
    process it waited for, Pagefind included) and their median; the last column is head's
    median over base's. Revisions are checked out as git worktrees in a temporary folder
    (removed at the end, on failure and on Ctrl-C); without --head, this working tree is
    measured as it is, uncommitted changes included (the run fails if it changes meanwhile).

    \b
    Example: python tasks.py bench ab --base main --diaries 500 (20 builds of 500 diaries).
    """
    load_start, started = _load(), dt.datetime.now(dt.UTC)
    base_commit, base_label = described(base_ref)
    head_commit, head_label = described(head_ref) if head_ref else (None, working_tree_label())
    state = None if head_ref else working_tree_state()
    with stopped_by_sigterm(), tempfile.TemporaryDirectory(prefix="netroots-ab-") as folder:
        work = Path(folder)
        with contextlib.ExitStack() as checkouts:
            base_code = checkouts.enter_context(checkout(base_commit, work / "base-code"))
            head_code = checkouts.enter_context(checkout(head_commit, work / "head-code")) if head_commit else ROOT
            items = diaries(count, members, vocabulary=vocabulary)
            write_netroots(work / "base" / "content", items, members)
            shutil.copytree(work / "base" / "content", work / "head" / "content")
            sides = [
                Side("base", base_label, base_code, work / "base"),
                Side("head", head_label, head_code, work / "head"),
            ]
            for side in sides:  # a fresh worktree's first build would also compile the code to bytecode
                code = [str(side.code / name) for name in ("netroots", "plugins")]
                subprocess.run([sys.executable, "-m", "compileall", "-q", *code], capture_output=True)
            compare(sides, edits, full, {"NETROOTS_TODAY": today_after(items)})
            base, head = sides
            report = table(base, head, count)
    changed = state is not None and working_tree_state() != state
    arguments = f"--base {base_ref}" + (f" --head {head_ref}" if head_ref else "")
    arguments += f" --vocabulary {vocabulary}" if vocabulary != "topics" else ""
    command_line = (
        f"python tasks.py bench ab {arguments} --diaries {count} --members {members} --edits {edits} --full {full}"
    )
    click.echo(report)
    click.echo(
        f"\nLast one-edit build: base {_summary(base)}; head {_summary(head)}.\n"
        f"Machine: {machine()}. Load average (1 / 5 / 15 min) {started:%Y-%m-%d}: {load_start} (start),"
        f" {_load()} (end).\n"
        f"`{command_line}`"
    )
    record = {
        "command": command_line,
        "started": started.isoformat(),
        "machine": machine(),
        "load_start": load_start,
        "load_end": _load(),
        "sides": {side.name: {"label": side.label, "runs": side.runs, "pages": side.pages} for side in sides},
        "table": report,
    }
    click.echo(f"Saved {save('ab', record)}")
    if changed:
        raise click.ClickException("the working tree changed during the run: head's figures mix two versions of it")
