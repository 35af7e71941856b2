"""Checking the queued pages against the last build's record in worker processes
(``IncrementalWriter._unchanged``): the same pages kept and rendered, the same record, as
checking them in the build's process; a worker that fails costs time, never a page.

The tests count which process compared how many pages with their record (a line a page in a
file: a worker's counts outlive it), never time.
"""

from __future__ import annotations

import os
import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, build_site

from netroots import incremental
from netroots import workers as workers_module
from netroots.fingerprint import Digester
from netroots.pagerecord import PageRecord

SERIAL = {"jobs": 1}
PARALLEL = {"jobs": 2, "parallel_min": 1}  # two processes even for a small site


def _count_checks(monkeypatch: pytest.MonkeyPatch, log: Path, wait: bool, fail: str = "") -> None:
    """Write the process id to ``log`` for each page compared with its record (its keys read
    from the record); with ``fail`` ("raise" or "die"), a worker process fails at its first.
    Runs of 4 pages; with ``wait``, this process waits at its first page until a worker has
    checked one (up to 60 s): a small site is not all checked before a worker starts."""
    parent, original = os.getpid(), incremental.entry_keys
    monkeypatch.setattr(incremental, "CHECK_RUN", 4)

    def counted(entry: dict[str, Any]) -> dict[str, list[str]]:
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{os.getpid()}\n")
        if os.getpid() != parent and fail == "die":
            os._exit(3)
        if os.getpid() != parent and fail:
            raise RuntimeError("a worker fails to check its pages")
        if wait and os.getpid() == parent and sum(_checks(log).values()) == 1:
            waited = time.monotonic()
            while len(_checks(log)) < 2 and time.monotonic() - waited < 60:
                time.sleep(0.01)
        return original(entry)

    monkeypatch.setattr(incremental, "entry_keys", counted)


def _checks(log: Path) -> Counter[int]:
    """Pages compared with their record, by process id."""
    return Counter(int(line) for line in log.read_text(encoding="utf-8").split()) if log.exists() else Counter()


