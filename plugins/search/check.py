"""``tasks.py check``: suggest existing tags for diaries that have none."""

from __future__ import annotations

from typing import Any

from netroots.report import Report

from .generator import refresh_from_content
from .spec import search_settings


def known_tags(context: dict[str, Any]) -> list[str]:
    """The network's tags: canonical spellings in tags.yaml and every tag in use."""
    names: dict[str, str] = {}
    vocabulary = context.get("tag_vocabulary")  # the tags plugin's, when it is in PLUGINS
    for name in vocabulary.descriptions if vocabulary else ():
        names.setdefault(name.casefold(), name)
    for diary in context.get("diaries", []):
        for tag in diary.meta.get("tags") or []:
            name = vocabulary.normalize(tag) if vocabulary else tag
            names.setdefault(name.casefold(), name)
    return sorted(names.values(), key=str.casefold)


def check(context: dict[str, Any], report: Report) -> None:
    """Warn at the ``tags`` line of a diary with no tags, naming existing tags that fit."""
    if not search_settings(context["settings"])["whoosh"]:
        return
    untagged = [diary for diary in context.get("diaries", []) if not diary.meta.get("tags")]
    if not untagged:
        return
    tags = known_tags(context)
    index, _ = refresh_from_content(context["settings"], context.get("members", {}))
    for diary in untagged:
        text = f"{diary.meta.get('title', '')} {diary.meta.get('title', '')} {diary.source.body}"
        suggestions = index.suggest_tags(text, tags, exclude=diary.id) if tags else []
        line = diary.source.line("tags") if "tags" in diary.source.data else 1
        if suggestions:
            listed = ", ".join(suggestions)
            advice = f"tags: this diary has no tags; readers find diaries by tag. Existing tags that fit: [{listed}]"
        else:
            advice = "tags: this diary has no tags; readers find diaries by tag (see /tags/ for the ones in use), e.g. `tags: [Organizing]`"
        report.warning(diary.path, line, advice)
