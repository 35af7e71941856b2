"""What a build wrote into output/, so the next build removes what the content no longer makes.

A deleted diary's page (and every page or feed only it produced) would otherwise stay in
output/, in the sitemap and in Pagefind's index until ``make clean``. Each build records the
files it wrote (Pelican's writer, feeds, static files, and anything a plugin reports with
:func:`produced`); the next build deletes the files the last one wrote and it did not,
before the sitemap and search index are made from output/. Nothing else is ever deleted,
so a file no build recorded (a maintainer's own) is safe. A build that skips writing an
unchanged file must still report it with :func:`produced`.

The same record, once stale files are gone, is the list of this build's pages that the sitemap
and the search index read (:func:`built_pages`): no walk of output/ to find them.
"""

from __future__ import annotations

import fnmatch
import json
import logging
import os
import stat
import weakref
from operator import itemgetter
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

# The one build running in this process: its output folder and the files written so far;
# ``made``: (output folder, its files) once stale files are removed (the finalized signal on);
# ``pages``: built_pages' answer for it, made on first use; ``stats``: (size, mtime) of the
# pages the writer left (``written_stats``), so built_pages need not ``stat`` them again.
STATE: dict[str, Any] = {
    "output": None,
    "written": set(),
    "settings": None,
    "preview": False,
    "made": None,
    "pages": None,
    "stats": {},
    "listing": None,
}


def _relative(path: str | os.PathLike[str], output: Path | None = None) -> str | None:
    output = STATE["output"] if output is None else output
    if output is None:
        return None
    prefix = str(output) + os.sep
    # A plain path (no "." or empty part, no trailing "/") is what abspath would make of it: a
    # build reports 60,000 pages at 50,000 diaries, kept or not, and abspath was most of that.
    plain = "/." not in path and "//" not in path and path[-1] != "/" if type(path) is str else False
    if plain and os.sep == "/" and path.startswith(prefix):
        return path[len(prefix) :]
    found = os.path.abspath(path)
    return found[len(prefix) :].replace(os.sep, "/") if found.startswith(prefix) else None


def previewing() -> bool:
    """Is the build running now ``tasks.py preview`` (which writes only the previewed page)?"""
    return bool(STATE["preview"])


def produced(path: str | os.PathLike[str]) -> None:
    """Record that this build made ``path`` (a file under the output folder)."""
    relative = _relative(path)
    if relative is not None:
        STATE["written"].add(relative)
        if STATE["stats"]:
            STATE["stats"].pop(relative, None)  # written again after the writer: its stat is old
    elif STATE["made"] is not None:  # written after stale files were removed (finalized receivers)
        output, files = STATE["made"]
        relative = _relative(path, output)
        if relative is not None:
            STATE["stats"].pop(relative, None)
            if relative.endswith(".html"):
                STATE["pages"] = None  # built_pages lists it (again) from now on
            files.add(relative)


def written_stats(output: str | os.PathLike[str], stats: dict[str, list[int]]) -> None:
    """The writer's ``[size, mtime_ns]`` of each page it left in ``output`` (``relative`` with
    ``/``): taken this build after its last write (a kept page's when it was compared with the
    record, a rendered page's after it was written). :func:`built_pages` takes them instead of a
    ``stat`` of each of 12,000 pages; a page :func:`produced` again later is ``stat``-ed."""
    if STATE["output"] is not None and os.path.realpath(output) == str(STATE["output"]):
        STATE["stats"] = stats


def produced_under(output: str | os.PathLike[str], relatives: list[str]) -> None:
    """Record that this build made (or kept) each of ``relatives``, paths under ``output`` with
    ``/``: :func:`produced` for many files at once (two comment feeds a diary), without making
    each path absolute when it is already plain (no ``.`` or empty part, not absolute)."""
    mine = STATE["output"]
    if mine is None or os.path.realpath(output) != str(mine):
        for relative in relatives:
            produced(os.path.join(output, relative))
        return
    written = STATE["written"]
    for relative in relatives:
        if relative.startswith("/") or "//" in relative or "/." in "/" + relative:
            produced(os.path.join(output, relative))
        else:
            written.add(relative)


