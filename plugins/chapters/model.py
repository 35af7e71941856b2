"""Chapters: one per state where members live (``/chapters/oh/``), with cities of their own.

A chapter's slug is the state's postal code in lowercase. Optional text for a chapter
is ``content/chapters/<code>.md``; text for a city section is
``content/chapters/<code>-<city>.md`` (``oh-columbus.md``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slugify import slugify

from netroots import schema
from netroots.html import render_markdown
from netroots.members import Member, state_code
from netroots.report import Report

from .spec import SPEC

TEXT_FIELDS = (
    schema.Field("title", schema.text),
    schema.Field("summary", schema.text, default=""),
)
TEXT_NAME = re.compile(r"^(?P<state>[a-z]{2})(?:-(?P<city>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?))?$")


def options(settings: Mapping[str, Any], report: Report | None = None) -> dict[str, Any]:
    """``CHAPTERS`` over the defaults, with bad values replaced by the default (and reported)."""
    if report is None:
        return SPEC.options(settings)
    problems: list[str] = []
    merged = SPEC.options(settings, problems)
    for problem in problems:
        report.error("pelicanconf.py", 1, problem)
    return merged


@dataclass
class ChapterText:
    slug: str
    state: str
    city: str | None
    title: str | None
    summary: str
    html: str
    path: Path


@dataclass
class City:
    name: str
    slug: str
    members: list[Member]
    text: ChapterText | None = None


@dataclass
class Chapter:
    """Everyone in one state, and the cities there with enough members for a section."""

    state: str
    name: str
    members: list[Member] = field(default_factory=list)
    cities: list[City] = field(default_factory=list)
    text: ChapterText | None = None

    @property
    def slug(self) -> str:
        return self.state.lower()

    @property
    def url(self) -> str:
        return f"chapters/{self.slug}/"

    @property
    def title(self) -> str:
        return (self.text.title if self.text and self.text.title else None) or f"{self.name} chapter"

    @property
    def mentors(self) -> list[Member]:
        return [m for m in self.members if m.mentor]

    @property
    def elsewhere(self) -> list[Member]:
        """Members not in one of the chapter's city sections."""
        in_cities = {m.handle for city in self.cities for m in city.members}
        return [m for m in self.members if m.handle not in in_cities]


def state_name(code: str) -> str:
    import us

    found = us.states.lookup(code)
    return found.name if found else code


def load_texts(content: Path, report: Report) -> dict[str, ChapterText]:
    """``content/chapters/*.md`` by file stem (``oh``, ``oh-columbus``)."""
    texts: dict[str, ChapterText] = {}
    for path in sorted((content / "chapters").glob("*.md")):
        match = TEXT_NAME.match(path.stem)
        code = None
        if match:
            try:
                code = state_code(match["state"].upper())
            except schema.Invalid:
                code = None
        if code is None:
            report.error(
                path,
                1,
                f"file name: '{path.stem}' is not a chapter; name it after the state's postal code "
                "(oh.md) or the state and city (oh-columbus.md)",
            )
            continue
        read = schema.read_validated(path, TEXT_FIELDS, report, kind="chapter text")
        if read is None or not read[2]:
            continue
        source, meta, _ok = read
        texts[path.stem] = ChapterText(
            slug=path.stem,
            state=code,
            city=match["city"],
            title=meta["title"],
            summary=meta["summary"],
            html=render_markdown(source.body),
            path=path,
        )
    return texts


def build_chapters(
    members: Iterable[Member],
    texts: Mapping[str, ChapterText],
    *,
    city_min_members: int,
    extra_states: Iterable[str] = (),
) -> dict[str, Chapter]:
    """Chapters by slug, for every state with members, a chapter text, or (``extra_states``) events."""
    chapters: dict[str, Chapter] = {}

    def chapter(code: str) -> Chapter:
        if code.lower() not in chapters:
            chapters[code.lower()] = Chapter(state=code, name=state_name(code))
        return chapters[code.lower()]

    for member in sorted(members, key=lambda m: m.name.casefold()):
        if member.state and member.country.upper() in ("US", "USA", "UNITED STATES"):
            chapter(member.state).members.append(member)
    for text in texts.values():
        if text.city is None:
            chapter(text.state).text = text
    for code in extra_states:
        chapter(code.upper())
    for item in chapters.values():
        by_city: dict[str, list[Member]] = {}
        names: dict[str, str] = {}
        for member in item.members:
            if member.city:
                key = slugify(member.city)
                by_city.setdefault(key, []).append(member)
                names.setdefault(key, member.city.strip())
        item.cities = [
            City(names[key], key, people, texts.get(f"{item.slug}-{key}"))
            for key, people in sorted(by_city.items(), key=lambda kv: (-len(kv[1]), kv[0]))
            if len(people) >= city_min_members
        ]
    return dict(sorted(chapters.items()))


