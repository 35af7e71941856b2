"""What a published site needs besides its pages: a cache-busted stylesheet URL,
``sitemap.xml``, ``robots.txt`` and precompressed ``.gz`` copies."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import gzip
import hashlib
import logging
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from pelican.contents import Article
from pelican.generators import ArticlesGenerator

from netroots.generators import address as fixed_address
from netroots.keptrows import KeptRows, Listing, Row
from netroots.manifest import built_listing, produced
from netroots.plugin import build_state
from netroots.site import cache_dir, glob_matcher, html_files, read_pickle, site_address, write_output, write_pickle
from netroots.today import build_today

from .dates import dates_made, diary_dates
from .spec import publish_settings

logger = logging.getLogger("netroots")

NOINDEX = re.compile(r"<meta\s+name=[\"']robots[\"']\s+content=[\"'][^\"']*noindex", re.IGNORECASE)


def last_changed(settings: Any) -> dict[str, dt.date]:
    """Output URL -> the date its content last changed, gathered once per build."""
    return build_state(settings, "publish").setdefault("lastmod", {})


def site_url(settings: Mapping[str, Any]) -> str:
    """The absolute address of the site's root, without a trailing slash (netroots.site)."""
    return site_address(settings)


def stylesheet(settings: Mapping[str, Any]) -> Path:
    return Path(settings["THEME"]) / "static" / "css" / "site.css"


# Every page but a diary needs site.css and pages.css: the build joins them into one file, so
# those pages make one stylesheet request, not two (a diary page loads site.css alone: its budget).
CSS_BUNDLE = "all.css"
BUNDLED = ("site.css", "pages.css")


def set_css_version(pelican: Any) -> None:
    """``CSS_VERSION = "?v=<hash>"``: the stylesheet's URL changes whenever it does,
    so hosts can cache it for a year. ``CSS_BUNDLE``: the joined stylesheet's name."""
    css = stylesheet(pelican.settings)
    if css.is_file():  # one version for site.css and its companions (pages.css)
        digest = hashlib.sha256(b"".join(f.read_bytes() for f in sorted(css.parent.glob("*.css")))).hexdigest()[:10]
        pelican.settings["CSS_VERSION"] = f"?v={digest}"
        if all((css.parent / name).is_file() for name in BUNDLED):
            pelican.settings["CSS_BUNDLE"] = CSS_BUNDLE


def write_css_bundle(output: Path, settings: Mapping[str, Any]) -> Path | None:
    """``theme/css/all.css``: site.css then pages.css, as copied into ``output`` this build."""
    name = settings.get("CSS_BUNDLE")
    folder = output / settings.get("THEME_STATIC_DIR", "theme") / "css"
    parts = [folder / part for part in BUNDLED]
    if not name or not all(part.is_file() for part in parts):
        return None
    data = b"\n".join(part.read_bytes() for part in parts)
    return write_output(output, (folder / name).relative_to(output), data)  # unchanged: keeps its time


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def _remember(lastmod: dict[str, dt.date], url: str, day: dt.date | None) -> None:
    if day is not None and (url not in lastmod or lastmod[url] < day):
        lastmod[url] = day


def collect_dates(generators: Iterable[Any]) -> None:
    """Diaries and pages know when they changed; member pages change with their diaries.

    The diaries' days are kept between builds and read again only from the diaries that
    changed (``dates.diary_dates``); other generators' items are few and read every build."""
    generators = list(generators)
    if not generators:
        return
    settings = generators[0].settings
    lastmod = last_changed(settings)
    diaries = None
    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            diaries = generator
            found = diary_dates(generator.settings, generator.articles, functools.partial(_dated, members={}))
            if lastmod:
                for url, day in found.items():
                    _remember(lastmod, url, day)
            else:
                lastmod.update(found)
    others: list[tuple[str, dt.date]] = []  # what the other generators' items say, in order
    for generator in generators:
        listed = getattr(generator, "articles", None)
        articles = [] if listed is None or isinstance(listed, Mapping) else listed  # the comments' by id: no dates
        if isinstance(generator, ArticlesGenerator):
            articles = []  # their days are found above
        members: dict[int, str] = {}
        for item in [*articles, *getattr(generator, "pages", [])]:
            found = _dated(item, members)
            if found is None:
                continue
            url, day, page = found
            _remember(lastmod, url, day)
            others.append((url, day))
            if page is not None and listed:
                _remember(lastmod, page, day)
                others.append((page, day))
    made = dates_made(settings) if diaries is not None and diaries.settings is settings else None
    state = build_state(settings, "publish")
    state["lastmod_made"] = None if made is None else (*made, hashlib.blake2b(repr(others).encode()).hexdigest())


