"""What a pass reads of each published diary, kept between builds: stage 3 of the flat build
(docs/architecture.md, "What still grows with the network").

Plugins read something of every diary each build (trust and acts its id, groups its groups,
chapters its election tags): a look at each of 50,000 objects scattered in memory, 1-2 µs
apiece. A ``DiaryIndex`` keeps what its pass read (``values``, by the diary's path under
content/) and, for the lists pages show, the paths in the diaries' order (``lists``), in
``.cache/diaries/<name>.pickle`` with the serial of the build that made it
(netroots/changelog.py) and the digest of the build's settings, templates and code. The next
build reads again only the diaries changed since (``DiaryChanges.since``) and moves only those
in the lists. When the log cannot say (``since`` answers None: a preview, the kept diaries
off, a log that no longer reaches back), the settings or code changed, or nothing is kept, it
reads every diary, as before.

A diary's place in ``articles`` depends on its own values only (Pelican sorts the diaries, read
in path order, by ``ARTICLE_ORDER_BY`` with a stable sort, and Netroots has no translations:
netroots/generators.py, netroots/build.py), so unchanged diaries keep their order among
themselves and a changed one is placed by a binary search of each list it is in. Under
``CHECK_KEPT`` (the test suite) every index updated so is also read anew and compared: a
difference fails the build.
"""

from __future__ import annotations

import hashlib
import os
from bisect import bisect_right
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from .changelog import diary_changes
from .fingerprint import CHECK_KEPT, KeptChanged
from .plugin import build_state
from .site import cache_dir, read_pickle, write_pickle

Value = TypeVar("Value")
FORMAT = 1  # what a kept index holds; another is read as none
ORDER = "reversed-date"  # the diaries' order (``ARTICLE_ORDER_BY``) whose lists are kept: another's may not be stable


