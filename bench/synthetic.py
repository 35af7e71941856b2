"""Synthetic networks for benchmarks: reproducible members and diaries of any size."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

WORDS = [
    "organize",
    "canvass",
    "neighbors",
    "library",
    "council",
    "budget",
    "vote",
    "precinct",
    "newsroom",
    "station",
    "owner",
    "advertiser",
    "boycott",
    "letter",
    "petition",
    "rally",
    "tenants",
    "union",
    "wages",
    "county",
    "ballot",
    "district",
    "volunteer",
    "meeting",
    "coffee",
    "flyer",
    "phone",
    "script",
    "turnout",
    "registration",
    "census",
    "transit",
    "housing",
    "climate",
    "clinic",
    "hospital",
    "school",
    "board",
    "editor",
    "reporter",
    "correction",
    "headline",
    "coverage",
    "local",
    "state",
    "federal",
    "senate",
    "governor",
    "mayor",
    "hearing",
    "testimony",
    "permit",
    "march",
    "sign",
    "doors",
    "walk",
    "list",
]
TAGS = [
    "Organizing",
    "Local news",
    "Media accountability",
    "Voting rights",
    "Housing",
    "Labor",
    "Climate",
    "Canvassing",
]
RACES = ["CA-Sen", "OH-Gov", "TX-23", "GA-05", "ME-02"]
STATES = ["CA", "OH", "TX", "GA", "ME", "NY", "PA", "MI", "WI", "AZ"]


@dataclass(frozen=True)
class SyntheticDiary:
    handle: str
    slug: str
    title: str
    date: dt.datetime
    tags: list[str]
    summary: str
    body: str


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 18))
    return " ".join(words).capitalize() + "."


def _body(rng: random.Random) -> str:
    parts = []
    for section in range(3):
        parts.append(f"## Part {section + 1}: {' '.join(rng.choices(WORDS, k=3))}")
        for _ in range(2):
            parts.append(" ".join(_sentence(rng) for _ in range(rng.randint(3, 6))))
        if section == 1:
            parts.append("\n".join(f"- {_sentence(rng)}" for _ in range(3)))
    parts.append(f"Read more at [the county site](https://example.org/{rng.randint(1, 999)}).")
    return "\n\n".join(parts) + "\n"


def diaries(count: int, members: int, seed: int = 7) -> list[SyntheticDiary]:
    rng = random.Random(seed)
    start = dt.datetime(2024, 1, 1, 9, 0)
    made = []
    for index in range(count):
        handle = f"member-{index % members:03d}"
        title = f"{_sentence(rng)[:-1][:60]} {index}"
        tags = rng.sample(TAGS, k=2) + ([rng.choice(RACES)] if index % 3 == 0 else [])
        made.append(
            SyntheticDiary(
                handle=handle,
                slug=f"diary-{index:05d}",
                title=title,
                date=start + dt.timedelta(hours=7 * index),
                tags=tags,
                summary=_sentence(rng),
                body=_body(rng),
            )
        )
    return made


def today_after(items: list[SyntheticDiary]) -> str:
    """A "today" on which every synthetic diary is published: the day after the last one
    (at 10,000 diaries they run into 2032; later-dated diaries would be scheduled, or errors)."""
    last = max((item.date.date() for item in items), default=dt.date(2026, 11, 21))
    return max(last + dt.timedelta(days=1), dt.date(2026, 11, 22)).isoformat()


def write_netroots(content: Path, items: list[SyntheticDiary], members: int) -> None:
    """A Netroots content folder: member files, two groups, YAML front matter."""
    (content / "members").mkdir(parents=True)
    (content / "groups").mkdir()
    for group in ("media-watch", "local-organizing"):
        (content / "groups" / f"{group}.md").write_text(
            f"---\ntitle: {group.replace('-', ' ').title()}\n---\n\nA group.\n"
        )
    for index in range(members):
        handle = f"member-{index:03d}"
        (content / "members" / f"{handle}.yaml").write_text(
            f"name: Member {index}\nlocale: {{state: {STATES[index % len(STATES)]}, city: Town {index}}}\n"
            f"mentor: {str(index % 10 == 0).lower()}\nvouches: [member-{(index + 1) % members:03d}]\n"
        )
    for item in items:
        folder = content / "diaries" / item.handle
        folder.mkdir(parents=True, exist_ok=True)
        groups = "[media-watch]" if item.slug.endswith(("0", "5")) else "[]"
        (folder / f"{item.date.date().isoformat()}-{item.slug}.md").write_text(
            f'---\ntitle: "{item.title}"\ndate: {item.date:%Y-%m-%d %H:%M}\ntags: [{", ".join(item.tags)}]\n'
            f'groups: {groups}\nsummary: "{item.summary}"\n---\n\n{item.body}',
            encoding="utf-8",
        )


def write_plain(content: Path, items: list[SyntheticDiary]) -> None:
    """The same diaries as plain Pelican reads them: Markdown metadata lines."""
    for item in items:
        folder = content / item.handle
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{item.date.date().isoformat()}-{item.slug}.md").write_text(
            f"Title: {item.title}\nDate: {item.date:%Y-%m-%d %H:%M}\nAuthor: {item.handle}\nSlug: {item.slug}\n"
            f"Tags: {', '.join(item.tags)}\nSummary: {item.summary}\n\n{item.body}",
            encoding="utf-8",
        )


def write_comments(content: Path, items: list[SyntheticDiary], members: int, per_diary: int, seed: int = 11) -> int:
    """``per_diary`` comments under every diary: about a third are replies to an earlier
    comment on the same diary (threads up to several levels), most have a title."""
    rng = random.Random(seed)
    written = 0
    for item in items:
        ids: list[str] = []
        for number in range(per_diary):
            handle = f"member-{rng.randrange(members):03d}"
            when = item.date + dt.timedelta(hours=1 + number * 3, minutes=rng.randrange(60))
            stem = f"{when:%Y-%m-%d-%H%M}-on-{item.slug}-{number}"
            lines = [f"on: {item.handle}/{item.slug}"]
            if ids and rng.random() < 0.35:
                lines.append(f"parent: {rng.choice(ids)}")
            if rng.random() < 0.7:
                lines.append(f'title: "{_sentence(rng)[:-1][:50]}"')
            body = " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))
            folder = content / "comments" / handle
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{stem}.md").write_text("---\n" + "\n".join(lines) + f"\n---\n\n{body}\n", encoding="utf-8")
            ids.append(f"{handle}/{stem}")
            written += 1
    return written
