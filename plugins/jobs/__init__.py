"""Jobs: a board of postings that expire on time, with filters, JSON-LD and feeds."""

from __future__ import annotations

from pelican import signals

from .generator import JobsGenerator
from .generator import check_jobs as check
from .spec import SPEC

__all__ = ["SPEC", "check", "register"]


def get_generators(_pelican: object) -> type[JobsGenerator]:
    return JobsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
