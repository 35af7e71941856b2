"""The end of the build: Pagefind over the output folder, and the other kinds into Whoosh.

Pagefind runs as its own CLI (the binary the ``pagefind[extended]`` PyPI package ships)
over the whole output folder, once per build: it indexes only elements marked
``data-pagefind-body``, with the filters and metadata ``pagefind_meta`` wrote. When no
page it would index has changed since its last run on this folder, its bundle is
already right and the run is skipped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from netroots.site import cache_dir

from .documents import HTML_PREFIX, html_document, scan_output
from .generator import search_index, search_state
from .spec import search_settings

logger = logging.getLogger(__name__)


def pagefind_executable() -> Path:
    """The Pagefind binary bundled by ``pagefind_bin_extended`` (or ``PAGEFIND_BINARY_PATH``)."""
    from pagefind.service import get_executable

    found = get_executable()
    if found is None:
        raise FileNotFoundError("the Pagefind binary is missing: pip install -r requirements.txt")
    return Path(found)


def start_pagefind(output: Path, extra: list[str] | tuple[str, ...] = ()) -> subprocess.Popen:
    """Start indexing ``output`` into ``output/pagefind/`` (old bundle files are removed first)."""
    shutil.rmtree(output / "pagefind", ignore_errors=True)
    command = [str(pagefind_executable()), "--site", str(output), "--silent", *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run_pagefind(output: Path, extra: list[str] | tuple[str, ...] = (), timeout: float = 300) -> float:
    """Index ``output`` and wait; return the seconds it took."""
    started = time.perf_counter()
    finish_pagefind(start_pagefind(output, extra), timeout)
    return time.perf_counter() - started


def finish_pagefind(process: subprocess.Popen, timeout: float) -> None:
    try:
        _, errors = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    if process.returncode != 0:
        raise RuntimeError(f"Pagefind failed ({process.returncode}): {errors.strip()[-2000:]}")


def _stamp(settings: dict[str, Any], output: Path) -> Path:
    name = hashlib.blake2b(str(output.resolve()).encode(), digest_size=8).hexdigest()
    return cache_dir(settings, "search") / f"pagefind-{name}.json"


def finalized(pelican: Any) -> None:
    """Signal receiver: runs after every page of the build is written."""
    settings = pelican.settings
    build = search_state(settings)
    search = build.get("settings") or search_settings(settings)
    if not (search["whoosh"] or search["pagefind"]):
        return
    started = time.perf_counter()
    output = Path(pelican.output_path)
    current, fingerprint = scan_output(output, build.get("skip", set()))
    stamp = _stamp(settings, output)
    process = None
    if search["pagefind"]:
        try:
            previous = json.loads(stamp.read_text(encoding="utf-8")).get("fingerprint")
        except (OSError, ValueError):
            previous = None
        if previous == fingerprint and (output / "pagefind" / "pagefind-entry.json").is_file():
            logger.info("search: no indexed page changed; Pagefind's bundle is up to date")
        else:
            stamp.unlink(missing_ok=True)
            try:
                process = start_pagefind(output, list(search["pagefind_args"]))
            except OSError as exc:
                logger.error("search: the in-browser search index was not built: %s", exc)
    if search["whoosh"]:  # while Pagefind runs
        stats = search_index(settings).update(
            current,
            lambda key: html_document(output, key.removeprefix(HTML_PREFIX)),
            scope=lambda key: key.startswith(HTML_PREFIX),
        )
        logger.info("search: indexed built pages (%s)", stats)
    if process is not None:
        try:
            finish_pagefind(process, float(search["pagefind_timeout"]))
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            logger.error("search: the in-browser search index was not built: %s", exc)
        else:
            stamp.write_text(json.dumps({"fingerprint": fingerprint}), encoding="utf-8")
            logger.info("search: Pagefind indexed %s in %.2f s", output, time.perf_counter() - started)
