"""Acts as files (content/acts/<handle>/): merged into the members' lists, counted once,
withdrawn, and checked with path:line messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import build_fixture_once, build_site, read


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_once(tmp_path_factory, "acts")


def graph(out: Path) -> dict:
    data = json.loads(read(out, "trust/graph.json"))
    return {m["handle"]: m for m in data["members"]} | {"_recommended": data["recommended"]}


def test_vouch_recommend_and_support_files_count(out: Path) -> None:
    members = graph(out)
    assert "cara" in members["ben"]["vouches"]
    assert members["ben"]["recommends"] == ["cara/tenant-minutes"]
    assert members["ben"]["supports"] == ["bus-fares"]
    assert members["cara"]["trusted"]  # trust flows ana -> ben -> cara through ben's vouch file
    assert ">Ben Ortiz</a>" in read(out, "actions/bus-fares/index.html")


def test_an_act_recorded_both_ways_counts_once(out: Path) -> None:
    members = graph(out)
    assert members["ana"]["recommends"] == ["cara/tenant-minutes"]
    entry = next(e for e in members["_recommended"] if e["diary"] == "cara/tenant-minutes")
    assert sorted(r["handle"] for r in entry["recommenders"]) == ["ana", "ben"]


def test_a_withdrawn_recommendation_counts_for_nothing(out: Path) -> None:
    members = graph(out)
    assert members["cara"]["recommends"] == []
    assert all(e["diary"] != "ben/bus-routes" for e in members["_recommended"])


def test_action_becomes_active_with_act_support(out: Path) -> None:
    # threshold 2: cara proposed it, ben supports it by an act file
    page = read(out, "actions/bus-fares/index.html")
    assert "Active" in page and "2 members support this, 2 of them trusted" in page


def run_check(content: Path) -> tuple[int, str]:
    from tasks import cli

    result = CliRunner().invoke(cli, ["--content", str(content), "check"])
    return result.exit_code, result.output


def test_check_passes_on_the_fixture(copy_fixture) -> None:
    code, output = run_check(copy_fixture("acts"))
    assert code == 0, output


def write(content: Path, relative: str, text: str) -> None:
    path = content / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_check_names_file_line_and_field_of_bad_acts(copy_fixture) -> None:
    content = copy_fixture("acts")
    write(content, "acts/ben/2026-11-22-recommend-x.yaml", "act: recommend\n\ndiary: cara/no-such-diary\n")
    write(content, "acts/ben/2026-11-22-recommend-draft.yaml", "act: recommend\ndiary: cara/draft-notes\n")
    write(content, "acts/ben/2026-11-22-support-x.yaml", "act: support\naction: no-such-action\n")
    write(content, "acts/ben/2026-11-22-going-x.yaml", "act: going\nevent: nowhere\n")
    write(content, "acts/ben/2026-11-22-vouch-x.yaml", "act: vouch\nmember: nobody\n")
    write(content, "acts/ben/2026-11-22-by-other.yaml", "act: vouch\nmember: dev\nby: cara\n")
    write(content, "acts/zed/2026-11-22-vouch-ana.yaml", "act: vouch\nmember: ana\n")
    write(content, "acts/ben/2026-11-22-wrong-field.yaml", "act: support\nevent: library-meetup\n")
    write(content, "acts/ben/2026-11-22-dance.yaml", "act: dance\nmember: ana\n")
    write(content, "acts/ben/2026-11-23-vouch-cara-again.yaml", "act: vouch\nmember: cara\n")
    write(content, "acts/ben/2026-11-22-broken.yaml", "act: [unclosed\n")
    write(content, "acts/ben/notes.txt", "hello\n")
    code, output = run_check(content)
    assert code == 1
    lines = output.splitlines()

    def said(name: str, *words: str) -> str:
        found = [line for line in lines if name in line and all(w in line for w in words)]
        assert found, (name, words, output)
        return found[0]

    assert ":3: error: diary: 'cara/no-such-diary' is not a published diary" in said("recommend-x.yaml")
    assert "is a draft" in said("recommend-draft.yaml")
    assert ":2: error: action: 'no-such-action' is not an action" in said("support-x.yaml")
    assert "'nowhere' is not an event" in said("going-x.yaml")
    assert "'nobody' is not a member" in said("vouch-x.yaml")
    assert ":3: error: by: 'cara' is another member" in said("by-other.yaml")
    assert "no member 'zed'" in said("acts/zed/")
    assert "needs exactly one `action`" in said("wrong-field.yaml")
    assert "act:" in said("dance.yaml", "error")
    assert "warning" in said("vouch-cara-again.yaml", "already recorded in 2026-11-20-vouch-cara.yaml")
    assert said("broken.yaml", "error")
    assert "outside the layout" in said("notes.txt")
    assert "Traceback" not in output


def test_bad_act_does_not_stop_the_build(copy_fixture, site) -> None:
    content = copy_fixture("acts")
    write(content, "acts/ben/2026-11-22-recommend-x.yaml", "act: recommend\ndiary: cara/no-such-diary\n")
    result = site(content)
    assert any("no-such-diary" in str(e) for e in result.errors)
    assert (result.output / "actions/bus-fares/index.html").is_file()


def test_withdrawing_a_member_file_entry_and_nothing_to_withdraw(copy_fixture, site) -> None:
    content = copy_fixture("acts")
    write(content, "acts/ana/2026-11-21-withdraw-vouch-ben.yaml", "act: vouch\nmember: ben\nwithdraw: true\n")
    write(content, "acts/dev/2026-11-21-withdraw-x.yaml", "act: support\naction: bus-fares\nwithdraw: true\n")
    _code, output = run_check(content)
    assert "2026-11-21-withdraw-x.yaml:2: warning: withdraw: nothing to withdraw" in output
    result = site(content)
    data = json.loads(read(result.output, "trust/graph.json"))
    ana = next(m for m in data["members"] if m["handle"] == "ana")
    ben = next(m for m in data["members"] if m["handle"] == "ben")
    assert ana["vouches"] == [] and not ben["trusted"]


def test_member_file_going_to_unknown_event(copy_fixture) -> None:
    content = copy_fixture("acts")
    path = content / "members/dev.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "going: [library-meetup, nowhere]\n", encoding="utf-8")
    _code, output = run_check(content)
    assert "members/dev.yaml:6: error: going: 'nowhere' is not an event" in output


def test_the_published_ids_follow_a_new_and_a_deleted_diary_reading_none_other(
    copy_fixture, tmp_path: Path, diary_indexes
) -> None:
    """Acts check each recommendation against the published diaries' ids, which every build
    gathered from each diary (50,000 diaries, 0.05 s); they are kept between builds
    (netroots/diaryindex.py): a new diary is read (and those Pelican made again with it), a
    deleted one is read by none."""
    content = copy_fixture("acts")
    output = tmp_path / "output"
    assert not [e for e in build_site(content, output).errors if "new-notes" in str(e)]
    write(
        content,
        "diaries/cara/2026-11-21-new-notes.md",
        "---\ntitle: New notes\nsummary: New.\ntags: [Organizing]\n---\n\nNew.\n",
    )
    write(content, "acts/ben/2026-11-22-recommend-new-notes.yaml", "act: recommend\ndiary: cara/new-notes\n")
    assert not [e for e in build_site(content, output).errors if "new-notes" in str(e)]
    assert diary_indexes["diary_id"].read_count == 2  # of 4: and cara's other, which Pelican makes again with it

    (content / "diaries/cara/2026-11-21-new-notes.md").unlink()
    errors = build_site(content, output).errors
    assert any("'cara/new-notes' is not a published diary" in str(e) for e in errors), errors
    assert diary_indexes["diary_id"].read_count == 1  # cara's other, made again
