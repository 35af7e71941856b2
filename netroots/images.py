"""Resized, metadata-free copies of people's pictures, cached by content hash.

Members' photos (and avatars) come straight off phones: EXIF with GPS, a camera
serial number, 4000 px wide. ``make_variants`` decodes the picture with Pillow,
applies its orientation, and re-encodes only the pixels at a few widths, in modern
formats plus a JPEG/PNG fallback, so nothing but pixels reaches readers. Results
live in a cache keyed by the file's bytes and the settings, so a warm build only
copies files. Any plugin may use it (``plugins/media`` for diaries' pictures).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageCms, ImageOps, features

from .site import copy_output

MIME = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg", "png": "image/png"}
SUFFIX = {"avif": ".avif", "webp": ".webp", "jpeg": ".jpg", "png": ".png"}
# Bumped when the encoding below changes, so cached variants are made again.
CACHE_VERSION = 1
_SAFE_NAME = re.compile(r"[^a-z0-9]+")
# A finished file of the cache: a picture version's manifest or one of its copies.
_CACHED = re.compile(r"^(?P<key>[0-9a-f]{16})(?:\.json|-\d+\.[a-z]+)$")


class ImageProblem(Exception):
    """The file is not a picture Netroots can publish; the message says why and what to do."""


@dataclass(frozen=True)
class Variant:
    """One encoded file: its name (no folder), pixel size and MIME type."""

    name: str
    width: int
    height: int
    mime: str
    cached: str = ""  # the file's name in the cache folder


@dataclass(frozen=True)
class ImageSet:
    """Every variant of one picture; ``width``/``height`` are the largest variant's."""

    width: int
    height: int
    sources: dict[str, list[Variant]] = field(default_factory=dict)  # mime -> variants, modern formats
    fallback: list[Variant] = field(default_factory=list)  # JPEG or PNG, smallest first

    @property
    def files(self) -> list[Variant]:
        return [v for variants in self.sources.values() for v in variants] + list(self.fallback)


def inspect(path: Path, *, max_bytes: int, max_pixels: int) -> tuple[int, int]:
    """``(width, height)`` of a real picture; raises ImageProblem for anything else.

    Decoding (not the file's extension) decides: a renamed PDF or a truncated upload fails here.
    """
    try:
        size = path.stat().st_size
    except OSError:
        raise ImageProblem("the file does not exist") from None
    if size > max_bytes:
        raise ImageProblem(
            f"the file is {size / 1_000_000:.1f} MB, over the {max_bytes / 1_000_000:.0f} MB limit; "
            "export it smaller (2000 px wide is plenty)"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise ImageProblem(
                        f"the picture is {width}x{height} pixels, over the {max_pixels / 1_000_000:.0f} megapixel "
                        "limit; export it smaller"
                    )
                image.verify()
    except ImageProblem:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageProblem("the picture is too large to decode safely; export it smaller") from None
    except Exception:
        raise ImageProblem(
            "this is not a picture Netroots can read (decoding it failed); use a JPEG, PNG, WebP or GIF file"
        ) from None
    return width, height


def content_key(path: Path, *parts: object) -> str:
    """A hash of the file's bytes and the settings that shape its variants."""
    digest = hashlib.sha256(path.read_bytes())
    digest.update(json.dumps([CACHE_VERSION, *parts], default=str).encode())
    return digest.hexdigest()[:16]


def _pixels_only(image: Image.Image) -> Image.Image:
    """The upright picture in sRGB with no EXIF, XMP, ICC or comments: pixels only."""
    image = ImageOps.exif_transpose(image)
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "RGBA"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            image = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode)
        except (ImageCms.PyCMSError, OSError):
            pass
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if has_alpha else "RGB")
    return Image.frombytes(image.mode, image.size, image.tobytes())  # a new image carries no info


def _encode(image: Image.Image, kind: str, target: Path, quality: int) -> None:
    options: dict[str, object] = {}
    if kind == "jpeg":
        options = {"quality": quality, "optimize": True, "progressive": True}
    elif kind == "webp":
        options = {"quality": quality, "method": 4}
    elif kind == "avif":
        options = {"quality": quality - 20 if quality > 40 else quality, "speed": 8}
    elif kind == "png":
        options = {"optimize": True}
    partial = target.with_name(target.name + f".{os.getpid()}.part")
    image.save(partial, format=kind.upper(), **options)
    os.replace(partial, target)  # atomic: a build that dies never leaves half a file in the cache


