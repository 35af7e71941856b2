"""``tasks.py check``: validate all content with the same code the build runs."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from fnmatch import translate
from pathlib import Path
from typing import Any

from pelican.plugins._utils import load_plugins

from .contentfiles import ContentFiles
from .members import load_members, remember_handles
from .outputs import check_outputs
from .plugin import content_patterns, enabled_specs, known_specs, spec_of, start
from .report import Report

LAYOUT_HELP = "see docs/content.md for where each kind of file goes"
# A more precise hint for files in a known folder but at the wrong place in it.
LAYOUT_HINTS = {
    "comments/": "a comment lives in content/comments/<your-handle>/<YYYY-MM-DD-HHMM>-<words>.md, "
    "e.g. content/comments/maria-lopez/2026-11-20-1930-good-point.md",
}
# content/images/ is copied to the site as it is, so only image formats that cannot carry
# script (an .svg, .html or .js file would run on the site's own origin), never a symlink.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif")


def layout(settings: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(pattern, plugin, enabled) for every kind of file under content/, from the plugins' SPECs.

    Plugins in PLUGIN_PATHS but not in PLUGINS are included (``enabled`` False), so their
    files get a clear warning rather than "not read by anything".
    """
    enabled = {spec.name for spec in enabled_specs(settings)}
    return [
        (pattern, owner, not owner or owner in enabled) for pattern, owner in content_patterns(known_specs(settings))
    ]


def layout_hint(relative: str, patterns: list[tuple[str, str, bool]]) -> str:
    """Where files in the same top folder belong (a misplaced comment or diary), else the docs."""
    top = relative.split("/", 1)[0]
    near = [pattern for pattern, _owner, _on in patterns if pattern.split("/", 1)[0] == top and "/" in pattern]
    if "/" in relative and near:
        return f"files in content/{top}/ go at {', '.join(f'content/{p}' for p in near)}; {LAYOUT_HELP}"
    return LAYOUT_HELP


def check_layout(
    content: Path, report: Report, patterns: list[tuple[str, str, bool]], files: ContentFiles | None = None
) -> None:
    """Every file under content/ must be one a plugin declares (``layout``); images must be safe.

    ``files``: the build's walk of content/ (netroots/contentfiles.py), else one is made."""
    files = files or ContentFiles(str(content))
    root = Path(files.root)
    for link in files.links:
        report.error(
            root / link,
            1,
            f"content/{link} is a symbolic link: content files and folders "
            "must be real, so nothing from outside content/ is published; nothing is read through it",
        )
    matchers = [
        (re.compile(translate(pattern)).match, pattern.count("/"), owner, on) for pattern, owner, on in patterns
    ]
    read = _read_by_enabled(patterns)
    for relative in files.files:
        depth = relative.count("/")
        accepted = read.get(depth)
        if accepted is not None and accepted(relative) and not relative.startswith("images/"):
            continue  # read by a plugin in PLUGINS, nothing more to check (most files: one match)
        name = relative.rsplit("/", 1)[-1]
        if name.startswith(".") or name.endswith("~"):
            continue
        owners = [(owner, on) for match, slashes, owner, on in matchers if slashes == depth and match(relative)]
        if not owners:
            report.error(
                root / relative,
                1,
                f"this file is outside the layout: content/{relative} is not read by anything "
                f"({layout_hint(relative, patterns)})",
            )
        elif not any(on for _owner, on in owners):
            report.warning(
                root / relative, 1, f"content/{relative} is read by the {owners[0][0]} plugin, which is not in PLUGINS"
            )
        elif relative.startswith("images/") and (problem := image_problem(relative)):
            # The walk follows no link, so no folder above a walked file is one (``static_problem``).
            report.error(root / relative, 1, problem)


def _read_by_enabled(patterns: list[tuple[str, str, bool]]) -> dict[int, Any]:
    """Folder depth -> one expression matching what the enabled plugins' patterns of that depth
    match (a pattern's ``*`` crosses ``/``, so each holds for paths of its own depth only): a
    file such a pattern matches is in the layout, whatever else matches it. One match a file,
    not one a pattern (50,000 diaries)."""
    by_depth: dict[int, list[str]] = {}
    for pattern, _owner, on in patterns:
        if on:
            by_depth.setdefault(pattern.count("/"), []).append(f"(?:{translate(pattern)})")
    return {depth: re.compile("|".join(found)).match for depth, found in by_depth.items()}


