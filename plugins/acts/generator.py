"""Merging acts into the build: runs before trust, actions and events read the members.

Provides to the context: ``acts`` (every valid act), ``comment_recommends``
(comment id -> handles), ``going`` (event slug -> handles), ``act_links`` (when
``FORGE['repository']`` is set); and it extends each member's ``recommends``,
``supports``, ``vouches`` and ``going`` in place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pelican.generators import Generator

from netroots.diaryindex import published_ids
from netroots.forge import site_forge
from netroots.members import members_in
from netroots.report import Report

from .links import ActLinks
from .model import content_targets, merge_acts, read_acts

MERGED = "acts_merged"


def merge_into(context: dict[str, Any], content: Path, published: set[str], drafts: set[str], report: Report) -> None:
    """Read the acts and merge them into ``context["members"]``, once per context."""
    if context.get(MERGED):
        return
    members = context["members"]
    acts = read_acts(content, set(members), report)
    merged = merge_acts(members, acts, content_targets(content, set(members), published, drafts), report)
    context.update(acts=acts, comment_recommends=merged.comment_recommends, going=merged.going)
    context[MERGED] = True


def site_links(settings: dict[str, Any], content: Path) -> ActLinks | None:
    """The take-part links, or ``None`` (no links at all) without a repository."""
    forge = site_forge(settings)
    if forge is None:
        return None
    plugins = [str(name).rsplit(".", 1)[-1] for name in settings.get("PLUGINS") or []]
    return ActLinks(forge, content.name, comments="comments" in plugins)


class ActsGenerator(Generator):
    """Merges the members' act files; writes nothing itself."""

    def generate_context(self) -> None:
        content = Path(self.settings["PATH"]).resolve()
        report = Report(root=content.parent)
        members_in(self.context, self.settings)
        published = published_ids(self.context, self.settings).keys()  # kept between builds: netroots/diaryindex.py
        drafts = {d.diary_id for d in self.context.get("drafts", []) if getattr(d, "diary_id", None)}
        merge_into(self.context, content, published, drafts, report)
        report.log()
        self.context["act_links"] = site_links(self.settings, content)

    def generate_output(self, writer: Any) -> None:
        return None


def check(context: dict[str, Any], report: Report) -> None:
    """``tasks.py check``: every act file, as the build reads it (after the diaries plugin's check)."""
    diaries = context.get("diaries") or []
    published = {d.id for d in diaries if d.published}
    drafts = {d.id for d in diaries if not d.published}
    merge_into(context, Path(context["content"]), published, drafts, report)
