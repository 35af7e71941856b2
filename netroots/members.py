"""Members: the people of the network, read from ``content/members/<handle>.yaml``.

Nearly every capability needs them (diaries, trust, actions, chapters), so they
are loaded once per build here and shared through the Pelican context.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import identity, schema
from .plugin import build_state, project_specs, reserved_handles
from .report import Report
from .source import SourceError, read_yaml


def state_code(value: Any) -> str:
    """A US state or territory: its postal code (``CA``, ``pr``) or exact name, checked against ``us``.

    No fuzzy matching: ``Ohioo`` is a typo to fix, not Ohio.
    """
    import us

    text = value.strip() if isinstance(value, str) else ""
    if len(text) == 2:
        found = us.states.lookup(text.upper(), field="abbr")
    else:
        found = next((s for s in us.states.STATES_AND_TERRITORIES if s.name.casefold() == text.casefold()), None)
    if found is None:
        raise schema.Invalid(f"'{value}' is not a US state or territory; write its postal code, e.g. OH")
    return found.abbr


def link(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return {"label": value, "url": schema.url(value)}
    checked = schema.mapping(
        (schema.Field("label", schema.text), schema.Field("url", schema.url, required=True)),
        example="`{label: Blog, url: https://example.org}`",
    )(value)
    checked["label"] = checked["label"] or checked["url"]
    return checked


SIGNATURE_LENGTH = 160


def signature(value: Any) -> str:
    """One line of plain text shown under a member's comments; line breaks become spaces."""
    line = " ".join(schema.text(value).split())
    if len(line) > SIGNATURE_LENGTH:
        raise schema.Invalid(
            f"is {len(line)} characters; a signature is one line of at most {SIGNATURE_LENGTH}, "
            "e.g. `signature: Tenant organizer, Columbus. Ask me about rent strikes.`"
        )
    return line


LOCALE_FIELDS = (
    schema.Field("country", schema.text, default="US"),
    schema.Field("state", state_code),
    schema.Field("city", schema.text),
)

MEMBER_FIELDS = (
    schema.Field("name", schema.text, required=True, help="the name shown on the site, e.g. `name: Maria López`"),
    schema.Field("locale", schema.mapping(LOCALE_FIELDS, example="`{state: OH, city: Columbus}`"), default=dict),
    schema.Field("bio", schema.text, default=""),
    schema.Field("links", schema.list_of(link), default=list),
    schema.Field("github", schema.github_login),
    schema.Field("mentor", schema.boolean, default=False),
    schema.Field("joined", schema.date),
    schema.Field("groups", schema.list_of(schema.slug), default=list),
    schema.Field("signature", signature, default=""),
)


def declared_fields() -> tuple[schema.Field, ...]:
    """The member-file fields the plugins declare (``PluginSpec.member_fields``: trust's ``vouches``...)."""
    return tuple(f for spec in project_specs() for f in spec.member_fields)


@dataclass
class Member:
    """A member's profile; what plugins read beside it (``vouches``, ``supports``...) is in ``fields``."""

    handle: str
    name: str
    path: Path
    lines: dict[str, int] = field(default_factory=dict)
    bio: str = ""
    country: str = "US"
    state: str | None = None
    city: str | None = None
    links: list[dict[str, str]] = field(default_factory=list)
    github: str | None = None
    mentor: bool = False
    joined: dt.date | None = None
    groups: list[str] = field(default_factory=list)
    signature: str = ""  # one line of plain text under each of their comments
    fields: dict[str, Any] = field(default_factory=dict)  # the plugins' declared fields, validated

    def listed(self, name: str) -> list[str]:
        """A declared list field (``member.listed("vouches")``); empty when no plugin declares it."""
        return self.fields.setdefault(name, [])

    @property
    def url(self) -> str:
        return f"members/{self.handle}/"

    def line(self, key: str, index: int | None = None) -> int:
        dotted = key if index is None else f"{key}.{index}"
        return self.lines.get(dotted) or self.lines.get(key, 1)


def handle_problem(handle: str) -> str | None:
    """Why ``handle`` cannot be a member's handle (and folder name); ``None`` when it can."""
    if not identity.is_handle(handle):
        return (
            f"'{handle}' is not a valid handle: it is the address of your pages exactly as written, so use "
            f"lowercase ASCII letters and digits, words joined by single hyphens, at most {identity.HANDLE_MAX} "
            "characters, e.g. maria-lopez"
        )
    if handle in reserved_handles():
        return f"the handle '{handle}' is reserved (it is a site address); choose another"
    return None


def check_handle(path: Path, report: Report) -> str | None:
    handle = path.stem
    problem = handle_problem(handle)
    if problem:
        report.error(path, 1, problem.replace("e.g. maria-lopez", "e.g. maria-lopez.yaml"))
        return None
    return handle


