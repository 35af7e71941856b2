"""Social acts as small files: ``content/acts/<handle>/<YYYY-MM-DD>-<act>-<target>.yaml``.

A forge's web editor can pre-fill a new file but not an edit, so each act (recommend,
support, vouch, going, or withdrawing one of them) is a new file in the member's own
folder. ``merge_acts`` folds them into the members' lists (``recommends``, ``supports``,
``vouches``, ``going``), so trust, actions and events see one merged list, each act once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netroots import schema
from netroots.forge import DAY, unfilled
from netroots.members import Member
from netroots.report import Report
from netroots.source import Source, read_yaml

# act -> (field naming its target, the Member list it adds to); recommend also takes `comment`.
KINDS: dict[str, tuple[str, str]] = {
    "recommend": ("diary", "recommends"),
    "support": ("action", "supports"),
    "vouch": ("member", "vouches"),
    "going": ("event", "going"),
}
TARGET_FIELDS = ("diary", "comment", "action", "member", "event")
ITEM_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?/[A-Za-z0-9][A-Za-z0-9._-]*$")
FILE_NAME = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})-[a-z0-9][a-z0-9.-]*\.yaml$")


def item_id(value: Any) -> str:
    """``<handle>/<slug>``: a diary or comment id, as in its address."""
    text = schema.text(value).strip("/")
    if not ITEM_ID.match(text):
        raise schema.Invalid(f"'{text}' is not an id; write <handle>/<slug>, e.g. maria-lopez/first-meeting")
    return text


ACT_FIELDS = (
    schema.Field(
        "act",
        schema.choice(*KINDS),
        required=True,
        help="e.g. `act: recommend` (recommend, support, vouch or going)",
    ),
    schema.Field("diary", item_id),
    schema.Field("comment", item_id),
    schema.Field("action", schema.slug),
    schema.Field("member", schema.handle),
    schema.Field("event", schema.slug),
    schema.Field("withdraw", schema.boolean, default=False),
    schema.Field("date", schema.date),
    schema.Field("by", schema.handle),
)


@dataclass
class Act:
    """One act file, validated."""

    path: Path
    handle: str  # the folder: who acts
    kind: str  # recommend, support, vouch, going
    target_field: str  # diary, comment, action, member, event
    target: str
    date: dt.date
    withdraw: bool
    source: Source

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.target_field, self.target)

    @property
    def line(self) -> int:
        return self.source.line(self.target_field)

    def describe(self) -> str:
        return f"{self.kind} {self.target_field} '{self.target}'"


@dataclass
class Targets:
    """What acts may point at, gathered from the build (or ``check``) context."""

    published: Collection[str] = ()  # diary ids
    drafts: Collection[str] = ()
    comments: Collection[str] = ()  # comment ids
    actions: Collection[str] = ()
    events: Collection[str] = ()
    members: Collection[str] = ()


@dataclass
class Merged:
    """The result of merging: what each member did, and who recommends each comment."""

    added: int = 0
    comment_recommends: dict[str, list[str]] = field(default_factory=dict)
    going: dict[str, list[str]] = field(default_factory=dict)  # event slug -> handles


def content_targets(
    content: Path, members: Collection[str], published: Collection[str], drafts: Collection[str]
) -> Targets:
    """Targets from the content folder; diaries come from the caller (build or check)."""
    comments = {
        f"{p.parent.name}/{p.stem}" for p in (content / "comments").glob("*/*.md") if not p.name.startswith(".")
    }
    return Targets(
        published=set(published),
        drafts=set(drafts),
        comments=comments,
        actions={p.stem for p in (content / "actions").glob("*.md")},
        events={p.stem for p in (content / "events").glob("*.md")},
        members=set(members),
    )


def read_act(path: Path, content: Path, members: Collection[str], report: Report) -> Act | None:
    """Read and validate one act file (its target is checked later, in ``merge_acts``)."""
    relative = path.relative_to(content / "acts")
    handle = relative.parts[0]
    if len(relative.parts) != 2:
        report.error(path, 1, f"an act lives in content/acts/<your-handle>/<YYYY-MM-DD>-<what>.yaml, not {relative}")
        return None
    read = schema.read_validated(path, ACT_FIELDS, report, kind="act", read=read_yaml)
    if read is None:
        return None
    source, clean, ok = read
    if not _acts_for_self(path, handle, members, source, clean, report):
        return None
    if not ok or not clean["act"]:
        return None
    target_field = _target_field(path, source, clean, report)
    if target_field is None:
        return None
    date = clean["date"] if clean["date"] is not None else _date_from_file_name(path, report)
    if date is None:
        return None
    return Act(
        path=path,
        handle=handle,
        kind=clean["act"],
        target_field=target_field,
        target=clean[target_field],
        date=date,
        withdraw=clean["withdraw"],
        source=source,
    )


def _acts_for_self(
    path: Path, handle: str, members: Collection[str], source: Source, clean: dict[str, Any], report: Report
) -> bool:
    """The folder names who acts: it must be a member, and ``by`` (if given) must be that member,
    so no one records acts in another's name."""
    if handle not in members:
        report.error(
            path,
            1,
            f"no member '{handle}': an act's folder is the handle of who acts, "
            f"and content/members/{handle}.yaml must exist",
        )
        return False
    if clean["by"] and clean["by"] != handle:
        report.error(
            path,
            source.line("by"),
            f"by: '{clean['by']}' is another member: this act is in {handle}'s folder. "
            f"Members record acts only in their own folder, content/acts/<your-handle>/",
        )
        return False
    return True


