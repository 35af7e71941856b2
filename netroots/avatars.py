"""Members' avatars (and groups' pictures): the picture a member adds in their own folder,
resized at build time, or else their initials on a colour chosen from the handle.

A member adds ``avatar.jpg`` (or .jpeg, .png, .webp) to their own pictures folder,
``content/diaries/<handle>/images/``, which they own; the build publishes only small, metadata-free copies
(``netroots.images``). Without one, the theme shows initials on one of ``TONES``:
every tone carries white text at WCAG AA contrast (4.5:1 or more), in light and dark.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from netroots.images import ImageProblem, ImageSet, copy_variants, inspect, make_variants, srcset

logger = logging.getLogger("netroots")

# Background colours for initials (white text); the theme's CSS has one .tone-N class for each.
TONES = ("#8c2f39", "#7a4a00", "#2f6b2f", "#1f5f7a", "#3a4f9a", "#6a3d8f", "#8a3370", "#4d5562")
TONE_NAMES = ("red", "amber", "green", "teal", "blue", "violet", "plum", "slate")  # for groups' `colour:`
PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
AVATAR_WIDTHS = (96, 192)  # shown at 48 px; 2x for sharp screens
MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class Avatar:
    """What the theme needs to draw a member: initials and a tone, or a resized picture."""

    handle: str
    initials: str
    tone: int
    picture: ImageSet | None = None

    def src(self, prefix: str) -> str:
        return picture_src(self.picture, prefix)

    def srcset(self, prefix: str) -> str:
        return picture_srcset(self.picture, prefix)


def picture_src(picture: ImageSet | None, prefix: str) -> str:
    """The smallest copy's address (``prefix`` is the folder the copies are published in)."""
    return f"{prefix}{picture.fallback[0].name}" if picture else ""


def picture_srcset(picture: ImageSet | None, prefix: str) -> str:
    return srcset(picture.fallback, prefix) if picture else ""


def small_picture(source: Path, cache: Path, name: str) -> ImageSet:
    """Face-sized, metadata-free copies (96 and 192 px) of a member's or group's picture;
    raises ``ImageProblem`` (a writer-facing reason) for anything that is not one."""
    inspect(source, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS)
    return make_variants(source, cache, name=name, widths=AVATAR_WIDTHS, formats=())


def initials(name: str, handle: str = "") -> str:
    """Up to two letters: first and last word of the name (``Maria López`` -> ``ML``)."""
    words = [w for w in (name or handle or "?").replace("-", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def tone(handle: str) -> int:
    """The same handle always gets the same tone; different handles spread over all of them."""
    return int(hashlib.sha256(handle.encode("utf-8")).hexdigest(), 16) % len(TONES)


def relative_luminance(colour: str) -> float:
    """WCAG 2.2 relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio between two ``#rrggbb`` colours (1 to 21)."""
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def picture_of(content: Path, handle: str) -> Path | None:
    """The member's ``images/avatar.*``, if there is one (never through a link)."""
    for suffix in PICTURE_SUFFIXES:
        path = content / "diaries" / handle / "images" / f"avatar{suffix}"
        if path.is_file() and not path.is_symlink():
            return path
    return None


def make_avatar(handle: str, name: str, content: Path, cache: Path) -> Avatar:
    """An ``Avatar`` for one member; a picture that cannot be read falls back to initials."""
    picture = None
    source = picture_of(content, handle)
    if source is not None:
        try:
            picture = small_picture(source, cache, f"{handle}-avatar")
        except (ImageProblem, OSError, ValueError) as problem:
            logger.warning("%s: warning: the avatar is not used: %s", source, problem)
    return Avatar(handle=handle, initials=initials(name, handle), tone=tone(handle), picture=picture)


def publish_avatar(avatar: Avatar, cache: Path, folder: Path) -> None:
    """Copy a member's resized picture into their page's folder in ``output/``."""
    publish_picture(avatar.picture, cache, folder)


def publish_picture(picture: ImageSet | None, cache: Path, folder: Path) -> None:
    """Copy a resized picture (a member's or a group's) into its page's folder in ``output/``."""
    if picture is not None:
        copy_variants(picture, cache, folder)
