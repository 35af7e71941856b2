"""Plugin contracts (issue 13): each plugin's SPEC, the settings check, the order check,
the generated docs/settings.md, and a site that builds without its optional plugins."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import click
import pytest
from click.testing import CliRunner
from conftest import ROOT, build_site, site_settings

from netroots.build import load_settings
from netroots.check import run_check
from netroots.plugin import (
    PluginSpec,
    core_specs,
    enabled_specs,
    known_specs,
    order_problems,
    reserved_handles,
    settings_markdown,
)

BAD = {"not": "a valid value for anything"}


def test_every_plugin_declares_itself() -> None:
    settings = load_settings()
    specs = enabled_specs(settings)
    assert [spec.name for spec in specs] == settings["PLUGINS"]
    for spec in specs:
        assert spec.doc and all(s.doc and s.kind.valid for s in spec.settings), spec.name
        assert spec.options(settings) == {**spec.defaults(), **settings.get(spec.settings_name, {})}, spec.name


def test_settings_doc_is_generated_from_the_declarations() -> None:
    expected = settings_markdown(known_specs(load_settings()))
    written = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert written == expected, "docs/settings.md is stale: run `python tasks.py settings-doc`"
    assert "| `river_entries` | `60` | a whole number of at least 1 |" in written


def test_settings_doc_check_command_says_it_is_up_to_date() -> None:
    import tasks

    result = CliRunner().invoke(tasks.cli, ["settings-doc", "--check"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


@pytest.mark.parametrize(
    "spec", [s for s in (*core_specs(), *enabled_specs(load_settings())) if s.settings], ids=lambda s: s.name
)
def test_a_bad_value_for_any_setting_is_one_line_and_the_default_is_used(spec: PluginSpec) -> None:
    for setting in spec.settings:
        problems: list[str] = []
        merged = spec.options({spec.settings_name: {setting.name: BAD}}, problems)
        assert merged[setting.name] == setting.default
        assert problems == [
            f"{spec.settings_name}: {setting.name} must be {setting.kind.valid}, not {BAD!r}; "
            f"using the default {setting.default!r}"
        ]


def test_bad_settings_are_reported_and_the_build_goes_on(copy_fixture, tmp_path: Path) -> None:
    content = copy_fixture("basic")
    result = build_site(
        content,
        tmp_path / "output",
        ALLIES={"river_entries": "sixty"},
        JOBS={"max_age_days": "two months"},
        TRUST={"damping": 2},
        SEARCH={"related": -1},
    )
    assert sorted(result.errors) == [
        "ALLIES: river_entries must be a whole number of at least 1, not 'sixty'; using the default 60",
        "JOBS: max_age_days must be a whole number of at least 1, not 'two months'; using the default 60",
        "SEARCH: related must be a whole number of at least 0, not -1; using the default 5",
        "TRUST: damping must be a number from 0.0 to 0.99, not 2; using the default 0.85",
    ]
    assert (tmp_path / "output" / "index.html").is_file()
    assert (tmp_path / "output" / "allies" / "index.html").is_file()


def test_check_reports_bad_settings_at_the_settings_file(copy_fixture, tmp_path: Path) -> None:
    settings = site_settings(copy_fixture("basic"), tmp_path / "out", EVENTS={"front_page_count": "three"})
    messages = [str(p) for p in run_check(settings).problems]
    assert (
        "pelicanconf.py:1: error: EVENTS: front_page_count must be a whole number of at least 0, not 'three'; "
        "using the default 3"
    ) in messages


def test_a_plugin_listed_before_the_one_it_needs_is_one_error_naming_both(copy_fixture, tmp_path: Path) -> None:
    plugins = list(load_settings()["PLUGINS"])
    plugins.remove("trust")
    plugins.insert(plugins.index("actions") + 1, "trust")
    result = build_site(copy_fixture("basic"), tmp_path / "output", PLUGINS=plugins)
    assert result.errors == [
        "PLUGINS: actions needs 'trusted_members' from trust, which comes after it; list trust before actions"
    ]


def test_a_required_key_nobody_provides_names_the_plugin_that_would() -> None:
    giver = PluginSpec(name="giver", doc="", provides=("gift",))
    taker = PluginSpec(name="taker", doc="", requires=("gift",))
    assert order_problems([giver, taker]) == []
    assert order_problems([taker], known=[taker, giver]) == [
        "PLUGINS: taker needs 'gift' from giver, which is not in PLUGINS; add giver before taker"
    ]
    assert order_problems([taker]) == ["PLUGINS: taker needs 'gift', which no plugin provides"]
    optional_user = PluginSpec(name="reader", doc="", uses=("gift",))
    assert order_problems([optional_user]) == []


@pytest.mark.parametrize("left_out", ["trust", "search", "allies"])
def test_the_site_builds_without_an_optional_plugin(left_out: str, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "content", tmp_path / "content")
    plugins = [p for p in load_settings()["PLUGINS"] if p != left_out]
    result = build_site(tmp_path / "content", tmp_path / "output", PLUGINS=plugins, SEARCH={"pagefind": False})
    assert result.errors == []
    front = (tmp_path / "output" / "index.html").read_text(encoding="utf-8")
    assert "Commons Network" in front and "<main" in front
    for page in ("diaries/index.html", "actions/index.html", "jobs/index.html", "events/index.html"):
        assert (tmp_path / "output" / page).is_file(), page
    assert all("not in PLUGINS" in w for w in result.warnings if "PLUGINS" in w)


def test_no_plugin_imports_another_plugin() -> None:
    """Plugins share through declared context keys, ``offers`` and netroots/, never imports."""
    import ast

    plugins = {p.name for p in (ROOT / "plugins").iterdir() if (p / "__init__.py").is_file()}
    found = []
    for path in sorted((ROOT / "plugins").rglob("*.py")):
        own = path.relative_to(ROOT / "plugins").parts[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            found += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in plugins - {own}]
            if isinstance(node, ast.Attribute) and node.attr == "modules" and getattr(node.value, "id", "") == "sys":
                found.append(f"{path.relative_to(ROOT)}: sys.modules")
    assert found == []


def test_per_build_state_starts_fresh_for_every_build(copy_fixture, tmp_path: Path) -> None:
    """``serve`` rebuilds in one process: nothing from the last build leaks into the next."""
    from netroots.plugin import STATE_KEY, build_state, start

    settings = site_settings(copy_fixture("basic"), tmp_path / "out")
    build_state(settings, "search")["skip"] = {"stale"}
    start(settings)
    assert settings[STATE_KEY] == {}


def test_the_cores_settings_are_declared_checked_and_documented(copy_fixture, tmp_path: Path) -> None:
    """NETROOTS_BUILD and FORGE go through the same declarations as a plugin's settings."""
    written = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert "## `NETROOTS_BUILD`" in written and "| `parallel_min` | `64` |" in written
    assert "## `FORGE`" in written
    result = build_site(
        copy_fixture("basic"), tmp_path / "output", NETROOTS_BUILD={"jobs": "many"}, FORGE={"kind": "svn"}
    )
    assert sorted(result.errors) == [
        "FORGE: kind must be 'github' or 'gitlab' or 'gitea' or 'forgejo', not 'svn'; using the default 'github'",
        "NETROOTS_BUILD: jobs must be a whole number of at least 0, not 'many'; using the default 0",
    ]
    assert (tmp_path / "output" / "index.html").is_file()