def read_member(path: Path, report: Report) -> Member | None:
    """Read and validate one member file; ``None`` when it cannot be used."""
    handle = check_handle(path, report)
    declared = declared_fields()
    read = schema.read_validated(path, (*MEMBER_FIELDS, *declared), report, kind="member file", read=read_yaml)
    if read is None:
        return None
    source, clean, _valid = read  # a bad field falls back to its default; the member stays
    if handle is None or not clean.get("name"):
        return None
    locale = clean.pop("locale") or {}
    return Member(
        handle=handle,
        path=path,
        lines=source.lines,
        country=locale.get("country") or "US",
        state=locale.get("state"),
        city=locale.get("city"),
        fields={f.name: clean.pop(f.name) for f in declared if f.name in clean},
        **clean,
    )


def load_members(content: Path, report: Report) -> dict[str, Member]:
    """Every valid member, by handle, sorted; problems go to ``report``.

    A handle that looks like an earlier one (``maria-lopez`` and ``marialopez``, ``jkim`` and
    ``jklm``) is an error and that member is left out; a name that looks like another member's
    is a warning a maintainer must look at.
    """
    members: dict[str, Member] = {}
    by_skeleton: dict[str, Member] = {}
    for path in sorted((content / "members").glob("*.yaml")):
        member = read_member(path, report)
        if member is None:
            continue
        twin = by_skeleton.get(identity.skeleton(member.handle))
        if twin is not None:
            report.error(
                member.path,
                1,
                f"the handle '{member.handle}' is too like '{twin.handle}' ({twin.path.name}): readers could "
                "take one member for the other, so this member is left out; choose a handle unlike any other",
            )
            continue
        by_skeleton[identity.skeleton(member.handle)] = member
        members[member.handle] = member
    for problem in confusable_names(members):
        report.warning(*problem)
    for spec in project_specs():  # what relates one member to another (trust: vouches for members)
        if spec.member_check:
            module, _, name = spec.member_check.partition(":")
            getattr(importlib.import_module(f"{spec.name}.{module}"), name)(members, report)
    return members


def confusable_names(members: dict[str, Member]) -> list[tuple[Path, int, str]]:
    """``(path, line, message)`` for each member whose name looks like an earlier member's
    (same letters once case, accents, spacing and look-alike characters are folded)."""
    seen: dict[str, Member] = {}
    found = []
    for member in members.values():
        key = identity.skeleton(member.name)
        if not key:
            continue
        other = seen.setdefault(key, member)
        if other is not member:
            found.append(
                (
                    member.path,
                    member.line("name"),
                    f"name: '{member.name}' looks like {other.handle}'s name '{other.name}'; readers could take "
                    "one for the other, so a maintainer must review this member file before it is merged",
                )
            )
    return found


def known_handles(content: Path, settings: dict[str, Any] | None = None) -> frozenset[str]:
    """The handles of valid members, read once per build (kept in the build's state when
    ``settings`` are given): a diary, comment or act is published only in a valid member's folder."""
    key = Path(content)
    if settings is None:
        return frozenset(load_members(key, Report()))
    handles = build_state(settings, "members").setdefault("handles", {})
    if key not in handles:
        handles[key] = frozenset(load_members(key, Report()))
    return handles[key]


def remember_handles(content: Path, members: dict[str, Member], settings: dict[str, Any]) -> None:
    """``check`` has just loaded the members: the diaries it reads next use these."""
    build_state(settings, "members")["handles"] = {Path(content): frozenset(members)}


def owner_problem(content: Path, handle: str, settings: dict[str, Any] | None = None) -> str | None:
    """Why a member-owned folder ``<kind>/<handle>/`` publishes nothing; ``None`` when its member is valid."""
    if handle in known_handles(content, settings):
        return None
    problem = handle_problem(handle)
    if problem:
        return f"the folder name {problem}; it must be the handle of a member"
    if not (Path(content) / "members" / f"{handle}.yaml").is_file():
        return f"no member '{handle}': the folder is its author's handle, and content/members/{handle}.yaml must exist"
    return f"content/members/{handle}.yaml has errors (see them), so {handle}'s files are left out until it is fixed"


def members_in(context: dict[str, Any], settings: dict[str, Any]) -> dict[str, Member]:
    """The build's members, loaded on first use and kept in the Pelican context."""
    if "members" not in context:
        content = Path(settings["PATH"])
        report = Report(root=content.parent)
        context["members"] = load_members(content, report)
        report.log()
    return context["members"]


def git_email(folder: Path) -> str:
    """git's ``user.email`` as seen from ``folder`` (empty when git is missing or unset)."""
    import subprocess

    try:
        return subprocess.run(
            ["git", "config", "user.email"], capture_output=True, text=True, cwd=folder, check=False
        ).stdout.strip()
    except OSError:
        return ""


def guess_member(content: Path) -> str | None:
    """The member whose file names git's user.email (or its GitHub login): ``new`` commands
    use it when ``--member``/``--by`` is left out."""
    email = git_email(content)
    if not email:
        return None
    login = re.sub(r"^\d+\+", "", email.split("@")[0]).lower()
    for path in sorted((content / "members").glob("*.yaml")):
        try:
            data = read_yaml(path).data
        except SourceError:
            continue
        if (
            str(data.get("email", "")).lower() == email.lower()
            or str(data.get("github", "")).lower() == login
            or path.stem == login
        ):
            return path.stem
    return None