def _dated(item: Any, members: dict[int, str]) -> tuple[str, dt.date, str | None] | None:
    """``(address, day, its member's page)`` of a diary or page with a day and an address.

    A diary's address is its fixed one (``netroots.generators.address``: Pelican's ``url``
    formats it at each ask) and its member page's is made once a member (``members``: by the
    author object's id), not once a diary."""
    if type(item) is Article:  # both are the diary's own values, if it has them (no exception raised)
        values = item.__dict__
        day = _day(values.get("modified")) or _day(values.get("date"))
    else:
        day = _day(getattr(item, "modified", None)) or _day(getattr(item, "date", None))
    if day is None:
        return None
    url = fixed_address(item)
    if url is None:
        return None
    author = getattr(item, "author", None)
    if author is None:
        return url, day, None
    page = members.get(id(author))
    if page is None:
        page = members[id(author)] = f"members/{author.slug}/"
    return url, day, page


def page_address(relative: str) -> str:
    """``diaries/x/index.html`` -> ``diaries/x/``; ``index.html`` -> ``""``."""
    return relative.removesuffix("index.html")


# Whether each page asked not to be indexed, by its size and time, a row a page: an edit
# writes the rows of the pages it wrote, where a JSON file of them all was written.
NOINDEX_COLUMNS = ("size", "mtime", "noindex")
NOINDEX_VERSION = "1"


def noindex_record(settings: Mapping[str, Any]) -> KeptRows:
    return KeptRows(cache_dir(dict(settings), "publish") / "noindex.sqlite", NOINDEX_COLUMNS, NOINDEX_VERSION)


def sitemap_entries(output: Path, settings: Mapping[str, Any]) -> list[tuple[str, dt.date]]:
    """(address, lastmod) of every page worth indexing, sorted by address."""
    options = publish_settings(settings)
    today = build_today(settings)
    lastmod = last_changed(settings)
    excluded = glob_matcher(options["SITEMAP_EXCLUDE"])  # a page is matched once, not once a pattern
    files = [found for found in html_files(output) if not excluded(found[0])]
    skipped = _noindex_pages(output, settings, files)
    return [
        (address, lastmod.get(address, today))
        for relative, _, _ in files
        if relative not in skipped
        for address in (page_address(relative),)
    ]


def _noindex_pages(output: Path, settings: Mapping[str, Any], files: list[tuple[str, int, int]]) -> set[str]:
    """The pages among ``files`` that ask not to be indexed. Remembered by size and time: a
    build reads only the pages it wrote, and the rows of those that asked (when it wrote none,
    the record's listing is this one: nothing else is read)."""
    record = noindex_record(settings)
    meta = record.meta()
    listing = Listing(files)
    listed = listing.digest()
    skipped = record.rows("noindex") if meta is not None and meta.get("listing") == listed else None
    if skipped is not None:
        return set(skipped)
    stale = record.stale(listing) if meta is not None else None
    asked = record.rows("noindex") if stale is not None else None
    if stale is None or asked is None:  # no record: every page is read, and the one in its earlier form goes
        (cache_dir(dict(settings), "publish") / "noindex.json").unlink(missing_ok=True)
        seen = {relative: _noindex_row(output, relative, size, modified) for relative, size, modified in files}
        record.save(seen, None, {"listing": listed}, listing)
        return {relative for relative, entry in seen.items() if entry[2]}
    changed, gone = stale
    rows = {relative: _noindex_row(output, relative, size, modified) for relative, size, modified in changed}
    skipped = (set(asked) - rows.keys() - set(gone)) | {relative for relative, entry in rows.items() if entry[2]}

    def whole() -> dict[str, Row]:
        return {
            relative: rows.get(relative) or (size, modified, int(relative in skipped))
            for relative, size, modified in files
        }

    record.update(rows, gone, {"listing": listed}, whole, listing)
    return skipped