def test_reserved_handles_come_from_the_declarations() -> None:
    """No member may take an address a plugin writes beside the members' folders; the words
    live in each plugin's SPEC (trust: /diaries/recommended/), not in netroots/."""
    import trust

    assert {"recommended", "rescued"} <= set(trust.SPEC.url_words)
    assert reserved_handles() == {w for s in (*core_specs(), *known_specs(load_settings())) for w in s.url_words}
    assert {"recommended", "rescued", "page", "feeds", "tags", "new"} <= reserved_handles()
    for path in (ROOT / "netroots").glob("*.py"):
        assert '"rescued"' not in path.read_text(encoding="utf-8"), path.name


def test_a_reserved_handle_is_refused_by_new_member(tmp_path: Path) -> None:
    import shutil

    import tasks

    shutil.copytree(ROOT / "tests" / "fixtures" / "basic" / "content", tmp_path / "content")
    result = CliRunner().invoke(tasks.cli, ["--content", str(tmp_path / "content"), "new", "member", "rescued"])
    assert result.exit_code == 2
    assert "the handle 'rescued' is reserved (it is a site address); choose another" in result.output
    assert not (tmp_path / "content" / "members" / "rescued.yaml").exists()


def test_netroots_holds_no_browser_or_test_code() -> None:
    """The Playwright helpers serve tests, benchmarks and screenshots: they live in bench/."""
    for path in (ROOT / "netroots").glob("*.py"):
        assert "playwright" not in path.read_text(encoding="utf-8").lower(), path.name
    from bench.browser import CHROMIUM, serve_built_site

    assert CHROMIUM and callable(serve_built_site)


