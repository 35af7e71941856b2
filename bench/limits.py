"""What the limits on content files cost, and what they save (``python tasks.py bench limits``).

Cost: the same synthetic diaries read (``read_markdown``: YAML shape check and size cap) and
rendered (Markdown under its deadline), with and without the limits, in this one process,
alternating rounds so machine noise hits both; the ratio is what counts.
Protection: how long each hostile input takes to be refused.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click

from bench.common import machine, median, save
from bench.synthetic import diaries, write_netroots
from netroots import html, limits, source

LAUGHS = "name: x\n" + "".join(
    f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join([f'*{chr(96 + i)}'] * 9) if i else ', '.join(['lol'] * 9)}]\n"
    for i in range(9)
)
HOSTILE = {
    "YAML billion laughs (0.5 kB)": ("yaml", LAUGHS),
    "YAML nested 100,000 deep": ("yaml", "bio: " + "[" * 100_000 + "]" * 100_000),
    "YAML recursive alias": ("yaml", "bio: &x [*x]\n"),
    "Markdown 60 kB of [": ("markdown", "[" * 60_000),
    "Markdown 2,000 nested lists": ("markdown", "".join("    " * i + "- x\n" for i in range(2000))),
}


def _read_all(paths: list[Path], checked: bool) -> float:
    shape = source.check_shape
    if not checked:
        source.check_shape = lambda *_args, **_kw: None
    try:
        started = time.perf_counter()
        for path in paths:
            source.read_markdown(path)
        return time.perf_counter() - started
    finally:
        source.check_shape = shape


def _render_all(bodies: list[str], checked: bool) -> float:
    convert = html.new_markdown()
    started = time.perf_counter()
    for body in bodies:
        if checked:
            limits.too_deep(body)
            html.render_markdown_within(body, lambda text: convert.reset().convert(text))
        else:
            html.sanitize(convert.reset().convert(body))
    return time.perf_counter() - started


def _refuse(kind: str, text: str) -> tuple[float, str]:
    started = time.perf_counter()
    try:
        if kind == "yaml":
            source.parse_yaml(text)
            outcome = "accepted"
        elif (line := limits.too_deep(text)) is not None:
            outcome = f"refused before rendering (line {line})"
        else:
            html.render_markdown_within(text)
            outcome = "rendered"
    except source.SourceError as exc:
        outcome = f"refused: {exc.message[:50]}"
    except limits.TimeLimit as exc:
        outcome = f"stopped: {exc}"
    return time.perf_counter() - started, outcome


@click.command()
@click.option("--diaries", "count", default=1000, show_default=True)
@click.option("--repeat", default=5, show_default=True)
def command(count: int, repeat: int) -> None:
    """Time reading and rendering diaries with and without the limits; time refusing hostile input."""
    with tempfile.TemporaryDirectory(prefix="netroots-bench-limits-") as folder:
        content = Path(folder) / "content"
        items = diaries(count, 100)
        write_netroots(content, items, 100)
        paths = sorted((content / "diaries").rglob("*.md"))
        bodies = [item.body for item in items]
        timings: dict[str, list[float]] = {"read": [], "read_limited": [], "render": [], "render_limited": []}
        for _ in range(repeat):
            timings["read"].append(_read_all(paths, False))
            timings["read_limited"].append(_read_all(paths, True))
            timings["render"].append(_render_all(bodies, False))
            timings["render_limited"].append(_render_all(bodies, True))
    result: dict = {"diaries": count, "repeat": repeat, "machine": machine()}
    for key in ("read", "render"):
        plain, limited = median(timings[key]), median(timings[f"{key}_limited"])
        result[f"{key}_s"] = round(plain, 3)
        result[f"{key}_limited_s"] = round(limited, 3)
        result[f"{key}_ratio"] = round(limited / plain, 3)
        click.echo(f"{key} {count} diaries: {plain:.3f} s without limits, {limited:.3f} s with: {limited / plain:.3f}x")
    result["hostile"] = {}
    for name, (kind, text) in HOSTILE.items():
        seconds, outcome = _refuse(kind, text)
        result["hostile"][name] = {"seconds": round(seconds, 3), "outcome": outcome}
        click.echo(f"{name}: {outcome} in {seconds:.3f} s")
    click.echo(f"Machine: {result['machine']}. Saved {save(f'limits-{count}', result)}")
