"""Diaries and pages: their fields, their file names, and their validation."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from netroots import limits, schema
from netroots.html import render_markdown_within
from netroots.members import owner_problem
from netroots.report import Report
from netroots.source import Source
from netroots.today import build_today, day_of, published_yet, site_timezone

# A published diary needs a tag (the rule of the network this grew from); drafts may have none.
UNTAGGED = "tags: a published diary needs at least one tag, so readers can find it on /tags/ (drafts may have none)"

DIARY_NAME = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})-(?P<slug>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)\.md$")

UPDATE_FIELDS = (
    schema.Field("date", schema.datetime, required=True),
    schema.Field("text", schema.text, required=True),
)


def tag_list(value: Any) -> list[str]:
    """Tags, within the limits: each becomes a file name and an address, all of them a feed."""
    tags = schema.string_list(value)
    if len(tags) > limits.MAX_TAGS:
        raise schema.Invalid(f"{len(tags)} tags; a diary may have at most {limits.MAX_TAGS}")
    for index, tag in enumerate(tags):
        if len(tag) > limits.MAX_TAG_LENGTH:
            raise schema.Invalid(
                f"item {index + 1}: a tag is at most {limits.MAX_TAG_LENGTH} characters, this one has {len(tag)}",
                (index,),
            )
    return tags


tag_list.item = schema.text  # a list of text, for tools that read the declarations (the web editor)


DIARY_FIELDS = (
    schema.Field("title", schema.text, required=True, help="e.g. `title: First meeting in a library basement`"),
    schema.Field("date", schema.datetime),
    schema.Field("tags", tag_list, default=list),
    schema.Field("groups", schema.list_of(schema.slug), default=list),
    schema.Field("summary", schema.text),
    schema.Field("status", schema.choice("published", "draft"), default="published"),
    schema.Field(
        "updates",
        schema.list_of(schema.mapping(UPDATE_FIELDS, example="`{date: 2026-06-03, text: What changed}`")),
        default=list,
    ),
    schema.Field("author", schema.handle),
    schema.Field("modified", schema.datetime),
    # Audio or video; validated by plugins/media (docs/content.md), passed on as written.
    schema.Field("media", lambda value: value),
)

# Addresses the site's own pages and feeds use: a page at one of them would overwrite them.
SITE_SECTIONS = frozenset(
    {
        "diaries", "members", "tags", "groups", "actions", "contacts", "jobs", "events", "chapters",
        "allies", "search", "trust", "digest", "feeds", "admin", "theme", "pagefind", "images", "comments",
        "acts", "index.html", "404.html", "sitemap.xml", "robots.txt",
    }
)  # fmt: skip

PAGE_FIELDS = (
    schema.Field("title", schema.text, required=True, help="e.g. `title: About us`"),
    schema.Field("summary", schema.text),
    schema.Field("status", schema.choice("published", "draft", "hidden"), default="published"),
    schema.Field("date", schema.datetime),
    schema.Field("modified", schema.datetime),
    schema.Field("order", schema.integer(), default=100),
)


@dataclass
class Diary:
    """A validated diary as written: front matter values and Markdown body."""

    path: Path
    handle: str
    slug: str
    meta: dict[str, Any]
    source: Source
    problems: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    scheduled: dt.date | None = None  # dated after the build's today: left out until that day

    @property
    def id(self) -> str:
        return f"{self.handle}/{self.slug}"

    @property
    def published(self) -> bool:
        return self.meta.get("status") != "draft" and self.scheduled is None

    @property
    def draft(self) -> bool:
        return self.meta.get("status") == "draft"


@lru_cache(maxsize=256)
def _first_file_per_slug(folder: Path, _changed: int) -> dict[str, str]:
    """``slug -> first file name`` in a member's folder (cached until the folder changes)."""
    first: dict[str, str] = {}
    for name in sorted(os.listdir(folder)):
        match = DIARY_NAME.match(name)
        if match:
            first.setdefault(match["slug"], name)
    return first


def earlier_twin(path: Path, slug: str) -> Path | None:
    """The first file (by name) in the same folder publishing the same slug, if not ``path``."""
    first = _first_file_per_slug(path.parent, path.parent.stat().st_mtime_ns).get(slug)
    return path.parent / first if first and first != path.name else None


