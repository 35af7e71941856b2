"""A comment: one Markdown file its writer owns, ``content/comments/<handle>/<YYYY-MM-DD-HHMM>-<words>.md``.

Reading a file checks only the file itself (place, name, fields, body); what it points
at (the diary, the parent, the writer's member file) is checked by ``thread.link``.
Rendered comments are cached in ``.cache/comments/`` by file size and time, so a warm
build renders only new and edited comments.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from netroots import schema
from netroots.forge import MINUTE, unfilled
from netroots.html import plain_text, render_markdown
from netroots.report import Report
from netroots.site import read_json, write_json
from netroots.source import Source, read_markdown

logger = logging.getLogger("netroots")

COMMENT_NAME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})-(?P<hour>\d{2})(?P<minute>\d{2})-(?P<words>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)\.md\Z"
)
DIARY_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?/[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\Z")
EXAMPLE_NAME = "2026-11-20-1930-good-point.md"
TITLE_LENGTH = 200
CACHE_VERSION = 1


def diary_ref(value: Any) -> str:
    if not isinstance(value, str) or not DIARY_ID.match(value.strip()):
        raise schema.Invalid(
            f"{schema._describe(value)} is not a diary id; write <handle>/<slug>, e.g. `on: maria-lopez/what-meridian-did-to-kbrt`"
        )
    return value.strip()


def comment_ref(value: Any) -> str:
    if not schema.is_comment_id(value.strip() if isinstance(value, str) else value):
        raise schema.Invalid(
            f"{schema._describe(value)} is not a comment id; write <handle>/<file name without .md>, "
            "e.g. `parent: ana-ruiz/2026-11-20-1930-good-point`"
        )
    return value.strip()


def title_line(value: Any) -> str:
    if isinstance(value, str) and not value.strip():
        return ""  # `title: ""`, as `new comment` writes it: no subject line
    line = " ".join(schema.text(value).split())
    if len(line) > TITLE_LENGTH:
        raise schema.Invalid(f"is {len(line)} characters; a comment's title is one line of at most {TITLE_LENGTH}")
    return line


COMMENT_FIELDS = (
    schema.Field(
        "on", diary_ref, required=True, help="the diary you reply to, e.g. `on: maria-lopez/what-meridian-did-to-kbrt`"
    ),
    schema.Field("parent", comment_ref),
    schema.Field("title", title_line, default=""),
    schema.Field("date", schema.datetime),
)


@dataclass
class Comment:
    """A comment as written and rendered: what the thread, the feeds and search need."""

    handle: str
    stem: str
    path: str  # the file, for messages
    on: str  # diary id
    parent: str | None  # comment id
    title: str
    date: dt.datetime  # naive: the site's time zone
    html: str  # sanitized
    text: str  # plain text of the body, for search and summaries
    lines: dict[str, int] = field(default_factory=dict)
    digest: str = ""  # of the file's bytes

    @property
    def id(self) -> str:
        return f"{self.handle}/{self.stem}"

    @property
    def anchor(self) -> str:
        """The element id on the diary page (a dot cannot appear in a handle, so ids never collide)."""
        return f"c-{self.handle}.{self.stem}"

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)


class MemberComment(NamedTuple):
    """A comment as a member's page lists it (theme/templates/comments/member.html): what the
    list shows, not the comment's ``Node``, which reaches its whole thread (parent and replies):
    with it, a reply to any comment in a thread rendered the page of every member in it."""

    url: str  # e.g. "diaries/ana/x/#c-ben.2026-11-20-1930-yes"
    title: str  # "" when the comment has none
    diary_title: str | None  # None: the diary is not published (a preview)
    date: dt.datetime


def read_source(path: Path) -> Source:
    """The file's front matter and body. YAML 1.1 reads the key ``on`` as the boolean true
    (the "Norway problem"); a comment's ``on:`` is the diary, so the key is put back."""
    source = read_markdown(path)
    if True in source.data and "on" not in source.data:
        source.data["on"] = source.data.pop(True)
    return source


def name_date(match: re.Match[str]) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(f"{match['date']} {match['hour']}:{match['minute']}")
    except ValueError:
        return None


def name_time(path: Path, report: Report) -> dt.datetime | None:
    """The date and time a comment's file name starts with; ``None`` after an error that says
    what a valid name looks like (or which placeholder is still in it)."""
    name = COMMENT_NAME.match(path.name)
    when = name_date(name) if name else None
    if unfilled(path.name) == MINUTE:  # a Reply link followed without JavaScript
        report.error(
            path,
            1,
            f"the file name still starts with {MINUTE}: write the date and 24-hour time you wrote the reply "
            f"in its place, e.g. 2026-11-20-1930{path.name.removeprefix(MINUTE)} "
            "(the site's Reply button fills it in when JavaScript is on)",
        )
    elif not name:
        report.error(
            path,
            1,
            f"the file name '{path.name}' must be <YYYY-MM-DD-HHMM>-<words>.md, e.g. {EXAMPLE_NAME} "
            "(the date and 24-hour time you wrote it, then a few lowercase words with hyphens)",
        )
    elif when is None:
        report.error(
            path, 1, f"the file name '{path.name}' has no real date and time; write e.g. {EXAMPLE_NAME} (19:30)"
        )
    return when


