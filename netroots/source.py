"""Read content files: decode strictly, split YAML front matter, keep line numbers.

Every loader in Netroots goes through here, so a writer sees the same clear
message for the same mistake whichever kind of file they edited.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import limits

# libyaml's loader when PyYAML was built with it (it is, in the pinned wheels): 10x faster.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*\r?$\n?", re.M | re.S)


class SourceError(Exception):
    """A file that cannot be read at all; ``line`` points at the cause."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Source:
    """A parsed content file: its data, where each field stands, and its body."""

    path: Path
    data: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1

    def line(self, *keys: str | int) -> int:
        """Line of the deepest known key along ``keys`` (``line("updates", 0, "date")``)."""
        best = 1
        for depth in range(1, len(keys) + 1):
            dotted = ".".join(str(k) for k in keys[:depth])
            if dotted in self.lines:
                best = self.lines[dotted]
        return best


def read_bytes(path: Path) -> bytes:
    """A content file's bytes; never through a symbolic link (a link could publish any file on
    the machine), never from a device or pipe (which could block the build for ever)."""
    absolute = os.path.abspath(path)
    if os.path.realpath(os.path.dirname(absolute)) != os.path.dirname(absolute):
        raise SourceError("this file is inside a folder that is a symbolic link; content files must be real files")
    try:
        descriptor = os.open(absolute, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if os.path.islink(absolute):
            raise SourceError("this file is a symbolic link; content files must be real files, not links") from None
        raise SourceError(f"cannot read this file ({exc.strerror})") from None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise SourceError("this is not a regular file; content files are Markdown or YAML text")
        raw = handle.read(limits.MAX_FILE_BYTES + 1)
    if len(raw) > limits.MAX_FILE_BYTES:
        raise SourceError(
            f"the file is larger than {limits.MAX_FILE_BYTES // 1000} kB, the limit for one content file; "
            "split it, or move pictures and data out of it"
        )
    return raw


def read_text(path: Path) -> str:
    """Return the file's text, or raise SourceError for empty, binary or non-UTF-8 files."""
    raw = read_bytes(path)
    if not raw.strip():
        need = "YAML front matter between --- lines" if path.suffix == ".md" else "YAML `field: value` lines"
        raise SourceError(f"the file is empty; it needs {need}")
    if b"\x00" in raw[:8192]:
        raise SourceError("this is a binary file, not UTF-8 text; content files are Markdown or YAML")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8", line) from None


def _walk(node: yaml.Node, prefix: str, lines: dict[str, int], offset: int) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = f"{prefix}{key_node.value}"
            line = key_node.start_mark.line + 1 + offset
            if key in lines:
                raise SourceError(f"`{key_node.value}` is given twice (lines {lines[key]} and {line}); keep one", line)
            lines[key] = line
            _walk(value_node, key + ".", lines, offset)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            key = f"{prefix}{index}"
            lines[key] = item.start_mark.line + 1 + offset
            _walk(item, key + ".", lines, offset)


def _first_bad_scalar_line(node: yaml.Node) -> int:
    """The line of the first scalar PyYAML cannot turn into a value (1 if none is found)."""
    constructor = yaml.constructor.SafeConstructor()
    pending = [node]
    while pending:
        current = pending.pop(0)
        if isinstance(current, yaml.ScalarNode):
            try:
                constructor.construct_object(current)
            except (ValueError, TypeError, OverflowError, yaml.YAMLError):
                return current.start_mark.line + 1
        elif isinstance(current, yaml.SequenceNode):
            pending.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                pending.extend((key, value))
    return 1


def check_shape(text: str, line_offset: int = 0) -> None:
    """Refuse YAML whose shape alone would stop the build, before anything is built from it:
    nesting deeper than ``MAX_YAML_DEPTH`` (libyaml recurses and can crash), an alias to itself,
    and aliases that repeat more than ``MAX_YAML_NODES`` values ("billion laughs").

    Events come from libyaml one at a time, without recursion; syntax errors are left to the
    parse that follows, which reports them with their line.
    """
    depth = 0
    expanded = 0
    sizes: dict[str, int] = {}
    open_nodes: list[tuple[str | None, int]] = []  # (anchor, ``expanded`` when it opened)

    def fail(message: str, event: yaml.Event) -> SourceError:
        return SourceError(message, event.start_mark.line + 1 + line_offset)

    try:
        for event in yaml.parse(text, Loader=YAML_LOADER):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                expanded += 1
                if depth > limits.MAX_YAML_DEPTH:
                    raise fail(f"nested more than {limits.MAX_YAML_DEPTH} levels deep; write flatter YAML", event)
                open_nodes.append((event.anchor, expanded))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
                anchor, start = open_nodes.pop()
                if anchor:
                    sizes[anchor] = expanded - start + 1
            elif isinstance(event, yaml.ScalarEvent):
                expanded += 1
                if event.anchor:
                    sizes[event.anchor] = 1
            elif isinstance(event, yaml.AliasEvent):
                if event.anchor not in sizes:
                    raise fail(f"the alias *{event.anchor} refers to itself or to nothing; write the value out", event)
                expanded += sizes[event.anchor]
            if expanded > limits.MAX_YAML_NODES:
                raise fail(
                    f"more than {limits.MAX_YAML_NODES:,} values once aliases (*name) are expanded; "
                    "write the values out instead of repeating aliases",
                    event,
                )
    except yaml.YAMLError:
        return


def parse_yaml(text: str, line_offset: int = 0) -> tuple[Any, dict[str, int]]:
    """Parse YAML once, returning the data and a ``dotted.key -> line`` map."""
    check_shape(text, line_offset)
    loader = YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        problem = exc.problem or "invalid YAML"
        if "\\t" in problem or "tab" in problem:
            column = f", column {mark.column + 1}" if mark else ""
            raise SourceError(
                f"a tab character{column}: YAML indents with spaces only; replace the tab with spaces", line
            ) from None
        raise SourceError(
            f"YAML syntax error: {problem}; check indentation, and quote values that contain ': ' or start with a symbol",
            line,
        ) from None
    except yaml.YAMLError as exc:
        raise SourceError(f"YAML error: {exc}", 1 + line_offset) from None
    except (ValueError, TypeError, OverflowError):
        # PyYAML checks a date's form but not the calendar: 2026-02-30 fails here.
        line = _first_bad_scalar_line(node) + line_offset
        raise SourceError(
            "a date that is not on the calendar (or a value YAML cannot read); write a real date, e.g. 2026-02-28",
            line,
        ) from None
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    _walk(node, "", lines, line_offset)
    return data, lines


def read_yaml(path: Path) -> Source:
    """Read a YAML data file whose top level is a mapping."""
    data, lines = parse_yaml(read_text(path))
    if not isinstance(data, dict):
        raise SourceError("the file must be a YAML mapping of `field: value` lines")
    return Source(path=path, data=data, lines=lines)


def read_yaml_any(path: Path) -> tuple[Any, dict[str, int]]:
    """Read a YAML data file of any shape (allies.yaml is a list)."""
    return parse_yaml(read_text(path))


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Return ``(front matter, body, line where the body starts)``."""
    match = FRONT_MATTER.match(text)
    if not match and re.match(r"\A(?:\ufeff)?---[ \t]*\r?$", text, re.M):
        raise SourceError(
            "the front matter's closing `---` line is missing: the file opens with `---` here, so add a "
            "line `---` after the last field (like `status: draft`), then write the body below it"
        )
    if not match:
        raise SourceError(
            "no YAML front matter: the file must start with a line `---`, then fields like "
            "`title: My title`, then a closing `---`"
        )
    body = text[match.end() :]
    body_line = text[: match.end()].count("\n") + 1
    return match.group(1), body, body_line


def read_markdown(path: Path) -> Source:
    """Read a Markdown file with YAML front matter."""
    front, body, body_line = split_front_matter(read_text(path))
    data, lines = parse_yaml(front, line_offset=1)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SourceError("the front matter must be `field: value` lines", 2)
    return Source(path=path, data=data, lines=lines, body=body, body_line=body_line)
