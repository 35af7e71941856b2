"""``python tasks.py new <kind>``, built from the starters the plugins declare.

A plugin declares each kind of file a writer starts as a :class:`Starter` in its
``PluginSpec.starters`` (plugins/<name>/spec.py): the starter text, where the file goes,
and what the command takes (:class:`Ask`: an argument or option, checked with the same
converter as ``check``, asked for when missing). :func:`new_command` turns a declaration
into the click command; the plugin keeps only what is its own, in hooks named by the
declaration (``prepare``: check the answers and work out the text's values; ``after``:
read the new file back). The same declaration serves the web-editor links
(:func:`starter_text`), so what a member gets from the command line and from the forge's
web editor is the same.

Starters ask rather than guess: what only the writer knows is left empty with a comment,
or written as a question-like example text; ``check`` reports every example text left
unchanged as an error naming the field. Those example texts are found in the declared
starters themselves (:func:`starter_placeholders`), never listed twice.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

# Stands for what the writer typed (a title, a handle) when a starter is rendered to find
# its own example texts: values containing it are the writer's, not the starter's.
GIVEN = "zzgivenzz"

# Characters YAML will not read raw inside a double-quoted string; JSON leaves them as they are.
NOT_PRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def quoted(text: str) -> str:
    """``text`` as a double-quoted YAML string: the one quoting helper of every ``new`` command."""
    escaped = json.dumps(str(text), ensure_ascii=False)  # JSON strings are YAML double-quoted strings
    return NOT_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", escaped)


def slug_of(title: str, fallback: str = "untitled") -> str:
    """The file name and address a ``new`` command makes from a title: the one slug helper."""
    from slugify import slugify

    return slugify(str(title), max_length=60, word_boundary=True) or fallback


def _sentence(value: Any) -> str | None:
    """An example text: a string of three words or more that the writer did not give."""
    if isinstance(value, str) and GIVEN not in value and len(value.split()) >= 3:
        return " ".join(value.split())
    return None


@dataclass(frozen=True)
class Ask:
    """One thing ``new <kind>`` takes from the writer.

    ``option``: ``"--slug"``, ``"--remote/--on-site"`` (a yes/no pair), or empty for a
    positional argument. ``convert``: a converter (``netroots.schema``, or ``"module:name"`` in
    the plugin) run on a value given on the command line (a bad one stops before any question)
    and on each answer (a bad one is asked again). ``check(value, values)``: the same, for a
    rule that needs the other answers. ``prompt``: ask for it when missing (``{name}`` fields
    are filled from the answers so far); ``when(values)``: ask only then.
    """

    name: str
    help: str = ""
    option: str = ""
    convert: Callable[[Any], Any] | str | None = None
    check: str | Callable[[Any, Mapping[str, Any]], Any] = ""
    prompt: str = ""
    when: Callable[[Mapping[str, Any]], bool] | None = None
    default: Any = None
    choices: tuple[str, ...] = ()
    multiple: bool = False
    required: bool = False
    optional: bool = False  # an empty answer means "none"
    metavar: str | None = None


@dataclass(frozen=True)
class Starter:
    """A kind of file ``python tasks.py new <kind>`` starts, declared in ``PluginSpec.starters``.

    ``path``: where the file goes under content/, filled from the values ``prepare`` returns
    (``"jobs/{slug}.md"``); its ``{...}`` parts become ``*`` for the glob of the files it starts.
    ``text``: the starter text, a ``str.format`` template over the same values. ``sample``: the
    values that render it when the writer's own are :data:`GIVEN` (the rest are GIVEN), so its
    example texts can be found. Hooks in the plugin, named ``"cli:name"``:
    ``begin(settings, content, values) -> values`` adds what the questions depend on (a default
    date, a setting); ``prepare(settings, content, values) -> values`` checks the answers together
    (raise ``click.UsageError``) and works out the path's and the text's values;
    ``after(settings, content, path) -> Report`` reads the file back (problems are printed; errors exit 1).
    ``next``: the hint printed last, with ``{path}`` and the values.
    """

    kind: str
    help: str
    path: str
    text: str
    asks: tuple[Ask, ...] = ()
    sample: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    begin: str | Callable[..., Any] = ""
    prepare: str | Callable[..., Any] = ""
    after: str | Callable[..., Any] = ""
    next: str = ""
    exists: str = "choose another title"  # said when the file is already there
    examples: bool = True  # `check` reports its example texts left unchanged (tasks.py check)

    @property
    def pattern(self) -> str:
        """The glob (under content/) of the files this starter starts."""
        return re.sub(r"(\{[^}]*\})+", "*", self.path).replace("*-*", "*")

    def fields(self) -> list[str]:
        return [name for _, name, _, _ in string.Formatter().parse(self.text) if name]

    def render(self, values: Mapping[str, Any]) -> str:
        return self.text.format(**values)

    def sample_text(self) -> str:
        return self.render({**dict.fromkeys(self.fields(), GIVEN), **self.sample})


def declared_starters(specs: Any = None) -> dict[str, tuple[Any, Starter]]:
    """kind -> (the declaring plugin's spec, its Starter): every plugin of the project, or ``specs``."""
    from .plugin import project_specs

    found: dict[str, tuple[Any, Starter]] = {}
    for spec in project_specs() if specs is None else specs:
        for starter in spec.starters:
            found[starter.kind] = (spec, starter)
    return found


def starter_text(kind: str, **values: Any) -> str:
    """The text ``new <kind>`` would write with ``values`` (the web-editor links use it)."""
    return declared_starters()[kind][1].render(values)


@cache
def starter_placeholders(starter: Starter) -> dict[str, frozenset[str]]:
    """The example texts in a starter: ``{"bio": {...}, "letter.subject": {...}, "body": {lines}}``."""
    from .source import parse_yaml, split_front_matter

    text = starter.sample_text()
    body = ""
    if text.startswith("---"):
        front, body, _ = split_front_matter(text)
        data = parse_yaml(front)[0]
    else:
        data = parse_yaml(text)[0]
    found: dict[str, set[str]] = {}
    pending: list[tuple[str, Any]] = [("", data)]
    while pending:
        prefix, value = pending.pop()
        if isinstance(value, dict):
            pending.extend((f"{prefix}{key}.", item) for key, item in value.items())
        elif (sentence := _sentence(value)) is not None:
            found.setdefault(prefix.rstrip("."), set()).add(sentence)
    lines = {sentence for line in body.splitlines() if (sentence := _sentence(line.strip()))}
    if lines:
        found["body"] = lines
    return {name: frozenset(texts) for name, texts in found.items()}


# -- the generated command ---------------------------------------------------------------


def _hook(plugin: str, name: str | Callable[..., Any] | None) -> Callable[..., Any] | None:
    """A function a declaration names: ``"cli:prepare"`` in the plugin's package, or itself."""
    if not name or callable(name):
        return name or None
    module, _, attribute = name.partition(":")
    return getattr(importlib.import_module(f"{plugin}.{module}"), attribute)


def _converter(plugin: str, ask: Ask, values: Mapping[str, Any], steps: str = "convert check") -> Callable[[Any], Any]:
    """The ask's converter and check (or one of them) as one function raising ``schema.Invalid``."""
    convert = _hook(plugin, ask.convert) if "convert" in steps else None
    check = _hook(plugin, ask.check) if "check" in steps else None

    def run(value: Any) -> Any:
        if ask.optional and not str(value).strip():
            return None
        value = convert(value) if convert else value
        return check(value, values) if check else value

    return run


def _check_given(plugin: str, ask: Ask, value: Any, values: Mapping[str, Any], steps: str) -> Any:
    """A value given on the command line, checked as an answer would be (``''`` stays empty)."""
    import click

    from . import schema

    if value in (None, "", ()) or ask.multiple or ask.choices or "/" in ask.option:
        return value
    try:
        return _converter(plugin, ask, values, steps)(value)
    except schema.Invalid as exc:
        raise click.BadParameter(exc.message, param_hint=ask.option.split("/")[0] or ask.name) from None


def _ask(plugin: str, ask: Ask, values: Mapping[str, Any]) -> Any:
    """Ask the writer, again and again until the answer passes the same converter as ``check``."""
    import click

    from . import schema

    text = ask.prompt.format(**values)
    if "/" in ask.option:
        return click.confirm(text, default=bool(ask.default))
    if ask.choices:
        return click.prompt(text, type=click.Choice(ask.choices))
    convert = _converter(plugin, ask, values)

    def proc(value: str) -> Any:
        try:
            return convert(value)
        except schema.Invalid as exc:
            raise click.UsageError(exc.message) from None

    if ask.optional:
        return click.prompt(text, default="", show_default=False, value_proc=proc)
    return click.prompt(text, value_proc=proc)


def _parameter(ask: Ask) -> Any:
    import click

    if not ask.option:
        return click.Argument([ask.name], required=True)
    choice = click.Choice(ask.choices) if ask.choices else None
    # A required option gets no default at all: click 8.3 takes an explicit None as a given value,
    # so a required option left out reached the plugin as None (a traceback) instead of "Missing option".
    default = {} if ask.required and ask.default is None else {"default": ask.default}
    return click.Option(
        [ask.option, ask.name],
        help=ask.help,
        type=choice,
        **default,
        show_default=bool(ask.choices and ask.default),
        multiple=ask.multiple,
        required=ask.required,
        metavar=ask.metavar,
    )


def shown(path: Path, content: Path) -> str:
    """A path as the writer would type it: from where they stand, else from the project's folder."""
    for base in (Path.cwd(), content.parent):
        try:
            return str(path.relative_to(base))
        except ValueError:
            continue
    return str(path)


def run_starter(plugin: str, starter: Starter, given: dict[str, Any]) -> None:
    """What every ``new`` command does: check what was given, ask for what is missing, let the
    plugin work out the text's values, write the file where the declaration says, and read it back."""
    import click

    from .build import cli_settings
    from .today import ENV_TODAY

    content_option, today = given.pop("content_option", None), given.pop("today_option", None)
    if today is not None:
        os.environ[ENV_TODAY] = today.date().isoformat()
    settings = cli_settings()
    content = Path(content_option or settings["PATH"]).resolve()  # it may not exist yet
    settings["PATH"] = str(content)
    values = _starter_values(plugin, starter, settings, content, given)
    path = content / starter.path.format(**values)
    if path.exists():
        raise click.UsageError(
            f"{shown(path, content)} already exists" + (f"; {starter.exists}" if starter.exists else "")
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(starter.render(values), encoding="utf-8")
    click.echo(f"Created {shown(path, content)}")
    _read_back(plugin, starter, settings, content, path, values)


def _starter_values(
    plugin: str, starter: Starter, settings: dict[str, Any], content: Path, given: dict[str, Any]
) -> dict[str, Any]:
    """The starter text's values: what was given (checked), the answers to what was missing, and
    what the plugin works out from them (its ``begin`` and ``prepare`` hooks)."""
    values: dict[str, Any] = {}
    for ask in starter.asks:  # what was given is checked first, so a typo fails before any question
        values[ask.name] = _check_given(plugin, ask, given.get(ask.name), values, "convert")
    begin = _hook(plugin, starter.begin)
    values = begin(settings, content, values) if begin else values
    for ask in starter.asks:  # then the rules that relate one answer to another
        if ask.check:
            values[ask.name] = _check_given(plugin, ask, values[ask.name], values, "check")
    for ask in starter.asks:
        if values[ask.name] is None and ask.prompt and (ask.when is None or ask.when(values)):
            values[ask.name] = _ask(plugin, ask, values)
    prepare = _hook(plugin, starter.prepare)
    return prepare(settings, content, values) if prepare else values


def _read_back(
    plugin: str, starter: Starter, settings: dict[str, Any], content: Path, path: Path, values: dict[str, Any]
) -> None:
    """Check the new file as the build will (the ``after`` hook) and say what to do next; exit 1
    when the file has errors, so a script notices."""
    import click

    after = _hook(plugin, starter.after)
    report = after(settings, content, path) if after else None
    for problem in sorted(report.problems) if report else ():
        click.echo(str(problem), err=True)
    if starter.next:
        click.echo(starter.next.format(**{**values, "path": shown(path, content)}))
    if report is not None and report.errors:
        raise SystemExit(1)


def new_command(plugin: str, starter: Starter) -> Any:
    """The click command ``new <kind>`` for a declared starter."""
    import click

    from .today import ENV_TODAY

    def callback(**given: Any) -> None:
        run_starter(plugin, starter, given)

    parameters = [_parameter(ask) for ask in starter.asks] + [
        click.Option(
            ["--content", "content_option"],
            type=click.Path(file_okay=False, path_type=Path),
            help="The content folder (default: the site's, from pelicanconf.py).",
        ),
        click.Option(
            ["--today", "today_option"],
            type=click.DateTime(formats=["%Y-%m-%d"]),
            help=f"Work as if today were this date (also: {ENV_TODAY}=YYYY-MM-DD).",
        ),
    ]
    return click.Command(starter.kind, callback=callback, params=parameters, help=starter.help)


def add_new_commands(new: Any) -> None:
    """``new <kind>`` for every starter the project's plugins declare."""
    for kind, (spec, starter) in sorted(declared_starters().items()):
        new.add_command(new_command(spec.name, starter), kind)
