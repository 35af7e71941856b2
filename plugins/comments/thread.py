"""From comment files to threads: links checked, moderation, trust, order.

``build_conversation`` is the one function ``check`` and the build share: it reports
every broken link (unknown or draft diary, unknown parent, a parent on another diary,
a loop of replies, no member file), reads ``content/moderation.yaml``, weighs members'
recommendations of comments by trust, and arranges each diary's comments as a tree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netroots import schema
from netroots.report import Report

from .model import Comment

MODERATION_EXAMPLE = "`- {comment: sam-hollis/2026-11-20-1930-buy-now, reason: Advertising, by: maria-lopez}`"
MODERATION_FIELDS = (
    schema.Field("comment", schema.text, required=True),
    schema.Field("reason", schema.text, required=True),
    schema.Field("by", schema.handle),
    schema.Field("date", schema.date),
)


@dataclass
class Removal:
    """A comment hidden by the maintainers, and why."""

    comment: str
    reason: str
    by: str | None = None
    date: dt.date | None = None
    line: int = 1


@dataclass
class Node:
    """One comment in its thread, with everything the page shows about it."""

    comment: Comment
    diary_url: str  # e.g. "diaries/ana/x/"
    depth: int = 0
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None
    removed: Removal | None = None
    collapsed: bool = False  # the writer is outside the web of trust
    recommenders: list[str] = field(default_factory=list)  # trusted, best first
    weight: float = 0.0
    marked: bool = False  # highly recommended

    @property
    def id(self) -> str:
        return self.comment.id

    @property
    def anchor(self) -> str:
        return self.comment.anchor

    @property
    def url(self) -> str:
        """The comment's address on the site, e.g. ``diaries/ana/x/#c-ben.2026-11-20-1930-yes``."""
        return f"{self.diary_url}#{self.anchor}"

    @property
    def shown(self) -> bool:
        """In feeds, counts and recent lists: neither removed nor folded away."""
        return self.removed is None and not self.collapsed


@dataclass
class Thread:
    """A diary's comments: the top-level ones, each with its replies."""

    diary_id: str
    diary_url: str
    roots: list[Node] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)  # in page order

    @property
    def count(self) -> int:
        """Comments a reader sees (removed ones excluded, folded ones included)."""
        return sum(1 for node in self.nodes if node.removed is None)


@dataclass
class Conversation:
    """Every thread of the build, and the indexes other plugins read."""

    threads: dict[str, Thread] = field(default_factory=dict)
    by_id: dict[str, Node] = field(default_factory=dict)
    trust_on: bool = False


def load_moderation(content: Path, report: Report) -> dict[str, Removal]:
    """``content/moderation.yaml``: a list of removed comments with the reason; none when absent."""
    path = content / "moderation.yaml"
    if not path.is_file():
        return {}
    found: dict[str, Removal] = {}
    items = schema.checked_list_items(path, report, MODERATION_FIELDS, example=MODERATION_EXAMPLE, label="entry")
    for item in items:
        clean = item.clean
        if not schema.is_comment_id(clean["comment"]):
            report.error(
                path,
                item.line_of("comment"),
                f"comment: '{clean['comment']}' is not a comment id; write <handle>/<file name without .md>, "
                "e.g. sam-hollis/2026-11-20-1930-buy-now",
            )
            continue
        found[clean["comment"]] = Removal(
            clean["comment"], clean["reason"], clean["by"], clean["date"], item.line_of("comment")
        )
    return found


def _diary_problem(diary_id: str, published: Collection[str], drafts: Collection[str]) -> str | None:
    if diary_id in published:
        return None
    if diary_id in drafts:
        return f"on: '{diary_id}' is a draft (status: draft); you can reply once it is published"
    handle, slug = diary_id.split("/", 1)
    return (
        f"on: '{diary_id}' is not a published diary (no content/diaries/{handle}/<YYYY-MM-DD>-{slug}.md); "
        "copy the id from the diary's address, /diaries/<handle>/<slug>/"
    )


