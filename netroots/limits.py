"""Limits on what one content file may cost the build, so no member's file can stop or stall it.

``check`` and the build read every file through the same code (``netroots/source.py``,
``render_limited`` below), so a file over a limit is the same ``path:line: error`` in both,
and is left out while everything else builds. README.md ("Limits") lists them with what
each costs; change them here, never per file.
"""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

MAX_FILE_BYTES = 1_000_000  # any Markdown or YAML content file (a long diary is ~50 kB)
MAX_YAML_DEPTH = 32  # nested lists and mappings in front matter or a YAML file
MAX_YAML_NODES = 100_000  # values in one YAML document, counting what each alias repeats
MAX_TAGS = 25  # tags on one diary
MAX_TAG_LENGTH = 60  # characters in one tag (it becomes a file name and an address)
MAX_NESTING = 16  # nested lists or block quotes in a Markdown body
MAX_FUTURE_DAYS = 366  # a diary's date (or update) at most this far after the build's today
MARKDOWN_SECONDS = 5.0  # time to render one Markdown body; past it the file is left out

# A line nested deeper than MAX_NESTING levels: a list item indented past 4 columns a level,
# or more than MAX_NESTING `>` quote markers.
_DEEP_LINE = re.compile(rf"^(?:[ \t]{{{4 * MAX_NESTING + 1},}}\S|(?:[ \t]*>){{{MAX_NESTING + 1},}})", re.MULTILINE)

T = TypeVar("T")


class TimeLimit(Exception):
    """Work on one file took longer than its budget."""


def too_deep(body: str) -> int | None:
    """The line (1-based, in ``body``) nested deeper than ``MAX_NESTING``, if any."""
    match = _DEEP_LINE.search(body)
    return body.count("\n", 0, match.start()) + 1 if match else None


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise ``TimeLimit`` in the block once ``seconds`` have passed (a real-time timer).

    Only the main thread can take signals; elsewhere the block runs without a deadline
    (the build and ``check`` read content in the main thread). Pure-Python work such as
    Python-Markdown is interrupted between bytecodes, so a quadratic input stops on time.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(_signum: int, _frame: object) -> None:
        raise TimeLimit(f"took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def within(seconds: float, work: Callable[[], T]) -> T:
    """``work()`` under ``deadline(seconds)``; RecursionError and MemoryError become TimeLimit
    too, because to the writer they mean the same: this file is too complex to render."""
    try:
        with deadline(seconds):
            return work()
    except RecursionError:
        raise TimeLimit("is nested too deeply to render") from None
    except MemoryError:
        raise TimeLimit("needs too much memory to render") from None
