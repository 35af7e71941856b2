"""Incremental builds: after any sequence of changes, the output is what a clean full build writes.

A seeded random walk edits, adds, deletes and renames diaries, changes tags, groups,
members and recommendations (moving diaries on and off the recommended list), adds,
edits and deletes comments (replies too) and acts (recommend a diary or a comment,
support, vouch, going, withdrawn or not), and moves "today" so jobs expire. After every step the kept output folder, built incrementally with
its `.cache/`, is compared file by file with a clean build of the same content.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, build_site

SEARCH = {"pagefind": False}  # Pagefind's bundle is checked in test_search; here: every page and feed
STEPS = int(os.environ.get("NETROOTS_INCREMENTAL_STEPS", "10"))
PAGINATION = 4  # lists of a few pages, so changes move diaries between pages


def _files(output: Path) -> dict[str, bytes]:
    return {
        path.relative_to(output).as_posix(): path.read_bytes()
        for path in sorted(output.rglob("*"))
        if path.is_file() and "pagefind" not in path.relative_to(output).parts
    }


def assert_same_output(incremental: Path, full: Path, step: str) -> None:
    got, want = _files(incremental), _files(full)
    assert sorted(set(got) - set(want)) == [], f"after {step}: stale files the full build does not write"
    assert sorted(set(want) - set(got)) == [], f"after {step}: files missing from the incremental build"
    different = [name for name in want if got[name] != want[name]]
    assert different == [], f"after {step}: these files differ from a full build: {different[:10]}"


def _diaries(content: Path) -> list[Path]:
    return sorted((content / "diaries").rglob("*.md"))


def _members(content: Path) -> list[Path]:
    return sorted((content / "members").glob("*.yaml"))


def edit_diary(rng: random.Random, content: Path) -> str:
    path = rng.choice(_diaries(content))
    text = path.read_text(encoding="utf-8")
    if rng.random() < 0.5:
        text = re.sub(r"^title: (.*)$", lambda m: f"title: {m.group(1).strip()} again", text, count=1, flags=re.M)
    else:
        text += f"\nA new paragraph, number {rng.randint(1, 999)}.\n"
    path.write_text(text, encoding="utf-8")
    return f"editing {path.name}"


def add_diary(rng: random.Random, content: Path) -> str:
    member = rng.choice(_members(content)).stem
    number = rng.randint(1000, 9999)
    day = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
    path = content / "diaries" / member / f"{day}-added-{number}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    tags = rng.sample(["Organizing", "Local news", "Housing", "Media accountability", "Brand new tag"], 2)
    groups = rng.choice(["[]", "[media-watch]", "[local-organizing]"])
    path.write_text(
        f"---\ntitle: Added diary {number}\ndate: {day} 10:00\ntags: [{', '.join(tags)}]\ngroups: {groups}\n"
        f"summary: An added diary.\n---\n\nWords about organizing, number {number}.\n",
        encoding="utf-8",
    )
    return f"adding {path.name}"


def delete_diary(rng: random.Random, content: Path) -> str:
    path = rng.choice(_diaries(content))
    path.unlink()
    return f"deleting {path.name}"


def rename_diary(rng: random.Random, content: Path) -> str:
    path = rng.choice(_diaries(content))
    target = path.with_name(path.name.removesuffix(".md") + f"-renamed-{rng.randint(1, 99)}.md")
    path.rename(target)
    return f"renaming {path.name} to {target.name}"


def retag_diary(rng: random.Random, content: Path) -> str:
    path = rng.choice(_diaries(content))
    text = path.read_text(encoding="utf-8")
    tags = rng.sample(["Organizing", "Local news", "Housing", "Labor", "Another new tag"], rng.randint(1, 3))
    text = re.sub(r"^tags: .*$", f"tags: [{', '.join(tags)}]", text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    return f"tagging {path.name} {tags}"


def regroup_diary(rng: random.Random, content: Path) -> str:
    path = rng.choice(_diaries(content))
    text = path.read_text(encoding="utf-8")
    groups = rng.choice(["[]", "[media-watch]", "[local-organizing]", "[media-watch, local-organizing]"])
    if re.search(r"^groups: .*$", text, flags=re.M):
        text = re.sub(r"^groups: .*$", f"groups: {groups}", text, count=1, flags=re.M)
    else:
        text = text.replace("\ntags:", f"\ngroups: {groups}\ntags:", 1)
    path.write_text(text, encoding="utf-8")
    return f"groups of {path.name} -> {groups}"


def rename_member(rng: random.Random, content: Path) -> str:
    path = rng.choice(_members(content))
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^name: (.*)$", lambda m: f"name: {m.group(1).strip()} Jr.", text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    return f"renaming member {path.stem}"


def recommend(rng: random.Random, content: Path) -> str:
    """A member recommends (or stops recommending) a diary: it may move on or off the recommended list."""
    path = rng.choice(_members(content))
    diary = rng.choice(_diaries(content))
    handle, slug = diary.parent.name, diary.stem[11:]
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if "recommends:" in text and rng.random() < 0.4:
        lines = [line for line in lines if not line.startswith("  - ") or "/" not in line or rng.random() < 0.5]
        if not any(line.startswith("  - ") and "/" in line for line in lines):
            lines = [line for line in lines if line != "recommends:"]
        what = "dropping recommendations"
    else:
        if "recommends:" not in text:
            lines.append("recommends:")
        index = lines.index("recommends:")
        lines.insert(index + 1, f"  - {handle}/{slug}")
        what = f"recommending {handle}/{slug}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f"{path.stem} {what}"


def _diary_ids(content: Path) -> list[str]:
    return [f"{path.parent.name}/{path.stem[11:]}" for path in _diaries(content)]


def _comments(content: Path) -> list[Path]:
    return sorted((content / "comments").rglob("*.md"))


def add_comment(rng: random.Random, content: Path) -> str:
    """A member comments on a diary, sometimes replying to a comment already on it."""
    member = rng.choice(_members(content)).stem
    diary = rng.choice(_diary_ids(content))
    replies = [path for path in _comments(content) if f"\non: {diary}\n" in path.read_text(encoding="utf-8")]
    lines = [f"on: {diary}"]
    if replies and rng.random() < 0.5:
        parent = rng.choice(replies)
        lines.append(f"parent: {parent.parent.name}/{parent.stem}")
    if rng.random() < 0.6:
        lines.append(f"title: A thought, number {rng.randint(1, 999)}")
    stamp = f"2026-11-{rng.randint(1, 21):02d}-{rng.randint(0, 23):02d}{rng.randint(0, 59):02d}"
    path = content / "comments" / member / f"{stamp}-added-{rng.randint(1000, 9999)}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n" + "\n".join(lines) + "\n---\n\nI agree, and here is why.\n", encoding="utf-8")
    return f"commenting {path.name} on {diary}"


def edit_comment(rng: random.Random, content: Path) -> str:
    path = rng.choice(_comments(content))
    text = path.read_text(encoding="utf-8")
    if rng.random() < 0.5 and "\ntitle:" in text:
        text = re.sub(r"^title: (.*)$", lambda m: f"title: {m.group(1).strip()} (edited)", text, count=1, flags=re.M)
    else:
        text += f"\nAn edit, number {rng.randint(1, 999)}.\n"
    path.write_text(text, encoding="utf-8")
    return f"editing comment {path.name}"


def delete_comment(rng: random.Random, content: Path) -> str:
    path = rng.choice(_comments(content))
    path.unlink()
    return f"deleting comment {path.name}"


def add_act(rng: random.Random, content: Path) -> str:
    """A member recommends a diary or comment, supports an action, vouches, or says they're going."""
    member = rng.choice(_members(content)).stem
    comment = rng.choice(_comments(content))
    targets = {
        "recommend": ("diary", rng.choice(_diary_ids(content))),
        "recommend-comment": ("comment", f"{comment.parent.name}/{comment.stem}"),
        "support": ("action", rng.choice(sorted((content / "actions").glob("*.md"))).stem),
        "vouch": ("member", rng.choice(_members(content)).stem),
        "going": ("event", rng.choice(sorted((content / "events").glob("*.md"))).stem),
    }
    kind = rng.choice(sorted(targets))
    field, target = targets[kind]
    act = kind.split("-")[0]
    withdraw = "withdraw: true\n" if rng.random() < 0.2 else ""
    name = f"2026-11-{rng.randint(1, 21):02d}-{act}-{target.replace('/', '-')}-{rng.randint(1, 99)}.yaml"
    path = content / "acts" / member / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"act: {act}\n{field}: {target}\n{withdraw}", encoding="utf-8")
    return f"{member}: {act} {field} {target}{' (withdrawn)' if withdraw else ''}"


