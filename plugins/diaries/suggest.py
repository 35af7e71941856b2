"""Tags that fit a diary: the network's tags in use whose words the diary's own text uses.

Shown with the "a published diary needs at least one tag" error, so the suggestion is
about this diary (a library story gets `Libraries`), not the network's most popular tags.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from netroots.source import Source, SourceError, read_markdown
from netroots.words import stems


def tags_in_use(content: Path) -> Counter[str]:
    """Every tag in a diary's front matter, counted, under its most used spelling."""
    spellings: dict[str, Counter[str]] = {}
    for path in sorted((content / "diaries").glob("*/*.md")):
        try:
            tags = read_markdown(path).data.get("tags")
        except (SourceError, OSError):
            continue
        for tag in tags if isinstance(tags, list) else []:
            if isinstance(tag, str) and tag.strip():
                name = " ".join(tag.split())
                spellings.setdefault(name.casefold(), Counter())[name] += 1
    return Counter({counts.most_common(1)[0][0]: sum(counts.values()) for counts in spellings.values()})


def fitting_tags(title: str, body: str, tags: Counter[str], count: int = 3) -> list[str]:
    """Up to ``count`` of ``tags`` whose every word the text uses; title words weigh three
    times body words; ties go to the tag more diaries use."""
    words = Counter(stems(body))
    for word in stems(title):
        words[word] += 3
    scored = []
    for tag, uses in tags.items():
        needed = stems(tag)
        if needed and all(words[word] for word in needed):
            scored.append((-sum(words[word] for word in needed) / len(needed), -uses, tag.casefold(), tag))
    return [tag for *_, tag in sorted(scored)[:count]]


class TagHint:
    """``read_diary``'s ``tag_hint`` for ``check``: reads the network's tags once, when first needed."""

    def __init__(self, content: Path) -> None:
        self.content = content
        self.tags: Counter[str] | None = None

    def __call__(self, source: Source, meta: dict[str, Any]) -> str:
        if self.tags is None:
            self.tags = tags_in_use(self.content)
        fits = fitting_tags(str(meta.get("title") or ""), source.body, self.tags)
        if not fits:
            return ""
        return f"tags in use that fit this diary: `tags: [{', '.join(fits)}]`"
