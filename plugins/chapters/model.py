"""Chapters: one per state where members live (``/chapters/oh/``), with cities of their own.

A chapter's slug is the state's postal code in lowercase. Optional text for a chapter
is ``content/chapters/<code>.md``; text for a city section is
``content/chapters/<code>-<city>.md`` (``oh-columbus.md``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
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


Race = tuple[str, str, str]  # an election tag of a diary: (its state, its name, its address)


class ElectionTags:
    """A diary's election tags (``OH-Gov``, ``OH-03``): its races, or None without one. Each
    Tag's state and address are worked out once (a Tag is shared by its diaries): its name
    split and upper-cased for each of 50,000 diaries' tags was most of the chapters' pages'
    cost, and Pelican formats a tag's address anew each time it is asked."""

    def __init__(self) -> None:
        # id(tag) -> (the tag, kept so its id stays its own; its race, or None)
        self.known: dict[int, tuple[Any, Race | None]] = {}

    def __call__(self, article: Any) -> tuple[Race, ...] | None:
        found = []
        for tag in getattr(article, "tags", None) or ():
            known = self.known.get(id(tag))
            if known is None:
                name = getattr(tag, "name", str(tag))
                state = name.split("-", 1)[0].upper() if "-" in name else ""
                known = self.known[id(tag)] = (tag, (state, name, getattr(tag, "url", "")) if state else None)
            if known[1] is not None:
                found.append(known[1])
        return tuple(found) or None


def race_states(races: tuple[Race, ...]) -> list[str]:
    """The states a diary's races are in, each once: the chapters it is listed on."""
    return sorted({state for state, _name, _url in races})


class Elections:
    """The diaries carrying election tags, by state, and each state's races (its election tags
    and how many of its diaries carry each). ``races``: each listed diary's (a key ->
    :class:`ElectionTags`' answer); ``by_state``: state -> the keys of its diaries in the
    diaries' order; ``article``: a key's diary. The build keeps the races between builds
    (netroots/diaryindex.py): only the diaries changed since are read again."""

    def __init__(
        self,
        races: Mapping[Any, tuple[Race, ...]],
        by_state: dict[str, list[Any]],
        article: Callable[[Any], Any],
    ) -> None:
        self.listed = races
        self.by_state = by_state
        self.article = article

    @classmethod
    def of(cls, articles: Sequence[Any]) -> Elections:
        """From the diaries themselves (each keyed by its place)."""
        read = ElectionTags()
        races = {index: found for index, article in enumerate(articles) if (found := read(article)) is not None}
        by_state: dict[str, list[int]] = {}
        for index, found in races.items():
            for state in race_states(found):
                by_state.setdefault(state, []).append(index)
        return cls(races, by_state, articles.__getitem__)

    def diaries(self, state: str, limit: int | None = None) -> list[Any]:
        """The state's diaries with one of its election tags, in the diaries' order (the first ``limit``)."""
        return [self.article(key) for key in self.by_state.get(state.upper(), ())[:limit]]

    def total(self, state: str) -> int:
        return len(self.by_state.get(state.upper(), ()))

    def races(self, state: str) -> list[tuple[str, str, int]]:
        """A state's election tags: (name, address, how many diaries carry it), by name. A
        chapter's page lists its newest race diaries and links to these for the rest (a state's
        races held 3,800 diaries at 50,000, all on the chapter's page, rendered again with each).
        The address is the first such diary's tag's."""
        state = state.upper()
        counts: dict[str, list[Any]] = {}  # race name -> [its address, how many]
        for key in self.by_state.get(state, ()):
            for race_state, name, url in self.listed[key]:
                if race_state == state:
                    counted = counts.get(name)
                    if counted is None:
                        counts[name] = [url, 1]
                    else:
                        counted[1] += 1
        return [(name, counts[name][0], counts[name][1]) for name in sorted(counts)]