class DiaryIndex(Generic[Value]):
    """``values``: path under content/ -> ``read(diary)`` of each published diary it is not None
    for; ``lists``: key -> the paths whose value ``keys`` names it under, in ``articles``' order
    (a path as many times as its value names the key). ``read_count``: the diaries read this build."""

    def __init__(
        self,
        context: dict[str, Any],
        settings: dict[str, Any],
        name: str,
        read: Callable[[Any], Value | None],
        keys: Callable[[Value], Iterable[str]] | None = None,
    ) -> None:
        self.context = context
        self.name = name
        self.read = read
        self.keys = keys
        self.prefix = os.path.join(os.path.abspath(settings["PATH"]), "")
        self.values: dict[str, Value] = {}
        self.lists: dict[str, list[str]] = {}
        self.read_count = 0
        changes = diary_changes(settings)
        path = cache_dir(settings, "diaries") / f"{name}.pickle"
        if changes.serial is None or (keys is not None and settings.get("ARTICLE_ORDER_BY") != ORDER):
            self._read_all()
            path.unlink(missing_ok=True)  # a later build could not tell what changed meanwhile
            return
        digest = self._digest(settings)
        kept = read_pickle(path)
        changed = None
        if isinstance(kept, tuple) and len(kept) == 5 and kept[0] == digest and len(kept[2]) == len(kept[3]):
            changed = self._relative(changes.since(kept[1]))
        if changed is None or not self._update(dict(zip(kept[2], kept[3], strict=True)), kept[4], changed):
            if not self._read_all():
                path.unlink(missing_ok=True)
                return
        elif not changed:
            return
        elif os.environ.get(CHECK_KEPT):
            self._check()
        write_pickle(path, (digest, changes.serial, list(self.values), list(self.values.values()), self.lists))

    def _digest(self, settings: dict[str, Any]) -> str:
        """The index's inputs besides the diaries: its name and format, the build's world."""
        from .readcache import read_cache

        world = read_cache(settings).world_id
        return hashlib.blake2b(repr((self.name, FORMAT, self.prefix, world)).encode(), digest_size=16).hexdigest()

    def _relative(self, paths: Iterable[str] | None) -> set[str] | None:
        """``paths`` under content/, as ``generated_content`` names them; None: one is not there."""
        if paths is None:
            return None
        found = set()
        for path in paths:
            relative = self._under(path)
            if relative is None:
                return None
            found.add(relative)
        return found

    def _under(self, path: Any) -> str | None:
        if not isinstance(path, str) or not path.startswith(self.prefix):
            return None
        relative = path[len(self.prefix) :]
        return relative.replace(os.sep, "/") if relative and os.path.normpath(relative) == relative else None

    def _read_all(self) -> bool:
        """Every published diary read, in ``articles``' order; False: one is not under content/
        (then the index is not kept)."""
        values: dict[str, Value] = {}
        keepable = True
        articles = self.context.get("articles") or []
        for article in articles:
            value = self.read(article)
            if value is not None:
                relative = self._under(getattr(article, "source_path", None))
                keepable = keepable and relative is not None
                values[relative or article.source_path] = value
        self.read_count = len(articles)
        self.values = values
        self.lists = {}
        if self.keys is not None:
            for relative, value in values.items():
                for key in self.keys(value):
                    self.lists.setdefault(key, []).append(relative)
        return keepable

    def _update(self, values: dict[str, Value], lists: dict[str, list[str]], changed: set[str]) -> bool:
        """The kept index with the ``changed`` diaries read again; False: one of them is not
        where it should be (then every diary is read)."""
        made = self.context.get("generated_content") or {}
        touched: set[str] = set()
        added: list[str] = []
        for relative in changed:
            old = values.pop(relative, None)
            if old is not None and self.keys is not None:
                touched.update(self.keys(old))
            article = made.get(relative)
            if article is None or getattr(article, "status", None) != "published":
                continue
            self.read_count += 1
            value = self.read(article)
            if value is not None:
                values[relative] = value
                added.append(relative)
                if self.keys is not None:
                    touched.update(self.keys(value))
        self.values, self.lists = values, lists
        try:
            self._place(made, touched, added, changed)
        except KeyError:
            return False
        return True

    def _place(self, made: dict[str, Any], touched: set[str], added: list[str], changed: set[str]) -> None:
        """Each list under a ``touched`` key without the changed diaries, the ``added`` put in
        their places by a binary search; KeyError: a diary is not in this build's ``articles``."""
        keys = self.keys
        if not touched or keys is None:
            return
        position = {id(article): index for index, article in enumerate(self.context.get("articles") or [])}
        place = {relative: position[id(made[relative])] for relative in added}
        for key in touched:
            kept = [relative for relative in self.lists.get(key, ()) if relative not in changed]
            moved = sorted((place[path], path) for path in added for named in keys(self.values[path]) if named == key)
            for at, relative in moved:
                kept.insert(bisect_right(kept, at, key=lambda path: position[id(made[path])]), relative)
            if kept:
                self.lists[key] = kept
            else:
                self.lists.pop(key, None)

    def _check(self) -> None:
        """The suite's check: the index as updated is the index read anew."""
        values, lists, read_count = self.values, self.lists, self.read_count
        self._read_all()
        self.read_count = read_count
        if values != self.values or lists != self.lists:
            raise KeptChanged(f"the kept {self.name} index, updated, differs from the diaries (netroots/diaryindex.py)")

    def article(self, path: str) -> Any:
        """This build's diary at ``path`` (under content/)."""
        return self.context["generated_content"][path]

    def articles(self, key: str, limit: int | None = None) -> list[Any]:
        """This build's diaries listed under ``key``, in order (the first ``limit``)."""
        made = self.context["generated_content"]
        return [made[path] for path in self.lists.get(key, ())[:limit]]


def diary_index(
    context: dict[str, Any],
    settings: dict[str, Any],
    name: str,
    read: Callable[[Any], Value | None],
    keys: Callable[[Value], Iterable[str]] | None = None,
) -> DiaryIndex[Value]:
    """The build's index ``name``, made once a build (after the diaries are made)."""
    made = build_state(settings, "diary_index")
    found = made.get(name)
    if found is None:
        found = made[name] = DiaryIndex(context, settings, name, read, keys)
    return found


def diary_id(article: Any) -> str | None:
    return getattr(article, "diary_id", None) or None


def every_diary(_value: str) -> tuple[str]:
    return ("",)


def diary_ids(context: dict[str, Any], settings: dict[str, Any]) -> DiaryIndex[str]:
    """Each published diary's id (trust and acts ask); ``lists[""]``: every diary with one, in order."""
    return diary_index(context, settings, "diary_id", diary_id, every_diary)


def published_ids(context: dict[str, Any], settings: dict[str, Any]) -> dict[str, str]:
    """Published diary id -> its path under content/, once a build."""
    made = build_state(settings, "diary_index")
    found = made.get("published_ids")
    if found is None:
        found = made["published_ids"] = {value: path for path, value in diary_ids(context, settings).values.items()}
    return found


__all__ = ["DiaryIndex", "diary_ids", "diary_index", "published_ids"]
