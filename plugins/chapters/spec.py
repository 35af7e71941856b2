"""The chapters plugin's contract: the ``CHAPTERS = {...}`` settings and content/chapters/."""

from __future__ import annotations

from netroots.plugin import Content, PluginSpec
from netroots.settings import Setting, choice, whole, whole_list

SPEC = PluginSpec(
    name="chapters",
    doc="Local chapters from member locales, mentors for isolated members, the US map.",
    settings_name="CHAPTERS",
    settings=(
        Setting(
            "isolation",
            "state",
            choice("state", "city"),
            "A member is isolated when no other member shares their state (or city).",
        ),
        Setting("mentor_cap", 3, whole(minimum=1), "Most isolated members one mentor is asked to greet."),
        Setting("city_min_members", 3, whole(minimum=1), "A city with this many members gets its own section."),
        Setting(
            "race_diaries",
            10,
            whole(minimum=1),
            "Newest diaries on a chapter's races a chapter's page lists; the rest are on each race's tag page.",
        ),
        Setting(
            "map_steps",
            [1, 2, 5, 10],
            whole_list(1, example=[1, 2, 5, 10], sort=True),
            "Member counts where the map's shade darkens.",
        ),
    ),
    content=(Content("chapters/*.md", "a chapter's (or city's) own text: chapters/<state>[-<city>].md"),),
    provides=("chapters", "mentor_pairings", "mentees_by_mentor"),
    uses=("events_by_chapter", "groups", "jobs"),
    docs="docs/chapters.md",
)
