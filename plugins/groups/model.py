"""Groups: community groups diaries are republished into (``content/groups/<slug>.md``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from netroots import schema
from netroots.html import render_markdown
from netroots.report import Report

GROUP_FIELDS = (
    schema.Field("title", schema.text, required=True, help="e.g. `title: Media Watch`"),
    schema.Field("editors", schema.list_of(schema.handle), default=list),
    schema.Field("summary", schema.text, default=""),
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
        )
    return groups
