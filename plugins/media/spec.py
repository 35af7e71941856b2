"""The media plugin's contract: the ``MEDIA = {...}`` settings and members' own pictures and media."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netroots.plugin import Content, PluginSpec
from netroots.settings import FLAG, STRINGS, TEXT, Kind, Setting, number, whole, whole_list

FORMATS = ("avif", "webp")


def _formats(value: Any) -> list[str]:
    formats = STRINGS.accept(value)
    if not all(f in FORMATS for f in formats):
        raise ValueError
    return formats


SPEC = PluginSpec(
    name="media",
    doc="Members' own pictures (resized, metadata stripped), audio and video, podcast feeds.",
    settings_name="MEDIA",
    settings=(
        Setting(
            "widths",
            [480, 960, 1600],
            whole_list(1, example=[480, 960, 1600]),
            "Widths (px) of the resized copies of each picture; never wider than the original.",
        ),
        Setting(
            "formats",
            ["webp"],
            Kind("a list of 'avif' and/or 'webp'", _formats),
            "Modern formats besides the JPEG (PNG if transparent) fallback; 'avif' triples a first build's cost.",
        ),
        Setting("quality", 80, whole(minimum=1, maximum=100), "Encoder quality (AVIF is given 20 less)."),
        Setting("max_mb", 10, number(above=0), "`check` refuses pictures bigger than this on disk (MB)."),
        Setting("max_megapixels", 40, number(above=0), "`check` refuses pictures larger than this in pixels."),
        Setting(
            "sizes",
            "(min-width: 48rem) 44rem, calc(100vw - 2.5rem)",
            TEXT,
            "How wide a picture shows at each screen width (the reading column is 44rem).",
        ),
        Setting("max_media_mb", 40, number(above=0), "Audio and video files are refused above this size (MB)."),
        Setting("podcast_title", "", TEXT, "The podcast feeds' title (SITENAME + ' podcast' when empty)."),
        Setting("podcast_description", "", TEXT, "The network podcast's description (SITESUBTITLE when empty)."),
        Setting("podcast_author", "", TEXT, "The podcast's author and owner name (SITENAME when empty)."),
        Setting(
            "podcast_email",
            "",
            TEXT,
            "The owner's address podcast directories verify (Apple, Spotify); public in the feed.",
        ),
        Setting("podcast_category", "News", TEXT, "An Apple Podcasts category."),
        Setting("podcast_subcategory", "Politics", TEXT, "An Apple Podcasts subcategory of it ('' for none)."),
        Setting(
            "podcast_image",
            "theme/images/podcast.png",
            TEXT,
            "A square JPEG/PNG cover, 1400-3000 px: a site path or an https address.",
        ),
        Setting("podcast_explicit", False, FLAG, "Mark the whole podcast explicit (a diary's `explicit:` marks one)."),
    ),
    content=(
        Content("diaries/*/images/*", "a member's pictures, for their diaries"),
        Content("diaries/*/media/*", "a member's audio and video"),
    ),
    provides=("podcast_feeds",),
    uses=("diaries",),
    docs="docs/writers.md",
)


def media_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``MEDIA`` over the defaults; a bad value is logged and replaced by its default."""
    return SPEC.options(settings)