def delete_act(rng: random.Random, content: Path) -> str:
    acts = sorted((content / "acts").rglob("*.yaml"))
    if not acts:
        return add_act(rng, content)
    path = rng.choice(acts)
    path.unlink()
    return f"deleting act {path.parent.name}/{path.name}"


CHANGES: list[Callable[[random.Random, Path], str]] = [
    edit_diary,
    add_diary,
    delete_diary,
    rename_diary,
    retag_diary,
    regroup_diary,
    rename_member,
    recommend,
    recommend,
    add_comment,
    add_comment,
    edit_comment,
    delete_comment,
    add_act,
    add_act,
    delete_act,
]


@pytest.mark.parametrize("seed", [19])
def test_incremental_output_equals_a_full_build_after_random_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    rng = random.Random(seed)
    work = tmp_path / "kept"
    shutil.copytree(ROOT / "content", work / "content")
    content, output = work / "content", work / "output"
    first = build_site(content, output, SEARCH=SEARCH, DEFAULT_PAGINATION=PAGINATION)
    assert "rendered" in first.summary
    days = 0
    for step in range(STEPS):
        if step % 5 == 4:
            days += rng.choice([10, 30, 45])
            import datetime as dt

            today = (dt.date(2026, 11, 22) + dt.timedelta(days=days)).isoformat()
            monkeypatch.setenv("NETROOTS_TODAY", today)
            what = f"moving today to {today}"
        else:
            what = rng.choice(CHANGES)(rng, content)
        result = build_site(content, output, SEARCH=SEARCH, DEFAULT_PAGINATION=PAGINATION)
        clean = tmp_path / f"clean-{step}"
        shutil.copytree(content, clean / "content")
        full = build_site(clean / "content", clean / "output", SEARCH=SEARCH, DEFAULT_PAGINATION=PAGINATION)
        assert result.errors == full.errors
        assert_same_output(output, clean / "output", f"step {step}: {what} ({result.summary})")
        shutil.rmtree(clean)


