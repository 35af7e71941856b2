"""Problems found in content, reported as ``path:line: severity: message``."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger("netroots")

# Control characters (and the bidirectional overrides that reorder text) in a member's file
# would reach the terminal or CI log as they are: an escape sequence can erase lines or set
# the clipboard. They are shown as \x1b, \u202e... instead.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with every control character written as an escape (``\x1b``), one line."""
    return _CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


ERROR = "error"
WARNING = "warning"
NOTE = "note"  # not a problem: what check wants the writer to know (a draft, a scheduled diary)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one place in one file."""

    path: str
    line: int
    severity: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


@dataclass
class Report:
    """Collects problems; paths are shown relative to ``root``."""

    root: Path | None = None
    problems: list[Problem] = field(default_factory=list)

    def _display(self, path: Path | str) -> str:
        path = Path(path)
        if self.root is not None:
            root = self.root.resolve()
            # The path as named first: resolving it would show a symbolic link's target instead.
            for candidate in (Path(os.path.abspath(path)), path.parent.resolve() / path.name, path.resolve()):
                try:
                    return candidate.relative_to(root).as_posix()
                except ValueError:
                    continue
        return path.as_posix()

    def add(self, path: Path | str, line: int, severity: str, message: str) -> Problem:
        problem = Problem(printable(self._display(path)), max(line, 1), severity, printable(message))
        if problem not in self.problems:
            self.problems.append(problem)
        return problem

    def error(self, path: Path | str, line: int, message: str) -> Problem:
        return self.add(path, line, ERROR, message)

    def warning(self, path: Path | str, line: int, message: str) -> Problem:
        return self.add(path, line, WARNING, message)

    def note(self, path: Path | str, line: int, message: str) -> Problem:
        return self.add(path, line, NOTE, message)

    def extend(self, problems: list[Problem]) -> None:
        for problem in problems:
            if problem not in self.problems:
                self.problems.append(problem)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    def has_errors_for(self, path: Path | str) -> bool:
        shown = self._display(path)
        return any(p.is_error and p.path == shown for p in self.problems)

    def log(self) -> None:
        """Send every problem to the build log, errors as errors."""
        for problem in sorted(self.problems):
            level = logging.INFO if problem.severity == NOTE else logging.ERROR if problem.is_error else logging.WARNING
            logger.log(level, "%s", problem)


class _PlainFormatter(logging.Formatter):
    """``path:line: error: ...`` lines stay whole; other messages get their level."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.name == "netroots" and message.count(":") >= 2:
            return message
        return f"{record.levelname.lower()}: {message}"


def setup_logging(level: int = logging.WARNING) -> None:
    """Plain one-line log messages on stderr, for terminals and CI logs alike."""
    import sys

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_PlainFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
