"""Tags: one spelling per tag, election tags recognized, descriptions on tag pages."""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import feedparser
import pytest
from conftest import build_site, read
from pelican import signals
from tags.company import company_of
from tags.model import Vocabulary, election_tag, near_misses, tag_warnings

import netroots.build
from netroots.build import reset_plugin_signals
from netroots.fingerprint import CHECK_KEPT


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("ca-sen", "CA-Sen"),
        ("CA-SEN", "CA-Sen"),
        ("ny-gov", "NY-Gov"),
        ("ca-1", "CA-01"),
        ("CA-1", "CA-01"),
        ("tx-23", "TX-23"),
        ("pr-al", "PR-AL"),
        ("dc-al", "DC-AL"),
        ("zz-sen", None),
        ("Healthcare", None),
        ("ca-123", None),
    ],
)
def test_election_tags_are_spelled_one_way(written: str, expected: str | None) -> None:
    assert election_tag(written) == expected


def test_vocabulary_maps_aliases_then_election_tags() -> None:
    vocabulary = Vocabulary(canonical={"housing-justice": "Housing", "housing": "Housing"})
    assert vocabulary.normalize("Housing-Justice") == "Housing"
    assert vocabulary.normalize("oh-3") == "OH-03"
    assert vocabulary.normalize("  Transit   policy ") == "Transit policy"


def test_person_tag_titles_and_fake_states_get_advice() -> None:
    assert "use the full name alone, e.g. 'Jane Doe'" in tag_warnings("Senator Jane Doe")[0]
    assert tag_warnings("Gov. Ada Lovelace")
    assert tag_warnings("Jane Doe") == []
    assert "'ZZ' is not a US state" in tag_warnings("zz-12")[0]


def test_near_misses_found_but_not_between_races() -> None:
    uses = {"Health care": 2, "Healthcare": 1, "Boycott": 1, "Boycotts": 1, "CA-01": 1, "CA-02": 1, "Labor": 1}
    pairs = [(tag, meant) for tag, meant, _ in near_misses(uses)]
    assert ("Healthcare", "Health care") in pairs  # the rarer one is the near miss
    assert ("Boycotts", "Boycott") in pairs
    assert all("CA-01" not in pair for pair in pairs)


def test_near_misses_compare_each_tag_only_with_close_ones() -> None:
    """Thousands of distinct tags: no pair of unrelated tags is ever compared."""
    from unittest import mock

    import jellyfish

    uses = {f"Topic {n:05d} {chr(97 + n % 26)}": 1 for n in range(3000)}
    with mock.patch.object(
        jellyfish, "damerau_levenshtein_distance", wraps=jellyfish.damerau_levenshtein_distance
    ) as spy:
        near_misses(uses)
    assert spy.call_count < 3000 * 20


def test_built_tag_pages_use_canonical_names_descriptions_and_feeds(site) -> None:
    result = site("basic")
    assert (result.output / "tags/ca-sen/index.html").exists()
    assert (result.output / "tags/oh-03/index.html").exists()
    housing = read(result.output, "tags/housing/index.html")
    assert "Rent, tenants and a home for everyone." in housing
    assert "Rent strike notes" in housing and "Bus routes matter" in housing
    assert not (result.output / "tags/housing-justice").exists()
    feed = feedparser.parse(result.output / "feeds/tags/housing.atom.xml")
    assert not feed.bozo and len(feed.entries) == 2
    assert not feedparser.parse(result.output / "feeds/tags/housing.rss.xml").bozo
    diary = read(result.output, "diaries/ana/rent-strike-notes/index.html")
    assert ">CA-Sen</a>" in diary and ">OH-03</a>" in diary


# The side column of a tag page as the template gathered it on every page until the tags
# plugin gathered it once per build (plugins/tags/company.py): kept to prove the same output.
GATHERED_BY_THE_TEMPLATE = """
{%- set seen = namespace(writers=[], groups=[], tags={}, names={}) -%}
{%- for article in articles -%}
  {%- if article.author.name not in seen.writers %}{% set seen.writers = seen.writers + [article.author.name] %}{% endif -%}
  {%- for slug in article.groups | default([]) if slug not in seen.groups %}{% set seen.groups = seen.groups + [slug] %}{% endfor -%}
  {%- for other in article.tags if other.name != tag.name %}{% set _ = seen.tags.update({other.name: seen.tags.get(other.name, 0) + 1}) %}{% set _ = seen.names.update({other.name: other}) %}{% endfor -%}
{%- endfor -%}
{{ seen.writers[:8] | join("|") }}
{{ seen.groups | join("|") }}
{% for name, count in (seen.tags | dictsort | sort(attribute="1", reverse=true) | list)[:8] %}{{ name }}={{ seen.names[name].url }}|{% endfor %}"""


