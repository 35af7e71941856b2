"""Groups: community groups diaries are republished into (``content/groups/<slug>.md``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from netroots import schema
from netroots.avatars import MAX_BYTES, MAX_PIXELS, PICTURE_SUFFIXES, TONE_NAMES, picture_src, picture_srcset, tone
from netroots.html import render_markdown
from netroots.images import ImageProblem, ImageSet, inspect
from netroots.report import Report
from netroots.source import Source

# A group's picture: a file beside the group's file, or in the group's own folder
# (content/groups/<slug>/), named by a plain file name: never a path out of content/groups/.
IMAGE_NAME = re.compile(r"^(?:(?P<folder>[a-z0-9][a-z0-9-]*)/)?(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)$")
IMAGE_EXAMPLE = "image: media-watch.png (content/groups/media-watch.png) or image: media-watch/mark.png"

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
    schema.Field(
        "image",
        schema.text,
        default="",
        help="a square-ish picture shown on the group's page and cards (JPEG, PNG or WebP), beside the group's "
        "file or in content/groups/<slug>/, e.g. `image: media-watch.png`; without one the colour shows",
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
    image: Path | None = None  # the checked source picture (content/groups/...)
    picture: ImageSet | None = None  # its small copies, made by the generator (netroots.avatars)

    @property
    def tone(self) -> int:
        """The theme's ``tone-N`` class: the group's chosen colour, else one from its slug."""
        return TONE_NAMES.index(self.colour) if self.colour in TONE_NAMES else tone(self.slug)

    @property
    def url(self) -> str:
        return f"groups/{self.slug}/"

    def src(self, prefix: str) -> str:
        """The picture's smallest copy, published in the group's folder (``prefix``)."""
        return picture_src(self.picture, prefix)

    def srcset(self, prefix: str) -> str:
        return picture_srcset(self.picture, prefix)


def group_image(folder: Path, slug: str, value: str, source: Source, report: Report) -> Path | None:
    """The picture ``image:`` names, checked like a member's avatar; ``None`` (reported) when unusable."""
    value = (value or "").strip()
    if not value:
        return None
    line = source.line("image")
    match = IMAGE_NAME.match(value)
    if not match or (match["folder"] and match["folder"] != slug):
        report.error(
            source.path,
            line,
            f"image: '{value}' must be a file beside the group's file or in its own folder "
            f"content/groups/{slug}/, e.g. {IMAGE_EXAMPLE}",
        )
        return None
    path = folder / value
    if Path(match["name"]).suffix not in PICTURE_SUFFIXES:  # lower case, as the layout check reads them
        report.error(source.path, line, f"image: '{value}' must be a .jpg, .jpeg, .png or .webp picture (lower-case)")
        return None
    if not path.is_file() or path.is_symlink():
        report.error(source.path, line, f"image: content/groups/{value} does not exist; save the picture there")
        return None
    try:
        inspect(path, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS)
    except ImageProblem as problem:
        report.error(source.path, line, f"image: content/groups/{value}: {problem}")
        return None
    return path


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
            image=group_image(path.parent, slug, meta["image"], source, report),
        )
    return groups
