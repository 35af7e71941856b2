"""A diary's ``media:`` field: one audio or video file, its captions and transcript.

```yaml
media:
  file: media/town-hall.mp3        # in content/diaries/<handle>/media/, or `url: https://...`
  duration: "12:34"                # or seconds; podcast apps show it
  transcript: media/town-hall.md   # optional: Markdown or text, shown under the player
  captions: media/town-hall.vtt    # optional: WebVTT captions for the player
```
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netroots import schema
from netroots.html import render_markdown
from netroots.report import Report
from netroots.source import Source, SourceError, read_text

OWN_FILE = re.compile(r"^(?:\./)?media/(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)$")
MEDIA_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
}
EXAMPLE = "`media: {file: media/episode-1.mp3, duration: '12:34'}`"
# The page shows the player one folder up from the diary's page: /diaries/<handle>/media/.
PAGE_PREFIX = "../media/"


def duration(value: Any) -> int:
    """Seconds, from ``754``, ``"12:34"`` or ``"1:02:03"``."""
    if isinstance(value, bool):
        raise schema.Invalid(f"{value!r} is not a duration; write minutes:seconds, e.g. '12:34'")
    if isinstance(value, int) and value > 0:
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d+", text) and int(text) > 0:
        return int(text)
    match = re.fullmatch(r"(?:(\d+):)?([0-5]?\d):([0-5]\d)", text)
    if not match:
        raise schema.Invalid(f"'{text}' is not a duration; write minutes:seconds in quotes, e.g. '12:34'")
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def media_type(value: Any) -> str:
    text = schema.text(value).strip().lower()
    if not re.fullmatch(r"(audio|video)/[a-z0-9.+-]+", text):
        raise schema.Invalid(f"'{text}' is not an audio or video type; write e.g. audio/mpeg or video/mp4")
    return text


def https_url(value: Any) -> str:
    address = schema.url(value)
    if not address.lower().startswith("https://"):
        raise schema.Invalid(f"'{address}' must start with https:// (readers' browsers refuse mixed content)")
    return address


MEDIA_FIELDS = (
    schema.Field("file", schema.text),
    schema.Field("url", https_url),
    schema.Field("type", media_type),
    schema.Field("length", schema.integer(0)),
    schema.Field("duration", duration),
    schema.Field("transcript", schema.text),
    schema.Field("captions", schema.text),
    schema.Field("explicit", schema.boolean, default=False),
)


@dataclass
class Media:
    """What the page, the feeds and the podcast feed need to know about a diary's media."""

    kind: str  # "audio" or "video"
    src: str  # for the page: ../media/<file> or the https URL
    mime: str
    length: int
    seconds: int | None
    explicit: bool
    captions: str = ""  # page address of the WebVTT file
    transcript_html: str = ""
    files: list[Path] = field(default_factory=list)  # to copy into /diaries/<handle>/media/

    @property
    def duration(self) -> str:
        """``12:34`` or ``1:02:03``, as podcast apps write it."""
        if not self.seconds:
            return ""
        hours, rest = divmod(self.seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"

    def absolute(self, page_url: str) -> str:
        """The media's address seen from ``page_url`` (an absolute diary address)."""
        from urllib.parse import urljoin

        return urljoin(page_url, self.src)


def _own_file(value: str, folder: Path) -> Path | None:
    match = OWN_FILE.match(value.strip())
    if not match:
        return None
    return folder / "media" / match["name"]


def read_media(raw: Any, source: Source, options: dict[str, Any], report: Report) -> Media | None:
    """Validate ``media:``; ``None`` (with errors reported at their lines) when it cannot play."""
    path = source.path

    def error(message: str, *keys: str) -> None:
        report.error(path, source.line("media", *keys), f"media: {message}")

    try:
        data = schema.mapping(MEDIA_FIELDS, example=EXAMPLE)(raw)
    except schema.Invalid as exc:
        error(exc.message, *[str(k) for k in exc.path])
        return None
    folder = path.parent
    if bool(data["file"]) == bool(data["url"]):
        error(f"give either `file` (in your media/ folder) or `url` (https), e.g. {EXAMPLE}")
        return None
    if data["file"]:
        found = _own_media(data, folder, options, error)
    else:
        found = _remote_media(data, error)
        if found is not None and not found[2]:
            report.warning(path, source.line("media", "url"), "media: add `length:` (bytes): podcast apps need it")
    if found is None:
        return None
    src, mime, length, files = found
    if data["duration"] is None:
        report.warning(
            path, source.line("media"), "media: add `duration: 'minutes:seconds'`: podcast apps and readers show it"
        )
    media = Media(
        kind=mime.split("/")[0], src=src, mime=mime, length=length, seconds=data["duration"], explicit=data["explicit"]
    )
    media.files = files
    if data["captions"]:
        _attach_captions(media, data["captions"], folder, error)
    if data["transcript"]:
        _attach_transcript(media, data["transcript"], folder, error)
    return media


# Reports a problem with ``media:`` at the line of the given keys.
MediaError = Callable[..., None]
# (src, MIME type, length in bytes, the member's files to publish)
Found = tuple[str, str, int, list[Path]]


def _own_media(data: dict[str, Any], folder: Path, options: dict[str, Any], error: MediaError) -> Found | None:
    """A file in the member's media/ folder: it must exist, be a real file under the size limit,
    and be audio or video Netroots knows."""
    own = _own_file(data["file"], folder)
    if own is None:
        error(f"file: '{data['file']}' must be in your folder's media/, e.g. media/episode-1.mp3", "file")
        return None
    if not own.is_file() or own.is_symlink():
        error(f"file: {data['file']} not found in {folder.name}/media/", "file")
        return None
    size = own.stat().st_size
    if size > options["max_media_mb"] * 1_000_000:
        error(
            f"file: {data['file']} is {size / 1_000_000:.0f} MB, over the {options['max_media_mb']} MB limit; "
            "host long recordings elsewhere and give `url:`",
            "file",
        )
        return None
    mime = data["type"] or MEDIA_TYPES.get(own.suffix.lower())
    if not mime:
        error(f"file: {own.suffix} is not an audio or video file Netroots knows ({', '.join(MEDIA_TYPES)})", "file")
        return None
    return PAGE_PREFIX + own.name, mime, size, [own]


def _remote_media(data: dict[str, Any], error: MediaError) -> Found | None:
    """Media hosted elsewhere (``url:``): its type, given or guessed, must be audio or video."""
    src = data["url"]
    mime = data["type"] or mimetypes.guess_type(src.split("?")[0])[0] or ""
    if not mime.startswith(("audio/", "video/")):
        error("type: say what the address serves, e.g. `type: audio/mpeg`", "url")
        return None
    return src, mime, data["length"] or 0, []


def _attach_captions(media: Media, name: str, folder: Path, error: MediaError) -> None:
    """Captions must be a WebVTT file in media/; a bad one is reported and the media still plays."""
    captions = _own_file(name, folder)
    if captions is None or captions.suffix.lower() != ".vtt" or not captions.is_file():
        error(
            f"captions: '{name}' must be a WebVTT file in your media/, e.g. media/episode-1.vtt",
            "captions",
        )
    elif not captions.read_bytes().lstrip(b"\xef\xbb\xbf").startswith(b"WEBVTT"):
        error(f"captions: {name} is not WebVTT (its first line must be WEBVTT)", "captions")
    else:
        media.captions = PAGE_PREFIX + captions.name
        media.files.append(captions)


def _attach_transcript(media: Media, name: str, folder: Path, error: MediaError) -> None:
    """A transcript (.md or .txt in media/) is shown as HTML under the player; a bad one is reported."""
    transcript = _own_file(name, folder)
    if transcript is None or transcript.suffix.lower() not in (".md", ".txt") or not transcript.is_file():
        error(
            f"transcript: '{name}' must be a .md or .txt file in your media/, e.g. media/episode-1.md",
            "transcript",
        )
    else:
        try:
            media.transcript_html = render_markdown(read_text(transcript))
        except SourceError as exc:
            error(f"transcript: {name}: {exc.message}", "transcript")
