"""Small helpers for plugin generators: render a page, write a file into output/, find the content folder."""

from __future__ import annotations

import filecmp
import fnmatch
import hashlib
import json
import os
import pickle
import re
import shutil
import sqlite3
import stat
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from .manifest import built_pages, previewing, produced

LOCAL_ADDRESS = "http://localhost:8000"  # where `python tasks.py serve` answers


Value = TypeVar("Value")


class KeyedView(Mapping[str, Value]):
    """A read-only mapping whose keys are those of a collection it holds (``keys_held``), each
    value made or fetched when asked (``__getitem__``, the subclass's). ``in``, iteration and
    ``len`` ask the keys: Mapping's ``in`` would make the value."""

    keys_held: Collection[str]

    def __contains__(self, key: object) -> bool:
        return key in self.keys_held

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys_held)

    def __len__(self) -> int:
        return len(self.keys_held)


def site_address(settings: Mapping[str, Any]) -> str:
    """The site's absolute address, without a trailing slash: the one meaning used for every
    absolute link (feeds, podcasts, the sitemap, robots.txt, digests, search results, the
    allies' User-Agent). ``SITEURL`` when it is absolute (``publishconf.py``), else
    ``FEED_DOMAIN`` (``pelicanconf.py`` keeps SITEURL empty for relative links), else the
    address ``serve`` answers on."""
    url = settings.get("SITEURL") or ""
    if not str(url).startswith(("http://", "https://")):
        url = settings.get("FEED_DOMAIN") or LOCAL_ADDRESS
    return str(url).rstrip("/")


PREVIEW = "NETROOTS_PREVIEW"  # setting: the one content file `tasks.py preview` renders


def preview_of(settings: Mapping[str, Any]) -> str | None:
    """The absolute path of the diary or page ``tasks.py preview`` renders, or None in a build.

    A preview reads what the page shows (the member's diaries, comments, trust) like a build,
    but writes only that page: the writer drops every other page and feed, and plugins skip
    work only other pages need (they ask this function)."""
    value = settings.get(PREVIEW)
    return str(value) if value else None


def content_path(settings: dict[str, Any]) -> Path:
    return Path(settings["PATH"]).resolve()


def page_url(save_as: str) -> str:
    """``diaries/x/index.html`` -> ``diaries/x/``, the address readers see."""
    return save_as.removesuffix("index.html")


def write_page(generator: Any, writer: Any, template: str, save_as: str, **values: Any) -> None:
    """Render ``template`` to ``save_as`` with the build's context plus ``values``."""
    writer.write_file(
        save_as,
        generator.get_template(template.removesuffix(".html")),
        generator.context,
        relative_urls=generator.settings.get("RELATIVE_URLS", False),
        url=page_url(save_as),
        **values,
    )


def cache_dir(settings: dict[str, Any], name: str) -> Path:
    """``.cache/<name>/`` (``NETROOTS_CACHE`` setting), created on first use."""
    base = Path(settings.get("NETROOTS_CACHE") or Path(settings["PATH"]).resolve().parent / ".cache")
    folder = base / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def cache_database(path: str | os.PathLike[str], wal: bool = True, threads: bool = False) -> sqlite3.Connection:
    """A connection, in autocommit mode, to a store in ``.cache/`` that never waits for the disk
    (``synchronous=OFF``: a cache lost with the machine is made again, and a store that cannot
    be read is no store; an fsync at each commit waited seconds behind other writes on a busy
    disk). ``wal``: a reader does not block the writer; ``threads``: usable from other threads."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=not threads)
    try:
        if wal:
            connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")
    except sqlite3.Error:
        connection.close()
        raise
    return connection


def chunks(values: list, size: int = 500) -> Iterator[list]:
    """``values`` a slice of ``size`` at a time: SQLite takes a bounded number of ``?`` in one
    statement."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def output_record(
    settings: dict[str, Any], name: str, kind: str, output: str | os.PathLike[str], suffix: str = ".json"
) -> Path:
    """``.cache/<name>/<kind>-<hash of the output folder><suffix>``: what builds keep about one
    output folder (the pages record, the files written, Pagefind's scan). Every such file is
    named here, so the records of an output folder that is gone are found and dropped
    together (``netroots.manifest.forget_gone_outputs``)."""
    return cache_dir(settings, name) / f"{kind}-{output_key(output)}{suffix}"


def output_key(output: str | os.PathLike[str]) -> str:
    """The hash that names an output folder's records in ``.cache/``."""
    return hashlib.blake2b(str(Path(output).resolve()).encode(), digest_size=8).hexdigest()