def _count_renders(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The pages each build renders (as handed to the renderers, in the build's process)."""
    rendered: list[set[str]] = []
    original = incremental.IncrementalWriter._render_all

    def counted(self: incremental.IncrementalWriter, todo: list[Any]) -> Any:
        rendered.append({self._relative(job.path) for job in todo})
        return original(self, todo)

    monkeypatch.setattr(incremental.IncrementalWriter, "_render_all", counted)
    return rendered


def _files(output: Path) -> dict[str, bytes]:
    """Every file a reader loads, by path (Pagefind's hashed index files aside)."""
    return {
        str(path.relative_to(output)): path.read_bytes()
        for path in sorted(output.rglob("*"))
        if path.is_file() and "pagefind" not in path.parts
    }


def _record(content: Path) -> dict[str, Any]:
    """The pages record without the files' times (twin sites are written at other times)."""
    (path,) = (content.parent / ".cache" / "build").glob("pages-*.sqlite")
    found = PageRecord(path).load()
    assert found is not None
    return {page: {key: value for key, value in entry.items() if key != "stat"} for page, entry in found[1].items()}


def _twin(tmp_path: Path, name: str) -> Path:
    """A copy of the basic fixture in its own folder; returns its content/."""
    shutil.copytree(FIXTURES / "basic", tmp_path / name)
    return tmp_path / name / "content"


def _edited_twins(tmp_path: Path) -> None:
    """Twin sites "one" (checked in one process) and "two", each built, then edited alike;
    "one" built again (in one process) as what "two" must come to."""
    for name, workers in (("one", SERIAL), ("two", PARALLEL)):
        content = _twin(tmp_path, name)
        build_site(content, content.parent / "output", NETROOTS_BUILD=workers)
        _edit(content)
    build_site(tmp_path / "one" / "content", tmp_path / "one" / "output", NETROOTS_BUILD=SERIAL)


def _edit(content: Path) -> None:
    diary = sorted((content / "diaries").rglob("*.md"))[0]
    diary.write_text(diary.read_text(encoding="utf-8") + "\nAn edit.\n", encoding="utf-8")


def test_pages_checked_in_two_processes_keep_and_render_what_one_process_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One edit built twice from the same state (content paths are in the fingerprints, so
    the same folders): checked in one process, then in two."""
    rendered = _count_renders(monkeypatch)
    content = _twin(tmp_path, "site")
    site, saved = content.parent, tmp_path / "saved"
    build_site(content, site / "output", NETROOTS_BUILD=SERIAL)
    _edit(content)
    shutil.copytree(site, saved)  # times kept: the pages' sizes and times still match the record
    made = []
    for workers in (SERIAL, PARALLEL):
        shutil.rmtree(site)
        shutil.copytree(saved, site)
        log = tmp_path / f"checks-{len(made)}"
        with monkeypatch.context() as patched:
            _count_checks(patched, log, workers is PARALLEL)
            build_site(content, site / "output", NETROOTS_BUILD=workers)
        made.append((_checks(log), rendered[-1], _record(content), _files(site / "output")))
    (checks_one, *one), (checks_two, *two) = made
    assert len(checks_one) == 1 and len(checks_two) == 2  # the pages were checked in two processes
    assert sum(checks_two.values()) == sum(checks_one.values()) >= 32
    assert 0 < len(two[0]) < sum(checks_two.values())  # the edited diary's pages, not every page
    assert two == one  # the pages rendered, the record, the output


def test_an_unchanged_build_checks_the_pages_in_every_worker_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 50,000 diaries the check of 59,000 pages was a third of an unchanged build, in one
    process of two cores."""
    content = _twin(tmp_path, "site")
    output = tmp_path / "site" / "output"
    build_site(content, output, NETROOTS_BUILD=PARALLEL)
    log = tmp_path / "checks"
    _count_checks(monkeypatch, log, True)
    again = build_site(content, output, NETROOTS_BUILD=PARALLEL)
    pages = int(again.summary.split(" of ")[1].split()[0])
    assert again.summary.startswith("rendered 0 of "), again.summary
    checks = _checks(log)
    assert sum(checks.values()) == pages and len(checks) == 2  # each page once, in one of two processes
    assert 0 < checks[os.getpid()] < pages


@pytest.mark.parametrize("fail", ["raise", "die"])
def test_a_worker_that_fails_to_check_its_pages_costs_no_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail: str
) -> None:
    rendered = _count_renders(monkeypatch)
    _edited_twins(tmp_path)
    log = tmp_path / "checks"
    _count_checks(monkeypatch, log, True, fail)
    content, output = tmp_path / "two" / "content", tmp_path / "two" / "output"
    build_site(content, output, NETROOTS_BUILD=PARALLEL)
    checks = _checks(log)
    assert len(checks) == 2 and checks[os.getpid()] > 1  # the worker failed at its first page
    assert 0 < len(rendered[-1]) < checks[os.getpid()]  # its pages were checked here
    assert rendered[-1] == rendered[-2]  # as checked in one process
    assert _files(output) == _files(tmp_path / "one" / "output")


def test_a_worker_that_dies_holding_the_runs_lock_costs_no_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed while it held the lock the processes take their runs under, a worker left the
    others waiting for it for ever; they now stop taking runs after ``LOCK_WAIT``, and the
    build's process checks what no process answered for."""
    rendered = _count_renders(monkeypatch)
    _edited_twins(tmp_path)
    log, parent, take = tmp_path / "checks", os.getpid(), workers_module.Runs.take
    _count_checks(monkeypatch, log, True)

    def dying(self: workers_module.Runs, from_end: bool = False) -> range | None:
        if os.getpid() != parent:
            self.lock.acquire()
            with open(log, "a", encoding="utf-8") as out:
                out.write(f"{os.getpid()}\n")  # lets this process's first page go on (``wait``)
            os._exit(3)
        return take(self, from_end)

    monkeypatch.setattr(workers_module.Runs, "take", dying)
    monkeypatch.setattr(workers_module, "LOCK_WAIT", 0.5)
    content, output = tmp_path / "two" / "content", tmp_path / "two" / "output"
    build_site(content, output, NETROOTS_BUILD=PARALLEL)
    checks = _checks(log)
    assert len(checks) == 2 and checks[os.getpid()] > 4  # more than its first run: the rest, after the wait
    assert rendered[-1] == rendered[-2]  # as checked in one process
    assert _files(output) == _files(tmp_path / "one" / "output")


def test_after_an_edit_the_build_walks_again_nothing_of_the_list_pages_it_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages to render are digested in full in the build's process before any renders.
    The list pages at the end of the queue read every diary (the site's list, each tag's):
    checked in a worker, they were walked again here after an edit (0.55 s at 50,000
    diaries). This process checks from the end of the queue, so it walks only what the diary
    pages a worker checked read. A worker checks half the queue (runs of 4 pages) before
    this process takes any; the values walked here between the check and the rendering are
    counted."""
    from bench.synthetic import diaries, today_after, write_netroots

    items = diaries(60, 6)
    content, output = tmp_path / "content", tmp_path / "output"
    write_netroots(content, items, 6)
    monkeypatch.setenv("NETROOTS_TODAY", today_after(items))
    build_site(content, output, NETROOTS_BUILD=PARALLEL)
    diary = sorted((content / "diaries").rglob("*.md"))[-1]
    diary.write_text(diary.read_text(encoding="utf-8") + "\nAn edit.\n", encoding="utf-8")
    parent, taken = os.getpid(), tmp_path / "taken"
    monkeypatch.setattr(incremental, "CHECK_RUN", 4)
    check_runs, unchanged, render_all, parts = (
        incremental.IncrementalWriter._check_runs,
        incremental.IncrementalWriter._unchanged,
        incremental.IncrementalWriter._render_all,
        Digester._parts,
    )

    def one_run_first(self: Any, jobs: list[Any], runs: Any, from_end: bool) -> Any:
        if os.getpid() != parent:  # half the queue, from its end
            runs_taken: list[tuple[int, int]] = []
            kept: list[int] = []
            while sum(last - first for first, last in runs_taken) < len(jobs) // 2:
                run = runs.take(from_end)
                if run is None:
                    break
                runs_taken.append((run.start, run.stop))
                kept += self._check_run(jobs, run)
            taken.write_text("taken", encoding="utf-8")
            return runs_taken, kept
        waited = time.monotonic()
        while not taken.exists() and time.monotonic() - waited < 60:
            time.sleep(0.01)
        return check_runs(self, jobs, runs, from_end)

    walked: list[list[type]] = []  # types walked in this process: [after the check, while rendering]

    def checked(self: Any, jobs: list[Any]) -> Any:
        found = unchanged(self, jobs)
        walked.append([])
        return found

    def rendered(self: Any, todo: list[Any]) -> Any:
        walked.append([])
        return render_all(self, todo)

    def counted(self: Digester, value: Any, *rest: Any) -> Any:
        if walked and os.getpid() == parent:
            walked[-1].append(type(value))
        return parts(self, value, *rest)

    monkeypatch.setattr(incremental.IncrementalWriter, "_check_runs", one_run_first)
    monkeypatch.setattr(incremental.IncrementalWriter, "_unchanged", checked)
    monkeypatch.setattr(incremental.IncrementalWriter, "_render_all", rendered)
    monkeypatch.setattr(Digester, "_parts", counted)
    edited = build_site(content, output, NETROOTS_BUILD=PARALLEL)
    assert taken.exists() and not edited.summary.startswith("rendered 0 of "), edited.summary
    walked_names = Counter(kind.__name__ for kind in walked[0])
    # Checked by the worker from the end, the list pages' values were walked here again: 240
    # values, the tags' lists of diaries, their pages, their company.
    assert len(walked[0]) <= 60 and not walked_names.keys() & {"Page", "TagCompany"}, walked_names