def test_a_build_with_nothing_changed_renders_nothing(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    build_site(tmp_path / "content", tmp_path / "output", SEARCH=SEARCH)
    again = build_site(tmp_path / "content", tmp_path / "output", SEARCH=SEARCH)
    assert again.summary.startswith("rendered 0 of "), again.summary
    assert re.search(r", 0 of \d+ feeds,", again.summary), again.summary  # feed receivers say what they read
    assert "deleted 0 stale" in again.summary


def test_another_number_of_workers_renders_nothing_again_but_a_setting_change_does(tmp_path: Path) -> None:
    """``jobs`` and ``parallel_min`` say how a build runs, not what it makes: changing them
    (another machine in CI, a laptop) keeps every page, read and feed; ``SITENAME`` does not."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    content, output = tmp_path / "content", tmp_path / "output"
    build_site(content, output, SEARCH=SEARCH, NETROOTS_BUILD={"jobs": 1})
    again = build_site(content, output, SEARCH=SEARCH, NETROOTS_BUILD={"jobs": 2, "parallel_min": 1})
    assert again.summary.startswith("rendered 0 of "), again.summary
    assert re.search(r", 0 of \d+ feeds,", again.summary), again.summary
    renamed = build_site(content, output, SEARCH=SEARCH, NETROOTS_BUILD={"jobs": 2}, SITENAME="Renamed network")
    assert "(all: settings changed since the last build)" in renamed.summary, renamed.summary


def test_a_settings_dict_counts_by_what_it_sets_otherwise_than_its_defaults(copy_fixture, tmp_path: Path) -> None:
    """``NETROOTS_BUILD = {"jobs": 1}`` added to pelicanconf.py rendered every page again: the
    build fills the dict in with its defaults, and ``{"incremental": True}`` was not the absent
    dict. What a plugin's dict sets otherwise than its defaults is what counts."""
    from conftest import site_settings

    from netroots.incremental import world

    content = copy_fixture("basic")
    base = site_settings(content, tmp_path / "output")
    base.pop("NETROOTS_BUILD", None)

    def settings_digest(**overrides: Any) -> str:
        return world({**base, **overrides})["settings"]

    alone = settings_digest()
    assert settings_digest(NETROOTS_BUILD={"jobs": 1}) == alone
    assert settings_digest(NETROOTS_BUILD={"incremental": True, "jobs": 2, "parallel_min": 8}) == alone
    assert settings_digest(NETROOTS_BUILD={}) == alone
    assert settings_digest(NETROOTS_BUILD={"incremental": False}) != alone
    digest = base.get("DIGEST") or {}
    assert settings_digest(DIGEST={**digest, "email_week": "2026-w47"}) == alone
    assert settings_digest(DIGEST={**digest, "archive_weeks": 3}) != alone


def test_a_template_change_renders_everything_and_says_why(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    build_site(tmp_path / "content", tmp_path / "output", SEARCH=SEARCH, THEME=str(theme))
    base = theme / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</footer>", "<p>Changed footer</p></footer>"))
    again = build_site(tmp_path / "content", tmp_path / "output", SEARCH=SEARCH, THEME=str(theme))
    assert "(all: templates changed since the last build)" in again.summary
    assert "Changed footer" in (tmp_path / "output" / "index.html").read_text(encoding="utf-8")


def test_a_deleted_diary_leaves_no_page_and_an_edited_page_is_rewritten(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    content, output = tmp_path / "content", tmp_path / "output"
    build_site(content, output, SEARCH=SEARCH)
    diary = content / "diaries" / "maria-lopez" / "2026-05-14-what-meridian-did-to-kbrt.md"
    page = output / "diaries" / "maria-lopez" / "what-meridian-did-to-kbrt" / "index.html"
    assert page.is_file()
    diary.unlink()
    result = build_site(content, output, SEARCH=SEARCH)
    assert not page.exists(), result.summary
    assert "what-meridian-did-to-kbrt" not in (output / "members" / "maria-lopez" / "index.html").read_text()


def test_a_kept_cache_still_reports_every_error_and_rereads_a_fixed_file(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    content, output = tmp_path / "content", tmp_path / "output"
    diary = content / "diaries" / "jkim" / "2026-11-01-broken.md"
    diary.write_text("---\ntitle: Broken\ndate: 2026-13-45 10:00\n---\n\nText.\n", encoding="utf-8")
    first = build_site(content, output, SEARCH=SEARCH)
    second = build_site(content, output, SEARCH=SEARCH)
    assert [e for e in first.errors if "broken.md" in e] and first.errors == second.errors
    diary.write_text("---\ntitle: Mended\ndate: 2026-11-01 10:00\ntags: [Organizing]\n---\n\nText.\n", encoding="utf-8")
    third = build_site(content, output, SEARCH=SEARCH)
    assert not [e for e in third.errors if "broken.md" in e]
    assert "Mended" in (output / "diaries" / "jkim" / "broken" / "index.html").read_text(encoding="utf-8")


def test_the_development_server_reloads_pages_and_published_output_has_no_script(tmp_path: Path) -> None:
    import urllib.request

    from netroots.devserver import SCRIPT_PATH, BuildCounter, start_server

    (tmp_path / "diaries" / "x").mkdir(parents=True)
    page = tmp_path / "diaries" / "x" / "index.html"
    page.write_text("<!doctype html><html><body><p>Hi</p></body></html>", encoding="utf-8")
    counter = BuildCounter()
    server = start_server(tmp_path, "127.0.0.1", 0, counter)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:

        def get(path: str) -> bytes:
            with urllib.request.urlopen(f"{base}{path}", timeout=10) as response:
                return response.read()

        served = get("/diaries/x/").decode()
        assert f'<script src="{SCRIPT_PATH}" defer></script></body>' in served
        assert "<script" not in page.read_text(encoding="utf-8")
        before = get("/__netroots/build")
        counter.bump()
        assert get("/__netroots/build") != before
        assert b"location.reload" in get(SCRIPT_PATH)
    finally:
        server.shutdown()
        server.server_close()


def brute_force_lists(signatures: dict[str, dict[str, float]], count: int) -> dict[str, list[tuple[str, float]]]:
    """Each diary's ``count`` best by the products of shared words' weights summed in its own
    signature's order, over every other signature; ties by key; only scores above 0."""
    lists = {}
    for key, signature in signatures.items():
        found = []
        for other, theirs in signatures.items():
            total = 0.0
            for word, weight in signature.items():
                if word in theirs:
                    total += weight * theirs[word]
            if other != key and total > 0:
                found.append((-total, other))
        lists[key] = [(other, -negative) for negative, other in sorted(found)[:count]]
    return lists


def random_signatures(rng: random.Random, keys: list[str], words: list[str]) -> dict[str, dict[str, float]]:
    """Signatures with ties everywhere: weights from a few values, some diaries alike word for word."""

    def signature() -> dict[str, float]:
        chosen = rng.sample(words, rng.randint(1, 6))
        return {word: rng.choice([0.25, 0.5, round(rng.uniform(0.01, 1.0), 2)]) for word in chosen}

    signatures = {key: signature() for key in keys}
    for key in rng.sample(keys, len(keys) // 10):
        signatures[key] = dict(signatures[rng.choice(keys)])
    return signatures


@pytest.mark.parametrize("seed", range(4))
def test_related_lists_are_the_exact_best_over_all_signatures(seed: int) -> None:
    """Every list is the true best over all signatures, scores to the last bit, even for words
    held by more than 300 diaries (once capped to their 300 strongest holders), ties, equal
    weights, diaries alike word for word, and diaries with fewer matches than asked."""
    from search.related import update_lists

    rng = random.Random(seed)
    common = [f"w{n}" for n in range(8)]  # each held by about 400 of the 900 diaries
    rare = [f"r{n}" for n in range(300)]
    signatures = random_signatures(rng, [f"d{n:03}" for n in range(900)], common)
    for key in rng.sample(sorted(signatures), 200):
        signatures[key].update({word: 0.5 for word in rng.sample(rare, 2)})
    signatures["lone"] = {"only-here": 1.0}  # no match at all
    signatures["pair"] = {"only-pair": 0.5, "w0": 0.01}  # few matches
    signatures["other-pair"] = {"only-pair": 0.3}
    lists, redone = update_lists({}, {}, signatures, 5)
    assert sorted(redone) == sorted(signatures)
    assert lists == brute_force_lists(signatures, 5)
    assert lists["lone"] == []
    assert [other for other, _ in lists["other-pair"]] == ["pair"]


@pytest.mark.parametrize("seed", range(6))
def test_related_lists_kept_from_the_last_build_equal_a_full_computation(seed: int) -> None:
    """Related lists are recomputed only where they can change; after random sequences of
    signature changes (new, edited, deleted diaries) they equal lists computed from scratch,
    scores and order included."""
    from search.related import update_lists

    rng = random.Random(seed)
    words = [f"w{n}" for n in range(25)]
    signatures = random_signatures(rng, [f"d{n}" for n in range(80)], words)
    count = 4
    lists, _ = update_lists({}, {}, signatures, count)
    for _ in range(30):
        old = signatures
        signatures = dict(old)
        for _ in range(rng.randint(1, 3)):
            roll = rng.random()
            if roll < 0.2:
                signatures[f"d{rng.randint(100, 999)}"] = random_signatures(rng, ["new"], words)["new"]
            elif roll < 0.35 and len(signatures) > 10:
                del signatures[rng.choice(sorted(signatures))]
            elif roll < 0.7:  # one word reweighted
                key = rng.choice(sorted(signatures))
                word = rng.choice(sorted(signatures[key]))
                signatures[key] = {**signatures[key], word: rng.choice([0.25, 0.5, round(rng.uniform(0.01, 1.0), 2)])}
            else:
                signatures[rng.choice(sorted(signatures))] = random_signatures(rng, ["new"], words)["new"]
        # kept lists may come back as lists of lists (any pairs do)
        lists, redone = update_lists(old, json.loads(json.dumps(lists)), signatures, count)
        assert {key: [tuple(pair) for pair in found] for key, found in lists.items()} == brute_force_lists(
            signatures, count
        )
        assert len(redone) < len(signatures)


def test_one_edit_recomputes_a_handful_of_related_lists_when_words_are_common() -> None:
    """On a flat network (every word held by over a thousand diaries, with near-equal
    weights) one edit recomputes its own list and those it enters or leaves, all of which
    change. With each word's holders capped at 300, moving one diary across a word's cap
    changed every score that word gave it: 36 to 46 lists here, thousands at 50,000 diaries."""
    from search.related import update_lists

    rng = random.Random(5)
    words = [f"w{n}" for n in range(20)]
    signatures = {
        f"d{n:04}": {word: round(rng.uniform(0.27, 0.30), 4) for word in rng.sample(words, 12)} for n in range(2000)
    }
    lists, _ = update_lists({}, {}, signatures, 5)
    for edit, word in enumerate(words[:6]):
        ranked = sorted((signature[word], key) for key, signature in signatures.items() if word in signature)
        weight, key = ranked[-300] if edit % 2 else ranked[-301]  # the 300th strongest holder steps down, the 301st up
        after = {**signatures, key: {**signatures[key], word: round(weight * (0.98 if edit % 2 else 1.02), 4)}}
        fresh, redone = update_lists(signatures, lists, after, 5)
        assert len(redone) <= 20, (edit, len(redone))
        assert fresh == update_lists({}, {}, after, 5)[0]
        assert {other for other in fresh if fresh[other] != lists[other]} >= set(redone) - {key}


def test_an_edit_weighs_only_the_holders_of_the_words_it_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    """A first computation holds every word's holders; an edit only those of the words in the
    signatures it scores against all others (the edited diary's and the lists it reaches),
    with the same lists as a full computation."""
    from search import related

    made: list[related.Holders] = []
    original = related.Holders.__init__

    def recorded(self: related.Holders, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(related.Holders, "__init__", recorded)
    rng = random.Random(3)
    rare = [f"r{n}" for n in range(4000)]
    signatures = {f"d{n:04}": {**{word: 0.4 for word in rng.sample(rare, 3)}, f"c{n % 10}": 0.2} for n in range(2000)}
    lists, _ = related.update_lists({}, {}, signatures, 5)
    assert made[-1].covered is None
    key = "d0100"
    after = {**signatures, key: {**signatures[key], rng.choice(rare): 0.9}}
    fresh, redone = related.update_lists(signatures, lists, after, 5)
    edit = made[-1]
    assert fresh == related.update_lists({}, {}, after, 5)[0]
    assert key in redone and edit.covered is not None
    assert edit.covered >= {word for other in redone for word in after[other]}
    assert len(edit.covered) < 60  # of 4,010 words
    with pytest.raises(ValueError):
        edit.scores({"r-not-covered": 1.0})


def test_a_list_page_depends_on_its_own_slice_and_the_count_of_pages() -> None:
    """Editing a diary on page 3 of a tag leaves that tag's other pages unrendered; a diary
    more (the pages shift) changes them all."""
    from types import SimpleNamespace

    from pelican.paginator import Paginator

    from netroots.fingerprint import Digester

    settings = {"DEFAULT_ORPHANS": 0, "PAGINATION_PATTERNS": [], "RELATIVE_URLS": False}
    diaries = [SimpleNamespace(title=f"Diary {n}", body=f"Text {n}") for n in range(9)]

    def pages(items: list) -> list[bytes]:
        paginator = Paginator("tag/x.html", "tag/x/", items, settings, per_page=3)
        digest = Digester(opaque=[settings])
        return [digest(paginator.page(number)) + digest(paginator) for number in range(1, 4)]

    before = pages(diaries)
    diaries[7].body += " An edit."
    after = pages(diaries)
    assert after[:2] == before[:2] and after[2] != before[2]
    assert pages([*diaries, SimpleNamespace(title="Diary 9", body="Text 9")])[0] != after[0]


def test_a_digest_tells_every_leaf_apart_and_is_the_same_in_every_digester() -> None:
    """Strings, numbers and attribute names are written without a call (the fast path):
    still, "1" and 1, a name and a value, and any changed leaf give another digest."""
    from types import SimpleNamespace

    from netroots.fingerprint import Digester

    def value(leaf: object = "x", key: str = "b") -> object:
        return [SimpleNamespace(a=1, **{key: leaf}), {"k": (leaf, None, 2.5, True)}, {leaf, "y"}]

    first = Digester()(value())
    assert Digester()(value()) == first
    different = [value("1"), value(1), value("y"), value(key="c"), value(None), value(("x",))]
    digests = [Digester()(other) for other in different]
    assert first not in digests and len(set(digests)) == len(digests)
    assert Digester()(SimpleNamespace(a="b")) != Digester()({"a": "b"}) != Digester()(["a", "b"])


def test_a_value_on_a_cycle_digests_the_same_whatever_was_digested_before_it() -> None:
    """A reply and its parent point at each other (comment threads). The parent was memoized
    when the thread was digested whole, so the reply, reached later through a member's list,
    digested otherwise than in a build that reached it first: its page rendered once more."""
    from types import SimpleNamespace

    from netroots.fingerprint import Digester

    parent = SimpleNamespace(title="A point", replies=[])
    reply = SimpleNamespace(title="Yes", parent=parent)
    parent.replies.append(reply)
    alone = Digester()([reply])
    digest = Digester()
    digest({"threads": [parent], "by member": [reply]})  # the whole thread first, from its top
    assert digest([reply]) == alone
    assert digest.top([reply]) == alone
    assert digest([parent]) == Digester()([parent])
    parent.title = "Another point"
    assert Digester()([reply]) != alone  # still covers what it reaches


def test_diaries_of_the_same_date_are_listed_in_the_same_order_in_every_process(tmp_path: Path) -> None:
    """Pelican finds content files as a set (its order changes with Python's hash seed);
    diaries are read in the order of their paths, so same-date diaries keep their order."""
    import subprocess
    import sys

    content = tmp_path / "content"
    shutil.copytree(ROOT / "tests" / "fixtures" / "basic" / "content", content)
    for handle in sorted(path.name for path in (content / "diaries").iterdir())[:2]:
        for number in range(4):
            (content / "diaries" / handle / f"2026-05-01-same-day-{handle}-{number}.md").write_text(
                f"---\ntitle: Same day {number} by {handle}\ndate: 2026-05-01 10:00\ntags: [Same day]\n---\n\nText.\n",
                encoding="utf-8",
            )
    pages = []
    for seed in ("1", "2"):
        output = tmp_path / f"output-{seed}"
        subprocess.run(
            [sys.executable, str(ROOT / "tasks.py"), "--content", str(content), "--output", str(output), "build"],
            env={**os.environ, "PYTHONHASHSEED": seed, "NETROOTS_TODAY": "2026-11-22"},
            check=True,
            capture_output=True,
        )
        page = (output / "tags" / "same-day" / "index.html").read_text(encoding="utf-8")
        pages.append(re.findall(r"Same day \d by [\w-]+", page))
    assert len(pages[0]) == 8 and pages[0] == pages[1]


def _member_with_ten_diaries(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The demo network with six more diaries by Sam (ten in all): content, output, Sam's folder."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    content, output = tmp_path / "content", tmp_path / "output"
    folder = content / "diaries" / "sam-hollis"
    text = (folder / "2026-02-20-one-progressive-in-casper.md").read_text(encoding="utf-8")
    for month in range(1, 7):
        (folder / f"2025-{month:02d}-03-notes-{month}.md").write_text(
            text.replace("title: One progressive in Casper", f"title: Notes from Casper, part {month}").replace(
                "date: 2026-02-20", f"date: 2025-{month:02d}-03"
            ),
            encoding="utf-8",
        )
    return content, output, folder


def _rendered_member_pages(
    content: Path, output: Path, edited: Path, caplog: pytest.LogCaptureFixture
) -> tuple[list[Path], Any]:
    """Append a sentence to ``edited``, build, and return the member's pages rendered."""
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more thought about the county fair.\n")
    caplog.clear()
    caplog.set_level("INFO", logger="netroots.incremental")
    result = build_site(content, output, SEARCH=SEARCH)
    written = [r.getMessage().split('"')[1] for r in caplog.records if r.getMessage().startswith("Writing ")]
    pages = output / "diaries" / "sam-hollis"
    return [Path(path) for path in written if Path(path).is_relative_to(pages)], result


def _related_links(page: Path) -> str:
    """The related-diaries box of a diary page (empty when it has none)."""
    found = re.search(r'<aside class="related-diaries".*?</aside>', page.read_text(encoding="utf-8"), re.S)
    return found.group(0) if found else ""


def test_an_edit_of_an_old_diary_renders_only_the_pages_that_show_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A diary's page lists four of its member's newest diaries: editing an older one must
    not render the member's other pages again (at 10,000 diaries that was 100 pages an edit)."""
    content, output, folder = _member_with_ten_diaries(tmp_path)
    build_site(content, output, SEARCH=SEARCH)
    own, result = _rendered_member_pages(content, output, folder / "2025-01-03-notes-1.md", caplog)
    pages = output / "diaries" / "sam-hollis"
    assert pages / "notes-1" / "index.html" in own, result.summary
    for page in own:  # the edited diary's own page, and pages whose lists link to it (related diaries)
        assert page == pages / "notes-1" / "index.html" or "/notes-1/" in page.read_text(encoding="utf-8"), page
    newest = (pages / "commons-radio-has-a-sound" / "index.html").read_text(encoding="utf-8")
    assert "More by Sam" in newest and "The wind farm hearing" in newest


def test_an_edit_of_a_new_diary_renders_only_its_page_and_those_relating_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Every page of a member lists four of the member's newest diaries, by title and address
    only: an edit of one of them that keeps its title renders none of those pages again (each
    page's fingerprint held the whole diaries: 100 pages an edit at 10,000 diaries, 500 at
    50,000)."""
    content, output, folder = _member_with_ten_diaries(tmp_path)
    build_site(content, output, SEARCH=SEARCH)
    slug = "the-wind-farm-hearing-in-natrona-county"
    pages = output / "diaries" / "sam-hollis"
    showing = [page for page in pages.glob("*/index.html") if f"/{slug}/" in page.read_text(encoding="utf-8")]
    assert len(showing) >= 8  # "More by Sam" on the member's other pages
    own, result = _rendered_member_pages(content, output, folder / f"2026-06-08-{slug}.md", caplog)
    assert pages / slug / "index.html" in own, result.summary
    for page in own:
        assert page == pages / slug / "index.html" or f"/{slug}/" in _related_links(page), page
    assert len(own) < len(showing)


def test_an_edit_that_keeps_a_diary_s_words_renders_no_page_that_relates_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A related diary is shown by its title, member and date: emphasis added to a diary
    (its words, so every related list, unchanged) renders its own page and no page whose
    "Related diaries" lists it (each page's fingerprint held the whole related diaries)."""
    content, output, folder = _member_with_ten_diaries(tmp_path)
    build_site(content, output, SEARCH=SEARCH)
    slug = "a-zoom-room-for-people-who-are-the-only-one"
    relating = [page for page in output.glob("diaries/*/*/index.html") if f"/{slug}/" in _related_links(page)]
    assert relating
    edited = folder / f"2026-09-05-{slug}.md"
    text = edited.read_text(encoding="utf-8")
    word = re.search(r"\n([A-Z][a-z]{3,}) ", text).group(1)
    edited.write_text(text.replace(f"\n{word} ", f"\n*{word}* ", 1), encoding="utf-8")
    caplog.set_level("INFO", logger="netroots.incremental")
    result = build_site(content, output, SEARCH=SEARCH)
    written = {Path(r.getMessage().split('"')[1]) for r in caplog.records if r.getMessage().startswith("Writing ")}
    assert output / "diaries" / "sam-hollis" / slug / "index.html" in written, result.summary
    assert f"<em>{word}</em>" in (output / "diaries" / "sam-hollis" / slug / "index.html").read_text(encoding="utf-8")
    assert not written & set(relating), result.summary


def test_a_build_holds_full_collections_and_gives_them_back_even_when_it_fails() -> None:
    import gc

    from netroots.build import no_full_collections

    before = gc.get_threshold()
    with pytest.raises(RuntimeError), no_full_collections():
        assert gc.get_threshold()[2] > 1_000_000
        raise RuntimeError("a build that stops")
    assert gc.get_threshold() == before


def test_an_edit_renders_the_list_page_that_shows_the_diary_not_its_neighbours(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A list page links to its neighbours by address only ("Newer", "Older"): an edit of a
    diary on page 3 of the diaries renders page 3, not pages 2 and 4 (they held page 3's
    whole ``Page``, its diaries included). The links are still right."""
    content, output, _ = _member_with_ten_diaries(tmp_path)
    pagination = {"diaries": 2, "tag": 20}
    build_site(content, output, SEARCH=SEARCH, PAGINATED_TEMPLATES=pagination)
    pages = output / "diaries" / "page"
    assert (pages / "4" / "index.html").is_file()
    third = (pages / "3" / "index.html").read_text(encoding="utf-8")
    member, slug = re.findall(r'href="[./]*diaries/([\w-]+)/([\w-]+)/"', third)[0]
    edited = next((content / "diaries" / member).glob(f"*-{slug}.md"))
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more thought about the county fair.\n")
    caplog.set_level("INFO", logger="netroots.incremental")
    result = build_site(content, output, SEARCH=SEARCH, PAGINATED_TEMPLATES=pagination)
    written = {Path(r.getMessage().split('"')[1]) for r in caplog.records if r.getMessage().startswith("Writing ")}
    assert pages / "3" / "index.html" in written, result.summary
    assert not written & {pages / "2" / "index.html", pages / "4" / "index.html"}, result.summary
    third = (pages / "3" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'rel="prev" href="[./]*diaries/page/2/"', third), third
    assert re.search(r'rel="next" href="[./]*diaries/page/4/"', third), third