def test_known_handles_are_kept_per_build(copy_fixture, tmp_path: Path) -> None:
    """The members' handles are read once per build, in that build's state: a member deleted
    between two builds in one process (``serve``) no longer publishes."""
    from netroots.members import known_handles
    from netroots.plugin import start

    content = copy_fixture("basic")
    first = site_settings(content, tmp_path / "out")
    start(first)
    handles = known_handles(content, first)
    victim = sorted(handles)[0]
    (content / "members" / f"{victim}.yaml").unlink()
    assert known_handles(content, first) == handles  # the same build keeps what it read
    second = site_settings(content, tmp_path / "out")
    start(second)
    assert victim not in known_handles(content, second)


def test_the_ownership_map_comes_from_the_declarations() -> None:
    """The plugins in PLUGINS declare what a member owns; today's map is exactly this."""
    from publish.ownership import owned_handle

    from netroots.plugin import member_owned

    settings = load_settings()
    owned = member_owned(settings)
    assert sorted(owned) == ["acts/{handle}/", "comments/{handle}/", "diaries/{handle}/", "members/{handle}.yaml"]
    cases = {
        "members/ana.yaml": "ana",
        "diaries/ana/2026-01-01-x.md": "ana",
        "diaries/ana/images/x.png": "ana",
        "comments/ana/2026-01-01-1200-x.md": "ana",
        "acts/ana/2026-01-01-recommend-x.yaml": "ana",
        "members/ana.yml": None,
        "members/sub/ana.yaml": None,
        "diaries/ana": None,
        "diaries/recommended/x.md": None,  # a reserved word is nobody's handle
        "trust.yaml": None,
        "groups/ana.md": None,
        "events/ana/x.md": None,
    }
    for path, handle in cases.items():
        assert owned_handle(PurePosixPath(path), owned) == handle, path
    # A new plugin declaring member folders is covered without touching the ownership code.
    extra = PluginSpec(name="letters", doc="", member_owned=("letters/{handle}/",))
    assert owned_handle(PurePosixPath("letters/ana/x.md"), (*owned, *extra.member_owned)) == "ana"
    # A plugin left out of PLUGINS takes its folder out of automatic merging.
    without = member_owned({**settings, "PLUGINS": [p for p in settings["PLUGINS"] if p != "comments"]})
    assert owned_handle(PurePosixPath("comments/ana/2026-01-01-1200-x.md"), without) is None
    assert owned_handle(PurePosixPath("diaries/ana/2026-01-01-x.md"), without) == "ana"


def test_codeowners_follows_the_declarations(copy_fixture) -> None:
    from publish.ownership import codeowners_text

    from netroots.members import load_members
    from netroots.plugin import member_owned
    from netroots.report import Report

    members = load_members(copy_fixture("basic"), Report())
    settings = load_settings()
    text = codeowners_text(members, {"ana-gh"}, member_owned(settings))
    ben = [line for line in text.splitlines() if "/ben" in line]
    assert ben[0] == "/content/members/ben.yaml @ben-gh @ana-gh"
    assert sorted(ben[1:]) == [f"/content/{f}/ben/ @ben-gh @ana-gh" for f in ("acts", "comments", "diaries")]
    without = {**settings, "PLUGINS": [p for p in settings["PLUGINS"] if p != "acts"]}
    assert "/content/acts/" not in codeowners_text(members, {"ana-gh"}, member_owned(without))


