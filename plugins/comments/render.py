"""What a reader sees of a thread, as plain data, and its HTML rendered once.

A thread's *view* holds every value the template shows (names, signatures, dates,
marks, allied responses), so its hash says when the HTML must change. Rendered
threads are kept in ``.cache/comments/threads.sqlite`` (store.py): a warm build renders
only the threads that changed, and the diary page includes the stored HTML. Pages are
rendered at the end of the build, in worker processes (netroots/incremental.py): a worker
appends the threads it rendered to a file of its own beside the store, and ``save`` (when
the build has finished) writes them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from markupsafe import Markup

from netroots.today import aware

from .store import Rendered, ThreadStore
from .thread import Node, Thread

logger = logging.getLogger("netroots")


def when(moment: dt.datetime) -> str:
    """``November 20, 2026, 7:30 PM``: how a comment's time reads."""
    return moment.strftime("%B %-d, %Y, %-I:%M %p")


def node_view(
    node: Node, members: Mapping[str, Any], zone: dt.tzinfo, avatars: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """One comment as the template shows it; ``avatars`` (the members plugin's, when present)
    gives each commenter's face, so a changed picture re-renders the thread."""
    avatars = avatars or {}
    comment = node.comment
    member = members.get(comment.handle)
    moment = aware(comment.date, zone)
    parent = node.parent
    view: dict[str, Any] = {
        "id": comment.id,
        "anchor": comment.anchor,
        "title": comment.title,
        "handle": comment.handle,
        "name": member.name if member else comment.handle,
        "avatar": avatars.get(comment.handle),
        "signature": (getattr(member, "signature", "") or "") if member else "",
        "datetime": moment.isoformat(),
        "when": when(moment),
        "depth": node.depth,
        "collapsed": node.collapsed,
        "marked": node.marked,
        "recommended_by": len(node.recommenders),
        "removed": None,
        "html": comment.html,
        "parent": None,
        "children": [node_view(child, members, zone, avatars) for child in node.children],
    }
    if parent is not None:
        parent_member = members.get(parent.comment.handle)
        view["parent"] = {
            "anchor": parent.anchor,
            "name": "a removed comment"
            if parent.removed is not None
            else f"the comment by {parent_member.name if parent_member else parent.comment.handle}",
        }
    if node.removed is not None:
        view.update(removed=node.removed.reason, html="", title="", signature="", marked=False, collapsed=False)
    return view


def response_view(entry: Any, zone: dt.tzinfo) -> dict[str, Any]:
    moment = entry.published.astimezone(zone)
    return {
        "title": entry.title,
        "link": entry.link,
        "ally": entry.ally.name,
        "site": entry.ally.site,
        "datetime": moment.isoformat(),
        "when": moment.strftime("%B %-d, %Y"),
        "summary": entry.summary,
    }


def thread_view(
    diary_id: str,
    thread: Thread | None,
    responses: list[Any],
    members: Mapping[str, Any],
    zone: dt.tzinfo,
    feeds: dict[str, str | None],
    trust_on: bool,
    avatars: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "diary_id": diary_id,
        "count": thread.count if thread else 0,
        "roots": [node_view(node, members, zone, avatars) for node in thread.roots] if thread else [],
        "responses": [response_view(entry, zone) for entry in responses],
        "feeds": feeds,
        "trust_on": trust_on,
    }


def view_hash(view: dict[str, Any], *extra: str) -> str:
    raw = json.dumps(view, sort_keys=True, ensure_ascii=False, default=str)
    hasher = hashlib.blake2b(raw.encode("utf-8"), digest_size=16)
    for part in extra:
        hasher.update(b"\0" + part.encode("utf-8"))
    return hasher.hexdigest()


class Blank:
    """Diaries with nothing under them yet (no comment, no allied response): each one's view
    is made when its page asks, not for 10,000 diaries every build. It shows the diary's id,
    its title, its feeds' addresses (from the settings: a settings change renders every page
    again) and whether trust is on; ``state`` is what a page's fingerprint takes of it."""

    def __init__(self, diaries: Mapping[str, Any], feeds: Callable[[str], dict[str, str | None]], trust_on: bool):
        self.diaries = diaries  # diary id -> the published diary (its ``title``)
        self.feeds = feeds
        self.trust_on = trust_on

    def view(self, diary_id: str) -> dict[str, Any] | None:
        article = self.diaries.get(diary_id)
        if article is None:
            return None
        view = thread_view(diary_id, None, [], {}, dt.UTC, self.feeds(diary_id), self.trust_on)
        view["title"] = str(article.title)
        return view

    def state(self, diary_id: str) -> tuple[Any, ...] | None:
        """What the view above depends on besides the id (the key a page asked) and the settings."""
        article = self.diaries.get(diary_id)
        return None if article is None else ("blank", str(article.title), self.trust_on)


class ThreadRenderer:
    """``comment_thread(diary_id, SITEURL)`` in templates: the thread's HTML, rendered once.

    ``template_stamp`` changes when the templates do, so a theme edit re-renders. A page
    depends on the thread of the diary it asked for only (``fingerprint_key``;
    netroots.fingerprint.is_keyed): a new comment renders its own diary's page again, not
    every diary's. ``views`` holds the threads with something to show; ``blank`` makes the
    others' when asked.
    """

    def __init__(
        self,
        template: Any,
        views: dict[str, dict[str, Any]],
        globals_: dict[str, Any],
        cache: Path | None,
        blank: Blank | None = None,
        diaries: Any = None,
    ):
        self.template = template
        self.diaries = diaries  # diaries.Diaries: which diaries are gone since the store last dropped theirs
        self.views = views
        self.blank = blank
        self.globals = globals_
        self.cache = cache
        self.store = ThreadStore(cache) if cache else None
        self.rendered: Rendered = {}  # by this process, this build
        self.stamp = str(globals_.get("template_stamp", ""))
        self.pid = os.getpid()  # the build's own process; others are rendering workers
        self.asked: set[str] = set()  # the diaries the page being rendered asked for

    def view(self, diary_id: str) -> dict[str, Any] | None:
        view = self.views.get(diary_id)
        if view is None and self.blank is not None:
            view = self.blank.view(diary_id)
        return view

    def has(self, diary_id: str) -> bool:
        return diary_id in self.views or (self.blank is not None and diary_id in self.blank.diaries)

    def __call__(self, diary_id: str, siteurl: str = "") -> Markup:
        if not isinstance(diary_id, str):
            return Markup("")  # no diary's id: shows nothing, whatever changes
        self.asked.add(diary_id)
        view = self.view(diary_id)
        if view is None:
            return Markup("")
        stable = {name: value for name, value in self.globals.items() if name != "act_links"}  # see links_stamp
        key = view_hash(view, siteurl, json.dumps(stable, sort_keys=True, default=str))
        found = self.store.get(diary_id) if self.store else None
        if found is not None and found[0] == key:
            return Markup(found[1])
        html = self.template.render(thread=view, SITEURL=siteurl, **self.globals)
        self.rendered[diary_id] = (key, html)
        self._pass_on(diary_id, key, html)
        return Markup(html)

    def _parts(self) -> list[Path]:
        return sorted(self.cache.parent.glob(f"{self.cache.stem}-*.part")) if self.cache else []

    def _pass_on(self, diary_id: str, key: str, html: str) -> None:
        """In a rendering worker: the thread reaches ``save`` through the worker's own file."""
        if self.cache is None or os.getpid() == self.pid:
            return
        part = self.cache.with_name(f"{self.cache.stem}-{os.getpid()}.part")
        try:
            with part.open("a", encoding="utf-8") as out:
                out.write(json.dumps([diary_id, key, html], ensure_ascii=False) + "\n")
        except OSError as exc:
            logger.warning("comments: could not write %s (%s)", part, exc)

    # Read by key (netroots.fingerprint.is_keyed): what a page that asked for a thread depends on.
    def start(self) -> None:
        self.asked = set()

    def read(self) -> list[str]:
        return sorted(self.asked)

    def fingerprint_state(self) -> tuple[Any, ...]:
        """What every thread depends on: not the last build's stored HTML, which changes from
        build to build but renders the same."""
        return self.globals, self.stamp

    def fingerprint_key(self, diary_id: str) -> Any:
        """What the thread of ``diary_id`` depends on besides the shared state and the settings."""
        view = self.views.get(diary_id)
        if view is not None:
            return view
        return self.blank.state(diary_id) if self.blank is not None else None

    def save(self) -> None:
        """Keep the threads this build rendered, in the workers too (threads of pages an
        incremental build did not render again stay as they were). Called when the pages are
        written (``finalized``). A build that rendered no thread leaves the store alone; the
        rows of removed diaries go the next time one is rendered (kept HTML is used only for a
        view that hashes the same, so a stale row is never shown)."""
        rendered = dict(self.rendered)
        for part in self._parts():
            try:
                lines = part.read_text(encoding="utf-8").splitlines()
                part.unlink()
            except OSError:
                continue
            for line in lines:
                try:
                    diary_id, key, html = json.loads(line)
                except ValueError:
                    continue  # a worker stopped mid-line
                if self.has(diary_id):
                    rendered.setdefault(diary_id, (key, html))
        if self.store is None or not rendered:
            return
        gone = self.diaries.gone() if self.diaries is not None else None
        if gone is None and self.diaries is not None:
            self.diaries.every()  # each kept row is asked about: one pass, not a look-up a row
        try:
            self.store.save(rendered, self.has, gone)
        except (OSError, sqlite3.Error) as exc:
            logger.warning("comments: could not write %s (%s)", self.cache, exc)
            return
        finally:
            if self.diaries is not None:
                self.diaries.close()
        if self.diaries is not None:
            self.diaries.dropped(gone)