TagHint = Callable[[Source, dict[str, Any]], str]


def read_diary(
    path: Path,
    content: Path,
    report: Report,
    *,
    settings: Mapping[str, Any] | None = None,
    tag_hint: TagHint | None = None,
) -> Diary | None:
    """Read and validate one diary; ``None`` (with errors reported) when it must not publish.

    With ``settings``, a diary dated after the build's today comes back ``scheduled`` and
    updates dated after it are left out; ``tag_hint`` adds tag suggestions to the message
    for a published diary without tags.
    """
    relative = path.relative_to(content)
    if len(relative.parts) != 3:
        report.error(path, 1, "a diary lives in content/diaries/<your-handle>/<YYYY-MM-DD>-<slug>.md")
        return None
    handle = relative.parts[1]
    name = DIARY_NAME.match(path.name)
    ok = _file_name_ok(path, name, report)
    if problem := owner_problem(content, handle, settings):
        report.error(path, 1, problem)
        ok = False
    read = schema.read_validated(path, DIARY_FIELDS, report, kind="diary")
    if read is None:
        return None
    source, meta, valid = read
    ok = ok and valid and body_fits(source, report)
    ok = _author_and_groups_ok(path, content, handle, source, meta, report) and ok
    ok = _dated(path, name, meta, report, ok)
    ok = dates_in_range(source, meta, report) and ok
    slug = name.group("slug") if name else path.stem
    diary = Diary(path=path, handle=handle, slug=slug, meta=meta, source=source)
    earlier = earlier_twin(path, slug) if name else None
    if earlier is not None:
        report.error(
            path, 1, f"duplicate slug: {earlier.name} already publishes /diaries/{diary.id}/; rename one of them"
        )
        ok = False
    ok = ok and _tagged(path, source, meta, report, tag_hint)
    meta["updates"] = sorted(meta.get("updates") or [], key=lambda update: update["date"])
    if settings is not None and ok:
        _hold_back_scheduled(diary, settings)
    return diary if ok else None


def _file_name_ok(path: Path, name: re.Match[str] | None, report: Report) -> bool:
    """The file name gives the diary's date and address, so a bad one is reported (with an example)."""
    if name:
        return True
    report.error(
        path,
        1,
        f"the file name '{path.name}' must be <YYYY-MM-DD>-<slug>.md, e.g. 2026-04-18-first-meeting.md (lowercase, hyphens)",
    )
    return False


def _author_and_groups_ok(
    path: Path, content: Path, handle: str, source: Source, meta: dict[str, Any], report: Report
) -> bool:
    """An ``author`` field must match the folder, and every group must exist; each problem is reported."""
    ok = True
    if meta.get("author") and meta["author"] != handle:
        report.error(
            path,
            source.line("author"),
            f"author: '{meta['author']}' does not match the folder '{handle}'; remove the field or move the file to content/diaries/{meta['author']}/",
        )
        ok = False
    for index, group in enumerate(meta.get("groups") or []):
        if not (content / "groups" / f"{group}.md").is_file():
            known = ", ".join(sorted(p.stem for p in (content / "groups").glob("*.md"))) or "none yet"
            report.error(path, source.line("groups", index), f"groups: unknown group '{group}' (groups: {known})")
            ok = False
    return ok


def _dated(path: Path, name: re.Match[str] | None, meta: dict[str, Any], report: Report, ok: bool) -> bool:
    """Without a ``date`` field the file name's date counts; ``ok`` stays true only if a date is known
    (a missing one is reported only when nothing else was wrong, not to pile up messages)."""
    if name and meta.get("date") is None:
        try:
            meta["date"] = schema.date_time_on_calendar(name.group("date"))
        except schema.Invalid as exc:
            report.error(path, 1, f"the file name's date: {exc.message}")
            ok = False
    if meta.get("date") is None and ok:
        report.error(path, 1, "missing `date`: write `date: 2026-04-18 19:30`")
        ok = False
    return ok


def _tagged(path: Path, source: Source, meta: dict[str, Any], report: Report, tag_hint: TagHint | None) -> bool:
    """A published diary needs a tag (readers browse by tag); the message suggests some."""
    if meta.get("status") == "draft" or meta.get("tags"):
        return True
    line = source.line("tags") if "tags" in source.data else 1
    hint = tag_hint(source, meta) if tag_hint else ""
    report.error(path, line, f"{UNTAGGED}; {hint or 'see /tags/ for the ones in use, e.g. `tags: [Organizing]`'}")
    return False


