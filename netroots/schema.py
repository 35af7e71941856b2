"""Field declarations and validation shared by every content type.

A content type is a tuple of ``Field``s. ``validate`` turns raw YAML data into
clean values and reports each bad field with its line and an example of a valid
value, so ``check``, ``build`` and ``new`` all speak with one voice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import identity
from .html import remove_xml_invalid
from .report import Report
from .source import Source, SourceError, read_markdown, read_yaml_any

HANDLE = identity.HANDLE
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\Z")
# Legal in some corners of the URL and e-mail standards, never in an address a member should
# publish: they would break out of an href or add parameters (cc, body) to a mailto: link.
URL_UNSAFE = re.compile(r"[\s\"'<>\\`\x00-\x1f\x7f]")
MAILTO_UNSAFE = re.compile(r"[?&=%#/\s\"'<>]")
# A comment's id, ``<handle>/<file stem>``: the stem starts with the comment's date and time
# (``2026-11-20-1930-good-point``), so it never looks like a diary id (``<handle>/<slug>``).
COMMENT_ID = re.compile(
    r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?/\d{4}-\d{2}-\d{2}-\d{4}-[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\Z"
)


def is_comment_id(value: object) -> bool:
    """True for ``<handle>/<YYYY-MM-DD-HHMM>-<words>``, the id of a comment (also in ``recommends:``)."""
    return isinstance(value, str) and bool(COMMENT_ID.match(value))


class Invalid(ValueError):
    """A value that does not fit its field; ``path`` leads into nested values."""

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


Converter = Callable[[Any], Any]


@dataclass(frozen=True)
class Field:
    """One field of a content type."""

    name: str
    convert: Converter
    required: bool = False
    default: Any = None
    help: str = ""


def _describe(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "...'"


@dataclass(frozen=True)
class ContentType:
    """A kind of content file, as the web editor (/admin/) offers it: a plugin module's
    ``content_types(settings)`` returns these, so the editor's forms follow the formats."""

    name: str  # e.g. "jobs"
    label: str  # e.g. "Jobs"
    folder: str  # under content/, e.g. "jobs"
    fields: Sequence[Field]
    extension: str = "md"  # "md": YAML front matter and a Markdown body; "yaml": fields only
    writers: str = "maintainers"  # "members" for what members write in their own folders
    body: str = "Body"  # the label of the Markdown body ("" for none)
    singular: str = ""  # e.g. "Job" (the editor's "New Job" button)


