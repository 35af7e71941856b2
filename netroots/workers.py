"""Work split into shares over forked worker processes (reading ahead, rendering pages).

Forked, so the workers share the build's objects (settings, readers, templates) without
pickling them; each sends back one answer. A worker that fails or dies is reported as such,
never raised in it: the caller decides what a missing share means.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from typing import Any

# A share's work: ``work(share, shares)`` returns what the worker sends back (picklable).
Work = Callable[[int, int], Any]


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
    try:
        send.send(("ok", work(share, shares)))
    except BaseException as exc:
        send.send(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()[-3000:]}"))
    finally:
        send.close()