def recorded() -> set[str]:
    """The files (paths under output/ with ``/``) this build has made so far; empty when not recording."""
    return set(STATE["written"]) if STATE["output"] is not None else set()


def manifest_path(settings: dict[str, Any]) -> Path:
    from .site import output_record

    return output_record(settings, "build", "output", settings["OUTPUT_PATH"])


# ``.cache/build/outputs.json``: the output folders builds have kept records of, by their hash,
# each with the cache folder that noted it.
OUTPUTS = "outputs.json"


def forget_gone_outputs(settings: dict[str, Any], output: Path) -> int:
    """Drop the records of output folders that no longer exist; returns how many folders.

    Called when a build finds no record of its own output folder (a new folder: ``tasks.py
    screenshots`` and tests build into temporary ones), so an ordinary build does nothing here.
    Each output folder ever built left its records in ``.cache/`` (``netroots.site.output_record``:
    10 MB at 10,000 diaries), and a kept ``.cache/`` only grew. A record is of use only to a
    build into its folder that finds files there (pages to keep, stale files to delete, pages
    already scanned); a folder that is gone holds none, so a build into it again makes the
    same output with or without them, and nothing it could use is dropped. A folder that
    still exists keeps its records (they say which files there are the builds'), unless another
    cache folder noted it: this ``.cache/`` is a copy, and that folder builds with the original.
    Records made before the index (no entry in ``outputs.json``) are left alone: their folder
    is unknown."""
    from .site import cache_dir, output_key, read_json, write_json

    cache = cache_dir(settings, "build")
    index = cache / OUTPUTS
    here = str(cache.resolve())
    known = read_json(index)
    entries = known.items() if isinstance(known, dict) else ()
    known = {key: noted for key, value in entries if (noted := _noted(value, here)) is not None}
    mine = output_key(output)
    gone = [
        key
        for key, (folder, noted_by) in known.items()
        if key != mine and (noted_by != here or not os.path.isdir(folder))
    ]
    for key in gone:
        for path in cache.parent.glob(f"*/*-{key}.*"):
            path.unlink(missing_ok=True)
        del known[key]
    known[mine] = [str(output), here]
    write_json(index, known)
    if gone:
        logger.debug("build: the records of %d output folder(s) that are gone dropped", len(gone))
    return len(gone)


def _noted(value: Any, here: str) -> tuple[str, str] | None:
    """An entry of ``outputs.json``: ``(output folder, the cache folder that noted it)``; a
    folder noted before the cache folder was (a plain path) counts as noted here."""
    if isinstance(value, str):
        return value, here
    if isinstance(value, list) and len(value) == 2 and all(isinstance(part, str) for part in value):
        return value[0], value[1]
    return None


def track(settings: dict[str, Any]) -> None:
    """Begin recording for a build of ``settings`` (call after signals are reset, before plugins register)."""
    from pelican.plugins import signals

    from .site import preview_of

    STATE.update(
        output=None, written=set(), settings=None, preview=bool(preview_of(settings)), made=None, pages=None, stats={}
    )
    if STATE["preview"]:
        return  # tasks.py preview empties its own folder; no record of it in .cache/
    STATE.update(output=Path(settings["OUTPUT_PATH"]).resolve(), written=set(), settings=settings)
    signals.content_written.connect(_on_written)
    signals.feed_written.connect(_on_written)
    signals.static_generator_finalized.connect(_on_static)
    signals.finalized.connect(_remove_stale)  # first finalized receiver: before sitemap and Pagefind


def untrack() -> None:
    """After a build (finished or not): nothing more is recorded, and no longer a preview."""
    STATE.update(
        output=None, written=set(), settings=None, preview=False, made=None, pages=None, stats={}, listing=None
    )


def _on_written(path: str, *_: Any, **__: Any) -> None:
    produced(path)


def heard_elsewhere(signal: Any) -> bool:
    """Does a receiver other than this record's own take ``signal`` (a Pelican plugin's)?
    The incremental writer records its pages in one call (:func:`produced_under`) and sends
    ``content_written`` for each of 59,000 pages only when one does (0.2-0.4 s of every
    build at 50,000 diaries)."""
    for receiver in signal.receivers.values():
        if isinstance(receiver, weakref.ref):
            receiver = receiver()
        if receiver is not None and receiver is not _on_written:
            return True
    return False