def link(
    comments: list[Comment],
    members: Collection[str],
    published: Collection[str],
    drafts: Collection[str],
    report: Report,
) -> dict[str, Comment]:
    """The comments whose writer, diary and parent are all right, by id; the rest reported."""
    candidates = _on_published_diaries(comments, members, published, drafts, report)
    valid: dict[str, Comment] = {}
    for comment in candidates.values():
        problem = _parent_problem(comment, candidates)
        if problem:
            report.error(comment.path, comment.line("parent"), problem)
        else:
            valid[comment.id] = comment
    return _rooted(valid, report)


def _on_published_diaries(
    comments: list[Comment],
    members: Collection[str],
    published: Collection[str],
    drafts: Collection[str],
    report: Report,
) -> dict[str, Comment]:
    """The comments by a member on a published diary, by id; the others reported."""
    candidates: dict[str, Comment] = {}
    for comment in comments:
        if comment.handle not in members:
            report.error(
                comment.path,
                1,
                f"no member '{comment.handle}': a comment's folder is its writer's handle, "
                f"and content/members/{comment.handle}.yaml must exist",
            )
            continue
        problem = _diary_problem(comment.on, published, drafts)
        if problem:
            report.error(comment.path, comment.line("on"), problem)
            continue
        candidates[comment.id] = comment
    return candidates


def _parent_problem(comment: Comment, candidates: Mapping[str, Comment]) -> str | None:
    """What is wrong with a reply's ``parent`` (itself, no such comment, another diary), or None."""
    parent = comment.parent
    if parent is None:
        return None
    if parent == comment.id:
        return "parent: a comment cannot answer itself; remove `parent`"
    if parent not in candidates:
        handle, stem = parent.split("/", 1)
        return (
            f"parent: '{parent}' is not a comment (no content/comments/{handle}/{stem}.md without errors); "
            "copy the id from the Reply link under the comment you answer"
        )
    if candidates[parent].on != comment.on:
        return (
            f"parent: '{parent}' is a comment on {candidates[parent].on}, not on {comment.on}; "
            "a reply must be on the same diary as the comment it answers"
        )
    return None


def _rooted(valid: dict[str, Comment], report: Report) -> dict[str, Comment]:
    """The comments whose chain of parents reaches a top-level comment. A reply whose parent was
    left out is left out too; a loop of replies is never reached (and reported)."""
    settled: dict[str, bool] = {}
    for comment in valid.values():
        chain: list[str] = []
        current: Comment | None = comment
        reached = False
        while current is not None:
            if current.id in settled:
                reached = settled[current.id]
                break
            if current.id in chain:
                for looped in chain[chain.index(current.id) :]:
                    item = valid[looped]
                    report.error(item.path, item.line("parent"), "parent: these replies answer each other in a loop")
                break
            chain.append(current.id)
            if current.parent is None:
                reached = True
                break
            current = valid.get(current.parent)  # None: the parent was left out
        for key in chain:
            settled[key] = reached
    return {key: comment for key, comment in valid.items() if settled.get(key)}


def weigh_recommendations(
    members: Mapping[str, Any],
    comments: Mapping[str, Comment],
    trust: Any,
    report: Report,
    acts: Mapping[str, Collection[str]] | None = None,
) -> dict[str, list[tuple[str, float]]]:
    """``comment id -> [(trusted recommender, weight)]``.

    From comment ids in members' ``recommends:`` (checked here: one that is not a comment
    is an error, one's own comment counts for nothing) and from ``acts``, the acts
    plugin's ``comment_recommends`` (comment id -> handles; that plugin checks its files).
    """
    found: dict[str, list[tuple[str, float]]] = {}

    def count(handle: str, comment_id: str) -> None:
        weight = trust.weight(handle) if trust is not None else 1.0
        if comment_id.split("/", 1)[0] == handle or any(h == handle for h, _ in found.get(comment_id, [])):
            return
        if trust is None or (trust.is_trusted(handle) and weight > 0):
            found.setdefault(comment_id, []).append((handle, weight))

    for comment_id, handles in (acts or {}).items():
        if comment_id in comments:
            for handle in handles:
                count(handle, comment_id)
    for handle, member in members.items():
        seen: set[str] = set()
        for index, value in enumerate(member.listed("recommends")):
            if not schema.is_comment_id(value) or value in seen:
                continue
            seen.add(value)
            line = member.line("recommends", index) if hasattr(member, "line") else 1
            if value not in comments:
                author, stem = value.split("/", 1)
                report.error(
                    member.path,
                    line,
                    f"recommends: '{value}' is not a comment (no content/comments/{author}/{stem}.md without errors)",
                )
                continue
            if value.split("/", 1)[0] == handle:
                report.warning(
                    member.path, line, f"recommends: '{value}' is your own comment; recommending it counts for nothing"
                )
                continue
            count(handle, value)
    for pairs in found.values():
        pairs.sort(key=lambda pair: (-pair[1], pair[0]))
    return found


