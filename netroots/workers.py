"""Work split into shares over forked worker processes (reading ahead, rendering pages).

Forked, so the workers share the build's objects (settings, readers, templates) without
pickling them; each sends back one answer. A worker that fails or dies is reported as such,
never raised in it: the caller decides what a missing share means.
"""

from __future__ import annotations

import gc
import multiprocessing
import traceback
from collections.abc import Callable
from typing import Any

# A share's work: ``work(share, shares)`` returns what the worker sends back (picklable).
Work = Callable[[int, int], Any]
# Seconds a process waits for ``Runs``' lock: a live holder keeps it for microseconds, so
# one that keeps it this long died holding it (killed, out of memory).
LOCK_WAIT = 10.0


def in_workers(shares: int, work: Work, here: bool = False) -> list[tuple[bool, Any]]:
    """Run ``work(share, shares)`` for every share in its own forked process; returns, in
    share order, ``(True, answer)`` or ``(False, what went wrong)``. With ``here``, share 0
    runs in this process meanwhile (and what it raises is raised)."""
    forked = multiprocessing.get_context("fork")
    children = []
    for share in range(1 if here else 0, shares):
        receive, send = forked.Pipe(duplex=False)
        process = forked.Process(target=_child, args=(work, share, shares, send), daemon=True)
        process.start()
        send.close()
        children.append((process, receive))
    answers = [(True, work(0, shares))] if here else []
    for process, receive in children:
        try:
            status, payload = receive.recv()
        except EOFError:
            status, payload = "error", "a worker process ended without an answer"
        process.join()
        answers.append((status == "ok", payload))
    return answers


def _child(work: Work, share: int, shares: int, send: Any) -> None:
    gc.freeze()  # what the build made is the parent's: a collection walking it would copy its pages
    try:
        send.send(("ok", work(share, shares)))
    except BaseException as exc:
        send.send(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()[-3000:]}"))
    finally:
        send.close()


class Runs:
    """Runs of ``range(count)`` that forked workers take as they go, ``size`` at a time, from
    the start or from the end (shared memory, made before forking): work whose cost is
    unknown ahead balances itself, and what is near the start stays apart from what is near
    the end."""

    def __init__(self, count: int, size: int) -> None:
        forked = multiprocessing.get_context("fork")
        self.lock = forked.Lock()
        self.ends = forked.RawArray("q", [0, count])  # the first and after the last not taken
        self.size = size

    def take(self, from_end: bool = False) -> range | None:
        """The next run; None when all are taken, or when a process died holding the lock (the
        caller then does what no process answered for, as for a worker that died)."""
        if not self.lock.acquire(timeout=LOCK_WAIT):
            return None
        try:
            first, last = self.ends
            if first >= last:
                return None
            if from_end:
                self.ends[1] = first = max(first, last - self.size)
            else:
                self.ends[0] = last = min(last, first + self.size)
            return range(first, last)
        finally:
            self.lock.release()
