"""The page kinds a network's site is judged by (validators, accessibility, Lighthouse)."""

from __future__ import annotations

from pathlib import Path

# kind -> (glob under output/, path parts that mark a listing rather than the kind itself)
PAGE_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "front": ("index.html", ()),
    "diary": ("diaries/*/*/index.html", ("page", "recommended", "rescued")),
    "member": ("members/*/index.html", ("page",)),
    "action": ("actions/*/index.html", ("page",)),
    "job": ("jobs/*/index.html", ("page",)),
    "event": ("events/*/index.html", ("page",)),
    "chapter": ("chapters/*/index.html", ("page", "mentors")),
    "search": ("search/index.html", ()),
}


def sample_page(output: Path, kind: str) -> Path | None:
    """The first built page of ``kind`` (by path), or ``None`` when the site has none."""
    pattern, skip = PAGE_KINDS[kind]
    for page in sorted(output.glob(pattern)):
        if not any(part in skip for part in page.relative_to(output).parts):
            return page
    return None
