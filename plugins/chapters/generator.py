"""Chapter pages: ``/chapters/`` (map and table), ``/chapters/<code>/`` and ``/chapters/mentors/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pelican.generators import Generator

from netroots.diaryindex import diary_index
from netroots.members import Member, members_in
from netroots.report import Report
from netroots.site import write_page
from netroots.today import build_now

from .model import Chapter, Elections, ElectionTags, build_chapters, load_texts, local_jobs, options, race_states
from .pairing import mentees_by_mentor, pair_mentors
from .usmap import legend, render_map


class ChaptersGenerator(Generator):
    """Derives chapters from member locales and pairs isolated members with mentors."""

    def generate_context(self) -> None:
        self.options = options(self.settings)
        content = Path(self.settings["PATH"]).resolve()
        report = Report(root=content.parent)
        members = members_in(self.context, self.settings)
        texts = load_texts(content, report)
        report.log()
        events = self.context.get("events_by_chapter") or {}
        self.chapters = build_chapters(
            members.values(), texts, city_min_members=self.options["city_min_members"], extra_states=list(events)
        )
        trust = self.context.get("trust")
        trusted = self.context.get("trusted_members") if getattr(trust, "enabled", True) else None
        self.pairs = pair_mentors(
            members, by=self.options["isolation"], cap=self.options["mentor_cap"], trusted=trusted
        )
        self.context["chapters"] = self.chapters
        self.context["mentor_pairings"] = self.pairs
        self.context["mentees_by_mentor"] = mentees_by_mentor(self.pairs)

    def guides(self) -> list[Any]:
        pages = [p for p in self.context.get("pages", []) if str(getattr(p, "slug", "")).startswith("guides/")]
        return sorted(pages, key=lambda p: (int(getattr(p, "order", 100) or 100), p.title))

    def generate_output(self, writer: Any) -> None:
        """A page per chapter, the chapters index with its map, and the mentors' worklist."""
        guides = self.guides()
        ordered = sorted(self.chapters.values(), key=lambda c: c.name)
        self._write_chapters(writer, ordered, guides)
        self._write_index(writer, ordered)
        self._write_mentors(writer, guides)

    def _write_chapters(self, writer: Any, ordered: list[Chapter], guides: list[Any]) -> None:
        """Each chapter's page: its members' pairings, groups, upcoming events, local jobs and diaries."""
        groups = self.context.get("groups") or {}
        now = build_now(self.settings)
        index = diary_index(self.context, self.settings, "elections", ElectionTags(), race_states)
        elections = Elections(index.values, index.lists, index.article)
        for chapter in ordered:
            events = [e for e in (self.context.get("events_by_chapter") or {}).get(chapter.slug, [])]
            slugs = _group_slugs(chapter, groups)
            write_page(
                self,
                writer,
                "chapters/chapter.html",
                f"{chapter.url}index.html",
                chapter=chapter,
                chapter_pairings=[self.pairs[m.handle] for m in chapter.members if m.handle in self.pairs],
                chapter_groups=[groups[s] for s in slugs if s in groups],
                chapter_upcoming=[e for e in events if e.is_upcoming(now)],
                chapter_has_calendar=bool(events),
                chapter_jobs=local_jobs(self.context.get("jobs"), chapter.state),
                chapter_diaries=elections.diaries(chapter.state, self.options["race_diaries"]),
                chapter_race_total=elections.total(chapter.state),
                chapter_races=elections.races(chapter.state),
                guide_pages=guides,
                page_title=chapter.title,
            )

    def _write_index(self, writer: Any, ordered: list[Chapter]) -> None:
        """/chapters/: the map of members by state, the chapters and their largest cities first."""
        counts = {c.state: len(c.members) for c in ordered}
        svg = render_map(
            counts,
            {c.state: f"{c.slug}/" for c in ordered},  # relative to /chapters/
            self.options["map_steps"],
            title="Members by state",
            table_id="chapters-table",
        )
        cities = sorted(
            ((city, chapter) for chapter in ordered for city in chapter.cities),
            key=lambda pair: (-len(pair[0].members), pair[0].name),
        )
        write_page(
            self,
            writer,
            "chapters/index.html",
            "chapters/index.html",
            chapter_list=ordered,
            chapter_cities=cities,
            chapters_map=svg,
            map_legend=legend(self.options["map_steps"]),
            chapter_member_total=sum(counts.values()),
            page_title="Chapters",
        )

    def _write_mentors(self, writer: Any, guides: list[Any]) -> None:
        """/chapters/mentors/: every mentor and the members still without one."""
        members: dict[str, Member] = self.context.get("members", {})
        unpaired = [p for p in self.pairs.values() if p.mentor is None]
        mentors = sorted((m for m in members.values() if m.mentor), key=lambda m: m.name.casefold())
        write_page(
            self,
            writer,
            "chapters/mentors.html",
            "chapters/mentors/index.html",
            mentor_list=mentors,
            unpaired_list=unpaired,
            mentor_cap=self.options["mentor_cap"],
            isolation=self.options["isolation"],
            guide_pages=guides,
            page_title="Mentors' worklist",
        )


def _group_slugs(chapter: Chapter, groups: dict[str, Any]) -> list[str]:
    """The groups the chapter's members belong to, then the groups they edit, each sorted."""
    slugs = sorted({slug for m in chapter.members for slug in m.groups})
    slugs += sorted(
        slug
        for slug, group in groups.items()
        if slug not in slugs and any(m.handle in getattr(group, "editors", []) for m in chapter.members)
    )
    return slugs


def check_chapters(context: dict[str, Any], report: Report) -> None:
    options(context["settings"], report)
    load_texts(context["content"], report)
