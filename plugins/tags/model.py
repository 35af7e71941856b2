"""Tag vocabulary: canonical spellings from ``content/tags.yaml`` and election tags.

Election tags are spelled one way (``ca-sen`` -> ``CA-Sen``, ``ca-1`` -> ``CA-01``)
with the state checked against the ``us`` package's list of states and territories.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import jellyfish
import us

from netroots import schema
from netroots.report import Report
from netroots.source import SourceError, read_yaml

ELECTION = re.compile(r"^(?P<state>[A-Za-z]{2})[- ](?P<race>sen|gov|ag|sos|lg|al|\d{1,2})$", re.I)
OFFICES = {"sen": "Sen", "gov": "Gov", "ag": "AG", "sos": "SoS", "lg": "LG", "al": "AL"}
TITLES = re.compile(
    r"^(senator|sen\.|rep\.|representative|congressman|congresswoman|governor|gov\.|mayor|"
    r"president|judge|justice|secretary|speaker|dr\.|councilmember|councilman|councilwoman|sheriff)\s+\S",
    re.I,
)
ENTRY_FIELDS = (
    schema.Field("aliases", schema.string_list, default=list),
    schema.Field("description", schema.text, default=""),
)


@dataclass
class Vocabulary:
    """Canonical tags, their aliases and descriptions."""

    canonical: dict[str, str] = field(default_factory=dict)  # folded spelling -> canonical
    descriptions: dict[str, str] = field(default_factory=dict)

    def normalize(self, tag: str) -> str:
        """The one spelling of ``tag``: an alias's canonical form, or an election tag's."""
        tag = " ".join(tag.split())
        known = self.canonical.get(tag.casefold())
        if known:
            return known
        return election_tag(tag) or tag


def election_tag(tag: str) -> str | None:
    """``ny-gov`` -> ``NY-Gov``; ``None`` when ``tag`` is not a race in a real state."""
    match = ELECTION.match(tag.strip())
    if not match:
        return None
    state = us.states.lookup(match["state"].upper(), field="abbr")
    if state is None:
        return None
    race = match["race"].lower()
    race = OFFICES.get(race) or f"{int(race):02d}"
    return f"{state.abbr}-{race}"


def fold(tag: str) -> str:
    """A key that equal-looking tags share: ``Health care`` and ``Healthcare``."""
    return re.sub(r"[^a-z0-9]", "", tag.casefold()).removesuffix("s")


def load_vocabulary(content: Path, report: Report) -> Vocabulary:
    vocabulary = Vocabulary()
    path = content / "tags.yaml"
    if not path.is_file():
        return vocabulary
    try:
        source = read_yaml(path)
    except SourceError as exc:
        report.error(path, exc.line, exc.message)
        return vocabulary
    for name, entry in source.data.items():
        line = source.line(str(name))
        try:
            canonical = schema.text(name)
            clean = schema.mapping(ENTRY_FIELDS, example="`{aliases: [healthcare], description: ...}`")(entry or {})
        except schema.Invalid as exc:
            report.error(path, line, f"{name}: {exc.message}")
            continue
        for spelling in [canonical, *clean["aliases"]]:
            earlier = vocabulary.canonical.get(spelling.casefold())
            if earlier and earlier != canonical:
                report.error(path, line, f"'{spelling}' is an alias of both '{earlier}' and '{canonical}'; keep one")
                continue
            vocabulary.canonical[spelling.casefold()] = canonical
        vocabulary.descriptions[canonical] = clean["description"]
    return vocabulary


def tag_warnings(tag: str) -> list[str]:
    """Advice about one tag as written."""
    advice = []
    if TITLES.match(tag):
        name = tag.split(None, 1)[1]
        advice.append(f"tags: '{tag}' puts a title in a person tag; use the full name alone, e.g. '{name}'")
    state_like = re.match(r"^([A-Za-z]{2})-(sen|gov|\d{1,2})$", tag, re.I)
    if state_like and election_tag(tag) is None:
        advice.append(
            f"tags: '{tag}' looks like an election tag but '{state_like[1].upper()}' is not a US state or territory"
        )
    return advice


def near_duplicates(tags: list[str]) -> list[tuple[str, str]]:
    """Pairs of distinct tags that are probably one tag spelled two ways.

    Two keys within one edit (Damerau-Levenshtein 1) share a key once one character is
    deleted from each (or from neither), so tags are bucketed by those deletions and only
    tags sharing a bucket are compared: linear in the number of tags, not quadratic.
    """
    ordered = [tag for tag in sorted(set(tags)) if not election_tag(tag)]
    keys = {tag: fold(tag) for tag in ordered}
    buckets: dict[str, list[str]] = {}
    for tag in ordered:
        key = keys[tag]
        variants = {key} | ({key[:i] + key[i + 1 :] for i in range(len(key))} if len(key) > 5 else set())
        for variant in variants:
            buckets.setdefault(variant, []).append(tag)
    pairs = set()
    for members in buckets.values():
        for index, first in enumerate(members):
            for second in members[index + 1 :]:
                a, b = keys[first], keys[second]
                if a == b or (min(len(a), len(b)) > 5 and jellyfish.damerau_levenshtein_distance(a, b) <= 1):
                    pairs.add((first, second) if first < second else (second, first))
    return sorted(pairs)
