"""Parse each feed in a process of its own that is killed at its deadline.

feedparser and nh3 can be kept busy for minutes by one hostile feed (4.8 MB of nested
``<div>``), and neither a thread nor a ``ProcessPoolExecutor`` worker can be stopped from
outside. Here every parse is one short-lived process forked from a fork server that has
already imported the parser (milliseconds each, and safe in a process with threads); when
the parse's deadline passes the process is killed, and the feed keeps its last good copy.
A thread per parse only starts the process and waits on its pipe, never past the deadline.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.connection
import os
import sys
import time
from typing import Any

from .parse import NotAFeed, parse_body


class ParseCut(Exception):
    """The parse did not finish before its deadline; its process was killed."""

    def __init__(self, budget: bool) -> None:
        super().__init__("the fetch budget ended" if budget else "parse_timeout passed")
        self.budget = budget


class ParseFailed(Exception):
    """No parse process could run, or one ended without an answer (a crash, no memory)."""


def run_and_send(writer: multiprocessing.connection.Connection, args: tuple[Any, ...]) -> None:
    """The child's whole life: parse, send the answer (or the error) back, exit."""
    try:
        answer: tuple[str, Any] = ("ok", parse_body(*args))
    except NotAFeed as exc:
        answer = ("not a feed", str(exc))
    except Exception as exc:  # one line on the health page, never a traceback
        answer = ("error", f"{type(exc).__name__}: {str(exc)[:150]}")
    writer.send(answer)
    writer.close()


def _context() -> multiprocessing.context.BaseContext | None:
    """A fork server preloaded with the parser (forking a process that has threads is unsafe);
    ``spawn`` where there is none; None where neither exists."""
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn") if "spawn" in methods else None


def _start_server() -> None:
    """Start the fork server now, with this process's import path, so that it really has the
    parser imported (Python 3.11's fork server ignores the path it is handed and silently skips
    a module it cannot import; every parse would then import it again, half a second each)."""
    from multiprocessing import forkserver

    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    try:
        forkserver.ensure_running()
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved


def _run(context: Any, args: tuple[Any, ...], deadline: float) -> tuple[str, Any]:
    """In a thread: start the child, then its answer, or ``("cut", None)`` once ``deadline``
    passes, when the child is killed. Never waits past the deadline."""
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=run_and_send, args=(writer, args), daemon=True, name="netroots-parse")
    try:
        process.start()
    except Exception as exc:
        return ("no process", f"{type(exc).__name__}: {exc}"[:150])
    finally:
        writer.close()
    try:
        if reader.poll(max(0.0, deadline - time.monotonic())):
            return reader.recv()
        return ("cut", None)
    except (EOFError, OSError):
        process.join(1)
        return ("died", process.exitcode)
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        reader.close()


class Parsers:
    """At most ``workers`` parse processes at once, each with a deadline."""

    def __init__(self, workers: int) -> None:
        self.context = _context()
        self.slots = asyncio.Semaphore(max(1, workers))
        self.broken = self.context is None  # then the caller parses in a thread
        if self.context is not None and self.context.get_start_method() == "forkserver":
            try:
                _start_server()
            except Exception:  # no processes here: parse in threads
                self.broken = True
        self.started = 0

    async def parse(self, args: tuple[Any, ...], seconds: float, budget_ends: float) -> dict[str, Any]:
        """``parse_body(*args)`` in a new process, for ``seconds`` from when it starts, and never
        past ``budget_ends``. Raises ``NotAFeed``, ``ParseCut`` (out of time: the process was
        killed; its ``.budget`` says whether the fetch's budget ended it) or ``ParseFailed``."""
        async with self.slots:
            deadline = min(budget_ends, time.monotonic() + seconds)
            if time.monotonic() >= deadline:
                raise ParseCut(budget=True)
            self.started += 1
            kind, value = await asyncio.get_running_loop().run_in_executor(None, _run, self.context, args, deadline)
        if kind == "ok":
            return value
        if kind == "not a feed":
            raise NotAFeed(value)
        if kind == "cut":
            raise ParseCut(budget=deadline == budget_ends)
        if kind == "no process":
            self.broken = True
            raise ParseFailed(f"no parse process could start ({value})")
        if kind == "died":
            raise ParseFailed(f"the parse process stopped without an answer (exit code {value})")
        raise ParseFailed(str(value))
