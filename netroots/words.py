"""Words of a title, a body or a tag, folded so that spellings of one word meet.

Shared by tag suggestions (diaries) and tag near-miss warnings (tags).
"""

from __future__ import annotations

import re

WORD = re.compile(r"[a-z0-9]+")
# Words too common to say what a diary is about; a tag made only of these is never suggested.
COMMON = frozenset(
    ["a", "an", "and", "the", "of", "in", "on", "for", "to", "at", "by", "with", "from", "our", "my", "we", "is"]
)


def stem(word: str) -> str:
    """A crude stem, so `library`, `libraries` and `librarys` meet."""
    for suffix, replacement in (("ies", "y"), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + replacement
    return word


def stems(text: str) -> list[str]:
    """The stems of ``text``'s words, common words left out."""
    return [stem(word) for word in WORD.findall(text.casefold().replace("'s", "")) if word not in COMMON]