def _noindex_row(output: Path, relative: str, size: int, modified: int) -> Row:
    """``(size, mtime, noindex)`` of a page, read from its first 4,000 characters."""
    with open(os.path.join(output, relative), encoding="utf-8", errors="replace") as page:
        return (size, modified, int(bool(NOINDEX.search(page.read(4000)))))


def write_sitemap(output: Path, settings: Mapping[str, Any]) -> Path:
    """``sitemap.xml``. Left as it is, its pages not even listed against the exclusions, when
    what it is made of is what the last build made it of and it is still the file that build
    left; after an edit, the kept lines of the pages written and of the addresses whose day
    moved are made again (``_patched``); else every line."""
    made = _sitemap_made(output, settings)
    record = noindex_record(settings)
    meta = record.meta() if made is not None else None
    target = output / "sitemap.xml"
    if made is not None and meta is not None and meta.get("sitemap") == f"{made.mark} {_file_stamp(target)}":
        produced(target)
        return target
    base = site_url(settings)
    lines = _patched(output, settings, made, _file_stamp(target)) if made is not None else None
    if lines is None:
        by_address = {
            address: f"<url><loc>{escape(f'{base}/{address}')}</loc><lastmod>{lastmod.isoformat()}</lastmod></url>"
            for address, lastmod in sitemap_entries(output, settings)
        }
        files = made.listing.files if made is not None else html_files(output)
        lines = [by_address.get(page_address(relative), "") for relative, _, _ in files]
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    written = write_output(output, "sitemap.xml", head + "".join(f"{line}\n" for line in lines if line) + "</urlset>\n")
    if made is not None:
        made.keep(lines, _file_stamp(target))
        record.update({}, [], {"sitemap": f"{made.mark} {_file_stamp(target)}"}, lambda: {})
    return written


class _SitemapMade:
    """What the sitemap is made of: the site's address, the exclusions and today (``shape``), the
    pages (``listing``: paths, sizes and times, so what each asks of robots too) and the days
    (``collect_dates``' marks and the addresses whose day may have moved since the mark before)."""

    def __init__(self, settings: Mapping[str, Any], listing: Listing, days: tuple[Any, ...]) -> None:
        options = publish_settings(settings)
        shape = repr((site_url(settings), list(options["SITEMAP_EXCLUDE"]), build_today(settings).isoformat()))
        self.settings, self.listing = settings, listing
        self.shape = hashlib.blake2b(shape.encode()).hexdigest()
        self.before, self.days, self.touched, self.others = days
        self.mark = f"{self.days} {self.others} {self.shape} {listing.digest()}"
        self.path = cache_dir(dict(settings), "publish") / "sitemap.pickle"

    def keep(self, lines: list[str], stamp: str) -> None:
        """Each page's line ("": not in the sitemap) for the next edit, with what they were made of."""
        write_pickle(
            self.path,
            {
                "of": (self.days, self.others, self.shape),
                "listing": self.listing.stored(),
                "lines": lines,
                "file": stamp,
            },
        )


def _sitemap_made(output: Path, settings: Mapping[str, Any]) -> _SitemapMade | None:
    """None when the days are not kept (every build makes the sitemap whole)."""
    days = build_state(settings, "publish").get("lastmod_made")
    if days is None:
        return None
    return _SitemapMade(settings, built_listing(output) or Listing(html_files(output)), days)


