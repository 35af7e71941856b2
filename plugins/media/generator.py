"""The build's side of media: rewrite diaries' pictures and read their ``media:`` as each
diary is read, then publish the copies, the enclosures and the podcast feeds."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from feedgenerator import Enclosure
from pelican.generators import Generator

from netroots.articlecache import made_fresh
from netroots.feeds import absolute
from netroots.fingerprint import reads
from netroots.images import copy_variants, keep_only
from netroots.plugin import build_state
from netroots.report import Report
from netroots.site import cache_dir, copy_output, preview_of, site_address
from netroots.source import SourceError, read_markdown

from .model import Media, read_media
from .pictures import check_body, rewrite
from .podcast import write_podcast
from .spec import media_settings


def used(settings: dict[str, Any]) -> dict[str, Any]:
    """What this build's diaries use: ``pictures`` and ``files`` by member folder, and ``by_url``
    (diary address ``diaries/<handle>/<slug>/`` -> its media, for the feeds' enclosures)."""
    state = build_state(settings, "media")
    if not state:
        state.update(pictures={}, files={}, by_url={})
    return state


@reads(lambda _context: None)  # a diary without pictures or media: its own values only
def diary_read(instance: Any) -> None:
    """``content_object_init``: own pictures become ``<picture>``s; ``media:`` is read."""
    if getattr(instance, "kind", None) != "diary":
        return
    has_pictures = "<img" in (instance._content or "")
    raw_media = getattr(instance, "media", None)
    instance.media_info = None
    if not has_pictures and raw_media is None:
        return
    made_fresh(instance)  # pictures and files to publish are recorded here, every build
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
    found = used(settings)
    if raw_media is not None:
        media = read_media(raw_media, source, options, report)
        if media is not None:
            instance.media_info = media
            found["files"].setdefault(folder, set()).update(media.files)
            found["by_url"][instance.url] = media
    if has_pictures:
        check_body(path, source.body, source.body_line, instance._content, options, report)
        instance._content = rewrite(
            instance._content,
            folder,
            cache_dir(settings, "media"),
            options,
            lambda picture: found["pictures"].setdefault(folder, []).append(picture),
        )
    report.log()


def media_for_link(by_url: dict[str, Media], link: str) -> Media | None:
    """The media of the diary a feed item links to (the site may live under a path)."""
    parts = PurePosixPath(urlsplit(link).path).parts
    for start in range(len(parts)):
        found = by_url.get("/".join(p for p in parts[start:] if p != "/") + "/")
        if found is not None:
            return found
    return None


@reads(lambda context: (used(context)["by_url"], site_address(context)))
def add_enclosures(context: dict[str, Any], feed: Any) -> None:
    """``feed_generated``: diary feeds carry each diary's audio or video as an enclosure."""
    by_url = used(context)["by_url"]  # the context is a copy of this build's settings
    if not by_url:
        return
    site_url = site_address(context)
    for item in feed.items:
        link = absolute(site_url, item.get("link") or "")
        media = media_for_link(by_url, link)
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
        found = used(self.settings)
        for folder, pictures in found["pictures"].items():
            target = output / folder.relative_to(content) / "images"
            for picture in pictures:
                copy_variants(picture.images, cache, target)
        if not preview_of(self.settings):  # a preview reads one member's diaries, not all
            keep_only(cache, (picture.images for pictures in found["pictures"].values() for picture in pictures))
        for folder, files in found["files"].items():
            target = folder.relative_to(content) / "media"
            for file in files:
                copy_output(output, target / file.name, file)
        if self.audio:
            options = media_settings(self.settings)
            members = self.context.get("members") or {}
            write_podcast(output, podcast_path(None), self.audio, self.settings, options, members)
            for handle in sorted({a.author.name for a in self.audio}):
                mine = [a for a in self.audio if a.author.name == handle]
                write_podcast(output, podcast_path(handle), mine, self.settings, options, members, member=handle)
