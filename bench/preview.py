"""``python tasks.py bench preview``: how long ``preview`` of one diary takes, against a full build.

Two networks: the demo (content/) and a synthetic one (``--diaries`` by ``--members``, with
``--comments`` under each diary). For each, in fresh processes and in this order per round:
a full build with its cache kept (the baseline, what ``make html`` does after the first
time), then ``preview`` of one diary that has comments. The median of the rounds is
reported with the ratio preview / full build, in wall time and in CPU time (user + system
of the command and its workers: on a shared machine the CPU time is the steadier number).
"""

from __future__ import annotations

import resource
import shutil
import sys
import tempfile
from pathlib import Path

import click

from .common import ROOT, machine, median, save, time_command
from .synthetic import diaries, write_comments, write_netroots

DEMO_DIARY = "diaries/pat-okafor/2026-11-21-the-linden-branch-read-in.md"  # 7 comments, 3 more by Pat


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, the command and its children) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time_command(command, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(content: Path, output: Path, diary: Path, repeat: int, label: str) -> dict[str, list[float]]:
    python, tasks = sys.executable, str(ROOT / "tasks.py")
    env = {"NETROOTS_TODAY": "2026-11-22"}
    build = [python, tasks, "--content", str(content), "--output", str(output / "site"), "build"]
    preview = [python, tasks, "--content", str(content), "preview", str(diary), "--output", str(output / "preview")]
    time_command(build, env)  # fills .cache/ as a writer's clone has it after its first build
    time_command(preview, env)
    timings: dict[str, list[float]] = {"build": [], "preview": [], "build_cpu": [], "preview_cpu": []}
    with click.progressbar(range(repeat), label=label) as rounds:
        for _ in rounds:
            shutil.rmtree(output / "site", ignore_errors=True)  # a full build, cache kept
            for name, command in (("build", build), ("preview", preview)):
                wall, cpu = timed(command, env)
                timings[name].append(wall)
                timings[f"{name}_cpu"].append(cpu)
    return timings


@click.command()
@click.option("--diaries", "count", default=1000, show_default=True, help="Synthetic diaries.")
@click.option("--members", default=100, show_default=True, help="Members who write them.")
@click.option("--comments", default=3, show_default=True, help="Comments under each synthetic diary.")
@click.option("--repeat", default=3, show_default=True, help="Rounds; the median is reported.")
def command(count: int, members: int, comments: int, repeat: int) -> None:
    """Time `preview` of one diary against a full build, on the demo and a synthetic network."""
    results = {}
    with tempfile.TemporaryDirectory(prefix="netroots-bench-preview-") as folder:
        work = Path(folder)
        shutil.copytree(ROOT / "content", work / "demo" / "content")
        demo = work / "demo" / "content"
        results["demo"] = measure(demo, work / "demo", demo / DEMO_DIARY, repeat, "Demo: build and preview")
        items = diaries(count, members)
        synthetic = work / "synthetic" / "content"
        write_netroots(synthetic, items, members)
        write_comments(synthetic, items, members, comments)
        first = items[0]
        diary = next((synthetic / "diaries" / first.handle).glob(f"*-{first.slug}.md"))
        label = f"{count} diaries: build and preview"
        results["synthetic"] = measure(synthetic, work / "synthetic", diary, repeat, label)
    summary = {
        name: {
            "build_s": round(median(t["build"]), 2),
            "preview_s": round(median(t["preview"]), 2),
            "ratio": round(median(t["preview"]) / median(t["build"]), 3),
            "build_cpu_s": round(median(t["build_cpu"]), 2),
            "preview_cpu_s": round(median(t["preview_cpu"]), 2),
            "cpu_ratio": round(median(t["preview_cpu"]) / median(t["build_cpu"]), 3),
            "timings": t,
        }
        for name, t in results.items()
    }
    result = {
        "diaries": count,
        "members": members,
        "comments_per_diary": comments,
        "repeat": repeat,
        **summary,
        "machine": machine(),
        "command": f"python tasks.py bench preview --diaries {count} --members {members} --comments {comments} "
        f"--repeat {repeat}",
    }
    path = save(f"preview-{count}", result)
    for name, found in summary.items():
        click.echo(
            f"{name}: full build {found['build_s']:.2f} s, preview of one diary {found['preview_s']:.2f} s "
            f"({found['ratio']:.3f}x the build); CPU time {found['build_cpu_s']:.2f} s and {found['preview_cpu_s']:.2f} s "
            f"({found['cpu_ratio']:.3f}x)"
        )
    click.echo(f"Saved {path.relative_to(ROOT)}. Machine: {result['machine']}")
