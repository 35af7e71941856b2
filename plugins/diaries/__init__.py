"""Diaries: members' Markdown posts, validated, sanitized and published by Pelican."""

from __future__ import annotations

import logging

from pelican import signals

from .check import check
from .reader import EXPLAINED_FILTER, NetrootsReader, forget_explained

__all__ = ["check", "register"]


def add_reader(readers) -> None:
    for extension in NetrootsReader.file_extensions:
        readers.reader_classes[extension] = NetrootsReader


def register() -> None:
    logging.getLogger("pelican.generators").addFilter(EXPLAINED_FILTER)
    signals.initialized.connect(forget_explained)
    signals.readers_init.connect(add_reader)
