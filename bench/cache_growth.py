"""What a kept ``.cache/`` holds after a history of changes: the demo network, built round after
round as CI builds it, exercising each part that once only grew.

``python tasks.py bench cache_growth --work FOLDER [--code CHECKOUT] [--rounds 4]`` runs
CHECKOUT's ``tasks.py`` (this one's by default; with its own ``.venv``) on a copy of the demo in FOLDER. Each round: a new
version of the picture a diary shows and of a member's avatar; the allies list names two local
feeds under new names (the last round's are removed) and ``fetch`` runs; ``digest --week`` for
a week eight weeks further back (the archive shows twelve); then ``build``. At the end the site
folder is copied whole (content and ``.cache/``) and the copy built. Prints the size and files
of each part of ``.cache/`` after each step (SQLite's ``-wal``/``-shm`` files left out).
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import os
import shutil
import subprocess
import threading
from pathlib import Path

import click
from PIL import Image

HERE = Path(__file__).resolve().parent.parent
FEEDS = HERE / "tests" / "fixtures" / "allies" / "feeds"
TODAY = "2026-11-22"
PICTURE = "diaries/pat-okafor/images/linden-read-in.jpg"
AVATAR = "diaries/pat-okafor/images/avatar.jpg"
PARTS = ("media", "avatars", "allies", "digest", "build")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def _serve_feeds() -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(FEEDS))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _run(code: Path, content: Path, *args: str) -> None:
    command = [str(code / ".venv/bin/python"), str(code / "tasks.py"), "--content", str(content)]
    command += ["--output", str(content.parent / "output"), "--today", TODAY, *args]
    env = {**os.environ, "NETROOTS_ALLOW_PRIVATE_FEEDS": "1", "CI": "true"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=code)
    if done.returncode != 0:
        raise click.ClickException(f"{' '.join(args)}: {done.stderr[-2000:]}")


def _kept(folder: Path) -> list[Path]:
    """The files of ``folder``, SQLite's write-ahead logs left out (they come and go with checkpoints)."""
    return [p for p in folder.rglob("*") if p.is_file() and not p.name.endswith(("-wal", "-shm"))]


def _sizes(cache: Path) -> str:
    def kilobytes(folder: Path) -> int:
        return sum(p.stat().st_size for p in _kept(folder)) // 1024

    def files(folder: Path) -> int:
        return len(_kept(folder))

    return " | ".join(f"{kilobytes(cache / part)} KB, {files(cache / part)} files" for part in PARTS)


def _new_versions(content: Path, number: int) -> None:
    """The diary's picture and the member's avatar, each a new version (other pixels)."""
    with Image.open(content / PICTURE) as picture:
        tinted = Image.blend(picture.convert("RGB"), Image.new("RGB", picture.size, (number * 40 % 256, 0, 90)), 0.1)
    tinted.save(content / PICTURE, "JPEG", quality=85)
    Image.new("RGB", (400, 400), (number * 50 % 256, 120, 60)).save(content / AVATAR, "JPEG")


def _allies(content: Path, address: str, number: int) -> None:
    text = "".join(
        f"- name: Ally {kind} {number}\n  slug: {kind}-{number}\n  feed: {address}/{kind}\n"
        for kind in ("rss20", "atom10")
    )
    (content / "allies.yaml").write_text(text, encoding="utf-8")


@click.command()
@click.option("--code", type=click.Path(file_okay=False, path_type=Path), default=HERE, help="The checkout to run.")
@click.option("--work", type=click.Path(file_okay=False, path_type=Path), required=True, help="A new folder.")
@click.option("--rounds", default=4, show_default=True)
def command(code: Path, work: Path, rounds: int) -> None:
    """What a kept .cache/ holds after rounds of changes to the demo (sizes of each part)."""
    code, site = code.resolve(), work.resolve() / "site"
    shutil.copytree(code / "content", site / "content")
    content, cache = site / "content", site / ".cache"
    server, address = _serve_feeds()
    click.echo(f"| after | {' | '.join(PARTS)} |\n|---|{'---|' * len(PARTS)}")
    try:
        _run(code, content, "build")
        click.echo(f"| first build | {_sizes(cache)} |")
        monday = dt.date.fromisoformat(TODAY) - dt.timedelta(days=dt.date.fromisoformat(TODAY).weekday())
        for number in range(1, rounds + 1):
            _new_versions(content, number)
            _allies(content, address, number)
            _run(code, content, "fetch")
            year, week, _ = (monday - dt.timedelta(weeks=number * 8)).isocalendar()
            _run(code, content, "digest", "--dev", "--week", f"{year}-W{week:02d}")
            _run(code, content, "build")
            click.echo(f"| round {number} | {_sizes(cache)} |")
        copy = work.resolve() / "copy"
        shutil.copytree(site, copy)
        _run(code, copy / "content", "build")
        click.echo(f"| the site copied whole, the copy built | {_sizes(copy / '.cache')} |")
    finally:
        server.shutdown()
