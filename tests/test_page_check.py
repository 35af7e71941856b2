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
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import FIXTURES, build_site

from netroots import incremental
from netroots import workers as workers_module
from netroots.fingerprint import Digester, page_fingerprint
from netroots.pagerecord import PageRecord

SERIAL = {"jobs": 1}
PARALLEL = {"jobs": 2, "parallel_min": 1}  # two processes even for a small site


def _count_checks(monkeypatch: pytest.MonkeyPatch, log: Path, wait: bool, fail: str = "") -> None:
    """Write the process id to ``log`` for each page compared with its record (its keys read
    from the record); with ``fail`` ("raise" or "die"), a worker process fails at its first.
    Runs of 4 pages; with ``wait``, each process waits at its first page until another has
    checked one (up to 60 s): a small site is not all checked by one process before the other
    takes a run (this one before the worker starts, or the worker while this one waits for a
    core on a loaded machine)."""
    parent, original = os.getpid(), incremental.entry_keys
    monkeypatch.setattr(incremental, "CHECK_RUN", 4)

    def counted(entry: dict[str, Any]) -> dict[str, list[str]]:
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{os.getpid()}\n")
        if os.getpid() != parent and fail == "die":
            os._exit(3)
        if os.getpid() != parent and fail:
            raise RuntimeError("a worker fails to check its pages")
        if wait and _checks(log)[os.getpid()] == 1:
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


def _count_stats(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, int]]:
    """Each build's writer's counts (pages, rendered, kept, unchecked: the diaries' pages kept as
    recorded without a check, ``incremental.DiaryPages``)."""
    stats: list[dict[str, int]] = []
    original = incremental.IncrementalWriter.flush

    def counted(self: incremental.IncrementalWriter) -> None:
        original(self)
        stats.append(dict(self.stats))

    monkeypatch.setattr(incremental.IncrementalWriter, "flush", counted)
    return stats


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
    stats = _count_stats(monkeypatch)
    again = build_site(content, output, NETROOTS_BUILD=PARALLEL)
    assert again.summary.startswith("rendered 0 of "), again.summary
    checked = stats[-1]["pages"] - stats[-1]["unchecked"]  # the diaries' pages are kept unchecked
    checks = _checks(log)
    assert sum(checks.values()) == checked >= 32 and len(checks) == 2  # each page once, in one of two processes
    assert 0 < checks[os.getpid()] < checked


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
    # values, the tags' lists of diaries, their pages, their company. What the pages take whole
    # from their shared copies is walked before the workers fork; a list page a worker checked
    # (with the diaries' pages kept unchecked, the worker's half holds lists) walks its own
    # page of diaries here again, each diary's digest looked up.
    assert len(walked[0]) <= 30 and not walked_names.keys() & {"TagCompany", "tuple"}, walked_names


