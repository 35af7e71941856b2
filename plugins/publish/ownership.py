"""Who may change what: a member owns ``content/members/<handle>.yaml`` and
``content/diaries/<handle>/``; maintainers (``PUBLISH["MAINTAINERS"]``) may change anything.

``python tasks.py check --changes BASE..HEAD --as LOGIN`` checks a pull request's files
against the members' ``github`` fields; ``python tasks.py codeowners`` writes the same
rules as a CODEOWNERS file for GitHub's reviews.
"""

from __future__ import annotations

import ast
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from netroots.report import Report

from .settings import publish_settings

GITHUB_LINE = re.compile(r"^github\s*:", re.MULTILINE)


class ChangesError(Exception):
    """The revisions could not be compared (bad range, not a git repository)."""


@dataclass(frozen=True)
class Change:
    status: str  # A, M, D, R, C, T
    path: str  # relative to the repository's top


def _git(top: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(top), *args], capture_output=True, text=True, check=False)
    except OSError as exc:  # git missing
        raise ChangesError(f"cannot run git: {exc}") from None
    if done.returncode != 0:
        raise ChangesError(done.stderr.strip() or f"git {' '.join(args)} failed")
    return done.stdout


def split_range(changes: str) -> tuple[str, str, str]:
    """``BASE..HEAD`` or ``BASE...HEAD`` -> (base, separator, head)."""
    match = re.fullmatch(r"(.+?)(\.\.\.?)(.*)", changes.strip())
    if not match:
        raise ChangesError(f"'{changes}' is not a range of revisions; write BASE..HEAD, e.g. origin/main..HEAD")
    base, dots, head = match.groups()
    return base, dots, head or "HEAD"


def changed_files(top: Path, changes: str) -> list[Change]:
    """``git diff --name-status`` between the two revisions; a rename counts as both paths."""
    base, dots, head = split_range(changes)
    out = _git(top, "diff", "--name-status", "-M", f"{base}{dots}{head}", "--")
    found = []
    for line in out.splitlines():
        parts = line.split("\t")
        status = parts[0][:1]
        if status in "RC" and len(parts) == 3:
            if status == "R":
                found.append(Change("D", parts[1]))
            found.append(Change("A", parts[2]))
        elif len(parts) == 2:
            found.append(Change(status, parts[1]))
    return found


def show(top: Path, revision: str, path: str) -> str | None:
    """A file's text at ``revision``; ``None`` when it is not there."""
    try:
        return _git(top, "show", f"{revision}:{path}")
    except ChangesError:
        return None


def github_of(text: str | None) -> tuple[str | None, int]:
    """The ``github`` field of a member file's text, and its line (1 when absent)."""
    if not text:
        return None, 1
    match = GITHUB_LINE.search(text)
    line = text.count("\n", 0, match.start()) + 1 if match else 1
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None, line
    value = data.get("github") if isinstance(data, dict) else None
    return (str(value).strip().lstrip("@") or None) if value else None, line


def owned_handle(relative: PurePosixPath) -> str | None:
    """The member who owns a content path (relative to content/), if any."""
    parts = relative.parts
    if len(parts) == 2 and parts[0] == "members" and parts[1].endswith(".yaml"):
        return parts[1].removesuffix(".yaml")
    if len(parts) >= 3 and parts[0] == "diaries":
        return parts[1]
    return None


def maintainer_logins(settings: Mapping[str, Any], content: Path) -> set[str]:
    """``PUBLISH["MAINTAINERS"]`` as lowercase GitHub logins (member handles are looked up)."""
    logins = set()
    for name in publish_settings(settings)["MAINTAINERS"] or []:
        name = str(name).strip().lstrip("@")
        member_file = content / "members" / f"{name}.yaml"
        login = None
        if member_file.is_file():
            login, _ = github_of(member_file.read_text(encoding="utf-8", errors="replace"))
        logins.add((login or name).lower())
    return logins