def _target_field(path: Path, source: Source, clean: dict[str, Any], report: Report) -> str | None:
    """The one target field the act's kind allows (``diary:``, ``event:``...), or None after an error
    that names the allowed fields with an example."""
    kind = clean["act"]
    allowed = ("diary", "comment") if kind == "recommend" else (KINDS[kind][0],)
    given = [name for name in TARGET_FIELDS if clean[name]]
    example = f"`{allowed[0]}: {'maria-lopez/first-meeting' if allowed[0] in ('diary', 'comment') else 'a-slug'}`"
    if len(given) != 1 or given[0] not in allowed:
        what = " or ".join(f"`{name}`" for name in allowed)
        found = f" (found {', '.join(f'`{n}`' for n in given)})" if given else ""
        report.error(
            path,
            source.line(given[-1]) if given else 1,
            f"`act: {kind}` needs exactly one {what}{found}, e.g. {example}",
        )
        return None
    return given[0]


def _date_from_file_name(path: Path, report: Report) -> dt.date | None:
    """An act without ``date`` is dated by its file name (<YYYY-MM-DD>-<what>.yaml), else reported."""
    if unfilled(path.name) == DAY:  # a take-part link followed without JavaScript
        rest = path.name.removeprefix(DAY)
        report.error(
            path,
            1,
            f"the file name still starts with {DAY}: write the day you made it in its place, "
            f"e.g. 2026-11-22{rest} (the site's button fills it in when JavaScript is on)",
        )
        return None
    name = FILE_NAME.match(path.name)
    if name is None:
        report.error(path, 1, "missing `date`: write `date: 2026-11-22`, or name the file <YYYY-MM-DD>-<what>.yaml")
        return None
    try:
        return dt.date.fromisoformat(name["date"])
    except ValueError:
        report.error(path, 1, f"the file name starts with '{name['date']}', which is not a date; write `date:`")
        return None


def read_acts(content: Path, members: Collection[str], report: Report) -> list[Act]:
    """Every valid act, oldest first (same day: by file name, so a withdrawal follows its act)."""
    folder = content / "acts"
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*.yaml")):
        if path.name.startswith(".") or not path.is_file():
            continue
        act = read_act(path, content, members, report)
        if act is not None:
            found.append(act)
    return sorted(found, key=lambda a: (a.date, a.path.name))


def target_problem(act: Act, targets: Targets) -> tuple[str, str] | None:
    """(severity, message) when the act's target cannot count; ``None`` when it can."""
    target = act.target
    if act.target_field == "diary":
        if target in targets.drafts:
            return "error", f"diary: '{target}' is a draft; recommend it once it is published"
        if target not in targets.published:
            return (
                "error",
                f"diary: '{target}' is not a published diary (no /diaries/{target}/); copy the id from its address",
            )
        if target.split("/", 1)[0] == act.handle:
            return "warning", f"diary: '{target}' is your own diary; recommending it counts for nothing"
    elif act.target_field == "comment":
        if target not in targets.comments:
            return "error", f"comment: '{target}' is not a comment (no content/comments/{target}.md)"
        if target.split("/", 1)[0] == act.handle:
            return "warning", f"comment: '{target}' is your own comment; recommending it counts for nothing"
    elif act.target_field == "action":
        if target not in targets.actions:
            known = ", ".join(sorted(targets.actions)) or "none yet"
            return "error", f"action: '{target}' is not an action (no content/actions/{target}.md; actions: {known})"
    elif act.target_field == "event":
        if target not in targets.events:
            return "error", f"event: '{target}' is not an event (no content/events/{target}.md)"
    elif act.target_field == "member":
        if target not in targets.members:
            return "error", f"member: '{target}' is not a member (no content/members/{target}.yaml)"
        if target == act.handle:
            return "warning", "member: a member cannot vouch for themselves; this vouch counts for nothing"
    return None


