"""Synthetic networks for benchmarks: reproducible members and diaries of any size.

Two vocabularies (``diaries(..., vocabulary=...)``, ``--vocabulary`` on the bench commands):

- ``topics`` (the default): like real writing, a long-tailed vocabulary of a few thousand
  words (the 57 ``WORDS`` first, then generated pseudo-words) drawn with Zipf weights, and
  topics: each diary is about one topic, a cluster of words that the diaries on it share
  (and its tag). Related-diary lists then depend on a few distinctive words per diary.
- ``flat``: the first generator, every word drawn evenly from the 57 ``WORDS``, so every
  diary holds nearly every word. The worst case for related lists: each word is held by
  thousands of diaries with near-equal weights, and one edit reshuffles which of them are
  a word's strongest holders (docs/benchmarks.md, "Growth").

Both are seeded: the same arguments write the same files. Diaries are about the same size
(~3.3 kB of Markdown) either way, so plain-Pelican baselines stay comparable.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import click

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
    topic: int = 0


# Pseudo-words are two or three syllables of these.
ONSETS = (
    "b",
    "c",
    "d",
    "f",
    "g",
    "h",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "w",
    "z",
    "br",
    "cr",
    "dr",
    "gr",
    "pl",
    "st",
    "tr",
)
CODAS = ("", "", "", "", "n", "r", "s", "l", "t")


class Flat:
    """Every word drawn evenly from ``WORDS`` (the first generator; the worst case)."""

    name = "flat"

    def words(self, rng: random.Random, count: int, topic: int) -> list[str]:
        return rng.choices(WORDS, k=count)


@dataclass(frozen=True)
class Topics:
    """A Zipf-weighted vocabulary of ``size`` words plus ``topics`` clusters of ``topic_words``
    less common words; a word of a diary is from its topic's cluster with ``topic_share``."""

    name = "topics"
    size: int = 4000
    exponent: float = 1.05
    topics: int = 60
    topic_words: int = 40
    topic_share: float = 0.2
    seed: int = 19

    @cached_property
    def vocabulary(self) -> list[str]:
        rng = random.Random(self.seed)
        seen, words = set(WORDS), list(WORDS)
        while len(words) < self.size:
            syllables = rng.choice((2, 2, 3))
            word = "".join(rng.choice(ONSETS) + rng.choice("aeiou") + rng.choice(CODAS) for _ in range(syllables))
            if word not in seen:
                seen.add(word)
                words.append(word)
        return words

    @cached_property
    def weights(self) -> list[float]:
        """Cumulative Zipf-Mandelbrot weights by rank (``WORDS`` are the most common; the offset
        keeps the commonest word near 2% of a text, as content words are once stop words are gone)."""
        return list(itertools.accumulate(1 / (rank + 8) ** self.exponent for rank in range(self.size)))

    @cached_property
    def clusters(self) -> list[list[str]]:
        rng = random.Random(self.seed + 1)
        uncommon = self.vocabulary[len(WORDS) * 4 :]
        return [rng.sample(uncommon, self.topic_words) for _ in range(self.topics)]

    def topic_of(self, rng: random.Random) -> int:
        """Some topics are much more written about than others."""
        return rng.choices(range(self.topics), weights=[1 / (n + 2) for n in range(self.topics)])[0]

    def words(self, rng: random.Random, count: int, topic: int) -> list[str]:
        words = rng.choices(self.vocabulary, cum_weights=self.weights, k=count)
        cluster = self.clusters[topic]
        return [rng.choice(cluster) if rng.random() < self.topic_share else word for word in words]


VOCABULARIES = {"topics": Topics(), "flat": Flat()}


def vocabulary_named(name: str) -> Flat | Topics:
    return VOCABULARIES[name]


def vocabulary_option(command: Callable) -> Callable:
    """``--vocabulary topics|flat`` on a bench command (passed as ``vocabulary``)."""
    return click.option(
        "--vocabulary",
        type=click.Choice(list(VOCABULARIES)),
        default="topics",
        show_default=True,
        help="Synthetic text: Zipf words with topics (like real diaries), or flat (57 words; the worst case).",
    )(command)


def _sentence(rng: random.Random, vocabulary: Flat | Topics = VOCABULARIES["flat"], topic: int = 0) -> str:
    words = vocabulary.words(rng, rng.randint(8, 18), topic)
    return " ".join(words).capitalize() + "."


def _body(rng: random.Random, vocabulary: Flat | Topics, topic: int) -> str:
    parts = []
    for section in range(3):
        parts.append(f"## Part {section + 1}: {' '.join(vocabulary.words(rng, 3, topic))}")
        for _ in range(2):
            parts.append(" ".join(_sentence(rng, vocabulary, topic) for _ in range(rng.randint(3, 6))))
        if section == 1:
            parts.append("\n".join(f"- {_sentence(rng, vocabulary, topic)}" for _ in range(3)))
    parts.append(f"Read more at [the county site](https://example.org/{rng.randint(1, 999)}).")
    return "\n\n".join(parts) + "\n"


def diaries(count: int, members: int, seed: int = 7, vocabulary: str = "topics") -> list[SyntheticDiary]:
    """``count`` diaries by ``members`` members, one every 7 hours from 2024-01-01."""
    words = vocabulary_named(vocabulary)
    rng = random.Random(seed)
    start = dt.datetime(2024, 1, 1, 9, 0)
    made = []
    for index in range(count):
        handle = f"member-{index % members:03d}"
        if isinstance(words, Topics):
            topic = words.topic_of(rng)
            # The topic's own tag first, then another.
            main = TAGS[topic % len(TAGS)]
            tags = [main, rng.choice([tag for tag in TAGS if tag != main])]
        else:
            topic = 0
        title = f"{_sentence(rng, words, topic)[:-1][:60]} {index}"
        if not isinstance(words, Topics):
            tags = rng.sample(TAGS, k=2)
        tags += [rng.choice(RACES)] if index % 3 == 0 else []
        made.append(
            SyntheticDiary(
                handle=handle,
                slug=f"diary-{index:05d}",
                title=title,
                date=start + dt.timedelta(hours=7 * index),
                tags=tags,
                summary=_sentence(rng, words, topic),
                body=_body(rng, words, topic),
                topic=topic,
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


def write_comments(
    content: Path, items: list[SyntheticDiary], members: int, per_diary: int, seed: int = 11, vocabulary: str = "topics"
) -> int:
    """``per_diary`` comments under every diary, on its topic: about a third are replies to
    an earlier comment on the same diary (threads up to several levels), most have a title."""
    words = vocabulary_named(vocabulary)
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
                lines.append(f'title: "{_sentence(rng, words, item.topic)[:-1][:50]}"')
            body = " ".join(_sentence(rng, words, item.topic) for _ in range(rng.randint(2, 5)))
            folder = content / "comments" / handle
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{stem}.md").write_text("---\n" + "\n".join(lines) + f"\n---\n\n{body}\n", encoding="utf-8")
            ids.append(f"{handle}/{stem}")
            written += 1
    return written
