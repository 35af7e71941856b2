"""Tag vocabulary: canonical spellings from ``content/tags.yaml`` and election tags.

Election tags are spelled one way (``ca-sen`` -> ``CA-Sen``, ``ca-1`` -> ``CA-01``)
with the state checked against the ``us`` package's list of states and territories.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import jellyfish
import us

from netroots import schema
from netroots.report import Report
from netroots.source import SourceError, read_yaml
from netroots.words import stems

ELECTION = re.compile(r"^(?P<state>[A-Za-z]{2})[- ](?P<race>sen|gov|ag|sos|lg|al|\d{1,2})$", re.I)
ELECTION_LIKE = re.compile(r"^(?P<state>[A-Za-z][A-Za-z .]+[A-Za-z.])[- ](?P<race>sen|gov|ag|sos|lg|al|\d{1,2})$", re.I)
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


def election_spelling(tag: str) -> str | None:
    """The race a tag was probably meant to be: ``ohio-3`` -> ``OH-03`` (a state's full name)."""
    match = ELECTION_LIKE.match(tag.strip())
    if not match or election_tag(tag):
        return None
    state = us.states.lookup(match["state"].strip().rstrip("."))
    if state is None:
        return None
    return election_tag(f"{state.abbr}-{match['race']}")


def deletions(key: str) -> set[str]:
    """``key`` and every string one character shorter: two keys at most one edit apart share one."""
    return {key, *(key[:i] + key[i + 1 :] for i in range(len(key)))}


def fold(tag: str) -> str:
    """A key that equal-looking tags share: ``Health care``, ``Healthcare``, ``Libraries``, ``Librarys``."""
    return "".join(stems(tag)) or re.sub(r"[^a-z0-9]", "", tag.casefold())


def near_misses(uses: Mapping[str, int]) -> list[tuple[str, str, str]]:
    """``(tag, meant, why)`` for tags that are probably a misspelling of a more used one.

    Each tag is compared only with the tags used more (ties: the earlier name), through an
    index of one-character deletions, so the work grows with the number of tags, not its square.
    """
    found = []
    index: dict[str, list[str]] = {}
    ordered = sorted(uses, key=lambda tag: (-uses[tag], tag.casefold()))
    known = {tag.casefold(): tag for tag in ordered}
    for tag in ordered:
        race = election_spelling(tag)
        if race:
            why = f"races are written like '{race}'" + (" (in use)" if race.casefold() in known else "")
            found.append((tag, race, why))
            continue
        if election_tag(tag):
            continue  # CA-01 and CA-02 are different races, not typos
        key = fold(tag)
        candidates = {other for part in deletions(key) for other in index.get(part, ())}
        best = None
        for other in sorted(candidates, key=lambda t: (-uses[t], t.casefold())):
            other_key = fold(other)
            if other_key == key:
                best = (other, "the same words spelled another way")
                break
            if min(len(key), len(other_key)) > 5 and jellyfish.damerau_levenshtein_distance(key, other_key) <= 1:
                best = best or (other, "one letter apart")
        if best:
            found.append((tag, *best))
        for part in deletions(key):
            index.setdefault(part, []).append(tag)
    return found
