"""The build's side of media: rewrite diaries' pictures as they are read, then publish the copies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pelican.generators import Generator

from netroots.images import copy_variants
from netroots.report import Report
from netroots.site import cache_dir
from netroots.source import SourceError, read_markdown

from .pictures import Picture, check_body, rewrite
from .spec import media_settings

# Pictures the diaries read in this build use, by member folder (reset when a build starts).
_used: dict[Path, list[Picture]] = {}


def forget(*_: Any) -> None:
    _used.clear()


def diary_read(instance: Any) -> None:
    """``content_object_init``: a diary's own pictures become resized ``<picture>``s."""
    if getattr(instance, "kind", None) != "diary" or "<img" not in (instance._content or ""):
        return
    settings = instance.settings
    options = media_settings(settings)
    path = Path(instance.source_path).resolve()
    content = Path(settings["PATH"]).resolve()
    report = Report(root=content.parent)
    try:
        source = read_markdown(path)
        check_body(path, source.body, source.body_line, instance._content, options, report)
    except SourceError:
        pass  # the diaries plugin reported it
    report.log()
    folder = path.parent
    instance._content = rewrite(
        instance._content,
        folder,
        cache_dir(settings, "media"),
        options,
        lambda picture: _used.setdefault(folder, []).append(picture),
    )


class MediaGenerator(Generator):
    """Writes the resized copies of members' pictures next to their diaries."""

    def generate_context(self) -> None:
        pass

    def generate_output(self, writer: Any) -> None:
        content = Path(self.settings["PATH"]).resolve()
        output = Path(self.output_path)
        cache = cache_dir(self.settings, "media")
        for folder, pictures in _used.items():
            target = output / folder.relative_to(content) / "images"
            for picture in pictures:
                copy_variants(picture.images, cache, target)
