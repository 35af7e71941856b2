"""Tags: one spelling per tag, election tags recognized, descriptions on tag pages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.urlwrappers import Tag

from netroots.fingerprint import reads
from netroots.outputs import Output
from netroots.plugin import build_state
from netroots.report import Report

from .kept import kept_company
from .model import Vocabulary, load_vocabulary, near_misses, tag_warnings
from .spec import SPEC

__all__ = ["SPEC", "check", "outputs", "register"]


def _vocabulary(generator: Any) -> Vocabulary:
    return vocabulary_in(generator.context)


def vocabulary_in(context: dict[str, Any]) -> Vocabulary:
    """content/tags.yaml, read once a build into the context (``tag_vocabulary``, ``tag_info``)."""
    if "tag_vocabulary" not in context:
        content = Path(context["PATH"]).resolve()
        report = Report(root=content.parent)
        context["tag_vocabulary"] = load_vocabulary(content, report)
        context["tag_info"] = context["tag_vocabulary"].descriptions
        report.log()
    return context["tag_vocabulary"]


# What it reads besides the diary: the vocabulary (a kept diary is made again when it changes,
# netroots/articlecache.py; reading it here also puts tag_info in the context when every diary is kept).
@reads(vocabulary_in)
def normalize_tags(generator: Any, metadata: dict[str, Any]) -> None:
    """Respell a diary's tags before Pelican files it under them."""
    if "tags" not in metadata:
        return
    vocabulary = _vocabulary(generator)
    made: dict[str, Tag] = build_state(generator.settings, "tags").setdefault("made", {})
    seen: dict[str, Tag] = {}
    for tag in metadata["tags"]:
        name = vocabulary.normalize(tag.name)
        if name not in made:  # one Tag a name: each works its slug out once a build
            made[name] = Tag(name, generator.settings)
        seen.setdefault(name.casefold(), made[name])
    metadata["tags"] = list(seen.values())


def gather_company(generator: Any) -> None:
    """Each tag page's side column (plugins/tags/company.py), made again for the tags of the
    diaries changed since the last build only (plugins/tags/kept.py)."""
    generator.context["tag_company"] = kept_company(generator, _vocabulary(generator).canonical)


def check(context: dict[str, Any], report: Report) -> None:
    """Warn about titles in person tags and near-duplicate tags, at the line that uses them."""
    vocabulary = context["tag_vocabulary"] = load_vocabulary(context["content"], report)
    uses: Counter[str] = Counter()
    where: dict[str, tuple[Path, int]] = {}
    for diary in context.get("diaries", []):
        for index, tag in enumerate(diary.meta.get("tags") or []):
            line = diary.source.line("tags", index)
            for advice in tag_warnings(tag):
                report.warning(diary.path, line, advice)
            name = vocabulary.normalize(tag)
            uses[name] += 1
            where.setdefault(name, (diary.path, line))
    for tag in vocabulary.descriptions:  # tags.yaml's spellings are established
        uses[tag] += 1
    for tag, meant, why in near_misses(uses):
        if tag not in where:
            continue
        path, line = where[tag]
        used = f"used {uses[meant]} time{'s' if uses[meant] != 1 else ''}" if meant in uses else "not in use yet"
        report.warning(
            path,
            line,
            f"tags: '{tag}' is nearly the same as '{meant}' ({why}; {used}): use one spelling, "
            "or list one as an alias in content/tags.yaml",
        )


def outputs(context: dict[str, Any]) -> Iterator[Output]:
    """Each tag's page (netroots.outputs), named at the first line that uses the tag, so a tag
    whose address is the site's own (``!!!`` has no slug: /tags/ itself) is an error there."""
    vocabulary = context.get("tag_vocabulary") or load_vocabulary(context["content"], Report())
    for diary in context.get("diaries", []):
        if diary.draft:
            continue
        for index, tag in enumerate(diary.meta.get("tags") or []):
            name = vocabulary.normalize(tag)
            page = Tag(name, context["settings"])
            if page.save_as:
                yield Output(
                    page.save_as, f"the tag '{name}'", diary.path, diary.source.line("tags", index), f"tag:{page.slug}"
                )


def register() -> None:
    signals.article_generator_context.connect(normalize_tags)
    signals.page_generator_context.connect(normalize_tags)
    signals.article_generator_finalized.connect(gather_company)