def test_tag_company_is_what_the_tag_page_template_gathered_on_every_page() -> None:
    """Ties in count, names differing only in case, more than 8 writers and tags, diaries
    without groups: the same writers, groups and neighbouring tags in the same order."""
    import jinja2

    rng = random.Random(19)
    names = ["Labor", "labor", "Housing", "CA-Sen", "climate", "Climate", "Zoning", "ÉLan", "a", "B", "b", "Transit"]
    tag_of = {name: SimpleNamespace(name=name, url=f"tags/{name.lower()}/") for name in names}
    template = jinja2.Environment().from_string(GATHERED_BY_THE_TEMPLATE)
    for _ in range(200):
        articles = []
        for _ in range(rng.randint(0, 30)):
            diary = SimpleNamespace(
                author=SimpleNamespace(name=f"m{rng.randint(0, 12)}"),
                tags=[tag_of[name] for name in rng.sample(names, rng.randint(1, 5))],
            )
            if rng.random() < 0.7:
                diary.groups = rng.sample(["tenants", "labor-caucus", "youth", "Rural"], rng.randint(0, 3))
            articles.append(diary)
        tag = tag_of[rng.choice(names)]
        writers, groups, neighbours = template.render(articles=articles, tag=tag).split("\n")
        company = company_of(tag.name, articles)
        assert "|".join(company.writers) == writers
        assert "|".join(company.groups) == groups
        assert "".join(f"{name}={url}|" for name, url in company.tags) == neighbours


def test_a_tags_company_formats_each_neighbouring_tags_address_once() -> None:
    """A Tag's ``url`` is formatted from the settings on every access: a tag with 1,000
    diaries formatted its neighbours' addresses 1,000 times each."""
    formatted: list[str] = []

    class CountedTag:
        def __init__(self, name: str) -> None:
            self.name = name

        @property
        def url(self) -> str:
            formatted.append(self.name)
            return f"tags/{self.name}/"

    housing, transit, zoning = CountedTag("housing"), CountedTag("transit"), CountedTag("zoning")
    articles = [SimpleNamespace(author=SimpleNamespace(name="ana"), tags=[housing, transit, zoning])] * 50
    company = company_of("housing", articles)
    assert company.tags == (("transit", "tags/transit/"), ("zoning", "tags/zoning/"))
    assert sorted(formatted) == ["transit", "zoning"]


def test_every_page_of_a_tag_shows_the_company_of_all_its_diaries(site) -> None:
    """Page 2 of a tag lists the writers and tags of the diaries on page 1 too."""
    result = site("basic", PAGINATED_TEMPLATES={"diaries": 20, "tag": 1})
    first = read(result.output, "tags/housing/index.html")
    second = read(result.output, "tags/housing/page/2/index.html")

    def side(page: str) -> str:  # addresses relative to the page: ../../ on page 1, ../../../../ on page 2
        return re.sub(r"(\.\./)+", "/", page.split('<aside class="list-side"')[1].split("</aside>")[0])

    assert "Often tagged with" in side(second) and "Writers" in side(second) and "ana" in side(second)
    assert side(first) == side(second)


def test_kept_counts_make_the_company_the_whole_pass_makes() -> None:
    """A tag's counts, taken diary by diary in and out in any order, and its list walked only
    as far as its first writers and every group: the column ``company_of`` makes of the list."""
    from tags.kept import Counts, facts_of

    rng = random.Random(16)
    names = ["Labor", "labor", "Housing", "CA-Sen", "Climate", "Zoning", "a", "B", "b", "Transit"]
    tag_of = {name: SimpleNamespace(name=name, slug=name.lower(), url=f"tags/{name.lower()}/") for name in names}

    def diary() -> SimpleNamespace:
        made = SimpleNamespace(
            author=SimpleNamespace(name=f"m{rng.randint(0, 11)}"),
            tags=[tag_of["Labor"]] + [tag_of[name] for name in rng.sample(names[1:], rng.randint(0, 4))],
        )
        if rng.random() < 0.3:
            made.groups = rng.sample(["tenants", "labor-caucus", "youth", "Rural"], rng.randint(0, 2))
        return made

    for _ in range(100):
        listed: list[SimpleNamespace] = []
        counts = Counts()
        for _ in range(30):
            if listed and rng.random() < 0.3:
                gone = listed.pop(rng.randrange(len(listed)))
                for tag in gone.tags:
                    if tag.slug == "labor":
                        counts.add(facts_of(gone, {}), -1)
            else:
                new = diary()
                listed.insert(rng.randint(0, len(listed)), new)
                for tag in new.tags:
                    if tag.slug == "labor":
                        counts.add(facts_of(new, {}), 1)
            entries = [article for article in listed for tag in article.tags if tag.slug == "labor"]
            assert counts.size == len(entries)
            assert counts.company("Labor", entries) == company_of("Labor", entries)