def build_conversation(
    comments: list[Comment],
    members: Mapping[str, Any],
    published: Mapping[str, str],
    drafts: Collection[str],
    removals: dict[str, Removal],
    trust: Any,
    options: Mapping[str, Any],
    is_out: Callable[[dt.datetime], bool],
    report: Report,
    moderation_path: Path | None = None,
    acts: Mapping[str, Collection[str]] | None = None,
) -> Conversation:
    """Every diary's thread. ``published`` maps diary ids to their URLs; ``trust`` is the
    trust plugin's result (``enabled``, ``is_trusted``, ``weight``) or ``None``; ``acts``
    the acts plugin's ``comment_recommends``."""
    valid = link(comments, members, published, drafts, report)
    if moderation_path is not None:
        _warn_stale_removals(removals, valid, moderation_path, report)
    recommended = weigh_recommendations(members, valid, trust, report, acts)
    trust_on = bool(trust is not None and getattr(trust, "enabled", False))
    collapse = trust_on and options["collapse_untrusted"]
    conversation = Conversation(trust_on=trust_on)
    nodes = {}
    for key, comment in sorted(_due(valid, is_out).items(), key=lambda item: (item[1].date, item[0])):
        node = Node(comment=comment, diary_url=published[comment.on])
        node.removed = removals.get(key)
        node.collapsed = bool(collapse and not trust.is_trusted(comment.handle))
        _weigh(node, recommended.get(key, []), options)
        nodes[key] = node
    _thread(conversation, nodes)
    conversation.by_id = nodes
    return conversation


def _warn_stale_removals(
    removals: dict[str, Removal], valid: Mapping[str, Comment], moderation_path: Path, report: Report
) -> None:
    """A moderation entry that names no shown comment hides nothing: say so, it may be a typo."""
    for comment_id, removal in removals.items():
        if comment_id not in valid:
            report.warning(
                moderation_path,
                removal.line,
                f"comment: '{comment_id}' is not a comment on a published diary; this entry hides nothing",
            )


def _due(valid: Mapping[str, Comment], is_out: Callable[[dt.datetime], bool]) -> dict[str, Comment]:
    """The comments out by now: scheduled comments (dated later than now) wait, and so do their replies."""
    due = {key: c for key, c in valid.items() if is_out(c.date)}
    visible = {}
    for key, comment in due.items():
        current = comment
        while current.parent is not None and current.parent in due:
            current = due[current.parent]
        if current.parent is None:
            visible[key] = comment
    return visible


def _weigh(node: Node, pairs: list[tuple[str, float]], options: Mapping[str, Any]) -> None:
    """The node's recommenders and their total weight; enough of both (and not removed) marks it."""
    node.recommenders = [handle for handle, _ in pairs]
    node.weight = round(sum(weight for _, weight in pairs), 4)
    node.marked = (
        node.removed is None
        and node.weight >= float(options["marked_weight"])
        and len(pairs) >= int(options["marked_recommenders"])
        and len(pairs) > 0
    )


def _thread(conversation: Conversation, nodes: dict[str, Node]) -> None:
    """Hang each node (oldest first) under its parent or its diary's thread, then list every
    thread's nodes in page order (depth first) with their depth."""
    for node in nodes.values():  # oldest first, so children are appended in order
        parent_id = node.comment.parent
        thread = conversation.threads.setdefault(
            node.comment.on, Thread(diary_id=node.comment.on, diary_url=node.diary_url)
        )
        if parent_id is None:
            thread.roots.append(node)
        else:
            node.parent = nodes[parent_id]
            node.parent.children.append(node)
    for thread in conversation.threads.values():
        stack = list(reversed(thread.roots))
        while stack:
            node = stack.pop()
            node.depth = node.parent.depth + 1 if node.parent else 0
            thread.nodes.append(node)
            stack.extend(reversed(node.children))
