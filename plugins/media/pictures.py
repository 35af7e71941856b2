"""Members' own pictures: ``![What it shows](images/photo.jpg)`` in a diary.

The picture lives in ``content/diaries/<handle>/images/``. The build publishes only
resized, metadata-free copies (``netroots.images``) and turns the ``<img>`` into a
``<picture>`` with ``srcset``, ``sizes``, ``width``/``height`` and lazy loading.
``check`` and the build report the same problems with the diary's line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from netroots.html import Attrs, render_markdown, render_tag, rewrite_tags
from netroots.images import ImageProblem, ImageSet, inspect, make_variants, srcset
from netroots.report import Report

IMAGES = "images"
# A picture of the member's own: `images/<file>` (or `./images/<file>`), nothing deeper.
OWN_PICTURE = re.compile(r"^(?:\./)?images/(?P<name>[^/\\]+)$")
EXAMPLE = "![What the picture shows](images/photo.jpg)"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif")
# The variants sit in /diaries/<handle>/images/, one folder up from the diary's page.
PAGE_PREFIX = "../images/"


@dataclass(frozen=True)
class Picture:
    """A picture a diary uses: its file and its resized copies."""

    path: Path
    images: ImageSet


def limits(options: dict[str, Any]) -> dict[str, int]:
    return {
        "max_bytes": int(options["max_mb"] * 1_000_000),
        "max_pixels": int(options["max_megapixels"] * 1_000_000),
    }


def own_picture(src: str) -> str | None:
    """The file name when ``src`` points into the member's images/ folder."""
    match = OWN_PICTURE.match(unquote(src.strip()))
    if not match or match["name"].startswith("."):
        return None
    return match["name"]


def is_relative(src: str) -> bool:
    src = src.strip()
    return bool(src) and not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^/|^#", src)


def line_of(body: str, body_line: int, needle: str) -> int:
    """The file line where ``needle`` first stands in the body (the body's first line if nowhere)."""
    index = body.find(needle)
    return body_line + body[:index].count("\n") if index >= 0 else body_line


def picture_problem(folder: Path, name: str, options: dict[str, Any]) -> str | None:
    """Why ``images/<name>`` cannot be published, or ``None``."""
    path = folder / IMAGES / name
    if not path.is_file():
        present = sorted(p.name for p in (folder / IMAGES).glob("*") if p.is_file())
        where = f"files there: {', '.join(present[:8])}" if present else "that folder is empty or missing"
        return f"picture images/{name} not found in {folder.name}/images/ ({where})"
    if path.is_symlink():
        return f"images/{name} is a symbolic link; add the picture file itself"
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        return f"images/{name}: pictures must be {', '.join(IMAGE_SUFFIXES)} files"
    stat = path.stat()
    problem = _decode_problem(str(path), stat.st_mtime_ns, stat.st_size, **limits(options))
    return f"images/{name}: {problem}" if problem else None


@lru_cache(maxsize=4096)
def _decode_problem(path: str, _mtime: int, _size: int, max_bytes: int, max_pixels: int) -> str | None:
    """Decoding a picture once per version of the file is enough (``serve`` rebuilds often)."""
    try:
        inspect(Path(path), max_bytes=max_bytes, max_pixels=max_pixels)
    except ImageProblem as problem:
        return str(problem)
    return None


def check_body(
    path: Path, body: str, body_line: int, html: str, options: dict[str, Any], report: Report
) -> list[tuple[str, str]]:
    """Report every picture problem in one diary; return ``(src, name)`` of its good own pictures."""
    good: list[tuple[str, str]] = []
    folder = path.parent

    def visit(tag: str, attrs: Attrs) -> None:
        values = dict(attrs)
        src = values.get("src") or ""
        if not is_relative(src):
            return None
        line = line_of(body, body_line, src)
        name = own_picture(src)
        if name is None:
            report.error(
                path,
                line,
                f"picture '{src}': keep your pictures in your folder's images/ and link them as {EXAMPLE}",
            )
            return None
        problem = picture_problem(folder, name, options)
        if problem:
            report.error(path, line, problem)
            return None
        if not (values.get("alt") or "").strip():
            report.error(
                path,
                line,
                f"picture images/{name} has no alt text: describe it for readers who cannot see it, e.g. {EXAMPLE}",
            )
        good.append((src, name))
        return None

    rewrite_tags(html, ("img",), visit)
    return good


def check_folder(folder: Path, options: dict[str, Any], report: Report) -> None:
    """Every file in a member's images/ must really be a picture within the limits."""
    for path in sorted((folder / IMAGES).glob("*")):
        if path.is_file() and not path.name.startswith("."):
            problem = picture_problem(folder, path.name, options)
            if problem:
                report.error(path, 1, problem)


def check_diary(path: Path, body: str, body_line: int, options: dict[str, Any], report: Report) -> None:
    if "<img" in body or "](" in body or "]:" in body:
        check_body(path, body, body_line, render_markdown(body), options, report)


def picture_html(attrs: Attrs, images: ImageSet, sizes: str) -> str:
    """``<picture>`` with one ``<source>`` per modern format and the fallback ``<img>``."""
    values = dict(attrs)
    parts = ["<picture>"]
    for mime, variants in images.sources.items():
        parts.append(
            render_tag("source", [("type", mime), ("srcset", srcset(variants, PAGE_PREFIX)), ("sizes", sizes)])
        )
    middle = min(images.fallback, key=lambda v: abs(v.width - 960))
    img: Attrs = [
        ("src", PAGE_PREFIX + middle.name),
        ("srcset", srcset(images.fallback, PAGE_PREFIX)),
        ("sizes", sizes),
        ("width", str(images.width)),
        ("height", str(images.height)),
        ("alt", values.get("alt") or ""),
    ]
    if values.get("title"):
        img.append(("title", values["title"]))
    img += [("loading", "lazy"), ("decoding", "async")]
    parts.append(render_tag("img", img))
    parts.append("</picture>")
    return "".join(parts)


def rewrite(html: str, folder: Path, cache: Path, options: dict[str, Any], used: Callable[[Picture], None]) -> str:
    """The diary's HTML with its own pictures as ``<picture>``s; broken ones are left out.

    Problems were reported by ``check_body``; here a picture that cannot be published
    disappears rather than shipping the original file.
    """

    def change(tag: str, attrs: Attrs) -> str | None:
        src = dict(attrs).get("src") or ""
        if not is_relative(src):
            return None
        name = own_picture(src)
        if name is None or picture_problem(folder, name, options):
            return ""
        path = folder / IMAGES / name
        images = make_variants(
            path,
            cache,
            name=Path(name).stem,
            widths=options["widths"],
            formats=options["formats"],
            quality=options["quality"],
        )
        used(Picture(path, images))
        return picture_html(attrs, images, options["sizes"])

    return rewrite_tags(html, ("img",), change)