@pytest.fixture
def tags_read(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The diaries (file names) whose tags the tags plugin's own code goes through, in the
    builds from now on: each listed diary's tags noted when a loop in ``tags.*`` walks them."""
    read: set[str] = set()

    class ReadTags(list):
        path = ""

        def __iter__(self) -> Iterator:
            if sys._getframe(1).f_globals.get("__name__", "").startswith("tags."):
                read.add(self.path)
            return super().__iter__()

    def watch(generator) -> None:
        for article in generator.articles:
            if getattr(article, "tags", None):
                article.tags = ReadTags(article.tags)
                article.tags.path = Path(article.source_path).name

    def reset() -> None:  # each build disconnects every receiver first
        reset_plugin_signals()
        signals.article_generator_pretaxonomy.connect(watch)

    monkeypatch.setattr(netroots.build, "reset_plugin_signals", reset)
    return read


def _side(output: Path, tag: str) -> str:
    return read(output, f"tags/{tag}/index.html").split('<aside class="list-side"')[1].split("</aside>")[0]


def _checked_build(content: Path, output: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build with nothing changed under the suite's check: the kept company is the whole
    pass's (``tags.kept.StaleCompany`` otherwise)."""
    monkeypatch.setenv(CHECK_KEPT, "1")
    assert not build_site(content, output).errors
    monkeypatch.delenv(CHECK_KEPT)


def test_an_edit_reads_the_tags_of_the_edited_diary_only(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tags_read: set[str]
) -> None:
    """Each tag page's side column was made from every diary's writer, groups and tags in
    every build (0.19 s at 50,000 diaries); kept, a build reads the diaries changed since."""
    content, output = copy_fixture("basic"), tmp_path / "output"
    assert not build_site(content, output).errors
    monkeypatch.delenv(CHECK_KEPT)  # its whole pass reads every diary
    tags_read.clear()
    build_site(content, output)
    assert tags_read == set()

    bus = content / "diaries/ben/2026-02-14-bus-routes-matter.md"
    bus.write_text(bus.read_text().replace("tags: [Transit, Housing]", "tags: [Transit, Housing, Zoning]"))
    assert not build_site(content, output).errors
    assert tags_read == {bus.name}
    assert ">Zoning</a>" in _side(output, "housing") and ">Zoning</a>" in _side(output, "transit")
    tags_read.clear()
    build_site(content, output)
    assert tags_read == set()  # the edit was kept with its build's serial
    _checked_build(content, output, monkeypatch)


def test_a_deletion_and_a_new_vocabulary_give_the_whole_pass_company(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tags_read: set[str]
) -> None:
    """A deleted diary leaves its tags' columns without reading another member's diaries; a
    change of the vocabulary (another spelling of a tag) makes every column again."""
    content, output = copy_fixture("basic"), tmp_path / "output"
    zoning = content / "diaries/ben/2026-05-01-zoning-fights.md"
    zoning.write_text("---\ntitle: Zoning fights\ndate: 2026-05-01 09:00\ntags: [Housing, Zoning]\n---\n\nText.\n")
    assert not build_site(content, output).errors
    assert ">Zoning</a>" in _side(output, "housing")
    monkeypatch.delenv(CHECK_KEPT)

    tags_read.clear()
    zoning.unlink()
    assert not build_site(content, output).errors
    assert tags_read <= {"2026-02-14-bus-routes-matter.md"}  # made anew: its folder's names changed
    assert ">Zoning</a>" not in _side(output, "housing") and not (output / "tags/zoning/index.html").exists()
    _checked_build(content, output, monkeypatch)

    (content / "tags.yaml").write_text("Housing:\n  aliases: [housing-justice, transit]\n")
    assert not build_site(content, output).errors
    assert tags_read == {"2026-03-01-rent-strike-notes.md", "2026-02-14-bus-routes-matter.md"}
    assert ">Transit</a>" not in _side(output, "housing")
    _checked_build(content, output, monkeypatch)
