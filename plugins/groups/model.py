"""Groups: community groups diaries are republished into (``content/groups/<slug>.md``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from netroots import schema
from netroots.avatars import TONE_NAMES, tone
from netroots.html import render_markdown
from netroots.report import Report

GROUP_FIELDS = (
    schema.Field("title", schema.text, required=True, help="e.g. `title: Media Watch`"),
    schema.Field("editors", schema.list_of(schema.handle), default=list),
    schema.Field("summary", schema.text, default=""),
    schema.Field(
        "colour",
        schema.choice(*TONE_NAMES),
        default="",
        help=f"the group's colour on its page and cards, one of: {', '.join(TONE_NAMES)}",
    ),
)


@dataclass
class Group:
    slug: str
    title: str
    editors: list[str]
    summary: str
    description: str
    path: Path
    lines: dict[str, int] = field(default_factory=dict)
    colour: str = ""

    @property
    def tone(self) -> int:
        """The theme's ``tone-N`` class: the group's chosen colour, else one from its slug."""
        return TONE_NAMES.index(self.colour) if self.colour in TONE_NAMES else tone(self.slug)

    @property
    def url(self) -> str:
        return f"groups/{self.slug}/"


def load_groups(content: Path, members: set[str], report: Report) -> dict[str, Group]:
    groups: dict[str, Group] = {}
    for path in sorted((content / "groups").glob("*.md")):
        slug = schema.file_slug(path, report)
        read = schema.read_validated(path, GROUP_FIELDS, report, kind="group")
        if slug is None or read is None:
            continue
        source, meta, ok = read
        for index, editor in enumerate(meta["editors"] or []):
            if editor not in members:
                report.error(
                    path,
                    source.line("editors", index),
                    f"editors: '{editor}' is not a member (no content/members/{editor}.yaml)",
                )
        if not ok:
            continue
        groups[slug] = Group(
            slug=slug,
            title=meta["title"],
            editors=meta["editors"],
            summary=meta["summary"],
            description=render_markdown(source.body),
            path=path,
            lines=source.lines,
            colour=meta["colour"] or "",
        )
    return groups