def test_every_new_command_comes_from_a_declared_starter() -> None:
    """`new <kind>` is generated from the plugins' declarations; each starter writes files its
    plugin declares as content, so the layout check accepts them."""
    from fnmatch import fnmatch

    import tasks
    from netroots.starters import declared_starters

    declared = declared_starters()
    assert (
        set(tasks.new.list_commands(click.Context(tasks.new)))
        == set(declared)
        == {"action", "comment", "contact", "diary", "event", "job", "member"}
    )
    for kind, (spec, starter) in declared.items():
        sample = starter.path.format(**dict.fromkeys(["handle", "slug", "day", "name"], "x"))
        assert fnmatch(sample, starter.pattern), kind
        assert any(fnmatch(sample, c.pattern) for c in spec.content), kind


def test_a_declared_starter_becomes_a_new_command(tmp_path: Path) -> None:
    """A new content type gets its `new` command, its questions and the placeholder check from one declaration."""
    from netroots import schema
    from netroots.starters import Ask, Starter, new_command, quoted, slug_of, starter_placeholders

    starter = Starter(
        kind="letter",
        help="Write a letter to the editor.",
        path="letters/{slug}.md",
        text="---\ntitle: {title}\nto: {to}\n---\n\nSay in a few words what you think.\n",
        asks=(Ask("title"), Ask("to", "Who it is for.", "--to", schema.text, prompt="To whom")),
        prepare=lambda settings, content, values: {
            **values,
            "slug": slug_of(values["title"]),
            "title": quoted(values["title"]),
        },
        next="Next: write it, then `python tasks.py check {path}`.",
    )
    command = new_command("letters", starter)
    content = tmp_path / "content"
    result = CliRunner().invoke(command, ["Fix the bus", "--content", str(content)], input="The Daily\n")
    assert result.exit_code == 0, result.output
    text = (content / "letters" / "fix-the-bus.md").read_text(encoding="utf-8")
    assert text == '---\ntitle: "Fix the bus"\nto: The Daily\n---\n\nSay in a few words what you think.\n'
    assert "Created " in result.output and "letters/fix-the-bus.md" in result.output
    assert "Next: write it, then `python tasks.py check " in result.output
    again = CliRunner().invoke(command, ["Fix the bus", "--content", str(content), "--to", "X"])
    assert again.exit_code == 2 and "already exists; choose another title" in again.output
    assert starter.pattern == "letters/*.md"
    assert starter_placeholders(starter) == {"body": frozenset({"Say in a few words what you think."})}


def test_member_carries_only_the_cores_fields() -> None:
    """trust's vouches and recommends, actions' supports and events' going are declared by those
    plugins (``member_fields``); netroots/members.py validates them and keeps them in ``fields``."""
    from dataclasses import fields

    import trust
    from conftest import FIXTURES

    from netroots.members import Member, load_members
    from netroots.report import Report

    assert not {f.name for f in fields(Member)} & {"vouches", "recommends", "supports", "going"}
    assert [f.name for f in trust.SPEC.member_fields] == ["vouches", "recommends"]
    assert trust.SPEC.member_check == "model:check_vouches"
    report = Report()
    members = load_members(FIXTURES / "acts" / "content", report)
    assert members["ana"].fields["vouches"] == ["ben"] and members["ana"].listed("recommends") == [
        "cara/tenant-minutes"
    ]
    assert members["ben"].listed("vouches") == [] and members["ben"].listed("nothing-declares-this") == []


def test_trusts_declared_member_check_names_a_vouch_for_no_member(copy_fixture, tmp_path: Path) -> None:
    content = copy_fixture("basic")
    ben = content / "members" / "ben.yaml"
    ben.write_text(ben.read_text(encoding="utf-8").replace("vouches: [ana]", "vouches: [zed, ben]"), encoding="utf-8")
    messages = [str(p) for p in run_check(site_settings(content, tmp_path / "out")).problems]
    line = len(ben.read_text(encoding="utf-8").splitlines())
    assert (
        f"content/members/ben.yaml:{line}: error: vouches: 'zed' is not a member (no content/members/zed.yaml)"
        in messages
    )
    assert any("ben.yaml" in m and "cannot vouch for themselves" in m for m in messages)
