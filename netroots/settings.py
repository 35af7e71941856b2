"""Each plugin's one UPPERCASE settings dict: declared settings, their kinds, and the check.

A plugin declares its settings as ``Setting(name, default, kind, doc)`` in its ``PluginSpec``
(netroots/plugin.py). ``resolve`` merges ``settings["JOBS"]`` over the defaults and checks
every value against its kind: a bad value is one line naming the setting, what was given
and what is valid, and the default is used instead. Never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("netroots")


@dataclass(frozen=True)
class Kind:
    """What values a setting accepts: ``valid`` says it in words, ``accept`` returns the clean
    value or raises ``ValueError``."""

    valid: str
    accept: Callable[[Any], Any]


@dataclass(frozen=True)
class Setting:
    """One key of a plugin's settings dict, with its default, kind and a one-line doc.

    ``output=False``: the setting says how a build runs or what it writes outside output/
    (worker processes, the week ``tasks.py digest`` mails), never what a page holds; it is
    left out of what every page depends on (``netroots.incremental.world``), so changing it
    renders nothing again and keeps every kept read.
    """

    name: str
    default: Any
    kind: Kind
    doc: str
    output: bool = True


def _bounded(value: Any, minimum: float | None, maximum: float | None, above: float | None) -> Any:
    if minimum is not None and value < minimum:
        raise ValueError
    if maximum is not None and value > maximum:
        raise ValueError
    if above is not None and value <= above:
        raise ValueError
    return value


def _bounds_text(minimum: float | None, maximum: float | None, above: float | None) -> str:
    if minimum is not None and maximum is not None:
        return f" from {minimum} to {maximum}"
    if minimum is not None:
        return f" of at least {minimum}"
    if above is not None:
        return f" above {above}"
    if maximum is not None:
        return f" of at most {maximum}"
    return ""


def whole(minimum: int | None = None, maximum: int | None = None) -> Kind:
    """A whole number (not True/False), within bounds."""

    def accept(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError
        return _bounded(value, minimum, maximum, None)

    return Kind(f"a whole number{_bounds_text(minimum, maximum, None)}", accept)


def number(minimum: float | None = None, maximum: float | None = None, above: float | None = None) -> Kind:
    """A number (whole or decimal, not True/False), within bounds."""

    def accept(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError
        return _bounded(value, minimum, maximum, above)

    return Kind(f"a number{_bounds_text(minimum, maximum, above)}", accept)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError
    return value


def _strings(value: Any) -> list[str]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
        raise ValueError
    return list(value)


FLAG = Kind("True or False", _flag)
TEXT = Kind("a string in quotes", _text)
STRINGS = Kind("a list of strings, e.g. ['a', 'b']", _strings)


def choice(*options: str) -> Kind:
    def accept(value: Any) -> str:
        if value not in options:
            raise ValueError
        return value

    return Kind(" or ".join(repr(o) for o in options), accept)


def whole_list(minimum: int = 1, *, example: Sequence[int] = (1, 2, 5, 10), sort: bool = False) -> Kind:
    """A non-empty list of whole numbers of at least ``minimum``; ``sort``: ascending, no repeats."""

    def accept(value: Any) -> list[int]:
        if not isinstance(value, (list, tuple)) or not value:
            raise ValueError
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= minimum for v in value):
            raise ValueError
        return sorted(set(value)) if sort else list(value)

    ordered = "ascending " if sort else ""
    return Kind(f"a list of {ordered}whole numbers of at least {minimum}, e.g. {list(example)}", accept)


def either(*kinds: Kind) -> Kind:
    """Any of ``kinds``, tried in order."""

    def accept(value: Any) -> Any:
        for kind in kinds:
            try:
                return kind.accept(value)
            except ValueError:
                continue
        raise ValueError

    return Kind(" or ".join(k.valid for k in kinds), accept)


def exactly(value: Any) -> Kind:
    """One literal value, e.g. ``exactly(None)`` in ``either(TEXT, exactly(None))``."""

    def accept(given: Any) -> Any:
        if given != value or type(given) is not type(value):
            raise ValueError
        return given

    return Kind(repr(value), accept)


def optional(kind: Kind) -> Kind:
    """``kind`` or None."""
    return either(kind, exactly(None))


def _given(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def resolve(
    settings: Mapping[str, Any], name: str, declared: Sequence[Setting], problems: list[str] | None = None
) -> dict[str, Any]:
    """``settings[name]`` over the declared defaults, every value checked against its kind.

    Each problem is one line; it goes to ``problems`` when given, else to the log as an error.
    """
    found: list[str] = []
    defaults = {s.name: s.default for s in declared}
    given = settings.get(name) or {}
    if not isinstance(given, Mapping):
        found.append(
            f"{name}: the setting must be a dict like {name} = {{...}}, not {_given(given)}; using the defaults"
        )
        given = {}
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        logger.warning("%s: unknown setting(s) %s; known: %s", name, ", ".join(unknown), ", ".join(sorted(defaults)))
    merged: dict[str, Any] = {}
    for setting in declared:
        if setting.name not in given:
            merged[setting.name] = _copy(setting.default)
            continue
        value = given[setting.name]
        try:
            merged[setting.name] = setting.kind.accept(value)
        except ValueError:
            found.append(
                f"{name}: {setting.name} must be {setting.kind.valid}, not {_given(value)}; "
                f"using the default {setting.default!r}"
            )
            merged[setting.name] = _copy(setting.default)
    tell(found, problems)
    return merged


def tell(found: list[str], problems: list[str] | None) -> None:
    """Add ``found`` to ``problems`` (``check`` reports them at their file), or log each as an error."""
    if problems is not None:
        problems.extend(found)
        return
    for problem in found:
        logger.error("%s", problem)


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else dict(value) if isinstance(value, dict) else value
