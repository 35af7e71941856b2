"""Shared fixtures: build a whole site into a temp folder and read what it wrote."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = "2026-11-22"
for extra in (ROOT, ROOT / "plugins"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from netroots.build import BuildResult, build, load_settings  # noqa: E402
from netroots.fingerprint import CHECK_KEPT  # noqa: E402

# Every build of the suite (in this process and in the commands it runs) also digests kept
# diaries in full and fails if a plugin changed one in place (netroots/fingerprint.py ``Kept``).
os.environ[CHECK_KEPT] = "1"


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test builds as if it were 2026-11-22, so dates and expiry are exact."""
    monkeypatch.setenv("NETROOTS_TODAY", TODAY)
    return TODAY


def site_settings(content: Path, output: Path, publish: bool = False, **overrides: Any) -> dict[str, Any]:
    """Settings for building ``content`` into ``output``; the cache lives beside the content."""
    base = {
        "PATH": str(content),
        "OUTPUT_PATH": str(output),
        "CACHE_PATH": str(content.parent / ".cache"),
        "NETROOTS_CACHE": str(content.parent / ".cache"),
    }
    return load_settings(publish=publish, overrides={**base, **overrides})


def build_site(content: Path, output: Path, publish: bool = False, **overrides: Any) -> BuildResult:
    return build(site_settings(content, output, publish=publish, **overrides))


@pytest.fixture
def copy_fixture(tmp_path: Path) -> Callable[[str], Path]:
    """Copy ``tests/fixtures/<name>/`` into a temp folder; returns its ``content/``."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(FIXTURES / name, target)
        return target / "content"

    return copy


@pytest.fixture
def site(tmp_path: Path, copy_fixture: Callable[[str], Path]) -> Callable[..., BuildResult]:
    """Build a fixture site (by name, or a content folder) into ``tmp_path/output``."""

    def make(name_or_content: str | Path = "basic", **overrides: Any) -> BuildResult:
        content = copy_fixture(name_or_content) if isinstance(name_or_content, str) else name_or_content
        return build_site(content, tmp_path / "output", **overrides)

    return make


@pytest.fixture(scope="session")
def demo_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo network in content/, built once per test session (publish settings)."""
    os.environ["NETROOTS_TODAY"] = TODAY
    work = tmp_path_factory.mktemp("demo")
    shutil.copytree(ROOT / "content", work / "content")
    if (ROOT / ".cache").is_dir():
        pass  # the demo never depends on a developer's fetched cache
    result = build_site(work / "content", work / "output", publish=True)
    assert not result.errors, result.errors
    return work / "output"


def build_fixture_once(factory: pytest.TempPathFactory, name: str, **overrides: Any) -> Path:
    """Build a copy of ``tests/fixtures/<name>/`` for a module's read-only tests; returns output/.

    Module-scoped fixtures run outside ``pinned_today``, so the date is pinned here too.
    """
    os.environ["NETROOTS_TODAY"] = TODAY
    work = factory.mktemp(name)
    shutil.copytree(FIXTURES / name, work, dirs_exist_ok=True)  # content/ sits beside output/
    result = build_site(work / "content", work / "output", **overrides)
    assert not result.errors, result.errors
    return work / "output"


def pagefind_pages(output: Path) -> dict[str, dict]:
    """What Pagefind indexed, over every part of the index (``output/pagefind/parts.json``):
    each fragment's URL and content (gzip, ``pagefind_dcd`` + JSON)."""
    import gzip
    import json

    pages = {}
    for part in json.loads((output / "pagefind/parts.json").read_text(encoding="utf-8"))["parts"]:
        for fragment in (output / "pagefind" / part / "fragment").iterdir():
            data = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
            pages[data["url"]] = data
    return pages


def read(output: Path, path: str) -> str:
    """The text of a built file, e.g. ``read(out, "diaries/ana/x/index.html")``."""
    return (output / path).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser():
    """The system Chromium through Playwright; skipped when it is missing, except in CI."""
    from bench.browser import CHROMIUM, launch_chromium

    if not Path(CHROMIUM).exists():
        if os.environ.get("NETROOTS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and NETROOTS_REQUIRE_BROWSER=1 (make browser installs it)")
        pytest.skip(f"{CHROMIUM} is missing (make browser installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = launch_chromium(playwright)
        yield launched
        launched.close()


def git(top: Path, *args: str) -> str:
    """Run git in ``top`` as a fixed test author, ignoring the machine's own git config."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    return subprocess.run(["git", "-C", str(top), *args], check=True, capture_output=True, text=True, env=env).stdout


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print what tests measured (``record_property("measured", text)``), e.g. the page budget;
    user properties travel from xdist workers, so this works in parallel runs too."""
    lines = [
        str(value)
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call"
        for name, value in getattr(report, "user_properties", ())
        if name == "measured"
    ]
    if lines:
        terminalreporter.section("measured")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture
def diary_indexes(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The kept diary indexes (netroots/diaryindex.py) each build makes, by name: the last of each."""
    from netroots import diaryindex

    made: dict[str, Any] = {}
    original = diaryindex.DiaryIndex.__init__

    def record(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        made[self.name] = self

    monkeypatch.setattr(diaryindex.DiaryIndex, "__init__", record)
    return made
