"""Diaries: members' Markdown posts, validated, sanitized and published by Pelican."""

from __future__ import annotations

import os
from pathlib import Path

from pelican import signals

from netroots.check import check_layout, layout, static_problem
from netroots.contentfiles import content_files, joined
from netroots.members import members_in
from netroots.readcache import read_ahead
from netroots.report import Report
from netroots.schema import ContentType
from netroots.site import preview_of

from .check import check, outputs
from .feeds import feed_generated
from .model import DIARY_FIELDS
from .reader import NetrootsReader, filter_explained
from .spec import SPEC

__all__ = ["SPEC", "check", "content_types", "outputs", "register"]


def add_reader(readers) -> None:
    """Only the sanitizing reader: Pelican's own (.html, .rst, .mkd, .mdown) would publish raw HTML."""
    for extension in list(readers.reader_classes):
        if extension != "static":
            readers.reader_classes[extension] = None
    for extension in NetrootsReader.file_extensions:
        readers.reader_classes[extension] = NetrootsReader


def drop_unsafe_static(generator) -> None:
    """Copy only what the layout check accepts (images, no symlinks); it reports the rest."""
    content = Path(generator.path)
    kept = [f for f in generator.staticfiles if static_problem(Path(f.source_path), content) is None]
    generator.staticfiles = kept
    generator.context["staticfiles"] = kept


def check_layout_on_build(pelican) -> None:
    """The build names files outside the layout exactly as ``check`` does (not a preview:
    it reads only some plugins' files, and ``check`` is the writer's tool for the rest)."""
    if preview_of(pelican.settings):
        return
    files = content_files(pelican.settings)  # the build's one walk of content/, shared
    content = Path(files.root)
    report = Report(root=content.parent)
    check_layout(content, report, layout(pelican.settings), files)
    report.log()


# A member's folders beside their diaries hold pictures and media (plugins/media), never diaries:
# a transcript.md in media/ is not a post.
MEMBER_FOLDERS = ("images", "media")


def skip_member_folders(pelican) -> None:
    """Pelican reads every .md under ``diaries/``; leave out members' images/ and media/."""
    content = Path(pelican.settings["PATH"]).resolve()
    skipped = [
        folder.relative_to(content).as_posix()
        for name in MEMBER_FOLDERS
        for folder in sorted((content / "diaries").glob(f"*/{name}"))
        if folder.is_dir()
    ]
    excludes = list(pelican.settings.get("ARTICLE_EXCLUDES") or [])
    pelican.settings["ARTICLE_EXCLUDES"] = excludes + [s for s in skipped if s not in excludes]


def read_diaries_ahead(generator) -> None:
    """``article_generator_init``, before any generator reads: the diaries and pages whose reads
    are not cached (a clone's first build, a change of settings or code) are read in worker
    processes, one per core, so Pelican's own read finds them cached (netroots/readcache.py)."""
    reader = generator.readers.readers.get(NetrootsReader.file_extensions[0])
    if not isinstance(reader, NetrootsReader) or preview_of(generator.settings):
        return
    settings = generator.settings
    prefix = os.path.join(os.path.abspath(generator.path), "")
    paths = [
        joined(prefix, name)  # the paths the kept diaries are looked up by (netroots/articlecache.py)
        for folders, excludes in (("ARTICLE_PATHS", "ARTICLE_EXCLUDES"), ("PAGE_PATHS", "PAGE_EXCLUDES"))
        for name in generator.get_files(settings[folders], exclude=settings[excludes])
        if name.rsplit(".", 1)[-1] in NetrootsReader.file_extensions
    ]
    read_ahead(settings, reader.missing(paths), reader.fresh, reader.cache())


def members_for_pages(generator) -> None:
    """A diary's page names its author and shows their card, in a preview too (no members plugin)."""
    members_in(generator.context, generator.settings)


def register() -> None:
    signals.initialized.connect(filter_explained)
    signals.initialized.connect(check_layout_on_build)
    signals.initialized.connect(skip_member_folders)
    signals.readers_init.connect(add_reader)
    signals.article_generator_init.connect(read_diaries_ahead)
    signals.static_generator_finalized.connect(drop_unsafe_static)
    signals.feed_generated.connect(feed_generated)
    signals.article_generator_finalized.connect(members_for_pages)


def content_types(_settings: dict) -> list[ContentType]:
    """What members write at /admin/, each in their own folder."""
    return [
        ContentType("diaries", "Diaries", "diaries", DIARY_FIELDS, writers="members", body="Diary", singular="Diary")
    ]
