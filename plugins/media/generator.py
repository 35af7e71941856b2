"""The build's side of media: rewrite diaries' pictures and read their ``media:`` as each
diary is read, then publish the copies, the enclosures and the podcast feeds."""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from feedgenerator import Enclosure
from pelican.generators import Generator

from netroots.feeds import absolute
from netroots.images import copy_variants
from netroots.report import Report
from netroots.site import cache_dir
from netroots.source import SourceError, read_markdown

from .model import Media, read_media
from .pictures import Picture, check_body, rewrite
from .podcast import write_podcast
from .spec import media_settings

# What this build's diaries use, by member folder (reset when a build starts).
_used: dict[Path, list[Picture]] = {}
_files: dict[Path, set[Path]] = {}
# Diary address (``diaries/<handle>/<slug>/``) -> its media, for the feeds' enclosures.
_by_url: dict[str, Media] = {}


def forget(*_: Any) -> None:
    _used.clear()
    _files.clear()
    _by_url.clear()


def diary_read(instance: Any) -> None:
    """``content_object_init``: own pictures become ``<picture>``s; ``media:`` is read."""
    if getattr(instance, "kind", None) != "diary":
        return
    has_pictures = "<img" in (instance._content or "")
    raw_media = getattr(instance, "media", None)
    instance.media_info = None
    if not has_pictures and raw_media is None:
        return
    settings = instance.settings
    options = media_settings(settings)
    path = Path(instance.source_path).resolve()
    content = Path(settings["PATH"]).resolve()
    report = Report(root=content.parent)
    try:
        source = read_markdown(path)
    except SourceError:
        return  # the diaries plugin reported it
    folder = path.parent
    if raw_media is not None:
        media = read_media(raw_media, source, options, report)
        if media is not None:
            instance.media_info = media
            _files.setdefault(folder, set()).update(media.files)
            _by_url[instance.url] = media
    if has_pictures:
        check_body(path, source.body, source.body_line, instance._content, options, report)
        instance._content = rewrite(
            instance._content,
            folder,
            cache_dir(settings, "media"),
            options,
            lambda picture: _used.setdefault(folder, []).append(picture),
        )
    report.log()


def media_for_link(link: str) -> Media | None:
    """The media of the diary a feed item links to (the site may live under a path)."""
    parts = PurePosixPath(urlsplit(link).path).parts
    for start in range(len(parts)):
        found = _by_url.get("/".join(p for p in parts[start:] if p != "/") + "/")
        if found is not None:
            return found
    return None


def add_enclosures(context: dict[str, Any], feed: Any) -> None:
    """``feed_generated``: diary feeds carry each diary's audio or video as an enclosure."""
    if not _by_url:
        return
    site_url = context.get("FEED_DOMAIN") or context.get("SITEURL") or ""
    for item in feed.items:
        link = absolute(site_url, item.get("link") or "")
        media = media_for_link(link)
        if media is not None:
            item["enclosures"] = [Enclosure(media.absolute(link), str(media.length), media.mime)]


def podcast_path(handle: str | None) -> str:
    return f"feeds/members/{handle}.podcast.xml" if handle else "feeds/podcast.xml"


class MediaGenerator(Generator):
    """Publishes pictures' copies, media files, and the podcast feeds."""

    def generate_context(self) -> None:
        self.episodes = [a for a in self.context.get("articles", []) if getattr(a, "media_info", None)]
        audio = [a for a in self.episodes if a.media_info.kind == "audio"]
        feeds = {"": podcast_path(None)} if audio else {}
        for article in audio:
            feeds[article.author.name] = podcast_path(article.author.name)
        self.audio = audio
        self.context["podcast_feeds"] = feeds  # "" -> the network's, handle -> a member's own

    def generate_output(self, writer: Any) -> None:
        content = Path(self.settings["PATH"]).resolve()
        output = Path(self.output_path)
        cache = cache_dir(self.settings, "media")
        for folder, pictures in _used.items():
            target = output / folder.relative_to(content) / "images"
            for picture in pictures:
                copy_variants(picture.images, cache, target)
        for folder, files in _files.items():
            target = output / folder.relative_to(content) / "media"
            target.mkdir(parents=True, exist_ok=True)
            for file in files:
                if not (target / file.name).is_file() or (target / file.name).stat().st_size != file.stat().st_size:
                    shutil.copyfile(file, target / file.name)
        if self.audio:
            options = media_settings(self.settings)
            members = self.context.get("members") or {}
            write_podcast(output, podcast_path(None), self.audio, self.settings, options, members)
            for handle in sorted({a.author.name for a in self.audio}):
                mine = [a for a in self.audio if a.author.name == handle]
                write_podcast(output, podcast_path(handle), mine, self.settings, options, members, member=handle)
