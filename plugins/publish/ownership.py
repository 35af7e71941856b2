"""Who may change what: a member owns what the plugins in PLUGINS declare in ``member_owned``
(today ``content/members/<handle>.yaml`` and everything under ``content/diaries/<handle>/``,
``content/comments/<handle>/`` and ``content/acts/<handle>/``); maintainers
(``PUBLISH["MAINTAINERS"]``) may change anything; everything else needs a maintainer.

``decide(settings, "BASE..HEAD", login)`` is the one decision: for every changed path (git's
``-z`` output, so no path is quoted or skipped; renames as a deletion and an addition; type
changes; symbolic links and submodules refused) it says whether the change is the author's
own (may merge by itself), needs a maintainer, or is refused. ``python tasks.py check --changes
BASE..HEAD --as LOGIN`` prints it; ``python tasks.py codeowners`` writes the same rules as a
CODEOWNERS file for GitHub's reviews.
"""

from __future__ import annotations

import ast
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from netroots import identity
from netroots.plugin import member_owned, reserved_handles
from netroots.report import Problem, Report
from netroots.source import SourceError, parse_yaml

from .spec import publish_settings

GITHUB_LINE = re.compile(r"^github\s*:", re.MULTILINE)
# git modes that are not a regular file: a symbolic link, a submodule.
LINK_MODES = {"120000": "a symbolic link", "160000": "a submodule (gitlink)"}

AUTOMATIC = "automatic"  # only the author's own files: may merge by itself (if check and trust agree)
MAINTAINER = "maintainer"  # a maintainer must review and merge it
REFUSED = "refused"  # touches what the author may not change: fix the pull request first


class ChangesError(Exception):
    """The revisions could not be compared (bad range, not a git repository)."""


@dataclass(frozen=True)
class Change:
    status: str  # A, M, D, T (a rename is a D and an A)
    path: str  # relative to the repository's top
    mode: str = "100644"  # the new mode ("000000" when deleted)


@dataclass
class Decision:
    """What may happen to a pull request, and why: errors refuse it, warnings need a maintainer."""

    login: str
    maintainer: bool = False
    problems: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if any(p.is_error for p in self.problems):
            return REFUSED
        if self.problems or self.maintainer or not self.changes:
            return MAINTAINER
        return AUTOMATIC


def _git(top: Path, *args: str, stdin: str | None = None) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(top), *args],
            capture_output=True,
            input=stdin,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            check=False,
        )
    except OSError as exc:  # git missing
        raise ChangesError(f"cannot run git: {exc}") from None
    if done.returncode != 0:
        raise ChangesError(done.stderr.strip() or f"git {' '.join(args)} failed")
    return done.stdout


def split_range(changes: str) -> tuple[str, str, str]:
    """``BASE..HEAD`` or ``BASE...HEAD`` -> (base, separator, head)."""
    match = re.fullmatch(r"(.+?)(\.\.\.?)(.*)", changes.strip())
    if not match or match.group(1).startswith("-") or match.group(3).startswith("-"):
        raise ChangesError(f"'{changes}' is not a range of revisions; write BASE..HEAD, e.g. origin/main..HEAD")
    base, dots, head = match.groups()
    return base, dots, head or "HEAD"


def changed_files(top: Path, changes: str) -> list[Change]:
    """Every path the commits change, from ``git diff --raw -z --no-renames``: NUL-separated,
    so names with spaces, newlines or non-ASCII letters come through exactly as they are."""
    base, dots, head = split_range(changes)
    out = _git(top, "diff", "--raw", "-z", "--no-renames", "--no-ext-diff", f"{base}{dots}{head}", "--")
    tokens = out.split("\0")
    found = []
    index = 0
    while index + 1 < len(tokens):
        meta, path = tokens[index], tokens[index + 1]
        index += 2
        fields = meta.lstrip(":").split()
        if len(fields) < 5:
            raise ChangesError(f"unexpected git output: {meta!r}")
        found.append(Change(fields[4][:1], path, fields[1]))
    return found


def show(top: Path, revision: str, path: str) -> str | None:
    """A file's text at ``revision``; ``None`` when it is not there."""
    try:
        return _git(top, "show", f"{revision}:{path}")
    except ChangesError:
        return None