def _on_static(generator: Any) -> None:
    output = Path(generator.output_path)
    for item in generator.staticfiles:
        produced(output / item.save_as)
    # The theme's static files, which Pelican copies as they are (``THEME_STATIC_PATHS``).
    settings = generator.settings
    ignored = settings.get("IGNORE_FILES", [])
    target = output / settings["THEME_STATIC_DIR"]
    for path in settings["THEME_STATIC_PATHS"]:
        source = Path(generator.theme) / path
        if source.is_file():
            produced(target / source.name)
            continue
        for found in source.rglob("*"):
            parts = found.relative_to(source).parts
            if found.is_file() and not any(fnmatch.fnmatch(part, pattern) for part in parts for pattern in ignored):
                produced(target / found.relative_to(source))


def _remove_stale(_pelican: Any) -> None:
    """Delete what the last build wrote and this one did not; record this build's files."""
    settings, output, written = STATE["settings"], STATE["output"], STATE["written"]
    if settings is None or output is None:
        return
    record = manifest_path(settings)
    try:
        previous = set(json.loads(record.read_text(encoding="utf-8")))
    except FileNotFoundError:
        previous = set()
        forget_gone_outputs(settings, output)  # a new output folder: the first build into it
    except (OSError, ValueError, TypeError):
        previous = set()
    removed = 0
    for relative in sorted(previous - written):
        target = output / relative
        if ".." in Path(relative).parts or not target.is_file() or target.is_symlink():
            continue
        target.unlink()
        removed += 1
        folder = target.parent
        while folder != output and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    if removed:
        logger.info("build: removed %d file(s) the content no longer makes", removed)
    if written != previous:  # an unchanged build leaves the record (30,000 paths at 10,000 diaries) alone
        temporary = record.with_suffix(".tmp")
        temporary.write_text(json.dumps(sorted(written)), encoding="utf-8")
        os.replace(temporary, record)
    STATE.update(output=None, settings=None, written=set(), made=(output, written), pages=None)


def built_pages(output: str | os.PathLike[str]) -> list[tuple[str, int, int]] | None:
    """(path under ``output`` with ``/``, size, modification time in ns) of every ``.html`` file
    this build made, sorted; None before its stale files are removed, after it, or for another
    folder (then only a walk of output/ can tell).

    Every file a build leaves in output/ is one it recorded (tests/test_output_files.py), and
    ``_remove_stale`` took away those the last build made and this one did not, so these are
    the site's pages: a file no build made (put there by hand, or left from a build whose
    record is gone) is neither in the sitemap nor searched. A page the writer left is taken at
    the size and time it found (``written_stats``); any other is stat'ed, once a build (both
    readers share the answer); a page written later in the build is listed too."""
    made = STATE["made"]
    if made is None or os.path.realpath(output) != str(made[0]):
        return None
    if STATE["pages"] is None:
        folder, made_files, known = str(made[0]), made[1], STATE["stats"]
        # The writer's pages at its own stat, each taken after its last write of the page.
        pages = [(relative, *stamp) for relative, stamp in known.items() if relative in made_files]
        for relative in made_files - known.keys():
            if not relative.endswith(".html"):
                continue
            try:
                found = os.stat(os.path.join(folder, relative))
            except OSError:
                continue  # recorded, then gone (its write failed)
            if stat.S_ISREG(found.st_mode):
                pages.append((relative, found.st_size, found.st_mtime_ns))
        pages.sort(key=itemgetter(0))  # paths are unique: no tuple compared past its path
        STATE["pages"] = pages
    return list(STATE["pages"])


def built_listing(output: str | os.PathLike[str]) -> Any | None:
    """:func:`built_pages`' answer as a ``netroots.keptrows.Listing`` (not to be changed), made
    once a build: the sitemap and search each made one of 60,000 pages and its digest."""
    if built_pages(output) is None:
        return None
    pages, memo = STATE["pages"], STATE["listing"]
    if memo is None or memo[0] is not pages:
        from .keptrows import Listing

        memo = STATE["listing"] = (pages, Listing(pages))
    return memo[1]