def text(value: Any) -> str:
    """Plain text: strings, numbers; never lists or mappings."""
    if isinstance(value, (dict, list)):
        raise Invalid(f"must be plain text, not a {'list' if isinstance(value, list) else 'mapping'}")
    if isinstance(value, bool):
        raise Invalid("must be text; quote it if you mean the word")
    # Control characters would break feeds; a lone CR is a line break to some programs and
    # not to others (an .ics field could end early), so every line ends with a plain \n.
    result = remove_xml_invalid(str(value).replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not result:
        raise Invalid("must not be empty")
    return result


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise Invalid(f"{_describe(value)} is not true or false; write `true` or `false`")


def integer(minimum: int | None = None) -> Converter:
    def convert(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"{_describe(value)} is not a whole number; write e.g. `25`")
        if minimum is not None and value < minimum:
            raise Invalid(f"must be at least {minimum}, not {value}")
        return value

    return convert


def choice(*options: str) -> Converter:
    def convert(value: Any) -> str:
        word = str(value).strip().lower() if isinstance(value, (str, int)) else None
        if word not in options:
            raise Invalid(f"{_describe(value)} is not one of: {', '.join(options)}")
        return word

    convert.options = options  # type: ignore[attr-defined]  # for the web editor's select widget
    return convert


def date(value: Any) -> dt.date:
    """A calendar date: YAML dates, or text in ISO form."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10]) if len(value.strip()) >= 10 else _bad_date(value)
        except ValueError:
            pass
    return _bad_date(value)


def _bad_date(value: Any) -> Any:
    if isinstance(value, str) and value.strip() == "YYYY-MM-DD":  # a link's placeholder, followed without JavaScript
        raise Invalid("still says YYYY-MM-DD; write the date in its place, e.g. 2026-04-18")
    raise Invalid(f"{_describe(value)} is not a date; write it as YYYY-MM-DD, e.g. 2026-04-18")


def datetime(value: Any) -> dt.datetime:
    """A date and time (naive: the site's or the item's time zone applies)."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        cleaned = value.strip().replace("T", " ")
        for form in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
            try:
                return dt.datetime.strptime(cleaned, form)
            except ValueError:
                continue
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise Invalid(f"{_describe(value)} is not a date and time; write YYYY-MM-DD HH:MM, e.g. 2026-04-18 19:30")


def date_time_on_calendar(value: str) -> dt.datetime:
    """``YYYY-MM-DD`` text (a file name's date) as a datetime; 2026-02-30 is ``Invalid``."""
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise Invalid(f"'{value}' is not a date on the calendar; write a real date, e.g. 2026-02-28") from None


def list_of(convert: Converter, *, allow_single: bool = False) -> Converter:
    def convert_list(value: Any) -> list[Any]:
        if allow_single and not isinstance(value, (list, dict)):
            value = [value]
        if not isinstance(value, list):
            raise Invalid("must be a list, e.g. `[first, second]` or one `- item` per line")
        result = []
        for index, item in enumerate(value):
            try:
                result.append(convert(item))
            except Invalid as exc:
                raise Invalid(f"item {index + 1}: {exc.message}", (index, *exc.path)) from None
        return result

    convert_list.item = convert  # type: ignore[attr-defined]  # for the web editor's list widget
    return convert_list


def string_list(value: Any) -> list[str]:
    """A list of plain strings, as tags and groups are."""
    if isinstance(value, str):
        raise Invalid(f"must be a list, e.g. `[{value}]`, not a single string")
    return list_of(text)(value)


def handle(value: Any) -> str:
    if not identity.is_handle(value):
        raise Invalid(
            f"{_describe(value)} is not a member handle: lowercase ASCII letters and digits, "
            "words joined by single hyphens, e.g. maria-lopez"
        )
    return value


def github_login(value: Any) -> str:
    """A GitHub login as GitHub allows them (a leading ``@`` is dropped): it becomes a
    CODEOWNERS entry and decides who may change a member's files, so nothing else may pass."""
    login = value.strip().removeprefix("@") if isinstance(value, str) else value
    if not identity.is_github_login(login):
        raise Invalid(
            f"{_describe(value)} is not a GitHub login: letters, digits and single hyphens "
            "(not first or last), at most 39, e.g. `github: mlopez-oak`"
        )
    return login


def slug(value: Any) -> str:
    if not isinstance(value, str) or not SLUG.match(value):
        raise Invalid(f"{_describe(value)} is not a slug: lowercase letters, digits and hyphens, e.g. local-news")
    return value


def url(value: Any) -> str:
    """An absolute http(s) URL; anything else could run script or leak."""
    if not isinstance(value, str):
        raise Invalid(f"{_describe(value)} is not a web address; write e.g. https://example.org/page")
    if URL_UNSAFE.search(value.strip()):
        raise Invalid(
            f"{_describe(value)} has spaces, quotes or control characters; write e.g. https://example.org/page"
        )
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise Invalid(f"{_describe(value)} is not an http(s) address; write e.g. https://example.org/page")
    if "@" in parts.netloc:
        raise Invalid(
            "has a user name or password in it (user:password@host); it would be published for everyone "
            "to read: remove it, e.g. https://example.org/feed.xml"
        )
    return value.strip()


def email(value: Any) -> str:
    from email_validator import EmailNotValidError, validate_email

    if not isinstance(value, str):
        raise Invalid(f"{_describe(value)} is not an email address; write e.g. press@example.org")
    try:
        address = validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise Invalid(f"{_describe(value)} is not an email address ({exc}); write e.g. press@example.org") from None
    if MAILTO_UNSAFE.search(address):
        raise Invalid(
            f"{_describe(value)} has a character that would change a mailto: link (? & = % # /); write e.g. press@example.org"
        )
    return address


def mapping(fields: Sequence[Field], *, example: str = "") -> Converter:
    def convert(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            hint = f", e.g. {example}" if example else ""
            raise Invalid(f"must be a mapping of `field: value` lines{hint}")
        result: dict[str, Any] = {}
        for spec in fields:
            if spec.name not in value or value[spec.name] is None:
                if spec.required:
                    raise Invalid(f"needs `{spec.name}`", ())
                result[spec.name] = spec.default
                continue
            try:
                result[spec.name] = spec.convert(value[spec.name])
            except Invalid as exc:
                raise Invalid(f"{spec.name}: {exc.message}", (spec.name, *exc.path)) from None
        return result

    convert.fields = tuple(fields)  # type: ignore[attr-defined]  # for the web editor's object widget
    return convert


def validate(
    source: Source,
    fields: Sequence[Field],
    report: Report,
    *,
    kind: str,
    warn_unknown: bool = True,
) -> tuple[dict[str, Any], bool]:
    """Return ``(clean data, ok)``; every problem goes to ``report`` with its line."""
    clean: dict[str, Any] = {}
    ok = True
    known = {spec.name for spec in fields}
    for spec in fields:
        raw = source.data.get(spec.name)
        if isinstance(raw, str) and not raw.strip() and not spec.required:
            raw = None  # `summary: ""` in a template means "not yet"
        if raw is None:
            if spec.required:
                hint = f" ({spec.help})" if spec.help else ""
                report.error(source.path, 1, f"missing `{spec.name}`: every {kind} needs one{hint}")
                ok = False
            clean[spec.name] = spec.default() if callable(spec.default) else spec.default
            continue
        try:
            clean[spec.name] = spec.convert(raw)
        except Invalid as exc:
            line = source.line(spec.name, *exc.path)
            report.error(source.path, line, f"{spec.name}: {exc.message}")
            ok = False
            clean[spec.name] = spec.default() if callable(spec.default) else spec.default
    if warn_unknown:
        for key in source.data:
            if str(key) not in known:
                report.warning(
                    source.path,
                    source.line(str(key)),
                    f"unknown field `{key}` in a {kind} (known fields: {', '.join(sorted(known))})",
                )
    return clean, ok


def file_slug(path: Path, report: Report, reserved: Collection[str] = (), address: str = "") -> str | None:
    """The slug a content file's name gives it, or ``None`` (reported) when it is not one.

    ``reserved`` names slugs taken by other pages; ``address`` says by what
    (``"a filter page (/jobs/{slug}/)"``).
    """
    slug_text = path.stem
    try:
        slug(slug_text)
    except Invalid as exc:
        report.error(path, 1, f"file name: {exc.message}")
        return None
    if slug_text in reserved:
        taken = f"taken by {address.format(slug=slug_text)}" if address else "reserved"
        report.error(path, 1, f"file name: '{slug_text}' is {taken}; rename the file")
        return None
    return slug_text


def read_validated(
    path: Path,
    fields: Sequence[Field],
    report: Report,
    *,
    kind: str,
    read: Callable[[Path], Source] = read_markdown,
) -> tuple[Source, dict[str, Any], bool] | None:
    """Read a content file and validate its fields; ``None`` when it cannot be read at all.

    Returns ``(source, clean data, ok)``; every problem is in ``report`` with its line.
    """
    try:
        source = read(path)
    except SourceError as exc:
        report.error(path, exc.line, exc.message)
        return None
    clean, ok = validate(source, fields, report, kind=kind)
    return source, clean, ok


def read_yaml_list(path: Path, report: Report, *, example: str) -> tuple[list[Any], dict[str, int]]:
    """A YAML file whose top level is a list (``allies.yaml``, ``rescue.yaml``); ``[]`` when absent or bad."""
    if not path.is_file():
        return [], {}
    try:
        data, lines = read_yaml_any(path)
    except SourceError as exc:
        report.error(path, exc.line, exc.message)
        return [], {}
    if data is None:
        return [], {}
    if not isinstance(data, list):
        report.error(path, 1, f"{path.name} must be a list, one `- ...` item each, e.g. {example}")
        return [], {}
    return data, lines


@dataclass(frozen=True)
class ListItem:
    """One valid item of a YAML list file, with the lines its fields came from."""

    clean: dict[str, Any]
    index: int
    line: int
    lines: Mapping[str, int]

    def line_of(self, *keys: object) -> int:
        """The line of one of this item's fields (``line_of("diaries", 2)``), else the item's."""
        return self.lines.get(".".join(str(key) for key in (self.index, *keys)), self.line)


def checked_list_items(
    path: Path, report: Report, fields: Sequence[Field], *, example: str, label: str
) -> Iterator[ListItem]:
    """Each valid item of a YAML list file; an invalid one is reported at the line of the
    field at fault (``label 2: ...``) and skipped."""
    data, lines = read_yaml_list(path, report, example=example)
    for index, item in enumerate(data):
        line = lines.get(str(index), 1)
        try:
            clean = mapping(fields, example=example)(item)
        except Invalid as exc:
            report.error(
                path, ListItem({}, index, line, lines).line_of(*exc.path), f"{label} {index + 1}: {exc.message}"
            )
            continue
        yield ListItem(clean, index, line, lines)
