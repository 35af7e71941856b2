"""Publish: sitemap, robots.txt, cache-busted CSS, precompressed files, rsync deploys,
and the ownership check that keeps members' pull requests to their own files."""

from __future__ import annotations

from pelican import signals

from .hygiene import collect_dates, finalize_output, set_css_version
from .ownership import check
from .spec import SPEC

__all__ = ["SPEC", "check", "register"]


def register() -> None:
    signals.initialized.connect(set_css_version)
    signals.all_generators_finalized.connect(collect_dates)
    signals.finalized.connect(finalize_output)