@dataclass(frozen=True)
class LocalJob:
    title: str
    url: str
    organization: str = ""
    city: str = ""


def _get(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, Mapping) else getattr(item, key, None)


def local_jobs(jobs: Any, state: str) -> list[LocalJob]:
    """Open jobs located in ``state`` from the jobs plugin's ``context["jobs"]`` (absent: none).

    Accepts a list or a mapping of job objects or dicts with ``title``, ``url`` and either
    ``state`` or ``location.state``; closed (``open: False``), expired or remote-only jobs are left out.
    """
    if not jobs:
        return []
    items = jobs.values() if isinstance(jobs, Mapping) else jobs
    found = []
    for job in items:
        if _get(job, "expired") or _get(job, "open") is False:
            continue
        location = _get(job, "location") or {}
        where = _get(job, "state") or _get(location, "state")
        if not where or str(where).upper() != state.upper():
            continue
        title, url = _get(job, "title"), _get(job, "url")
        if not title or not url:
            continue
        found.append(
            LocalJob(
                title=str(title),
                url=str(url),
                organization=str(_get(job, "organization") or ""),
                city=str(_get(job, "city") or _get(location, "city") or ""),
            )
        )
    return found


class Elections:
    """The diaries carrying election tags (``OH-Gov``, ``OH-03``), by state, and each state's
    races (its election tags and how many of its diaries carry each), from one pass over the
    diaries (not one per chapter). Each Tag's state is worked out once (a Tag is shared by its
    diaries): its name split and upper-cased for each of 50,000 diaries' tags was most of the
    chapters' pages' cost; a race's address is asked once (Pelican formats it anew each time:
    once a race diary's tag, 0.05 s at 50,000 diaries)."""

    def __init__(self, articles: Iterable[Any]) -> None:
        self.by_state: dict[str, list[Any]] = {}
        self.counts: dict[str, dict[str, list[Any]]] = {}  # state -> race name -> [its first Tag, how many]
        # id(tag) -> (the tag, kept so its id stays its own; its state or ""; its name)
        state_of: dict[int, tuple[Any, str, str]] = {}
        for article in articles:
            states: set[str] = set()
            for tag in getattr(article, "tags", None) or ():
                known = state_of.get(id(tag))
                if known is None:
                    name = getattr(tag, "name", str(tag))
                    known = state_of[id(tag)] = (tag, name.split("-", 1)[0].upper() if "-" in name else "", name)
                if known[1]:
                    states.add(known[1])
                    self._count(known[1], known[2], tag)
            for state in sorted(states):
                self.by_state.setdefault(state, []).append(article)

    def _count(self, state: str, name: str, tag: Any) -> None:
        races = self.counts.setdefault(state, {})
        counted = races.get(name)
        if counted is None:
            races[name] = [tag, 1]
        else:
            counted[1] += 1

    def diaries(self, state: str) -> list[Any]:
        """The state's diaries with one of its election tags, in the diaries' order."""
        return self.by_state.get(state.upper(), [])

    def races(self, state: str) -> list[tuple[str, str, int]]:
        """A state's election tags: (name, address, how many diaries carry it), by name. A
        chapter's page lists its newest race diaries and links to these for the rest (a state's
        races held 3,800 diaries at 50,000, all on the chapter's page, rendered again with each)."""
        races = self.counts.get(state.upper(), {})
        return [(name, getattr(races[name][0], "url", ""), races[name][1]) for name in sorted(races)]