def tree_texts(top: Path, revision: str, folder: str) -> dict[str, str]:
    """Every file under ``folder`` at ``revision`` (path -> text), with two git calls in all."""
    try:
        listing = _git(top, "ls-tree", "-r", "-z", revision, "--", folder)
    except ChangesError:
        return {}
    blobs = []
    for entry in listing.split("\0"):
        meta, _, path = entry.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == "blob" and parts[0] not in LINK_MODES:
            blobs.append((path, parts[2]))
    if not blobs:
        return {}
    try:
        done = subprocess.run(
            ["git", "-C", str(top), "cat-file", "--batch"],
            input="".join(f"{sha}\n" for _, sha in blobs).encode(),
            capture_output=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return {}
    out = done.stdout
    texts = {}
    position = 0
    for path, _sha in blobs:
        header_end = out.index(b"\n", position)
        size = int(out[position:header_end].split()[2])
        texts[path] = out[header_end + 1 : header_end + 1 + size].decode("utf-8", "replace")
        position = header_end + 1 + size + 1
    return texts


def member_data(text: str | None) -> dict[str, Any]:
    """A member file's fields, read with the same limits as ``check`` (never raises)."""
    if not text:
        return {}
    try:
        data, _ = parse_yaml(text)
    except SourceError:
        return {}
    return data if isinstance(data, dict) else {}


def github_of(text: str | None) -> tuple[str | None, int]:
    """The ``github`` field of a member file's text, and its line (1 when absent); a value
    that is not a valid GitHub login counts as none."""
    if not text:
        return None, 1
    match = GITHUB_LINE.search(text)
    line = text.count("\n", 0, match.start()) + 1 if match else 1
    value = member_data(text).get("github")
    login = value.strip().removeprefix("@") if isinstance(value, str) else None
    return (login if identity.is_github_login(login) else None), line


def _owner_in(pattern: str, parts: tuple[str, ...]) -> str | None:
    """The handle ``parts`` (a content path) has where ``pattern`` ("acts/{handle}/",
    "members/{handle}.yaml") says ``{handle}``; ``None`` when the path is not of that pattern."""
    wanted = PurePosixPath(pattern).parts
    if pattern.endswith("/"):  # a folder: some file under it
        if len(parts) <= len(wanted):
            return None
    elif len(parts) != len(wanted):
        return None
    handle = None
    for have, want in zip(parts, wanted, strict=False):
        before, marker, after = want.partition("{handle}")
        if not marker:
            if have != want:
                return None
            continue
        if not (have.startswith(before) and have.endswith(after)) or len(have) <= len(before) + len(after):
            return None
        handle = have[len(before) : len(have) - len(after)]
    return handle


def owned_handle(relative: PurePosixPath, owned: Sequence[str]) -> str | None:
    """The member who owns a content path (relative to content/), by the declared ``owned``
    patterns (``netroots.plugin.member_owned``); only a valid, unreserved handle owns anything."""
    for pattern in owned:
        handle = _owner_in(pattern, relative.parts)
        if handle is not None:
            return handle if identity.is_handle(handle) and handle not in reserved_handles() else None
    return None


def _login(name: object) -> str | None:
    login = str(name).strip().removeprefix("@")
    return login if identity.is_github_login(login) else None


def maintainer_logins(settings: Mapping[str, Any], content: Path) -> set[str]:
    """``PUBLISH["MAINTAINERS"]`` as lowercase GitHub logins (member handles are looked up)."""
    logins = set()
    for name in publish_settings(settings)["MAINTAINERS"] or []:
        name = str(name).strip().removeprefix("@")
        member_file = content / "members" / f"{name}.yaml"
        login = None
        if identity.is_handle(name) and member_file.is_file() and not member_file.is_symlink():
            login, _ = github_of(member_file.read_text(encoding="utf-8", errors="replace"))
        login = login or _login(name)
        if login:
            logins.add(login.lower())
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
                        name = str(name).strip().removeprefix("@")
                        found = None
                        if identity.is_handle(name):
                            found, _ = github_of(show(top, base, f"{members}/{name}.yaml"))
                        login = found or _login(name)
                        if login:
                            logins.add(login.lower())
                    return logins
    return None


def check_changes(report: Report, settings: Mapping[str, Any], changes: str, login: str) -> None:
    """Report every changed file ``login`` may not change (errors) or that needs a
    maintainer (warnings); a maintainer's own changes report nothing."""
    decision = decide(settings, changes, login, root=report.root)
    if not decision.maintainer:
        report.extend(decision.problems)


def decide(settings: Mapping[str, Any], changes: str, login: str, root: Path | None = None) -> Decision:
    """Decide, for every path ``changes`` (``BASE..HEAD``) touch, whether ``login`` may change
    it: the one ownership decision ``check --changes`` and automatic merging share."""
    content = Path(settings["PATH"]).resolve()
    report = Report(root=root if root is not None else content.parent)
    login = login.strip().removeprefix("@")
    decision = Decision(login=login)
    try:
        top = Path(_git(content, "rev-parse", "--show-toplevel").strip()).resolve()
        base, _, head = split_range(changes)
        decision.changes = changed_files(top, changes)
    except ChangesError as exc:
        report.error(content, 1, f"ownership check: {exc}")
        decision.problems = report.problems
        return decision
    prefix = PurePosixPath(content.relative_to(top).as_posix())
    config = (content.parent / "pelicanconf.py").resolve().relative_to(top).as_posix()
    before = maintainers_before(top, base, config, (prefix / "members").as_posix())
    if not identity.is_github_login(login):
        report.error(content, 1, f"ownership check: '{login}' is not a GitHub login")
    elif login.lower() in maintainer_logins(settings, content) and (before is None or login.lower() in before):
        decision.maintainer = True
    _judge(report, decision, top, prefix, base, head, member_owned(settings))
    decision.problems = report.problems
    return decision


@dataclass
class _Revisions:
    """Where a change is judged: the repository, content's folder in it, the two revisions, and
    what is looked up there (owners, member files) read once, when first needed."""

    top: Path
    prefix: PurePosixPath
    base: str
    head: str
    owned: Sequence[str]  # what a member owns, as the plugins declare it (netroots.plugin.member_owned)
    owners: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    members_at_head: dict[str, str] | None = None

    @property
    def members_folder(self) -> str:
        return (self.prefix / "members").as_posix()

    def owner(self, handle: str) -> tuple[str | None, str]:
        """(login, where it comes from): the member file before the change, or the new one."""
        if handle not in self.owners:
            member_path = f"{self.members_folder}/{handle}.yaml"
            before, _ = github_of(show(self.top, self.base, member_path))
            if before:
                self.owners[handle] = (before, f"{member_path} at {self.base}")
            else:
                after, _ = github_of(show(self.top, self.head, member_path))
                self.owners[handle] = (after, f"the new {member_path}")
        return self.owners[handle]

    def members_now(self) -> dict[str, str]:
        """Every member file's text after the change."""
        if self.members_at_head is None:
            self.members_at_head = tree_texts(self.top, self.head, self.members_folder)
        return self.members_at_head


def _judge(
    report: Report, decision: Decision, top: Path, prefix: PurePosixPath, base: str, head: str, owned: Sequence[str]
) -> None:
    """Report each changed file the author may not change alone."""
    revisions = _Revisions(top=top, prefix=prefix, base=base, head=head, owned=owned)
    for change in decision.changes:
        _judge_change(report, change, decision.login, revisions)


def _judge_change(report: Report, change: Change, login: str, revisions: _Revisions) -> None:
    """One changed file: it must be a regular file in a member's own content, and that member's
    GitHub account (before the change; for a new member file, the one it names) must be ``login``."""
    shown = revisions.top / PurePosixPath(change.path)
    found = _member_owned(report, change, shown, revisions.prefix, revisions.owned)
    if found is None:
        return
    relative, handle = found
    is_member_file = relative.parts[0] == "members"
    if is_member_file and change.status != "D":
        _judge_identity(report, shown, change.path, handle, revisions.members_now())
    if is_member_file and change.status == "A" and show(revisions.top, revisions.base, change.path) is None:
        _judge_new_member_file(report, shown, change.path, login, revisions)
        return
    account, source = revisions.owner(handle)
    if account is None:
        report.error(
            shown,
            1,
            f"content/members/{handle}.yaml has no valid `github` field, so only a maintainer may change "
            f"{handle}'s files; add `github: <login>` to it first",
        )
    elif account.lower() != login.lower():
        what = "member file" if is_member_file else relative.parts[0]
        report.error(
            shown,
            1,
            f"{login} may not change {handle}'s {what}: they belong to GitHub user {account} "
            f"(`github` in {source}). Change only your own member file and folders, "
            "or ask a maintainer to make this change",
        )


def _member_owned(
    report: Report, change: Change, shown: Path, prefix: PurePosixPath, owned: Sequence[str]
) -> tuple[PurePosixPath, str] | None:
    """(path under content/, owning handle) of a file in one member's content; None after reporting
    a link (refused) or a file outside content/ or in shared content (a maintainer merges it)."""
    if change.mode in LINK_MODES:
        report.error(
            shown,
            1,
            f"{change.path} is {LINK_MODES[change.mode]}: a pull request may add only regular files "
            "(a link could publish files from outside the repository)",
        )
        return None
    try:
        relative = PurePosixPath(change.path).relative_to(prefix)
    except ValueError:
        report.warning(
            shown,
            1,
            f"needs a maintainer: {change.path} is outside content/ (code, settings, workflows or theme); "
            "only a maintainer may merge this change",
        )
        return None
    handle = owned_handle(relative, owned)
    if handle is None:
        report.warning(
            shown,
            1,
            f"needs a maintainer: {change.path} is shared content, not one member's own files; "
            "a maintainer reviews and merges it",
        )
        return None
    return relative, handle


def _judge_new_member_file(report: Report, shown: Path, path: str, login: str, revisions: _Revisions) -> None:
    """A new member file joins as the author only: its ``github`` must be ``login``."""
    claimed, line = github_of(show(revisions.top, revisions.head, path))
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


def _judge_identity(report: Report, shown: Path, path: str, handle: str, members_now: Mapping[str, str]) -> None:
    """A member file whose handle or name looks like another member's needs a maintainer."""
    name = member_data(members_now.get(path)).get("name")
    handle_key = identity.skeleton(handle)
    name_key = identity.skeleton(name) if isinstance(name, str) else ""
    for other_path, text in sorted(members_now.items()):
        other = PurePosixPath(other_path).stem
        if other_path == path or not other_path.endswith(".yaml"):
            continue
        if identity.skeleton(other) == handle_key:
            report.error(
                shown, 1, f"the handle '{handle}' is too like the member '{other}'; choose a handle unlike any other"
            )
        other_name = member_data(text).get("name")
        if name_key and isinstance(other_name, str) and identity.skeleton(other_name) == name_key:
            report.warning(
                shown,
                1,
                f"needs a maintainer: the name '{name}' looks like {other}'s name '{other_name}'; "
                "a maintainer must confirm this is a different person",
            )


def codeowners_text(
    members: Mapping[str, Any], maintainers: set[str], owned: Sequence[str], content: str = "content"
) -> str:
    """CODEOWNERS lines: maintainers own everything; each member (with the maintainers) owns
    what ``owned`` declares (``netroots.plugin.member_owned``), their member file first. Only valid
    handles and logins are written, so no field value can add a line or a pattern of its own."""
    team = " ".join(f"@{m}" for m in sorted(m for m in maintainers if identity.is_github_login(m)))
    lines = [
        "# Written by `python tasks.py codeowners` from the `github` fields in content/members/.",
        "# Do not edit by hand: change the member files (or PUBLISH['MAINTAINERS']) and run it again.",
    ]
    if not re.fullmatch(r"[A-Za-z0-9._-]+", content):
        content = "content"
    if team:
        lines.append(f"* {team}")
    for handle in sorted(members):
        login = _login(getattr(members[handle], "github", None) or "")
        if not login or not identity.is_handle(handle):
            continue
        owners = " ".join(dict.fromkeys([f"@{login}", *team.split()]))
        files = sorted(owned, key=lambda pattern: pattern.endswith("/"))  # the member file, then folders
        lines.extend(f"/{content}/{pattern.format(handle=handle)} {owners}" for pattern in files)
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
