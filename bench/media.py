"""Members' pictures: what a cold build pays for resized copies, and what a warm one saves.

``python tasks.py bench media [--pictures 10] [--repeat 3]``. Generates phone-sized JPEGs
(2400x1600, with EXIF) and times, in the same run: the baseline (copying the originals, what
a site without resizing ships), a cold ``make_variants`` (empty cache: decode, strip, resize,
encode AVIF + WebP + JPEG at 480/960/1600 px) and a warm one (the cache from the cold run:
hash the bytes, read the manifest, copy the files), as a build does on every later run.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import click
from PIL import ExifTags, Image

from bench.common import machine, median, save
from netroots.images import copy_variants, make_variants

WIDTHS = [480, 960, 1600]


def _pictures(folder: Path, count: int) -> list[Path]:
    paths = []
    for index in range(count):
        image = Image.effect_mandelbrot((2400, 1600), (-2.0 + index * 0.01, -1.0, 1.0, 1.0), 100).convert("RGB")
        exif = Image.Exif()
        exif[ExifTags.Base.Make] = "BenchPhone"
        path = folder / f"photo-{index}.jpg"
        image.save(path, "JPEG", quality=85, exif=exif.tobytes())
        paths.append(path)
    return paths


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


@click.command()
@click.option("--pictures", default=10, show_default=True, help="How many 2400x1600 photos.")
@click.option("--repeat", default=3, show_default=True, help="Rounds; the median is reported.")
@click.option(
    "--formats", default="avif,webp", show_default=True, help="Modern formats besides JPEG (MEDIA['formats'])."
)
def command(pictures: int, repeat: int, formats: str) -> None:
    """Resized, metadata-free copies of members' pictures: cold and warm, against copying."""
    wanted = [f for f in formats.split(",") if f]
    rounds: dict[str, list[float]] = {"copy originals": [], "cold (empty cache)": [], "warm (cache kept)": []}
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        sources = _pictures(work, pictures)
        for round_number in range(repeat):
            out = work / f"out-{round_number}"
            cache = work / f"cache-{round_number}"

            def copy_originals(out: Path = out) -> None:
                (out / "originals").mkdir(parents=True)
                for path in sources:
                    shutil.copyfile(path, out / "originals" / path.name)

            def variants(cache: Path = cache, target: Path = out / "images") -> None:
                for path in sources:
                    made = make_variants(path, cache, name=path.stem, widths=WIDTHS, formats=wanted)
                    copy_variants(made, cache, target)

            rounds["copy originals"].append(_timed(copy_originals))
            rounds["cold (empty cache)"].append(_timed(variants))
            shutil.rmtree(out / "images")
            rounds["warm (cache kept)"].append(_timed(variants))
    base = median(rounds["copy originals"])
    click.echo(f"{pictures} pictures, 2400x1600 JPEG, formats {wanted} + JPEG; median of {repeat} ({machine()})")
    result = {"pictures": pictures, "repeat": repeat, "formats": wanted, "machine": machine(), "rounds": rounds}
    for name, times in rounds.items():
        click.echo(f"  {name:20} {median(times):8.3f} s   {median(times) / base:8.1f}x copying")
    click.echo(f"Saved {save('media-' + '-'.join(wanted or ['jpeg']), result)}")
