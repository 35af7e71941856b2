"""The demo as a reader's screen shows it: every kind of page fits every width, in light and
dark, in headless Chromium. One browser, one tab: each page loads once and is re-laid out at
each width and colour scheme, so the whole check takes seconds."""

from __future__ import annotations

from pathlib import Path

import pytest
from publish.kinds import PAGE_KINDS, sample_page

from bench.browser import serve_built_site

SITE = "https://commons.example.org"  # publishconf.py's SITEURL, which demo_output uses
WIDTHS = (320, 390, 768, 1280)
SCHEMES = ("light", "dark")

# Listings, filters, letters and the pages readers reach from them, beside one page of
# every folder shape: (path under output/, query string).
READER_PAGES = (
    ("diaries/index.html", ""),
    ("diaries/recommended/index.html", ""),
    ("diaries/rescued/index.html", ""),
    ("diaries/page/2/index.html", ""),
    ("members/index.html", ""),
    ("groups/index.html", ""),
    ("tags/index.html", ""),
    ("actions/index.html", ""),
    ("contacts/index.html", ""),
    ("contacts/kind/media/index.html", ""),
    ("jobs/index.html", ""),
    ("jobs/remote/index.html", ""),
    ("jobs/ca/index.html", ""),
    ("events/index.html", ""),
    ("chapters/index.html", ""),
    ("chapters/mentors/index.html", ""),
    ("allies/index.html", ""),
    ("trust/index.html", ""),
    ("404.html", ""),
    ("search/index.html", "?q=library"),
)

# The elements wider than the screen, outermost first; an element inside a scrolling box
# (a code block) or clipped (visually hidden text) is not counted.
OVERFLOWING = """() => {
  const width = window.innerWidth;
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || (box.right <= width + 1 && box.left >= -1)) continue;
    let clipped = false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') { clipped = true; break; }
    }
    if (clipped || found.some((outer) => outer.contains(el))) continue;
    found.push(el);
  }
  return found.slice(0, 3).map((el) => {
    const box = el.getBoundingClientRect();
    const name = el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    return `${name} "${(el.textContent || '').trim().slice(0, 40)}" spans ${Math.round(box.left)}..${Math.round(box.right)}`;
  });
}"""


def reader_pages(output: Path) -> list[tuple[Path, str]]:
    """One built page of every folder shape (``jobs/<slug>/``, ``actions/<slug>/letter/``...)
    plus every page kind, listing and filter readers browse."""
    shapes: dict[tuple[str, int], Path] = {}
    for page in sorted(output.rglob("*.html")):
        parts = page.relative_to(output).parts
        if parts[0] in ("theme", "admin") or "page" in parts[:-1]:  # admin/: the web editor, not for readers
            continue
        shapes.setdefault((parts[0], len(parts)), page)
    pages = {page: "" for page in shapes.values()}
    for kind in PAGE_KINDS:
        page = sample_page(output, kind)
        if page is not None:
            pages.setdefault(page, "")
    for relative, query in READER_PAGES:
        if (output / relative).is_file():
            pages[output / relative] = query
    return sorted(pages.items())


def overflow_problems(browser, output: Path, pages: list[tuple[Path, str]]) -> list[str]:
    """Lay out each page at every width and colour scheme; name what sticks out."""
    context = browser.new_context(viewport={"width": WIDTHS[-1], "height": 800})
    serve_built_site(context, output, SITE)
    tab = context.new_page()
    problems: list[str] = []
    try:
        for page, query in pages:
            relative = page.relative_to(output).as_posix()
            tab.goto(f"{SITE}/{relative.removesuffix('index.html')}{query}", wait_until="load")
            if query:
                tab.wait_for_selector("#search-results li", timeout=5000)
            for scheme in SCHEMES:
                tab.emulate_media(color_scheme=scheme)
                for width in WIDTHS:
                    tab.set_viewport_size({"width": width, "height": 800})
                    scroll = tab.evaluate("document.documentElement.scrollWidth")
                    wide = tab.evaluate(OVERFLOWING)
                    if scroll > width or wide:
                        problems.append(f"{relative}{query} at {width} px ({scheme}): page {scroll} px; {wide}")
    finally:
        context.close()
    return problems


