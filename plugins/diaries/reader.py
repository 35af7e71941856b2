"""The Pelican reader for diaries and pages: validate, render, sanitize.

It extends pelican-yaml-metadata's reader so front matter is YAML, and adds
line-numbered validation and an allowlist sanitizer. A file with errors is
reported once as ``path:line: error: ...`` and left out of the site.
"""

from __future__ import annotations

import html
import logging
import os
from pathlib import Path
from typing import Any, ClassVar

from pelican.contents import Author, Category, Tag
from pelican.plugins.yaml_metadata.yaml_metadata import YAMLMetadataReader
from pelican.urlwrappers import URLWrapper

from netroots.html import MARKDOWN_EXTENSIONS, images_for_readers, render_inline
from netroots.plugin import build_state
from netroots.readcache import ReadCache, content_digest, listing, read_cache, stamp, watching_logs
from netroots.report import Report
from netroots.today import build_today

from .model import Diary, read_diary, read_page, render_body

logger = logging.getLogger(__name__)

# What the read cache keeps for a file: the body's HTML, Pelican's metadata (``_stored``), the rest.
Stored = tuple[str, dict[str, Any], dict[str, Any]]
WRAPPED = "\0pelican"  # marks a Tag, Author or Category in stored metadata
WRAPPERS: dict[str, type[URLWrapper]] = {"Tag": Tag, "Author": Author, "Category": Category}


class InvalidContent(Exception):
    """Raised for a file whose errors were reported; Pelican then skips it."""


def explained(settings: dict[str, Any]) -> set[str]:
    """Paths this build already explained; Pelican's own "Could not process" line for
    them is noise, so ``ExplainedFilter`` drops it."""
    return build_state(settings, "diaries").setdefault("explained", set())


class ExplainedFilter(logging.Filter):
    def __init__(self, paths: set[str]) -> None:
        super().__init__()
        self.paths = paths

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == "Could not process %s" and record.args and self.paths:
            return not any(str(arg).endswith(tuple(self.paths)) for arg in record.args)
        return True


def filter_explained(pelican: Any) -> None:
    """``initialized``: this build's filter replaces the last build's on Pelican's logger."""
    target = logging.getLogger("pelican.generators")
    for old in [f for f in target.filters if isinstance(f, ExplainedFilter)]:
        target.removeFilter(old)
    target.addFilter(ExplainedFilter(explained(pelican.settings)))


