"""Editor: Decap CMS at /admin/, configured from the content formats, for writers without git."""

from __future__ import annotations

from pelican import signals

from .generator import EditorGenerator
from .spec import SPEC

__all__ = ["SPEC", "register"]


def get_generators(_pelican: object) -> type[EditorGenerator]:
    return EditorGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
