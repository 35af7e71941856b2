"""The ``MEDIA = {...}`` setting: members' pictures, audio and video; documented defaults."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netroots.settings import plugin_settings

DEFAULTS: dict[str, Any] = {
    # Widths (px) of the resized copies of each picture; never wider than the original.
    "widths": [480, 960, 1600],
    # Modern formats written besides the JPEG (PNG for transparent pictures) fallback.
    # Browsers pick the first they support; AVIF is smaller, WebP is read everywhere.
    "formats": ["avif", "webp"],
    # Encoder quality, 1-100 (AVIF is given 20 less: its scale runs higher).
    "quality": 80,
    # `check` refuses pictures bigger than this (MB on disk) or larger in pixels (megapixels).
    "max_mb": 10,
    "max_megapixels": 40,
    # How wide a picture shows at each screen width (the reading column is 44rem).
    "sizes": "(min-width: 48rem) 44rem, calc(100vw - 2.5rem)",
    # Audio and video files in a member's media/ folder are refused above this size (MB).
    "max_media_mb": 40,
}


def media_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    return plugin_settings(settings, "MEDIA", DEFAULTS)