def available_formats(wanted: Sequence[str]) -> list[str]:
    """The modern formats asked for that this Pillow can write (AVIF needs libavif)."""
    return [kind for kind in wanted if kind in ("avif", "webp") and features.check(kind)]


def make_variants(
    source: Path,
    cache: Path,
    *,
    name: str,
    widths: Sequence[int],
    formats: Sequence[str] = ("webp",),
    quality: int = 80,
) -> ImageSet:
    """Encode ``source`` at ``widths`` (never wider than it is) into ``cache``; reuse what is there.

    Variant names are ``<name>-<width>.<key>.<ext>``: the key changes with the picture, so
    browsers and CDNs may cache them forever.
    """
    stem = _SAFE_NAME.sub("-", name.lower()).strip("-") or "image"
    modern = available_formats(formats)
    key = content_key(source, sorted(widths), modern, quality)
    manifest = cache / f"{key}.json"
    if manifest.is_file():
        try:
            return _load_set(manifest, stem, key, cache)
        except (OSError, ValueError, KeyError, TypeError):
            pass  # a damaged manifest: make the variants again
    cache.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as opened:
        opened.seek(0)
        clean = _pixels_only(opened)
    fallback_kind = "png" if clean.mode == "RGBA" else "jpeg"
    steps = sorted({min(w, clean.width) for w in widths if w > 0} or {clean.width})
    records = []
    for width in steps:
        height = max(1, round(clean.height * width / clean.width))
        resized = clean if width == clean.width else clean.resize((width, height), Image.Resampling.LANCZOS)
        for kind in [*modern, fallback_kind]:
            cached = cache / f"{key}-{width}{SUFFIX[kind]}"
            if not cached.is_file():
                _encode(resized, kind, cached, quality)
            records.append({"width": width, "height": height, "kind": kind})
    partial = manifest.with_name(manifest.name + f".{os.getpid()}.part")
    partial.write_text(json.dumps({"modern": modern, "fallback": fallback_kind, "variants": records}))
    os.replace(partial, manifest)
    return _load_set(manifest, stem, key, cache)


def _load_set(manifest: Path, stem: str, key: str, cache: Path) -> ImageSet:
    data = json.loads(manifest.read_text())
    sources: dict[str, list[Variant]] = {MIME[kind]: [] for kind in data["modern"]}
    fallback: list[Variant] = []
    for record in data["variants"]:
        kind = record["kind"]
        cached = f"{key}-{record['width']}{SUFFIX[kind]}"
        if not (cache / cached).is_file():
            raise OSError("a cached variant is missing")
        name = f"{stem}-{record['width']}.{key[:10]}{SUFFIX[kind]}"
        variant = Variant(name, record["width"], record["height"], MIME[kind], cached)
        (fallback if kind == data["fallback"] else sources[MIME[kind]]).append(variant)
    largest = fallback[-1]
    return ImageSet(width=largest.width, height=largest.height, sources=sources, fallback=fallback)


def copy_variants(image_set: ImageSet, cache: Path, folder: Path) -> None:
    """Put every variant of ``image_set`` into ``folder`` (inside the output folder, which
    :func:`netroots.site.copy_output` checks): copies, not links, so nothing done to output/
    can reach the cache; recorded as this build's files."""
    for variant in image_set.files:
        copy_output(folder, variant.name, cache / variant.cached)


def keep_only(cache: Path, used: Iterable[ImageSet]) -> int:
    """Delete from ``cache`` the copies of every picture version not in ``used`` (what a build
    uses); returns how many files went. A picture edited or no longer used by any content
    left its copies for ever in a kept ``.cache/``. One listing of the folder: what a build
    uses it made or found just before, so only what no content uses goes (a half-written
    ``.part`` of another process is left alone)."""
    keys = {variant.cached.partition("-")[0] for image_set in used for variant in image_set.files}
    dropped = 0
    try:
        entries = list(os.scandir(cache))
    except OSError:
        return 0
    for entry in entries:
        match = _CACHED.match(entry.name)
        if match and match["key"] not in keys:
            Path(entry.path).unlink(missing_ok=True)
            dropped += 1
    return dropped


def srcset(variants: Sequence[Variant], prefix: str) -> str:
    """``a-480.webp 480w, a-960.webp 960w`` with ``prefix`` before each name."""
    return ", ".join(f"{prefix}{v.name} {v.width}w" for v in variants)
