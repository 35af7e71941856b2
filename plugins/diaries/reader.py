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

from pelican.plugins.yaml_metadata.yaml_metadata import YAMLMetadataReader

from netroots.html import MARKDOWN_EXTENSIONS, images_for_readers, render_inline
from netroots.plugin import build_state
from netroots.readcache import ReadCache, listing, read_cache, stamp
from netroots.report import Report
from netroots.today import build_today

from .model import Diary, read_diary, read_page, render_body

logger = logging.getLogger(__name__)


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
        settings = {**settings, "MARKDOWN": {**settings.get("MARKDOWN", {}), "extensions": list(MARKDOWN_EXTENSIONS)}}
        super().__init__(settings)
        self.content = Path(settings["PATH"]).resolve()

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        path = Path(os.path.abspath(source_path))  # never resolve(): that would follow a symbolic link
        section = path.relative_to(self.content).parts[0]
        key = self._cache_key(path, section)
        parts = self._cache().get(key) if key else None
        if parts is None:
            report = Report(root=self.content.parent)
            if section == "diaries":
                diary = read_diary(path, self.content, report, settings=self.settings)
                body = self._render(diary.source, report) if diary else None
                parts = self._diary(diary, body) if diary and body is not None else None
            else:
                page = read_page(path, self.content, report)
                body = self._render(page[0], report) if page else None
                parts = self._page(*page, body) if page and body is not None else None
            report.log()
            if parts is not None and key and not report.problems:
                self._cache().put(key, parts)  # only a read that reported nothing is kept
        if parts is None:
            explained(self.settings).add(path.relative_to(self.content).as_posix())
            raise InvalidContent(f"{path}: see the errors above")
        body, values, extra = parts
        metadata = self._pelican_metadata(values, path)
        metadata.update(extra)
        return body, metadata

    def _cache(self) -> ReadCache:
        if getattr(self, "_read_cache", None) is None:
            self._read_cache = read_cache(self.settings)
        return self._read_cache

    def _cache_key(self, path: Path, section: str) -> str | None:
        """The read cache's key: the file and what reading it consults (netroots/readcache.py)."""
        if os.path.islink(path):
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        around = [listing(path.parent)]
        parts = path.relative_to(self.content).parts
        if section == "diaries":
            handle = parts[1] if len(parts) > 2 else ""
            around += [
                listing(self.content / "members"),
                stamp(self.content / "members" / f"{handle}.yaml"),
                listing(self.content / "groups"),
                # A diary dated after today is scheduled: the same file reads differently on its day.
                str(build_today(self.settings)).encode(),
            ]
        return self._cache().key(path, data, around)

    def _render(self, source: Any, report: Report) -> str | None:
        rendered = render_body(source, report, lambda text: self._md.reset().convert(text))
        return None if rendered is None else images_for_readers(rendered, self.settings)

    def _pelican_metadata(self, values: dict[str, Any], path: Path) -> dict[str, Any]:
        """Hand plain values to pelican-yaml-metadata for Tag/Author/date objects."""
        given = {key: value for key, value in values.items() if value not in (None, [], "")}
        if "date" in given:
            given["date"] = given["date"].isoformat(sep=" ")
        if "modified" in given:
            given["modified"] = given["modified"].isoformat(sep=" ")
        return self._parse_yaml_metadata(given, str(path))

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
