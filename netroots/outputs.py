"""One map of every output path: two files that would write the same path are an error.

``check`` fills the map before anything is written: the site's own fixed pages first
(every ``*_SAVE_AS`` setting: the front page, /diaries/, /tags/...), then every content
item's address. A plugin says what it writes in one of two ways, and never imports
another plugin:

- the items it puts into the check context (``context["events"]``...) carry ``path``
  and ``url`` (and ``ics_url``/``vcard_url`` for their other files): they are claimed
  as they are;
- or its package offers ``outputs(context) -> Iterable[Output]`` for addresses that are
  not on such items (diaries and pages, tag pages).

A second claim of a path is a ``path:line: error`` naming both files; the build's writer
(``netroots.incremental``) applies the same rule to the pages it is asked to write: the
later one is left out and reported, instead of Pelican's FileOverwriteFailedError or a
silent overwrite.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .report import Report

# The site's own pages, by setting, and how a message names them.
FIXED = {
    "INDEX_SAVE_AS": "the front page",
    "DIARIES_SAVE_AS": "the list of diaries",
    "TAGS_SAVE_AS": "the list of tags",
    "NOTFOUND_SAVE_AS": "the 'not found' page",
}
ITEM_FILES = ("url", "ics_url", "vcard_url")


@dataclass(frozen=True)
class Output:
    """``address`` (a URL like ``tags/x/`` or a file like ``events/x.ics``) written for ``what``,
    from ``path`` (``None``: the site itself) at ``line``. Claims with one ``owner`` (a tag
    page that many diaries use) are one output."""

    address: str
    what: str
    path: Path | None = None
    line: int = 1
    owner: str = ""


def normalize(address: str) -> str:
    """The file an address is written to: ``tags/x/`` -> ``tags/x/index.html``; ``tags//`` is
    ``tags/index.html`` (an empty slug), as the writer would join it."""
    text = address.strip().lstrip("/")
    index = not text or text.endswith("/")
    text = posixpath.normpath(text) if text else ""
    text = "" if text == "." else text
    return posixpath.join(text, "index.html") if index else text


class OutputMap:
    """First claim wins; a later claim of the same path from another file is an error."""

    def __init__(self) -> None:
        self.claims: dict[str, Output] = {}

    def claim(self, output: Output, report: Report) -> bool:
        key = normalize(output.address)
        earlier = self.claims.setdefault(key, output)
        if earlier is output or (earlier.path is not None and earlier.path == output.path):
            return True
        if earlier.owner and earlier.owner == output.owner:
            return True
        where = f"{earlier.what}, from {_shown(earlier.path, report)}" if earlier.path else earlier.what
        report.error(
            output.path or "pelicanconf.py",
            output.line,
            f"{output.what} would be written to /{key}, which {where} already writes; "
            "rename one of them (this one is left out)",
        )
        return False


def _shown(path: Path | None, report: Report) -> str:
    if path is None:
        return "the site"
    try:
        return Path(path).resolve().relative_to(report.root).as_posix() if report.root else str(path)
    except ValueError:
        return str(path)


def fixed_outputs(settings: Mapping[str, Any]) -> list[Output]:
    """The site's own pages (every non-empty ``*_SAVE_AS`` without a placeholder)."""
    found = [Output(str(settings[name]), what) for name, what in FIXED.items() if settings.get(name)]
    for name, value in sorted(settings.items()):
        if name.endswith("_SAVE_AS") and name not in FIXED and isinstance(value, str) and value and "{" not in value:
            found.append(Output(value, f"the site's {name.removesuffix('_SAVE_AS').lower()} page"))
    return found


def item_outputs(context: Mapping[str, Any]) -> list[Output]:
    """Every item in the check context that has a ``path`` and a ``url`` (and other files)."""
    found = []
    for key, value in context.items():
        items = value.values() if isinstance(value, Mapping) else value if isinstance(value, list | tuple) else ()
        for item in items:
            path = getattr(item, "path", None)
            if not isinstance(path, Path):
                continue
            kind = key.rstrip("s").replace("_", " ")
            for name in ITEM_FILES:
                address = getattr(item, name, None)
                if isinstance(address, str) and address:
                    found.append(Output(address, f"this {kind}", path, 1))
    return found


def check_outputs(context: Mapping[str, Any], report: Report, plugins: Iterable[Any]) -> OutputMap:
    """Claim every output ``check`` knows of, in a fixed order: the site's pages, then each
    plugin's ``outputs(context)`` in PLUGINS order, then the context's items."""
    outputs = OutputMap()
    for output in fixed_outputs(context["settings"]):
        outputs.claim(output, report)
    for plugin in plugins:
        declare = getattr(plugin, "outputs", None)
        if callable(declare):
            for output in declare(context):
                outputs.claim(output, report)
    for output in item_outputs(context):
        outputs.claim(output, report)
    return outputs