def _patched(output: Path, settings: Mapping[str, Any], made: _SitemapMade, stamp: str) -> list[str] | None:
    """The kept lines with those of the pages written since and of the addresses whose day moved
    made again, when the kept lines are of the same pages (paths), shape and other items' days,
    the days they were made with are this build's or the mark before it, and sitemap.xml is the
    file they were written to; None otherwise (every line is made)."""
    found = _kept_lines(made, stamp)
    if found is None:
        return None
    lines, changed, touched = found
    paths = made.listing.paths.split("\0")
    again = {bisect.bisect_left(paths, relative) for relative, _, _ in changed}
    for name in touched:
        for candidate in (f"{name}index.html", name):
            found_at = bisect.bisect_left(paths, candidate)
            if found_at < len(paths) and paths[found_at] == candidate and lines[found_at]:  # no page moves into it
                again.add(found_at)
    excluded = glob_matcher(publish_settings(settings)["SITEMAP_EXCLUDE"])
    base, today, lastmod = site_url(settings), build_today(settings), last_changed(settings)
    written = {relative for relative, _, _ in changed}
    for index in again:
        relative, size, modified = made.listing.files[index]
        if relative in written and (excluded(relative) or _noindex_row(output, relative, size, modified)[2]):
            lines[index] = ""
            continue
        address = page_address(relative)
        day = lastmod.get(address, today)
        lines[index] = f"<url><loc>{escape(f'{base}/{address}')}</loc><lastmod>{day.isoformat()}</lastmod></url>"
    return lines


def _kept_lines(made: _SitemapMade, stamp: str) -> tuple[list[str], list[tuple[str, int, int]], set[str]] | None:
    """The kept lines, the pages written since and the addresses whose day may have moved, when
    the lines can be patched (:func:`_patched`)."""
    kept = read_pickle(made.path)
    if not isinstance(kept, dict) or kept.get("file") != stamp or not isinstance(kept.get("lines"), list):
        return None
    of = kept.get("of")
    if not isinstance(of, tuple) or of[1:] != (made.others, made.shape) or of[0] not in (made.days, made.before):
        return None
    changed = made.listing.changed_since(kept.get("listing") or ())
    if changed is None or len(kept["lines"]) != len(made.listing.files):
        return None
    return kept["lines"], changed, set() if of[0] == made.days else made.touched


def _file_stamp(path: Path) -> str:
    try:
        found = os.lstat(path)
    except OSError:
        return "-"
    return f"{found.st_mode} {found.st_size} {found.st_mtime_ns} {found.st_ino}"


def write_robots(output: Path, settings: Mapping[str, Any]) -> Path | None:
    target = output / "robots.txt"
    if target.exists() and not target.read_text(encoding="utf-8").startswith("# Netroots"):
        return None  # the network wrote its own
    options = publish_settings(settings)
    sitemap = f"Sitemap: {site_url(settings)}/sitemap.xml\n" if options["SITEMAP"] else ""
    rules = str(options["ROBOTS_RULES"] or "").strip()
    if rules:
        text = f"# Netroots: the network's own rules (PUBLISH['ROBOTS_RULES']).\n{rules}\n{sitemap}"
    else:
        text = f"# Netroots: every page may be indexed.\nUser-agent: *\nAllow: /\n{sitemap}"
    return write_output(output, "robots.txt", text)


def precompress(output: Path, extensions: Iterable[str]) -> int:
    """Write ``name.gz`` beside each file with one of ``extensions`` (when smaller);
    remove stale ``.gz`` files. Returns how many were written."""
    wanted = tuple(e.lower() for e in extensions)
    written = 0
    for gz in output.rglob("*.gz"):
        original = gz.with_suffix("")
        if not original.exists() and original.suffix.lower() in wanted:
            gz.unlink()
    for path in sorted(output.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in wanted:
            continue
        data = path.read_bytes()
        packed = gzip.compress(data, compresslevel=9, mtime=0)
        target = path.with_name(path.name + ".gz")
        if len(packed) < len(data):
            write_output(output, target.relative_to(output), packed)
            written += 1
        elif target.exists():
            target.unlink()
    return written


def finalize_output(pelican: Any) -> None:
    """At the very end of a build: the joined stylesheet, sitemap, robots.txt, then the .gz
    copies of it all."""
    settings = pelican.settings
    options = publish_settings(settings)
    output = Path(settings["OUTPUT_PATH"])
    if not output.is_dir():
        return
    write_css_bundle(output, settings)
    if options["SITEMAP"]:
        write_sitemap(output, settings)
    if options["ROBOTS"]:
        write_robots(output, settings)
    if options["PRECOMPRESS"]:
        count = precompress(output, options["PRECOMPRESS_EXTENSIONS"])
        logger.info("publish: wrote %d precompressed .gz files", count)
