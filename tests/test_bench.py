"""The benchmarks' own measuring (bench/): what docs/benchmarks.md reports rests on it."""

from __future__ import annotations

import re
import sys

from bench.scale import growth, run_measured


def test_memory_shared_by_a_forked_process_is_counted_once_in_proportional_sizes() -> None:
    """A process that fills 200 MB and forks for a second: resident sizes sum it twice, proportional
    sizes (what the machine holds) once; the build's own process is named ``build``."""
    script = (
        "import os, time\n"
        "block = bytearray(200 * 2**20)\n"
        "block[::4096] = b'x' * len(block[::4096])\n"
        "if os.fork() == 0:\n"
        "    time.sleep(1.5); os._exit(0)\n"
        "time.sleep(1.5); os.wait()\n"
    )
    measured = run_measured([sys.executable, "-c", script], {})
    assert measured["peak_mb"]["build"] >= 200
    assert measured["peak_total_mb"] >= 400
    # Shared once: about 200 MB plus two interpreters (a loaded machine's sample can miss some), not 400.
    assert 150 <= measured["peak_pss_mb"] < 300


def _scale_result(diaries: int, unchanged: float, edits: list[float], memory: int) -> dict:
    """What ``bench scale`` measures at one size, as far as ``growth`` reads it."""
    timed = {"seconds": unchanged * 10}
    return {
        "diaries": diaries,
        "plain": timed,
        "first": {**timed, "peak_total_mb": memory},
        "warm_full": timed,
        "unchanged": {"seconds": unchanged},
        "one_edit": [{"seconds": seconds} for seconds in edits],
    }


def test_bench_scale_shows_how_each_build_grows_a_diary_from_the_smallest_network() -> None:
    """Item 4 of the scale work asks how each kind of build grows: its time at each size as a
    multiple of the smallest's, and what each further diary adds (nothing, for a flat build)."""
    lines = growth(
        [
            _scale_result(50_000, 8.10, [9.61], 2642),
            _scale_result(1_000, 0.83, [1.87, 1.89], 412),
            _scale_result(10_000, 0.83, [2.88, 2.98], 710),
        ]
    )
    assert lines[0] == "How it grows from 1,000 diaries:"
    (edit,) = [line for line in lines if line.lstrip().startswith("one edit")]
    # the median of a size's edits; 50,000 against 1,000: 9.61 / 1.88; (9.61 - 1.88) / 49,000 diaries
    assert "1,000: 1.88 s, 10,000: 2.93 s (1.6x), 50,000: 9.61 s (5.1x); +0.158 ms a diary" in edit
    (unchanged,) = [line for line in lines if line.lstrip().startswith("unchanged")]
    assert "10,000: 0.83 s (1.0x)" in unchanged
    assert "1,000: 412 MB, 10,000: 710 MB, 50,000: 2,642 MB" in lines[-1]
    flat = growth([_scale_result(1_000, 1.0, [2.0], 400), _scale_result(5_000, 1.0, [2.0], 400)])
    assert all(line.endswith("+0.000 ms a diary") for line in flat[1:-1])