def image_problem(relative: str) -> str | None:
    """Why ``content/<relative>`` (under ``images/``) is not an image that may be published."""
    if os.path.splitext(relative)[1].lower() in IMAGE_SUFFIXES:
        return None
    return (
        f"content/{relative} is not published: images must be {', '.join(IMAGE_SUFFIXES)} "
        "(SVG, HTML and script files could run code on the site)"
    )


def static_problem(path: Path, content: Path) -> str | None:
    """Why a static file must not be published; ``None`` when it may.

    Members' ``content/images/`` holds images only; files a maintainer adds to ``STATIC_PATHS``
    (a ``robots.txt``) may be anything, but nothing outside ``content/`` or behind a symlink.
    """
    try:
        relative = Path(path).relative_to(content)
    except ValueError:
        return f"{path} is outside content/; only files under content/images/ are published"
    if relative.parts[0] == "images" and (problem := image_problem(relative.as_posix())):
        return problem
    inside = content
    for part in relative.parts:
        inside = inside / part
        if inside.is_symlink():
            return f"content/{relative.as_posix()} is a symbolic link; add the image file itself"
    return None


def run_check(settings: dict[str, Any], context: dict[str, Any] | None = None) -> Report:
    """Check all content; every plugin with a ``check(context, report)`` takes part.

    ``context``, when given, is filled with what the plugins published (``trust``...)."""
    content = Path(settings["PATH"]).resolve()
    report = Report(root=content.parent)
    problems: list[str] = []
    start(settings, problems)
    for problem in problems:
        report.error("pelicanconf.py", 1, problem)
    check_layout(content, report, layout(settings))
    context = {} if context is None else context
    context.update(content=content, settings=settings)
    context["members"] = load_members(content, report)
    remember_handles(content, context["members"], settings)
    plugins = load_plugins(settings)
    for plugin in plugins:
        plugin_check = getattr(plugin, "check", None)
        if callable(plugin_check):
            try:
                plugin_check(context, report)
            except Exception as exc:  # a bug in a plugin must not hide every other message
                name = plugin.__name__.split(".")[-1]
                report.error(
                    content,
                    1,
                    f"the {name} plugin failed while checking ({type(exc).__name__}: {exc}); please report it",
                )
    check_outputs(context, report, plugins)
    check_placeholders(content, report, plugins)
    return report


def check_placeholders(content: Path, report: Report, plugins: Iterable[Any] = ()) -> None:
    """Every starter example text left unchanged is an error naming its field (drafts excepted:
    a diary just started is all starter text, and nothing of it is published)."""
    from .source import SourceError, read_markdown, read_yaml
    from .starters import starter_placeholders

    starters = [starter for spec in map(spec_of, plugins) if spec for starter in spec.starters if starter.examples]
    for starter in sorted(starters, key=lambda s: s.kind):
        examples = starter_placeholders(starter)
        if not examples:
            continue
        for path in sorted(content.glob(starter.pattern)):
            try:
                source = read_markdown(path) if path.suffix == ".md" else read_yaml(path)
            except (SourceError, OSError):
                continue  # reported by the kind's own check
            if source.data.get("status") == "draft":
                continue
            for field, texts in sorted(examples.items()):
                if field == "body":
                    for number, line in enumerate(source.body.splitlines()):
                        if " ".join(line.split()) in texts:
                            report.error(
                                path,
                                source.body_line + number,
                                f"text: still the starter's example line '{line.strip()}': "
                                "replace it with your own words",
                            )
                            break
                    continue
                value: Any = source.data
                for key in field.split("."):
                    value = value.get(key) if isinstance(value, dict) else None
                if isinstance(value, str) and " ".join(value.split()) in texts:
                    report.error(
                        path,
                        source.line(*field.split(".")),
                        f"{field}: still the starter's example text '{' '.join(value.split())[:80]}'; "
                        "write your own, or delete the line if the field is optional",
                    )


def select(report: Report, paths: Iterable[str], root: Path) -> list:
    """The problems under ``paths`` (all when none are given), sorted."""
    wanted = [Path(p).resolve() for p in paths]
    if not wanted:
        return sorted(report.problems)
    chosen = []
    for problem in report.problems:
        where = (root / problem.path).resolve()
        if any(where == w or w in where.parents for w in wanted):
            chosen.append(problem)
    return sorted(chosen)
