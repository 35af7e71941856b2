"""The diary page's weight budget: its HTML plus ``site.css`` within 30 kB.

A comment thread grows with the conversation and its styles (``comments.css``) load only
with a thread, so the thread is measured apart and reported, not counted in the budget.
The budget test (tests/test_publish.py) and ``python tasks.py bench pages`` both measure
with :func:`diary_weight`, so they agree.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path

BUDGET_BYTES = 30_000  # a diary page's HTML (without its comment thread) + site.css
THREAD_MARKUP_PER_COMMENT = 900  # markup bytes a comment beyond its text (ids, links, the avatar: ~65 B)
_TAG = re.compile(rb"<[^>]+>")


@dataclass(frozen=True)
class Thread:
    """One diary page's comment thread: its bytes, the bytes of its text, its comments."""

    bytes: int
    text_bytes: int
    comments: int

    @property
    def markup_per_comment(self) -> float:
        return (self.bytes - self.text_bytes) / self.comments if self.comments else 0.0


@dataclass(frozen=True)
class DiaryWeight:
    """The heaviest diary page without its thread, the stylesheet, and the largest thread."""

    page: str  # path under output/
    html_bytes: int  # without the thread
    css_bytes: int
    gzip_bytes: int  # HTML without the thread + CSS, each gzipped
    thread_page: str
    thread: Thread
    comments_css_bytes: int

    @property
    def total_bytes(self) -> int:
        return self.html_bytes + self.css_bytes

    @property
    def within_budget(self) -> bool:
        return self.total_bytes < BUDGET_BYTES

    def summary(self) -> str:
        """Two lines for a test run or a benchmark's output."""
        budget = (
            f"diary page budget: {self.page}: HTML {self.html_bytes:,} B (without its comment thread) + "
            f"site.css {self.css_bytes:,} B = {self.total_bytes:,} B ({self.gzip_bytes:,} B gzipped); "
            f"budget {BUDGET_BYTES:,} B: {'within' if self.within_budget else 'OVER'}"
        )
        if not self.thread.comments:
            return budget + "\ncomment thread: none in this site"
        return budget + (
            f"\ncomment thread, counted apart: largest {self.thread_page}: {self.thread.bytes:,} B for "
            f"{self.thread.comments} comments ({self.thread.markup_per_comment:,.0f} B of markup a comment "
            f"beyond their text) + comments.css {self.comments_css_bytes:,} B"
        )


def thread_span(page: bytes) -> tuple[int, int]:
    """Start and end of the comment thread's ``<section class="comments">`` (0, 0 when none)."""
    start = page.find(b'<section class="comments"')
    if start < 0:
        return 0, 0
    responses = page.find(b'id="responses-heading"', start)
    end = page.index(b"</section>", responses if responses >= 0 else start) + len(b"</section>")
    if responses >= 0:  # the allied responses are a section inside the thread's section
        end = page.index(b"</section>", end) + len(b"</section>")
    return start, end


def measure_thread(page: bytes) -> Thread:
    start, end = thread_span(page)
    thread = page[start:end]
    return Thread(len(thread), len(_TAG.sub(b"", thread)), thread.count(b'<li class="comment'))


def diary_pages(output: Path) -> list[Path]:
    """Every diary's own page (not the lists under /diaries/: their words are no member's handle)."""
    from .plugin import reserved_handles

    lists = reserved_handles()  # /diaries/page/2/, /diaries/recommended/... as the plugins declare them
    return [p for p in sorted(output.glob("diaries/*/*/index.html")) if p.parts[-3] not in lists]


def diary_weight(output: Path) -> DiaryWeight:
    """Measure the built site in ``output`` (it must have at least one diary)."""
    css_path = output / "theme" / "css" / "site.css"
    comments_css = output / "theme" / "css" / "comments.css"
    pages = {path: path.read_bytes() for path in diary_pages(output)}
    without = {path: data[: thread_span(data)[0]] + data[thread_span(data)[1] :] for path, data in pages.items()}
    heaviest = max(without, key=lambda p: len(without[p]))
    threads = {path: measure_thread(data) for path, data in pages.items()}
    largest = max(threads, key=lambda p: threads[p].bytes)
    css = css_path.read_bytes()
    return DiaryWeight(
        page=heaviest.relative_to(output).as_posix(),
        html_bytes=len(without[heaviest]),
        css_bytes=len(css),
        gzip_bytes=len(gzip.compress(without[heaviest], 9)) + len(gzip.compress(css, 9)),
        thread_page=largest.relative_to(output).as_posix(),
        thread=threads[largest],
        comments_css_bytes=comments_css.stat().st_size if comments_css.is_file() else 0,
    )
