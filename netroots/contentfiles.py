"""One walk of content/ per build, shared by the passes that look at every file.

The layout check (netroots/check.py) names every file outside the layout and every symbolic
link; the read cache (netroots/readcache.py) takes each diary's ``lstat`` to decide whether its
kept hash can be trusted. Both used to walk or stat content/ on their own, with a ``Path`` per
file. This walk is made once, with ``os.scandir`` (whose entries know a file's kind without a
``stat``), when the build's first pass asks for it; each entry's ``lstat`` is taken at most
once, when a pass first needs it, and kept for the rest of the build.

Valid for one build: ``netroots.plugin.start`` gives every build fresh state, so a file added,
deleted or edited between two builds (``tasks.py serve``) is seen by the next one. A file
changed during a build may be seen as it was when the walk or its ``lstat`` was made; the read
cache's rule (a kept hash is trusted only for a file whose times and size are unchanged since
the hash was made) then reads it again next build, as before.
"""

from __future__ import annotations

import os
from typing import Any

from .plugin import build_state


class ContentFiles:
    """Every regular file and symbolic link under ``root`` (links are listed, never followed)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.entries: dict[str, os.DirEntry[str]] = {}  # absolute path -> a regular file's entry
        links: list[str] = []
        todo = [root]
        while todo:
            with os.scandir(todo.pop()) as entries:
                for entry in entries:
                    if entry.is_symlink():
                        links.append(entry.path)
                    elif entry.is_dir(follow_symlinks=False):
                        todo.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        self.entries[entry.path] = entry
        prefix = len(root) + 1
        # Sorted as paths are (by their parts: "a/b" before "a.b/c"), so reports keep their order.
        self.links = sorted((path[prefix:].replace(os.sep, "/") for path in links), key=_parts)
        self.files = sorted((path[prefix:].replace(os.sep, "/") for path in self.entries), key=_parts)

    def lstat(self, path: str) -> os.stat_result:
        """``os.lstat(path)`` (absolute), taken once a build for a file of the walk."""
        entry = self.entries.get(path)
        return os.lstat(path) if entry is None else entry.stat(follow_symlinks=False)


def _parts(relative: str) -> list[str]:
    return relative.split("/")


def content_files(settings: dict[str, Any]) -> ContentFiles:
    """This build's walk of ``settings["PATH"]`` (made on first use)."""
    state = build_state(settings, "content_files")
    root = os.path.realpath(settings["PATH"])
    found = state.get(root)
    if found is None:
        found = state[root] = ContentFiles(root)
    return found
