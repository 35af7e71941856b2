"""Jobs: a board of postings that expire on time, with filters, JSON-LD and feeds."""

from __future__ import annotations

from pelican import signals

from netroots.schema import ContentType

from .generator import JobsGenerator
from .generator import check_jobs as check
from .model import JOB_FIELDS
from .spec import SPEC

__all__ = ["SPEC", "check", "content_types", "register"]


def get_generators(_pelican: object) -> type[JobsGenerator]:
    return JobsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)


def content_types(_settings: dict) -> list[ContentType]:
    """What maintainers edit at /admin/."""
    return [ContentType("jobs", "Jobs", "jobs", JOB_FIELDS, body="Description", singular="Job")]