class NetrootsReader(YAMLMetadataReader):
    """Markdown with YAML front matter, validated against Netroots' content types."""

    file_extensions: ClassVar[list[str]] = ["md", "markdown"]

    def __init__(self, settings: dict[str, Any]) -> None:
        # Tags and authors hold the build's own settings, which page fingerprints leave out
        # (netroots/fingerprint.py); this reader's copy would be digested whole in every page.
        self._build_settings = settings
        settings = {**settings, "MARKDOWN": {**settings.get("MARKDOWN", {}), "extensions": list(MARKDOWN_EXTENSIONS)}}
        super().__init__(settings)
        self.content = Path(settings["PATH"]).resolve()
        self._content_str = str(self.content)
        self._today = str(build_today(self.settings)).encode()

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        path = os.path.abspath(source_path)  # never resolve(): that would follow a symbolic link
        key = self._keys().pop(path, None) or self._cache_key(path)
        stored = self.cache().get(key) if key else None
        if stored is not None:
            # A hit parses nothing: Pelican's metadata comes back as the miss below made it.
            body, pelican_metadata, extra = stored
            return body, {**self._restored(pelican_metadata), **extra}
        with watching_logs() as logged:
            made, report = self._fresh(path)
            report.log()
        if made is None:
            explained(self.settings).add(self._relative(path))
            raise InvalidContent(f"{path}: see the errors above")
        body, metadata, extra = made
        # Only a read that reported nothing is kept, and only if the file did not change meanwhile.
        if key and not report.problems and not logged.count and self._cache_key(path) == key:
            self.cache().put(key, (body, self._stored(metadata), extra), path)
        return body, {**self._restored(self._stored(metadata)), **extra}

    def fresh(self, path: str) -> tuple[str, Stored] | None:
        """``read_ahead``'s work for one file: its cache key and what to store, or None
        (a problem, or a file that cannot be cached): the build's process reads it again."""
        key = self._cache_key(path)
        if key is None:
            return None
        made, report = self._fresh(path)
        if made is None or report.problems or self._cache_key(path) != key:
            return None
        body, metadata, extra = made
        return key, (body, self._stored(metadata), extra)

    def article_key(self, path: str) -> str | None:
        """The read cache's key of ``path`` (absolute), for keeping the object Pelican makes of
        it (netroots/articlecache.py); the key made by the pre-pass is left for ``read``."""
        return self._keys().get(path) or self._cache_key(path)

    def missing(self, paths: list[str]) -> list[str]:
        """Those of ``paths`` (absolute) whose reads are not in the cache."""
        seen: dict[str, bytes] = {}  # one look at each folder and member file for all the keys
        keys, unknown = self.cache().read_keys(paths, lambda folder: self._around(folder, seen))
        self._keys().update(keys)  # the build's read needs them next
        return unknown

    def _keys(self) -> dict[str, str]:
        """Cache keys ``missing`` made this build, taken by ``read`` (each file's bytes read once)."""
        return build_state(self.settings, "diaries").setdefault("read_keys", {})

    def _fresh(self, path: str) -> tuple[Stored | None, Report]:
        """Read, validate and render the file: its body, Pelican's metadata and the rest
        (nothing cached, nothing logged)."""
        report = Report(root=self.content.parent)
        file = Path(path)
        if self._relative(path).split("/")[0] == "diaries":
            diary = read_diary(file, self.content, report, settings=self.settings)
            body = self._render(diary.source, report) if diary else None
            parts = self._diary(diary, body) if diary and body is not None else None
        else:
            page = read_page(file, self.content, report)
            body = self._render(page[0], report) if page else None
            parts = self._page(*page, body) if page and body is not None else None
        if parts is None:
            return None, report
        body, values, extra = parts
        return (body, self._pelican_metadata(values, file), extra), report

    def _relative(self, path: str) -> str:
        """``path`` (absolute) relative to content/, with ``/``."""
        prefix = self._content_str + os.sep
        relative = path[len(prefix) :] if path.startswith(prefix) else os.path.relpath(path, self._content_str)
        return relative.replace(os.sep, "/")

    def cache(self) -> ReadCache:
        """The build's read cache (netroots/readcache.py)."""
        if getattr(self, "_read_cache", None) is None:
            # The build's settings, not this reader's copy: one cache, whose hashes search takes too.
            self._read_cache = read_cache(self._build_settings)
        return self._read_cache

    def _cache_key(self, path: str) -> str | None:
        """The read cache's key: the file's bytes and what reading it consults (netroots/readcache.py)."""
        content = content_digest(path)
        if content is None:
            return None
        return self.cache().key(path, content, self._around(os.path.dirname(path)))

    def _around(self, folder: str, seen: dict[str, bytes] | None = None) -> list[bytes]:
        """What reading a file in ``folder`` (absolute) consults besides its bytes: the names in
        the folder and, for a diary, in members/ and groups/, its member file's stamp and today.
        ``seen`` keeps the folders' names and member files' stamps for the keys of many files
        made at one moment (``missing``)."""

        def looked(what: Any, where: str) -> bytes:
            if seen is None:
                return what(where)
            found = seen.get(where)
            if found is None:
                found = seen[where] = what(where)
            return found

        around = [looked(listing, folder)]
        parts = self._relative(folder).split("/")
        if parts[0] == "diaries":
            handle = parts[1] if len(parts) > 1 else ""
            members = os.path.join(self._content_str, "members")
            around += [
                looked(listing, members),
                looked(stamp, os.path.join(members, f"{handle}.yaml")),
                looked(listing, os.path.join(self._content_str, "groups")),
                # A diary dated after today is scheduled: the same file reads differently on its day.
                self._today,
            ]
        return around

    def _render(self, source: Any, report: Report) -> str | None:
        rendered = render_body(source, report, lambda text: self._md.reset().convert(text))
        return None if rendered is None else images_for_readers(rendered, self.settings)

    def _pelican_metadata(self, values: dict[str, Any], path: Path) -> dict[str, Any]:
        """Hand plain values to pelican-yaml-metadata for Tag/Author/date objects (on a cache
        miss only: the cache keeps the result, dates as they came out of it)."""
        given = {key: value for key, value in values.items() if value not in (None, [], "")}
        if "date" in given:
            given["date"] = given["date"].isoformat(sep=" ")
        if "modified" in given:
            given["modified"] = given["modified"].isoformat(sep=" ")
        return self._parse_yaml_metadata(given, str(path))

    @staticmethod
    def _stored(metadata: dict[str, Any]) -> dict[str, Any]:
        """Pelican's metadata as the cache keeps it: a Tag, Author or Category as
        ``(WRAPPED, class name, name)`` (the objects hold the settings, which must not be pickled)."""

        def plain(value: Any) -> Any:
            if isinstance(value, URLWrapper):
                return (WRAPPED, type(value).__name__, value.name)
            if isinstance(value, list):
                return [plain(item) for item in value]
            return value

        return {name: plain(value) for name, value in metadata.items()}

    def _restored(self, stored: dict[str, Any]) -> dict[str, Any]:
        """``_stored`` undone: Tag/Author/Category objects with the build's settings, one per
        name (a new one per diary would work out its slug again: 40,000 times at 10,000 diaries)."""
        wrappers = self.__dict__.setdefault("_wrappers", {})

        def made(value: Any) -> Any:
            if isinstance(value, tuple) and len(value) == 3 and value[0] == WRAPPED:
                found = wrappers.get(value)
                if found is None:
                    found = wrappers[value] = WRAPPERS[value[1]](value[2], self._build_settings)
                return found
            if isinstance(value, list):
                return [made(item) for item in value]
            return value

        return {name: made(value) for name, value in stored.items()}

    def _diary(self, diary: Diary, body: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
        meta = diary.meta
        updates = [{"date": update["date"], "html": render_inline(update["text"])} for update in meta["updates"]]
        modified = meta.get("modified")
        if updates:
            modified = max(updates[-1]["date"], modified or updates[-1]["date"])
        values = {
            "title": meta["title"],
            "date": meta["date"],
            "modified": modified,
            "slug": diary.slug,
            "author": diary.handle,
            "category": "diaries",
            "tags": meta["tags"],
            # Scheduled: a draft until its day, so no page, feed, list or sitemap shows it.
            "status": "draft" if diary.scheduled else meta["status"],
            "summary": html.escape(meta["summary"]) if meta.get("summary") else None,
        }
        extra = {
            "groups": meta["groups"],
            "updates": updates,
            "diary_id": diary.id,
            "kind": "diary",
            "raw_tags": meta["tags"],
            "media": meta.get("media"),
            "scheduled": diary.scheduled,
        }
        return body, values, extra

    def _page(
        self, source: Any, meta: dict[str, Any], slug: str, body: str
    ) -> tuple[str, dict[str, Any], dict[str, Any]]:
        values = {
            "title": meta["title"],
            "slug": slug,
            "status": meta["status"],
            "date": meta.get("date"),
            "modified": meta.get("modified"),
            "summary": html.escape(meta["summary"]) if meta.get("summary") else None,
        }
        return body, values, {"order": meta["order"], "kind": "page"}