def test_an_unchanged_build_digests_each_kept_diary_once_in_all_its_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker checked the diaries' pages, this process the lists: each digested every diary
    (``Kept.holds`` each time), twice a build. They are digested here before the workers
    fork, and the workers find them digested. (A line a digest in a file, by process.)"""
    from netroots.fingerprint import Kept

    content = _twin(tmp_path, "site")
    output = tmp_path / "site" / "output"
    build_site(content, output, NETROOTS_BUILD=PARALLEL)
    _count_checks(monkeypatch, tmp_path / "checks", True)
    log, holds = tmp_path / "digests", Kept.holds

    def counted(self: Kept, value: Any) -> bool:
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {id(value)}\n")
        return holds(self, value)

    monkeypatch.setattr(Kept, "holds", counted)
    again = build_site(content, output, NETROOTS_BUILD=PARALLEL)
    assert again.summary.startswith("rendered 0 of "), again.summary
    assert len(_checks(tmp_path / "checks")) == 2  # a worker checked pages too
    digests = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    assert len(digests) >= 3
    assert {pid for pid, _ in digests} == {str(os.getpid())}
    assert len({diary for _, diary in digests}) == len(digests)  # each diary once


def test_a_kept_diary_looks_up_the_digests_of_what_it_names_and_digests_as_walked() -> None:
    """A kept diary names some ten objects (the settings, the context, its tags and members),
    each digested for an earlier diary: their digests are looked up, not walked again item by
    item (a second of the check at 50,000 diaries); the digests are those of the walk."""
    from netroots.fingerprint import Kept, pickle_state

    settings, context = {"SITEURL": "https://example.org"}, {"articles": []}
    tag = SimpleNamespace(name="canvassing")
    diaries = [SimpleNamespace(title=f"Diary {n}", tags=[tag]) for n in range(3)]

    def digester() -> Digester:
        kept = {
            id(diary): Kept(diary, pickle_state(diary.title.encode()), [settings, context, tag], check=False)
            for diary in diaries
        }
        return Digester(opaque=[settings, context], kept=kept)

    walked: list[int] = []
    add = Digester._add
    lookups = digester()
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(
            Digester, "_add", lambda self, out, items, depth: walked.append(len(out)) or add(self, out, items, depth)
        )
        looked_up = [lookups(diary) for diary in diaries]
    assert len(walked) == 2  # what the first diary names, and the tag's name
    walk = digester()
    assert [walk(diary) for diary in reversed(diaries)][::-1] == looked_up
    assert len(set(looked_up)) == 3


def test_a_keyed_answer_of_bytes_a_string_none_or_a_tuple_of_them_is_digested_without_a_walk() -> None:
    """A keyed object's answer for the key a page asked (``fingerprint_key``: a related
    list's digest, a thread's state) is new for each page: bytes, a string or None are
    written as the walk writes them, a tuple of strings and numbers (a blank thread's state)
    as its ``repr``, without a walk."""

    class Answers:
        def __init__(self, answers: dict[str, Any]) -> None:
            self.answers = answers

        def start(self) -> None: ...

        def read(self) -> list[str]:
            return []

        def fingerprint_state(self) -> str:
            return "answers"

        def fingerprint_key(self, key: str) -> Any:
            return self.answers[key]

    class Bytes(bytes):
        pass

    class Text(str):
        pass

    def fingerprint(answers: Answers) -> str:
        page, keys = {"related": answers}, {"related": ["b", "n", "s", "t"]}
        return page_fingerprint(Digester(), "article.html", frozenset(page), page, keys)

    state = ("blank", "Title", True)
    answers = Answers({"b": b"\x01\x02", "s": "text", "n": None, "t": state})
    walked: list[Any] = []
    walk = Digester._walk
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(Digester, "_walk", lambda self, value, depth: walked.append(value) or walk(self, value, depth))
        found = fingerprint(answers)
    assert walked == [answers, None]  # the object (once a build), the site address (none here)
    assert found == fingerprint(Answers({"b": Bytes(b"\x01\x02"), "s": Text("text"), "n": None, "t": state}))  # walked
    assert found != fingerprint(Answers({"b": b"\x01\x02", "s": "text", "n": None, "t": ("blank", "Title", False)}))
    walked.clear()
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(Digester, "_walk", lambda self, value, depth: walked.append(value) or walk(self, value, depth))
        other = fingerprint(Answers({"b": b"", "s": "", "n": None, "t": ("blank", Text("Title"), True)}))
    assert ("blank", "Title", True) in walked and other != found  # a tuple holding another kind: walked


def test_a_pages_keys_are_decoded_as_json_loads_decodes_them_in_one_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every build decodes each page's keys from its row (59,000 at 50,000 diaries): the row's
    own text (no spaces) in one call of the decoder, not through ``json.loads``' two frames;
    other text as ``json.loads`` reads it."""
    import json

    from netroots import pagerecord

    texts = ['{"members":["ann","bo"],"avatars":[]}', '{"a": [1]} ', ' {"a":1}', "[1]", '{"a":1}x', "", "nonsense"]
    expected = []
    for text in texts:
        try:
            found = json.loads(text)
        except ValueError:
            found = None
        expected.append(found if isinstance(found, dict) else {})
    loads = json.loads
    called: list[str] = []
    monkeypatch.setattr(json, "loads", lambda text, *rest, **kw: called.append(text) or loads(text, *rest, **kw))
    assert [pagerecord.entry_keys({"keys": text}) for text in texts] == expected
    assert texts[0] not in called and len(called) <= len(texts) - 1