def read_json(path: Path) -> Any:
    """A cache file's data; None when it is missing or unreadable (a cache is never an error)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(path: Path, data: Any) -> None:
    """Write atomically: an interrupted build never leaves half a file."""
    _write_atomically(path, lambda out: out.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()))


def read_pickle(path: Path) -> Any:
    """A cache file :func:`write_pickle` wrote; None when missing or unreadable (then the
    cache starts over)."""
    try:
        with open(path, "rb") as file:
            return pickle.load(file)
    except Exception:  # a damaged or foreign file: any error unpickling it
        return None


def write_pickle(path: Path, data: Any) -> None:
    """Write a cache file atomically, as pickle: several times faster than JSON to read and
    write for the big caches a build rewrites after each change (only for ``.cache/``)."""
    _write_atomically(path, lambda out: pickle.dump(data, out, protocol=pickle.HIGHEST_PROTOCOL))


def _write_atomically(path: Path, write: Callable[[Any], Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def glob_matcher(patterns: Iterable[str]) -> Callable[[str], Any]:
    """``fnmatch.fnmatchcase(name, pattern)`` for any of ``patterns``, as one expression made
    once: a build matches every page or content file against the patterns, and one ``fnmatch``
    a pattern a file was a measurable part of it at 10,000 diaries. No pattern matches nothing."""
    return re.compile("|".join(f"(?:{fnmatch.translate(pattern)})" for pattern in patterns) or "(?!)").match


def html_files(output: Path) -> list[tuple[str, int, int]]:
    """(path under ``output`` with ``/``, size, modification time in ns) of every ``.html``
    file, sorted: what the sitemap and the search index scan after each build.

    At the end of a build, the pages it made, from its own record (``netroots.manifest.built_pages``:
    no walk of a folder per diary); outside a build (``tasks.py search``), every file found."""
    made = built_pages(output)
    if made is not None:
        return made
    found: list[tuple[str, int, int]] = []
    todo = [(str(output), "")]
    while todo:
        folder, prefix = todo.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    todo.append((entry.path, prefix + entry.name + "/"))
                elif entry.name.endswith(".html") and entry.is_file():
                    stamp = entry.stat()
                    found.append((prefix + entry.name, stamp.st_size, stamp.st_mtime_ns))
    return sorted(found)


Where = Mapping[str, Any] | str | os.PathLike[str]  # the build's settings, or its output folder


def _output_target(where: Where, relpath: str | os.PathLike[str]) -> Path:
    """``output/<relpath>``, its folder made; never a path outside the output folder.
    Plain string operations: a build puts ~20,000 files in output/ through here."""
    output = os.path.realpath(where["OUTPUT_PATH"] if isinstance(where, Mapping) else where)
    target = os.path.abspath(os.path.join(output, relpath))
    if not target.startswith(output.rstrip(os.sep) + os.sep):
        raise ValueError(f"{relpath} is not a file inside the output folder {output}")
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        os.makedirs(folder, exist_ok=True)
    return Path(target)


def write_output(where: Where, relpath: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` to ``output/<relpath>``: the one way a plugin writes a file of its own
    (a vCard, an .ics, a feed, JSON) into the site. ``where`` is the build's settings
    (``OUTPUT_PATH``) or the output folder itself.

    The file counts as this build's (``netroots.manifest.produced``), so the next build
    removes it once the content that made it is gone; a file whose bytes are already
    these is left untouched (same mtime: incremental builds and rsync see no change).
    Text is written as UTF-8, exactly as given (no newline translation).
    """
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    target = _output_target(where, relpath)
    if previewing():
        return target  # tasks.py preview shows one page: its feeds, calendars and JSON are the build's
    try:
        found = os.lstat(target)  # a regular file (not a link to one) of this size, then its bytes
        same = stat.S_ISREG(found.st_mode) and found.st_size == len(raw) and target.read_bytes() == raw
    except OSError:
        same = False
    return _replace(target, None if same else lambda temporary: temporary.write_bytes(raw))


def copy_output(where: Where, relpath: str | os.PathLike[str], source: Path) -> Path:
    """Copy ``source`` (a picture, an audio file) to ``output/<relpath>`` as :func:`write_output`
    writes: recorded as this build's (a preview copies too: its page shows pictures), and not copied again when the bytes are the same (a
    copy as large and newer than its source is taken as the same without reading both)."""
    target = _output_target(where, relpath)
    try:
        mine, theirs = target.lstat(), os.stat(source)
        same = stat.S_ISREG(mine.st_mode) and mine.st_size == theirs.st_size
        same = same and (mine.st_mtime_ns >= theirs.st_mtime_ns or filecmp.cmp(source, target, shallow=False))
    except OSError:
        same = False
    # A copy, not a link: nothing done to output/ reaches the source.
    return _replace(target, None if same else lambda temporary: shutil.copyfile(source, temporary))


def _replace(target: Path, write: Callable[[Path], Any] | None) -> Path:
    """Put what ``write`` writes (to a temporary file) at ``target`` in one step, never half a
    file in output/ and never through a symbolic link; ``None``: the file is already right.
    Either way the file is this build's."""
    if write is not None:
        if target.is_symlink():
            target.unlink()
        temporary = target.with_name(f".{target.name}.partial")
        write(temporary)
        os.replace(temporary, target)
    produced(target)
    return target