def read_comment(path: Path, content: Path, report: Report) -> Comment | None:
    """Read and check one comment file; ``None`` (with errors reported) when it must not publish."""
    relative = path.relative_to(content)
    if len(relative.parts) != 3 or relative.parts[0] != "comments":
        report.error(path, 1, f"a comment lives in content/comments/<your-handle>/{EXAMPLE_NAME}")
        return None
    handle = relative.parts[1]
    ok = True
    if not schema.HANDLE.match(handle):
        report.error(
            path, 1, f"the folder '{handle}' is not a member handle; a comment's folder is its writer's handle"
        )
        ok = False
    when = name_time(path, report)
    ok = ok and when is not None
    read = schema.read_validated(path, COMMENT_FIELDS, report, kind="comment", read=read_source)
    if read is None:
        return None
    source, meta, valid = read
    ok = ok and valid
    if not source.body.strip():
        report.error(path, source.body_line, "the comment is empty; write your reply below the closing --- line")
        ok = False
    if not ok:
        return None
    html = render_markdown(source.body)
    text = plain_text(html)
    if not text and "<img" not in html:
        report.error(path, source.body_line, "the comment has no text once formatting is removed; write your reply")
        return None
    lines = {key: source.line(key) for key in ("on", "parent", "title", "date")}
    lines["body"] = source.body_line
    return Comment(
        handle=handle,
        stem=path.stem,
        path=str(path),
        on=meta["on"],
        parent=meta.get("parent"),
        title=meta.get("title") or "",
        date=meta.get("date") or when,
        html=html,
        text=text,
        lines=lines,
        digest=hashlib.blake2b(path.read_bytes(), digest_size=12).hexdigest(),
    )


# -- the cache ------------------------------------------------------------------
def _stamp(path: Path) -> list[int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return [info.st_mtime_ns, info.st_size]


def _from_json(data: dict[str, Any]) -> Comment:
    values = dict(data)
    values["date"] = dt.datetime.fromisoformat(values["date"])
    return Comment(**values)


def _to_json(comment: Comment) -> dict[str, Any]:
    values = asdict(comment)
    values["date"] = comment.date.isoformat()
    return values


def _cached(entry: Any, stamp: list[int] | None) -> Comment | None:
    """The comment a cache entry holds, when its file's size and time are still ``stamp``."""
    if not (entry and isinstance(entry, list) and len(entry) == 2 and entry[0] == stamp):
        return None
    try:
        return _from_json(entry[1])
    except (TypeError, ValueError, KeyError):
        return None


def read_cache(path: Path | None) -> dict[str, Any]:
    """``relative path -> [stamp, comment]``; anything unreadable is an empty cache, never an error."""
    data = read_json(path) if path is not None else None
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION or not isinstance(data.get("files"), dict):
        return {}
    return data["files"]


def write_cache(path: Path, files: dict[str, Any]) -> None:
    write_json(path, {"version": CACHE_VERSION, "files": files})


def load_comments(content: Path, report: Report, cache: Path | None = None) -> list[Comment]:
    """Every readable comment under ``content/comments/``, in path order.

    Files at the wrong depth are the layout check's to report. With ``cache``, a file
    whose size and time are unchanged since it last read cleanly is not read again.
    """
    folder = content / "comments"
    if not folder.is_dir():
        return []
    known = read_cache(cache)
    kept: dict[str, Any] = {}
    found: list[Comment] = []
    for path in sorted(folder.glob("*/*.md")):
        relative = path.relative_to(content).as_posix()
        stamp = _stamp(path)
        entry = known.get(relative)
        comment = _cached(entry, stamp)
        if comment is not None:
            comment.path = str(path)  # where the content is now (the entry may name an earlier place)
            found.append(comment)
            kept[relative] = entry  # as it was read: not made again for each of 4,000 comments a build
            continue
        comment = read_comment(path, content, report)
        if comment is not None:
            found.append(comment)
            kept[relative] = [stamp, _to_json(comment)]
    if cache is not None and kept != known:
        try:
            write_cache(cache, kept)
        except OSError as exc:
            logger.warning(
                "comments: could not write the cache %s (%s); the next build reads every comment", cache, exc
            )
    return found