def test_phases_of_one_build_name_each_generator_and_add_up(tmp_path) -> None:
    """``bench phases`` times a real build: each plugin's generator is a line, and no phase
    takes longer than the whole build."""
    import shutil

    from click.testing import CliRunner
    from conftest import FIXTURES

    import tasks

    shutil.copytree(FIXTURES / "search", tmp_path / "net")
    arguments = ["bench", "phases", "--content", str(tmp_path / "net/content"), "--output", str(tmp_path / "out")]
    result = CliRunner().invoke(tasks.cli, [*arguments, "--today", "2026-11-22", "--shortest", "0"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out/index.html").is_file()
    times = {
        found[1]: float(found[2])
        for found in (re.match(r"^\s*(\S.*?)\s+([\d.]+)s\s+[\d.]+s$", line) for line in result.output.splitlines())
        if found
    }
    assert {"SearchGenerator.generate_context", "signal finalized", "total"} <= set(times), times
    assert all(0 <= value <= times["total"] for value in times.values())


def test_phases_time_named_functions_wherever_they_were_imported(tmp_path) -> None:
    """``bench phases --function`` counts the calls of a function a module imported by name
    (incremental.py's ``page_fingerprint``) and a plugin's (``search.related``, named as Pelican
    loads it), with times within the build's; a name that does not exist is refused plainly."""
    import shutil

    from click.testing import CliRunner
    from conftest import FIXTURES

    import tasks

    shutil.copytree(FIXTURES / "search", tmp_path / "net")
    arguments = ["bench", "phases", "--content", str(tmp_path / "net/content"), "--output", str(tmp_path / "out")]
    functions = ["--function", "netroots.fingerprint:page_fingerprint", "--function", "search.related:update_related"]
    result = CliRunner().invoke(tasks.cli, [*arguments, "--today", "2026-11-22", *functions])
    assert result.exit_code == 0, result.output
    rendered = int(re.search(r"rendered (\d+) of", result.output).group(1))
    lines = {
        found[1]: (int(found[2].replace(",", "")), float(found[3]))
        for found in (
            re.match(r"^function (\S+) \(([\d,]+) calls?\)\s+([\d.]+)s", line) for line in result.output.splitlines()
        )
        if found
    }
    total = float(re.search(r"^total\s+([\d.]+)s", result.output, re.M).group(1))
    assert lines["netroots.fingerprint:page_fingerprint"][0] == rendered > 0, result.output
    assert lines["search.related:update_related"][0] == 1
    assert all(0 <= wall <= total for _, wall in lines.values())

    refused = CliRunner().invoke(tasks.cli, [*arguments, "--function", "netroots.fingerprint:no_such_thing"])
    assert refused.exit_code != 0
    assert "--function netroots.fingerprint:no_such_thing: no such function" in refused.output
    assert "Traceback" not in refused.output


def test_the_related_bench_loads_the_lists_code_of_a_recent_revision() -> None:
    """``bench related --baseline REV`` runs ``related.py`` as it was at REV: one whose module
    level uses names it imports from the search package loads too (it failed with NameError)."""
    import subprocess

    from bench.related import ROOT, baseline

    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    module = baseline(head.stdout.strip())
    lists, redone = module.update_lists({}, {}, {"a": {"w": 1.0}, "b": {"w": 0.5}}, 5)
    assert lists == {"a": [("b", 0.5)], "b": [("a", 0.5)]} and sorted(redone) == ["a", "b"]


def test_ab_builds_both_checkouts_in_turns_and_removes_its_worktree(tmp_path, monkeypatch) -> None:
    """``bench ab --base HEAD`` on a tiny network: a Markdown row per case with each side's run
    (wall / CPU) and the ratio; both sides build every case, in turns, and render the same
    pages for the edit; the worktree and the sites are gone afterwards."""
    import json
    import subprocess
    import tempfile

    from click.testing import CliRunner

    import bench.common
    import tasks

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    monkeypatch.setattr(bench.common, "RESULTS", tmp_path / "results")
    (tmp_path / "tmp").mkdir()
    arguments = ["bench", "ab", "--base", "HEAD", "--diaries", "4", "--members", "2", "--edits", "1", "--full", "1"]
    result = CliRunner().invoke(tasks.cli, arguments)
    assert result.exit_code == 0, result.output

    rows = [line.split(" | ") for line in result.stdout.splitlines() if line.startswith("| ")]
    assert rows[0][0].startswith("| 4 diaries (") and rows[0][1].startswith("base: HEAD (")
    assert rows[0][2].startswith("head: working tree: ")
    assert [row[0] for row in rows[1:]] == ["| first build", "| one edit", "| nothing changed", "| warm full build"]
    for row in rows[1:]:
        for cell in row[1:3]:
            wall, cpu = (float(value) for value in cell.split(" / "))
            assert wall > 0 and cpu > 0
        assert re.fullmatch(r"[\d.]+x / [\d.]+x \|", row[3])
    order = [line.split(":")[0] for line in result.stderr.splitlines()]
    assert order == [
        *("base first build", "head first build", "base second build", "head second build"),
        *("base one edit", "base nothing changed", "head one edit", "head nothing changed"),
        *("head warm full build", "base warm full build"),
    ]
    said = re.search(
        r"Last one-edit build: base (rendered \d+ of \d+ pages).*; head (rendered \d+ of \d+ pages)", result.stdout
    )
    assert said and said[1] == said[2], result.stdout
    sides = json.loads((tmp_path / "results/ab.json").read_text())["sides"]
    assert sides["base"]["pages"] == sides["head"]["pages"] > 4

    assert list((tmp_path / "tmp").iterdir()) == []
    worktrees = subprocess.run(["git", "worktree", "list"], cwd=tasks.ROOT, capture_output=True, text=True, check=True)
    assert str(tmp_path) not in worktrees.stdout


def test_ab_refuses_a_revision_git_does_not_know() -> None:
    from click.testing import CliRunner

    import tasks

    result = CliRunner().invoke(tasks.cli, ["bench", "ab", "--base", "no-such-revision-here", "--diaries", "4"])
    assert result.exit_code == 1 and "no commit named 'no-such-revision-here'" in result.output


def test_ab_table_gives_each_run_the_medians_and_each_rounds_ratio(tmp_path) -> None:
    """Several rounds of a case: each run in order, the medians, head's over base's, and the CPU
    ratio of each round (base and head paired by round: the same diary edited)."""
    from bench.ab import Side, table

    def runs(*pairs: tuple[float, float]) -> list[dict]:
        return [{"seconds": wall, "cpu_seconds": cpu} for wall, cpu in pairs]

    base = Side("base", "d15f406", tmp_path, tmp_path, pages=12)
    head = Side("head", "working tree: x at 1234567", tmp_path, tmp_path, pages=12)
    base.runs = {"first build": runs((10.0, 8.0)), "one edit": runs((2.0, 1.0), (3.0, 1.5), (2.5, 2.0))}
    head.runs = {"first build": runs((12.0, 8.0)), "one edit": runs((2.0, 1.1), (2.0, 1.2), (1.0, 1.0))}
    assert table(base, head, 1000).splitlines() == [
        "| 1,000 diaries (12 pages), wall / CPU s | base: d15f406 | head: working tree: x at 1234567 | head / base |",
        "|---|---|---|---|",
        "| first build | 10.00 / 8.00 | 12.00 / 8.00 | 1.200x / 1.000x |",
        "| one edit (3) | 2.00 / 1.00, 3.00 / 1.50, 2.50 / 2.00; median **2.50 / 1.50** "
        "| 2.00 / 1.10, 2.00 / 1.20, 1.00 / 1.00; median **2.00 / 1.10** "
        "| **0.800x / 0.733x**; CPU by round 1.10, 0.80, 0.50 |",
    ]


def test_ab_notices_a_change_of_the_code_a_build_runs_not_of_docs_or_a_commit(tmp_path) -> None:
    """``bench ab`` measures this working tree as it is and fails if it changes during the run:
    a changed or new module counts; a written doc, a test or committing what is there does not."""
    import subprocess

    from bench.ab import working_tree_state

    def git(*arguments: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *arguments], cwd=tmp_path, check=True)

    (tmp_path / "netroots").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "netroots/build.py").write_text("A = 1\n")
    (tmp_path / "docs/benchmarks.md").write_text("# Benchmarks\n")
    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "one")
    first = working_tree_state(tmp_path)
    (tmp_path / "docs/benchmarks.md").write_text("# Benchmarks, and a run\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests/test_new.py").write_text("def test(): pass\n")
    git("add", "-A")
    git("commit", "-qm", "docs")
    assert working_tree_state(tmp_path) == first
    (tmp_path / "netroots/build.py").write_text("A = 2\n")
    changed = working_tree_state(tmp_path)
    assert changed != first
    (tmp_path / "netroots/new.py").write_text("B = 1\n")
    assert working_tree_state(tmp_path) not in (first, changed)