def merge_acts(members: Mapping[str, Member], acts: list[Act], targets: Targets, report: Report) -> Merged:
    """Apply the acts, in order, to the members' lists; each act counts once.

    The lists in member files are the starting point; act files add to them and
    withdrawals take away (from either). A second file for an act already in effect is a
    warning; withdrawing what is not in effect is a warning too.
    """
    merged = Merged()
    in_effect = _in_member_files(members, targets, report)
    comment_recommends: dict[str, list[str]] = {}
    for act in acts:
        member = members.get(act.handle)
        if member is not None and _apply(act, member, targets, in_effect, comment_recommends, report):
            merged.added += 1
    merged.comment_recommends = {k: sorted(v) for k, v in sorted(comment_recommends.items()) if v}
    merged.going = _who_is_going(members)
    return merged


InEffect = dict[tuple[str, tuple[str, str, str]], Path | None]


def _in_member_files(members: Mapping[str, Member], targets: Targets, report: Report) -> InEffect:
    """The acts the member files already list (the starting point; None: no act file), after
    reporting ``going`` entries that name no event."""
    in_effect: InEffect = {}
    for handle, member in members.items():
        for index, slug in enumerate(member.listed("going")):
            if slug not in targets.events:
                report.error(
                    member.path,
                    member.line("going", index),
                    f"going: '{slug}' is not an event (no content/events/{slug}.md)",
                )
        for kind, (target_field, attribute) in KINDS.items():
            for target in member.listed(attribute):
                in_effect.setdefault((handle, (kind, target_field, target)), None)
    return in_effect


def _apply(
    act: Act,
    member: Member,
    targets: Targets,
    in_effect: InEffect,
    comment_recommends: dict[str, list[str]],
    report: Report,
) -> bool:
    """Apply one act (or withdrawal) to its member; True when it added something. A bad target
    is an error; a pointless act (own diary, already recorded, nothing to withdraw) a warning."""
    problem = target_problem(act, targets)
    if problem and problem[0] == "error":
        report.error(act.path, act.line, problem[1])
        return False
    key = (act.handle, act.key)
    if act.withdraw:
        if key not in in_effect:
            report.warning(
                act.path, act.line, f"withdraw: nothing to withdraw; {act.handle} did not {act.describe()} before"
            )
            return False
        del in_effect[key]
        _remove(member, act, comment_recommends)
        return False
    if problem:
        report.warning(act.path, act.line, problem[1])
        return False
    if key in in_effect:
        earlier = in_effect[key]
        if earlier is not None:
            report.warning(
                act.path, act.line, f"{act.describe()} is already recorded in {earlier.name}; it counts once"
            )
        return False
    in_effect[key] = act.path
    _add(member, act, comment_recommends)
    return True


def _who_is_going(members: Mapping[str, Member]) -> dict[str, list[str]]:
    """Event slug -> handles of the members going, both sorted."""
    going: dict[str, list[str]] = {}
    for member in members.values():
        for slug in member.listed("going"):
            going.setdefault(slug, []).append(member.handle)
    return {slug: sorted(handles) for slug, handles in sorted(going.items())}


def _add(member: Member, act: Act, comment_recommends: dict[str, list[str]]) -> None:
    if act.target_field == "comment":
        comment_recommends.setdefault(act.target, []).append(member.handle)
        return
    values = member.listed(KINDS[act.kind][1])
    if act.target not in values:
        values.append(act.target)


def _remove(member: Member, act: Act, comment_recommends: dict[str, list[str]]) -> None:
    if act.target_field == "comment":
        handles = comment_recommends.get(act.target, [])
        if member.handle in handles:
            handles.remove(member.handle)
        return
    attribute = KINDS[act.kind][1]
    member.fields[attribute] = [t for t in member.listed(attribute) if t != act.target]
