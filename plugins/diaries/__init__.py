"""Diaries: members' Markdown posts, validated, sanitized and published by Pelican."""

from __future__ import annotations

import logging
from pathlib import Path

from pelican import signals

from netroots.check import check_layout
from netroots.report import Report

from .check import check
from .reader import EXPLAINED_FILTER, NetrootsReader, forget_explained

__all__ = ["check", "register"]


def add_reader(readers) -> None:
    for extension in NetrootsReader.file_extensions:
        readers.reader_classes[extension] = NetrootsReader


def check_layout_on_build(pelican) -> None:
    """The build names files outside the layout exactly as ``check`` does."""
    content = Path(pelican.settings["PATH"]).resolve()
    report = Report(root=content.parent)
    check_layout(content, report)
    report.log()


def register() -> None:
    logging.getLogger("pelican.generators").addFilter(EXPLAINED_FILTER)
    signals.initialized.connect(forget_explained)
    signals.initialized.connect(check_layout_on_build)
    signals.readers_init.connect(add_reader)
