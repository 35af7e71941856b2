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
from collections.abc import Callable
from fnmatch import fnmatch
from functools import cached_property
from typing import Any

from .plugin import build_state


class ContentFiles:
    """Every regular file and symbolic link under ``root`` (links are listed, never followed)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.entries: dict[str, os.DirEntry[str]] = {}  # absolute path -> a regular file's entry
        self.folders: dict[str, list[str]] = {}  # folder (relative, with ``/``) -> its regular files' names, sorted
        self.special = False  # a fifo, socket or device: Pelican's walk would list it
        links: list[str] = []
        prefix = len(root) + 1
        todo = [root]
        while todo:
            folder = todo.pop()
            names: list[str] = []
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_symlink():
                        links.append(entry.path)
                    elif entry.is_dir(follow_symlinks=False):
                        todo.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        self.entries[entry.path] = entry
                        names.append(entry.name)
                    else:
                        self.special = True
            if names:
                self.folders[folder[prefix:].replace(os.sep, "/")] = sorted(names)
        # Sorted as paths are (by their parts: "a/b" before "a.b/c"), so reports keep their order.
        self.links = sorted((path[prefix:].replace(os.sep, "/") for path in links), key=_sort_key)
        self.files = sorted((path[prefix:].replace(os.sep, "/") for path in self.entries), key=_sort_key)

    def lstat(self, path: str) -> os.stat_result:
        """``os.lstat(path)`` (absolute), taken once a build for a file of the walk."""
        entry = self.entries.get(path)
        return os.lstat(path) if entry is None else entry.stat(follow_symlinks=False)

    def pelican_files(
        self,
        base: str,
        paths: Any,
        exclude: list[str] | None,
        ignores: list[str],
        included: Callable[[list[str]], list[str]],
    ) -> list[str] | None:
        """What Pelican's ``Generator.get_files(paths, exclude)`` answers (``included``: which
        of a folder's file names its ``_include_path`` takes for the extensions asked), once
        each, a folder's files together and in order (sorting them after is nearly free), from
        this walk instead of ``os.walk``; None when the walk cannot answer as Pelican's would:
        a symbolic link anywhere under content/ (Pelican's walk follows them), a special file,
        or a path that is not a plain folder name.

        ``base``: the generator's ``path`` (content/ as the settings name it)."""
        if self.links or self.special or os.path.realpath(base) != self.root:
            return None
        paths = [paths] if isinstance(paths, str) else list(paths)
        if not all(path and os.path.normpath(path) == path and not path.startswith(("/", "..")) for path in paths):
            return None
        pruned = {os.path.split(os.path.join(base, name)) for name in exclude or []}
        found: list[str] = []
        for path in paths:
            if path in self.files_set:
                if included([path.rpartition("/")[2]]):
                    found.append(path)  # a file named on its own, as Pelican's ``elif``
                continue
            found += self._under(base, path, pruned, ignores, included)
        return list(dict.fromkeys(found)) if len(paths) > 1 else found

    def _under(
        self,
        base: str,
        path: str,
        pruned: set[tuple[str, str]],
        ignores: list[str],
        included: Callable[[list[str]], list[str]],
    ) -> list[str]:
        """``pelican_files`` for the folder ``path``: its files and those of the folders its walk
        reaches, a folder at a time, in order."""
        prefix = f"{path}/"
        found: list[str] = []
        walked: dict[str, bool] = {}  # folder (relative) -> is it walked into?
        for folder in sorted(self.folders):
            if folder != path and not folder.startswith(prefix):
                continue
            if folder not in walked:
                walked[folder] = self._walked_into(base, path, folder, pruned, ignores, walked)
            if walked[folder]:
                found += [f"{folder}/{name}" for name in included(self.folders[folder])]
        return found

    @staticmethod
    def _walked_into(
        base: str, path: str, folder: str, pruned: set[tuple[str, str]], ignores: list[str], walked: dict[str, bool]
    ) -> bool:
        """Does Pelican's walk from ``path`` reach ``folder``? Not when a folder on the way is
        excluded (``(parent, name)`` in ``pruned``) or matches ``IGNORE_FILES``."""
        if folder == path:
            return True
        parent, _, name = folder.rpartition("/")
        above = walked.get(parent)
        if above is None:
            above = walked[parent] = ContentFiles._walked_into(base, path, parent, pruned, ignores, walked)
        if not above:
            return False
        return (os.path.join(base, parent), name) not in pruned and not any(fnmatch(name, i) for i in ignores)

    @cached_property
    def files_set(self) -> set[str]:
        return set(self.files)


def joined(prefix: str, name: str) -> str:
    """``os.path.abspath(os.path.join(folder, name))``, ``prefix`` being ``folder`` made
    absolute with a trailing separator (``os.path.join(os.path.abspath(folder), "")``): one
    ``normpath`` (C code) instead of ``join`` and ``abspath`` a diary, twice a build."""
    return os.path.abspath(name) if name.startswith(os.sep) else os.path.normpath(prefix + name)


def _sort_key(relative: str) -> str:
    """A key that sorts paths as their lists of parts do: NUL, in no name, sorts before any
    character (a list of parts a key was a tenth of the layout check at 50,000 diaries)."""
    return relative.replace("/", "\0")


def content_files(settings: dict[str, Any]) -> ContentFiles:
    """This build's walk of ``settings["PATH"]`` (made on first use)."""
    state = build_state(settings, "content_files")
    root = os.path.realpath(settings["PATH"])
    found = state.get(root)
    if found is None:
        found = state[root] = ContentFiles(root)
    return found