@pytest.mark.browser
def test_no_page_is_wider_than_the_screen(browser, demo_output: Path) -> None:
    pages = reader_pages(demo_output)
    assert len(pages) >= 30, pages
    problems = overflow_problems(browser, demo_output, pages)
    assert not problems, f"{len(problems)} page layouts wider than the screen:\n" + "\n".join(problems)


@pytest.mark.browser
def test_the_overflow_check_catches_a_wide_table(browser, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(
        '<!doctype html><meta name="viewport" content="width=device-width">'
        "<table><tr><td>pressofficeforthemetropolitandesk@examplenewsroom.org</td>"
        "<td>(916) 555-0141</td><td>(916) 555-0142</td></tr></table>",
        encoding="utf-8",
    )
    problems = overflow_problems(browser, tmp_path, [(tmp_path / "index.html", "")])
    assert any("index.html at 320 px (light)" in problem and "table" in problem for problem in problems), problems


# List pages with a side column: (page, what the side column must name).
LIST_PAGES = (
    ("members/maria-lopez/", "Web of trust"),
    ("tags/canvassing/", "Writers"),
    ("groups/media-watch/", "Editors"),
    ("diaries/recommended/", "How the list is made"),
    ("diaries/rescued/", "Who picks them"),
)
# Boxes of the reading column, the side column, the first card's summary (with its characters
# per line, measured with the page's own font) and the last card, and the footer's top.
BOXES = """() => {
  const box = (el) => el && el.getBoundingClientRect().toJSON();
  const summary = document.querySelector('.list-main .card-summary');
  let perLine = 0;
  if (summary) {
    const style = getComputedStyle(summary);
    const context = document.createElement('canvas').getContext('2d');
    context.font = `${style.fontSize} ${style.fontFamily}`;
    const sample = 'Three hundred people came to a candidate forum in East Oakland, and not a single station.';
    perLine = summary.clientWidth / (context.measureText(sample).width / sample.length);
  }
  const cards = document.querySelectorAll('main .card');
  return {main: box(document.querySelector('.list-main')), side: box(document.querySelector('.list-side')),
          side_text: document.querySelector('.list-side')?.innerText || '', per_line: perLine,
          last_card: box(cards[cards.length - 1]), footer: box(document.querySelector('.site-footer'))};
}"""


@pytest.mark.browser
def test_list_pages_use_the_width_with_a_side_column(browser, demo_output: Path) -> None:
    """Wide screens: the cards in a reading column of 60-75 characters, the side column beside
    it; phones: one column, the side after the list; never a card against the footer."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    serve_built_site(context, demo_output, SITE)
    tab = context.new_page()
    try:
        for path, names in LIST_PAGES:
            tab.goto(f"{SITE}/{path}", wait_until="load")
            for width in (320, 390, 1280):
                tab.set_viewport_size({"width": width, "height": 800})
                found = tab.evaluate(BOXES)
                main, side, where = found["main"], found["side"], f"{path} at {width} px"
                assert names.upper() in found["side_text"].upper(), where
                if width == 1280:
                    assert side["left"] >= main["right"] + 24, f"{where}: side column not beside the list"
                    assert abs(side["top"] - main["top"]) < 120, f"{where}: side column not level with the list"
                    assert 1280 - side["right"] < 200, f"{where}: the right side of the screen is left empty"
                    if found["per_line"]:
                        assert 55 <= found["per_line"] <= 80, f"{where}: {found['per_line']:.0f} characters a line"
                else:
                    assert side["top"] >= main["bottom"], f"{where}: the side column should follow the list"
                    assert abs(side["left"] - main["left"]) < 2, where
                assert found["footer"]["top"] - found["last_card"]["bottom"] >= 24, f"{where}: last card on the footer"
    finally:
        context.close()