def _hold_back_scheduled(diary: Diary, settings: Mapping[str, Any]) -> None:
    """A diary dated after the build's today waits (``scheduled``); so do updates dated later."""
    meta = diary.meta
    if not published_yet(meta["date"], settings):
        diary.scheduled = day_of(meta["date"], site_timezone(settings))
    later = [update for update in meta["updates"] if not published_yet(update["date"], settings)]
    if later:
        diary.extra["scheduled_updates"] = later
        meta["updates"] = [update for update in meta["updates"] if update not in later]


def dates_in_range(source: Source, meta: dict[str, Any], report: Report) -> bool:
    """No date more than ``MAX_FUTURE_DAYS`` after the build's today: a diary dated 9999-12-31
    would sit first on the front page and in every feed for ever."""
    latest = build_today({}) + dt.timedelta(days=limits.MAX_FUTURE_DAYS)
    found = [
        ("date", source.line("date"), meta.get("date")),
        ("modified", source.line("modified"), meta.get("modified")),
    ]
    found += [
        ("updates", source.line("updates", index, "date"), update.get("date"))
        for index, update in enumerate(meta.get("updates") or [])
    ]
    ok = True
    for field_name, line, value in found:
        if value is not None and value.date() > latest:
            report.error(
                source.path,
                line,
                f"{field_name}: {value.date().isoformat()} is more than {limits.MAX_FUTURE_DAYS} days after today "
                f"({build_today({}).isoformat()}); write the real date (a date in the file name counts too)",
            )
            ok = False
    return ok


def body_fits(source: Source, report: Report) -> bool:
    """The cheap limit on a Markdown body, checked before any rendering: nesting depth."""
    line = limits.too_deep(source.body)
    if line is None:
        return True
    report.error(
        source.path,
        source.body_line + line - 1,
        f"lists or quotes nested more than {limits.MAX_NESTING} levels deep; readers cannot follow them "
        "and the build cannot afford them: flatten them",
    )
    return False


def render_body(source: Source, report: Report, convert=None) -> str | None:
    """The body as sanitized HTML, within the time limit; ``None`` (reported) past it.
    ``check`` and the build's reader both render through here."""
    try:
        return render_markdown_within(source.body, convert)
    except limits.TimeLimit as exc:
        report.error(
            source.path,
            source.body_line,
            f"the text {exc} (the limit is {limits.MARKDOWN_SECONDS:g} s a file), so it is left out; "
            "look for thousands of unclosed [ brackets or deeply nested lists",
        )
        return None


def read_page(path: Path, content: Path, report: Report) -> tuple[Source, dict[str, Any], str] | None:
    """Read and validate a page under content/pages/; returns its source, data and slug."""
    slug = path.relative_to(content / "pages").with_suffix("").as_posix()
    read = schema.read_validated(path, PAGE_FIELDS, report, kind="page")
    if read is None:
        return None
    source, meta, ok = read
    ok = ok and body_fits(source, report)
    for part in slug.split("/"):
        if not schema.SLUG.match(part):
            report.error(
                path, 1, f"file name: '{part}' is not a slug: lowercase letters, digits and hyphens, e.g. about"
            )
            return None
    if slug.split("/")[0] in SITE_SECTIONS:
        report.error(
            path,
            1,
            f"file name: this page would be written to /{slug}/, over the site's own /{slug.split('/')[0]}/ "
            "pages; rename the file",
        )
        return None
    return (source, meta, slug) if ok else None


def read_all_diaries(
    content: Path, report: Report, settings: Mapping[str, Any] | None = None, tag_hint: TagHint | None = None
) -> list[Diary]:
    """Every valid diary, in path order."""
    found = []
    for path in sorted((content / "diaries").rglob("*.md")):
        parts = path.relative_to(content).parts
        if len(parts) == 4 and parts[2] in ("images", "media"):
            continue  # a transcript beside a member's audio, not a diary
        diary = read_diary(path, content, report, settings=settings, tag_hint=tag_hint)
        if diary is not None:
            found.append(diary)
    return found
