"""Search in headless Chromium: the /search/ page over a built fixture network, served locally."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import FIXTURES, build_site

pytestmark = pytest.mark.browser


class RecordingHandler(SimpleHTTPRequestHandler):
    """Serves the built site and remembers every path asked for."""

    requested: list[str]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.requested.append(self.path)
        super().do_GET()


def serve_built(
    factory: pytest.TempPathFactory, restored: bool = False, **search: object
) -> Iterator[tuple[str, list[str]]]:
    """The search fixture network, built and served on 127.0.0.1 (a free port). ``restored``:
    built again after output/ was removed, so Pagefind's parts come back from .cache/."""
    work = factory.mktemp("search-browser")
    shutil.copytree(FIXTURES / "search", work, dirs_exist_ok=True)
    result = build_site(work / "content", work / "output", SEARCH=search)
    assert not result.errors, result.errors
    if restored:
        shutil.rmtree(work / "output")
        result = build_site(work / "content", work / "output", SEARCH=search)
        assert not result.errors, result.errors
        bundle, kept = work / "output/pagefind", work / ".cache/search/pagefind-bundles"
        parts = [found for found in bundle.rglob("*") if found.is_file() and found.parent != bundle]
        assert parts and all(found.samefile(kept / found.relative_to(bundle)) for found in parts)  # not indexed again
    requested: list[str] = []
    handler = type("Handler", (RecordingHandler,), {"requested": requested})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(work / "output")))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requested
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    yield from serve_built(tmp_path_factory)


@pytest.fixture(scope="module", params=["indexed", "restored"])
def served_in_parts(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """The same network with its Pagefind index in parts of about 4 pages, as Pagefind wrote
    them and as a build after output/ was removed put them back from .cache/."""
    yield from serve_built(tmp_path_factory, request.param == "restored", pagefind_part_pages=4)


@pytest.fixture
def page(browser, served) -> Iterator[object]:
    context = browser.new_context()
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(served[0]) else route.abort())
    tab = context.new_page()
    tab.problems = []
    tab.on(
        "console",
        lambda message: (
            message.type == "error"
            and "favicon.ico" not in (message.location or {}).get("url", "")
            and tab.problems.append(message.text)
        ),
    )
    tab.on("pageerror", lambda error: tab.problems.append(str(error)))
    yield tab
    context.close()


def wait_for_results(page) -> str:
    status = page.locator("#search-status")
    page.wait_for_function(
        "() => /result|No results/.test(document.getElementById('search-status').textContent)", timeout=10000
    )
    return status.inner_text()


def titles(page) -> list[str]:
    return page.locator("#search-results .card-title a").all_inner_texts()


def test_typed_query_shows_the_expected_diary_first(page, served) -> None:
    base, requested = served
    requested.clear()
    page.goto(f"{base}/search/")
    assert not [path for path in requested if "/pagefind/" in path]  # nothing of search before it is used
    page.locator("#search-q").fill("bookmobile")
    status = wait_for_results(page)
    assert status.startswith("1 result for “bookmobile”")
    assert titles(page)[0] == "The bookmobile returns to the county"
    first = page.locator("#search-results li").first
    assert first.locator("mark").first.inner_text().lower() == "bookmobile"
    assert "@cara" in first.locator(".byline").inner_text()
    assert page.url.endswith("/search/?q=bookmobile")
    page.locator("#search-q").press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == "The bookmobile returns to the county"
    assert page.problems == []  # the CSP lets Pagefind's WebAssembly and worker run


def test_member_filter_narrows_the_results(page, served) -> None:
    base, _ = served
    page.goto(f"{base}/search/")
    page.locator("#search-q").fill("library")
    wait_for_results(page)
    everyone = titles(page)
    assert len(everyone) >= 3
    page.locator("#search-status").evaluate("node => node.textContent = ''")
    page.locator("#search-member").select_option("ben")
    status = wait_for_results(page)
    narrowed = titles(page)
    assert "(filtered)" in status
    assert narrowed[0] == "The library board budget fight"
    assert 0 < len(narrowed) < len(everyone)
    assert all("@ben" in text for text in page.locator("#search-results .byline").all_inner_texts())
    assert "member=ben" in page.url
    assert page.problems == []


def test_header_form_query_is_picked_up_by_the_search_page(page, served) -> None:
    base, requested = served
    requested.clear()
    page.goto(f"{base}/diaries/ana/rent-strike-notes/")
    assert not [path for path in requested if "/pagefind/" in path or "search.js" in path]
    page.locator("#site-search").fill("eviction court")
    page.locator("#site-search").press("Enter")
    page.wait_for_url("**/search/?q=eviction+court")
    wait_for_results(page)
    assert page.locator("#search-q").input_value() == "eviction court"
    assert titles(page)[0] == "Eviction court watch"
    assert page.problems == []


def test_filters_alone_never_run_a_search(page, served) -> None:
    base, requested = served
    requested.clear()
    page.goto(f"{base}/search/?member=ben&kind=diary")
    page.locator("#search-member").select_option("ana")
    page.wait_for_timeout(300)
    assert page.locator("#search-results li").count() == 0
    assert not [path for path in requested if "/pagefind/" in path]


def test_search_runs_on_the_page_under_the_site_policy(page, served) -> None:
    """Pagefind compiles its WebAssembly and fetches its index on the page itself (no
    worker): exactly what 'wasm-unsafe-eval' and connect-src 'self' allow, and no more."""
    base, requested = served
    requested.clear()
    page.goto(f"{base}/search/?q=tenants")
    wait_for_results(page)
    assert titles(page)[0] in {"Our tenants union took its first vote", "Rent strike notes"}
    assert not [text for text in page.problems if "Content Security Policy" in text]
    assert not [path for path in requested if "worker" in path]
    assert any(path.endswith(".pagefind") for path in requested)  # the WebAssembly


def test_an_index_in_parts_is_merged_in_the_browser(browser, served_in_parts) -> None:
    """A large network's index comes in parts (a build re-indexes only changed parts); the
    search page merges them: results come from every part, best first, filters work."""
    base, requested = served_in_parts
    context = browser.new_context()
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(str(error)))
    try:
        tab.goto(f"{base}/search/?q=library")
        wait_for_results(tab)
        found = titles(tab)
        assert "The library board budget fight" in found and "Saving Sunday library hours" in found, found
        parts = {path.split("/")[2] for path in requested if path.startswith("/pagefind/") and path.count("/") > 2}
        assert len(parts) >= 3, requested  # every part was asked
        tab.goto(f"{base}/search/?q=bookmobile")
        wait_for_results(tab)
        assert titles(tab)[0] == "The bookmobile returns to the county"
        tab.goto(f"{base}/search/?q=library&member=ben")
        wait_for_results(tab)
        assert titles(tab)[0] == "The library board budget fight"
        assert all("@ben" in text for text in tab.locator("#search-results .byline").all_inner_texts())
        assert problems == []
    finally:
        context.close()
