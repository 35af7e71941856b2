"""Plugin contracts (issue 13): each plugin's SPEC, the settings check, the order check,
the generated docs/settings.md, and a site that builds without its optional plugins."""

from __future__ import annotations

from pathlib import Path

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