def maintainers_before(top: Path, base: str, config: str, members: str) -> set[str] | None:
    """The maintainers named in ``pelicanconf.py`` at ``base`` (a literal
    ``PUBLISH = {"MAINTAINERS": [...]}``), so a change cannot make its own author a
    maintainer; ``None`` when that file has no such literal."""
    text = show(top, base, config)
    if text is None:
        return None
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "PUBLISH" for t in node.targets)
            and isinstance(node.value, ast.Dict)
        ):
            for key, value in zip(node.value.keys, node.value.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "MAINTAINERS":
                    try:
                        names = ast.literal_eval(value)
                    except ValueError:
                        return None
                    logins = set()
                    for name in names:
                        name = str(name).strip().lstrip("@")
                        login, _ = github_of(show(top, base, f"{members}/{name}.yaml"))
                        logins.add((login or name).lower())
                    return logins
    return None


def check_changes(report: Report, settings: Mapping[str, Any], changes: str, login: str) -> None:
    """Report every changed file that ``login`` may not change (see the module's doc)."""
    content = Path(settings["PATH"]).resolve()
    login = login.strip().lstrip("@")
    try:
        top = Path(_git(content, "rev-parse", "--show-toplevel").strip())
        base, _, head = split_range(changes)
        found = changed_files(top, changes)
    except ChangesError as exc:
        report.error(content, 1, f"ownership check: {exc}")
        return
    prefix = PurePosixPath(content.relative_to(top.resolve()).as_posix())
    config = (content.parent / "pelicanconf.py").resolve().relative_to(top.resolve()).as_posix()
    before = maintainers_before(top, base, config, (prefix / "members").as_posix())
    if login.lower() in maintainer_logins(settings, content) and (before is None or login.lower() in before):
        return
    owners: dict[str, tuple[str | None, str]] = {}

    def owner(handle: str) -> tuple[str | None, str]:
        """(login, where it comes from): the member file before the change, or the new one."""
        if handle not in owners:
            member_path = (prefix / "members" / f"{handle}.yaml").as_posix()
            before, _ = github_of(show(top, base, member_path))
            if before:
                owners[handle] = (before, f"{member_path} at {base}")
            else:
                after, _ = github_of(show(top, head, member_path))
                owners[handle] = (after, f"the new {member_path}")
        return owners[handle]

    for change in found:
        path = PurePosixPath(change.path)
        try:
            relative = path.relative_to(prefix)
        except ValueError:
            continue  # outside content/: reviewed by maintainers as usual
        handle = owned_handle(relative)
        if handle is None:
            continue
        shown = top / path
        is_member_file = relative.parts[0] == "members"
        if is_member_file and change.status == "A" and show(top, base, change.path) is None:
            claimed, line = github_of(show(top, head, change.path))
            if not claimed:
                report.error(
                    shown,
                    line,
                    f"a new member file needs `github: {login}` (the GitHub account that may change it); it has none",
                )
            elif claimed.lower() != login.lower():
                report.error(
                    shown,
                    line,
                    f"this new member file says `github: {claimed}`, but the change comes from {login}; "
                    f"write `github: {login}` to join as yourself, or let {claimed} open the pull request",
                )
            continue
        account, source = owner(handle)
        if account is None:
            report.error(
                shown,
                1,
                f"content/members/{handle}.yaml has no `github` field, so only a maintainer may change "
                f"{handle}'s files; add `github: <login>` to it first",
            )
        elif account.lower() != login.lower():
            what = "member file" if is_member_file else "diaries"
            report.error(
                shown,
                1,
                f"{login} may not change {handle}'s {what}: they belong to GitHub user {account} "
                f"(`github` in {source}). Change only your own member file and diaries, "
                "or ask a maintainer to make this change",
            )


def codeowners_text(members: Mapping[str, Any], maintainers: set[str], content: str = "content") -> str:
    """CODEOWNERS lines: maintainers own everything; each member (with the maintainers)
    owns their member file and diaries."""
    team = " ".join(f"@{m}" for m in sorted(maintainers))
    lines = [
        "# Written by `python tasks.py codeowners` from the `github` fields in content/members/.",
        "# Do not edit by hand: change the member files (or PUBLISH['MAINTAINERS']) and run it again.",
    ]
    if team:
        lines.append(f"* {team}")
    for handle in sorted(members):
        login = getattr(members[handle], "github", None)
        if not login:
            continue
        owners = " ".join(dict.fromkeys([f"@{login.lstrip('@')}", *team.split()]))
        lines.append(f"/{content}/members/{handle}.yaml {owners}")
        lines.append(f"/{content}/diaries/{handle}/ {owners}")
    return "\n".join(lines) + "\n"


def check(context: dict[str, Any], report: Report) -> None:
    """Two members claiming one GitHub account would let each change the other's files."""
    seen: dict[str, Any] = {}
    for _handle, member in sorted((context.get("members") or {}).items()):
        login = (getattr(member, "github", None) or "").strip().lstrip("@").lower()
        if not login:
            continue
        if login in seen:
            report.error(
                member.path,
                member.line("github"),
                f"the GitHub account '{member.github}' is already {seen[login].handle}'s "
                f"({seen[login].path.name}); each member needs their own account in `github`",
            )
        else:
            seen[login] = member
    maintainers = (context.get("settings") or {}).get("PUBLISH", {}) or {}
    if isinstance(maintainers, Mapping) and not isinstance(maintainers.get("MAINTAINERS", []), list | tuple):
        report.error(
            Path(context["content"]).parent / "pelicanconf.py",
            1,
            "PUBLISH['MAINTAINERS'] must be a list of GitHub logins or member handles, e.g. ['mlopez-oak']",
        )
