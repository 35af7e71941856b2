"""``python tasks.py merge-decision BASE..HEAD --as LOGIN``: may this pull request merge by itself?

Yes when all of these hold, each printed with its reason:
every changed file is the author's own (``ownership.decide``, the same decision as
``check --changes``); the author was a member before this change (a first pull request
that adds a member file waits for a maintainer); ``check`` passes on the files as they
are; and the author is trusted, or the web of trust is off. The workflow in
``.github/workflows/automerge.yml`` runs this with the code of ``main``, never the pull
request's, and merges only when it exits 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from netroots.check import run_check
from netroots.report import Report

from .ownership import AUTOMATIC, ChangesError, Decision, _git, decide, github_of, split_range, tree_texts

SHOWN_PROBLEMS = 10  # the first check errors printed in a reason


@dataclass
class MergeDecision:
    """The answer and every reason for it; ``merge`` only when every reason holds."""

    login: str
    reasons: list[tuple[bool, str]] = field(default_factory=list)

    @property
    def merge(self) -> bool:
        return bool(self.reasons) and all(ok for ok, _ in self.reasons)

    def add(self, ok: bool, text: str) -> None:
        self.reasons.append((ok, text))


def member_at(top: Path, revision: str, members_folder: str, login: str) -> str | None:
    """The handle whose member file at ``revision`` says ``github: login``."""
    for path, text in sorted(tree_texts(top, revision, members_folder).items()):
        account, _ = github_of(text)
        if account and account.lower() == login.lower() and path.endswith(".yaml"):
            return PurePosixPath(path).stem
    return None


def merge_decision(settings: Mapping[str, Any], changes: str, login: str) -> MergeDecision:
    """Decide; ``settings["PATH"]`` must hold HEAD's content (the working tree of HEAD)."""
    login = login.strip().removeprefix("@")
    result = MergeDecision(login=login)
    content = Path(settings["PATH"]).resolve()
    ownership = decide(settings, changes, login)
    _judge_ownership(result, ownership, login)
    try:
        top = Path(_git(content, "rev-parse", "--show-toplevel").strip()).resolve()
        base, _, _head = split_range(changes)
    except ChangesError as exc:
        result.add(False, f"member: cannot read the revisions ({exc})")
        return result
    prefix = PurePosixPath(content.relative_to(top).as_posix())
    handle = member_at(top, base, (prefix / "members").as_posix(), login)
    _judge_membership(result, ownership, prefix, handle, login)
    context: dict[str, Any] = {}
    _judge_check(result, run_check(dict(settings), context))
    _judge_trust(result, context, handle)
    return result


def _judge_ownership(result: MergeDecision, ownership: Decision, login: str) -> None:
    """Every changed file must be the author's own (maintainers merge their own by hand)."""
    if ownership.verdict == AUTOMATIC:
        result.add(True, f"ownership: every changed file ({len(ownership.changes)}) is {login}'s own")
    elif ownership.maintainer:
        result.add(False, f"ownership: {login} is a maintainer; maintainers merge their own pull requests")
    elif not ownership.changes and not ownership.problems:
        result.add(False, "ownership: the pull request changes no file")
    else:
        for problem in ownership.problems:
            result.add(False, f"ownership: {problem}")


def _judge_membership(
    result: MergeDecision, ownership: Decision, prefix: PurePosixPath, handle: str | None, login: str
) -> None:
    """The author must have been a member before the change; a change adding a member file waits."""
    new_files = [
        c.path
        for c in ownership.changes
        if c.status == "A" and (rel := _relative(c.path, prefix)) is not None and rel.parts[0] == "members"
    ]
    if handle is None:
        result.add(
            False,
            f"new member: no member file says `github: {login}` before this change; a maintainer merges a first pull request",
        )
    elif new_files:
        result.add(
            False, f"new member: the change adds a member file ({', '.join(new_files)}); a maintainer reviews it"
        )
    else:
        result.add(True, f"member: {login} is {handle}, a member before this change")


def _judge_check(result: MergeDecision, report: Report) -> None:
    """``check`` must pass on the files as they are; the first errors are quoted."""
    errors = [p for p in report.problems if p.is_error]
    if errors:
        shown = "; ".join(str(p) for p in errors[:SHOWN_PROBLEMS])
        more = f" (and {len(errors) - SHOWN_PROBLEMS} more)" if len(errors) > SHOWN_PROBLEMS else ""
        result.add(False, f"check: {len(errors)} error(s): {shown}{more}")
    else:
        result.add(True, "check: passes")


def _judge_trust(result: MergeDecision, context: dict[str, Any], handle: str | None) -> None:
    """With the web of trust on, only a trusted member's change merges by itself."""
    trust = context.get("trust")
    if trust is None or not getattr(trust, "enabled", False):
        result.add(True, "trust: the web of trust is off, so every member counts")
    elif handle is not None:
        status = trust.members.get(handle)
        if handle in (context.get("trusted_members") or ()):
            result.add(True, f"trust: {handle} is trusted")
        else:
            why = f" ({status.reason})" if status is not None and getattr(status, "reason", "") else ""
            result.add(False, f"trust: {handle} is not trusted yet{why}; a maintainer merges their changes")


def _relative(path: str, prefix: PurePosixPath) -> PurePosixPath | None:
    try:
        return PurePosixPath(path).relative_to(prefix)
    except ValueError:
        return None
