"""Plugin contracts: each plugin declares what it reads, provides and needs, in one place.

Every plugin's ``__init__.py`` exposes ``SPEC = PluginSpec(...)`` (written in the plugin's
``spec.py``). The core builds the rest from these declarations:

- the settings check: ``SPEC.options(settings)`` is the plugin's settings dict, every value
  checked against its declared kind (netroots/settings.py);
- the start-up check (``start``): settings checked once, and the order of ``PLUGINS``: a plugin
  that needs a context key must come after the plugin that provides it;
- the layout check (netroots/check.py): every file under content/ is declared by some plugin;
- docs/settings.md (``settings_markdown``; ``python tasks.py settings-doc`` writes it);
- ``offered(settings, name)``: a function another plugin declares in ``offers`` (the core
  imports it; plugins never import each other), or None when that plugin is not in PLUGINS;
- ``build_state(settings, name)``: a plugin's scratch dict for one build (``serve`` rebuilds
  in one process, so nothing per-build may live at module level);
- ``reserved_handles()``: the site addresses no member's handle may take (each plugin declares
  the words it uses in ``url_words``).

The core declares its own settings the same way (netroots/core.py: ``NETROOTS_BUILD``, ``FORGE``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .settings import Setting, resolve, tell

if TYPE_CHECKING:
    from .starters import Starter

# Files under content/ that no plugin owns: Pelican's own pages and the images it copies.
CORE_CONTENT = ("pages/*.md", "pages/*/*.md", "images/*", "images/*/*")


@dataclass(frozen=True)
class Content:
    """A kind of file a plugin reads: a glob under content/ (``jobs/*.md``) and what it is."""

    pattern: str
    doc: str


@dataclass(frozen=True)
class PluginSpec:
    """One plugin's contract.

    ``provides``: the Pelican context keys it writes (in ``generate_context`` or, for
    ``tasks.py check``, in its ``check``). ``requires``: keys it cannot work without; the
    plugin providing each must come earlier in PLUGINS. ``uses``: keys it reads when present
    (from an optional plugin); when the provider is in PLUGINS it must come earlier too.
    ``optional``: the site still builds when the plugin is left out of PLUGINS.
    ``url_words``: addresses it writes beside the members' own (``/diaries/recommended/``), so
    no member may take them as a handle.
    """

    name: str
    doc: str
    settings_name: str = ""
    settings: tuple[Setting, ...] = ()
    content: tuple[Content, ...] = ()
    provides: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    optional: bool = False
    docs: str = ""  # the page in docs/ that explains the plugin, e.g. "docs/jobs.md"
    # Functions other plugins may call, by name: {"read_diary": "model:read_diary"} (module in this plugin).
    offers: Mapping[str, str] = field(default_factory=dict)
    url_words: tuple[str, ...] = ()
    # Content paths one member owns and may change in a pull request that merges by itself:
    # "diaries/{handle}/" (a folder: everything under it) or "members/{handle}.yaml" (one file).
    member_owned: tuple[str, ...] = ()
    # The files a writer starts with `python tasks.py new <kind>` (netroots/starters.py).
    starters: tuple[Starter, ...] = ()
    # Fields of content/members/<handle>.yaml that this plugin reads (netroots.schema.Field): the core
    # validates them with its own and keeps them in `Member.fields`; `member_check` ("model:name",
    # called as name(members, report)) checks what relates one member to another, once all are read.
    member_fields: tuple[Any, ...] = ()
    member_check: str = ""

    def defaults(self) -> dict[str, Any]:
        return {s.name: s.default for s in self.settings}

    def options(self, settings: Mapping[str, Any], problems: list[str] | None = None) -> dict[str, Any]:
        """This plugin's settings dict over its defaults; bad values are reported and replaced."""
        return resolve(settings, self.settings_name, self.settings, problems)


STATE_KEY = "NETROOTS_BUILD_STATE"


def build_state(settings: dict[str, Any], name: str) -> dict[str, Any]:
    """``name``'s scratch dict for this build; ``start`` gives every build a fresh one.

    Pelican hands the same settings dict (and a shallow copy of it as the context) to every
    signal and generator of one build, so this is shared by one build and by no other.
    """
    return settings.setdefault(STATE_KEY, {}).setdefault(name, {})


def offered(settings: Mapping[str, Any], name: str) -> Any:
    """The function ``name`` that a plugin in PLUGINS offers (its SPEC's ``offers``), or None."""
    import importlib

    for spec in enabled_specs(settings):
        if name in spec.offers:
            module, _, attribute = spec.offers[name].partition(":")
            return getattr(importlib.import_module(f"{spec.name}.{module}"), attribute)
    return None


def spec_of(module: ModuleType) -> PluginSpec | None:
    spec = getattr(module, "SPEC", None)
    return spec if isinstance(spec, PluginSpec) else None


def enabled_plugins(settings: Mapping[str, Any]) -> list[ModuleType]:
    """The modules of PLUGINS, in order (Pelican's own loader; imported here so that a
    process that only reads a declaration, like ``fetch``'s parsers, does not load Pelican)."""
    from pelican.plugins._utils import load_plugins

    return load_plugins(settings)


def enabled_specs(settings: Mapping[str, Any]) -> list[PluginSpec]:
    return [spec for spec in map(spec_of, enabled_plugins(settings)) if spec is not None]


def known_specs(settings: Mapping[str, Any]) -> list[PluginSpec]:
    """Every plugin in PLUGIN_PATHS, whether in PLUGINS or not: enabled ones first, in order."""
    from pelican.plugins._utils import load_legacy_plugin

    specs = enabled_specs(settings)
    names = {spec.name for spec in specs}
    paths = [str(p) for p in settings.get("PLUGIN_PATHS", [])]
    for path in paths:
        folder = Path(path)
        if not folder.is_dir():
            continue
        for plugin in sorted(folder.iterdir()):
            if plugin.name in names or not (plugin / "__init__.py").is_file():
                continue
            try:
                spec = spec_of(load_legacy_plugin(plugin.name, paths))
            except Exception:  # a broken plugin that is not in PLUGINS must not stop the build
                continue
            if spec is not None:
                specs.append(spec)
                names.add(spec.name)
    return specs


def order_problems(specs: Sequence[PluginSpec], known: Sequence[PluginSpec] = ()) -> list[str]:
    """One line per context key a plugin needs that no earlier plugin in ``specs`` provides."""
    problems = []
    for index, spec in enumerate(specs):
        for key in (*spec.requires, *spec.uses):
            if any(key in earlier.provides for earlier in specs[:index]):
                continue
            later = next((s for s in specs[index + 1 :] if key in s.provides), None)
            if later is not None:
                problems.append(
                    f"PLUGINS: {spec.name} needs '{key}' from {later.name}, which comes after it; "
                    f"list {later.name} before {spec.name}"
                )
            elif key in spec.requires:
                provider = next((s for s in known if key in s.provides), None)
                if provider is not None:
                    problems.append(
                        f"PLUGINS: {spec.name} needs '{key}' from {provider.name}, which is not in PLUGINS; "
                        f"add {provider.name} before {spec.name}"
                    )
                else:
                    problems.append(f"PLUGINS: {spec.name} needs '{key}', which no plugin provides")
    return problems


def member_owned(settings: Mapping[str, Any]) -> tuple[str, ...]:
    """Every path pattern a member owns, from the plugins in PLUGINS: leave a plugin out and
    its folders need a maintainer (plugins/publish/ownership.py, CODEOWNERS)."""
    return tuple(pattern for spec in enabled_specs(settings) for pattern in spec.member_owned)


def core_specs() -> tuple[PluginSpec, ...]:
    """The core's own declarations (netroots/core.py): settings that belong to no plugin."""
    from .core import CORE_SPECS

    return CORE_SPECS


@cache
def project_specs() -> tuple[PluginSpec, ...]:
    """Every plugin declared in the project's plugins/ folder, whatever the settings say: what a
    member file or a handle may be does not change when a plugin is left out of PLUGINS."""
    from pelican.plugins._utils import load_legacy_plugin

    folder = Path(__file__).resolve().parent.parent / "plugins"
    found = []
    for plugin in sorted(folder.iterdir()) if folder.is_dir() else ():
        if (plugin / "spec.py").is_file():
            try:
                spec = spec_of(load_legacy_plugin(plugin.name, [str(folder)]))
            except Exception:  # a broken plugin: the build names it when it is in PLUGINS
                continue
            if spec is not None:
                found.append(spec)
    return tuple(found)


def reserved_handles() -> frozenset[str]:
    """Words no member may take as a handle: the addresses the core and every plugin of the project
    declare (``url_words``), enabled or not, so enabling a plugin later never takes a member's address."""
    return frozenset(word for spec in (*core_specs(), *project_specs()) for word in spec.url_words)


def start(settings: dict[str, Any], problems: list[str] | None = None) -> list[PluginSpec]:
    """Check PLUGINS' order, the core's and every plugin's settings once, before a build or check.

    Each plugin's checked settings dict replaces the given one in ``settings``, so later
    ``SPEC.options(settings)`` calls see clean values and say nothing more. Problems are
    logged as errors, or added to ``problems`` when given.
    """
    settings[STATE_KEY] = {}
    found: list[str] = []
    specs = enabled_specs(settings)
    found.extend(order_problems(specs, known_specs(settings) if any(s.requires for s in specs) else ()))
    for spec in (*core_specs(), *specs):
        if spec.settings_name:
            settings[spec.settings_name] = spec.options(settings, found)
    tell(found, problems)
    return specs


def content_patterns(specs: Sequence[PluginSpec]) -> list[tuple[str, str]]:
    """(pattern, owning plugin) for every file kind under content/, the core's first."""
    return [(p, "") for p in CORE_CONTENT] + [(c.pattern, s.name) for s in specs for c in s.content]


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def _spec_facts(spec: PluginSpec) -> list[str]:
    """The declaration's facts as bullets: optional or not, what it reads, provides, needs, uses,
    offers and lets members own, and the addresses it reserves."""
    facts = []
    if spec.optional:
        facts.append("- Optional: the site builds without it (leave it out of `PLUGINS`).")
    if spec.content:
        facts.append("- Reads: " + "; ".join(f"`content/{c.pattern}` ({c.doc})" for c in spec.content) + ".")
    for label, keys in (
        ("Reads from member files", [f.name for f in spec.member_fields]),
        ("Provides", spec.provides),
        ("Needs", spec.requires),
        ("Uses when present", spec.uses),
        ("Offers", spec.offers),
        ("Starts (`python tasks.py new ...`)", [s.kind for s in spec.starters]),
    ):
        if keys:
            facts.append(f"- {label}: " + ", ".join(f"`{k}`" for k in keys) + ".")
    if spec.member_owned:
        facts.append(
            "- A member owns: "
            + ", ".join(f"`content/{p}`" for p in spec.member_owned)
            + " (their own changes merge by themselves)."
        )
    if spec.url_words:
        facts.append("- Addresses no member's handle may take: " + ", ".join(f"`{w}`" for w in spec.url_words) + ".")
    return facts


def _settings_table(settings: Sequence[Setting]) -> list[str]:
    """A Markdown table of the settings: name, default, valid values, what each does."""
    lines = ["| Setting | Default | Valid values | What it does |", "| --- | --- | --- | --- |"]
    for s in settings:
        doc = s.doc if s.output else f"{s.doc} Changing it renders no page again."
        lines.append(f"| `{s.name}` | `{_cell(repr(s.default))}` | {_cell(s.kind.valid)} | {_cell(doc)} |")
    lines.append("")
    return lines


def settings_markdown(specs: Sequence[PluginSpec]) -> str:
    """docs/settings.md: the core's settings, then every plugin's settings, content and context keys."""
    lines = [
        "# Settings",
        "",
        "<!-- Generated from each plugin's SPEC (plugins/<name>/spec.py) by `python tasks.py settings-doc`;",
        "     do not edit by hand: tests/test_contracts.py fails when this file is stale. -->",
        "",
        "Each plugin is configured by one UPPERCASE dict in `pelicanconf.py` (or `publishconf.py`),",
        'e.g. `JOBS = {"max_age_days": 45}`. Keys left out keep their defaults. A value of the',
        "wrong kind is reported as one error line naming the setting, and the build goes on with",
        "the default. Plugins run in the order of `PLUGINS`; a plugin that needs a context key",
        "must come after the plugin that provides it.",
        "",
    ]
    for spec in (*core_specs(), *specs):
        title = f"`{spec.settings_name}`: {spec.name}" if spec.settings_name else spec.name
        lines += [f"## {title}", "", spec.doc + (f" See [{spec.docs}]({Path(spec.docs).name})." if spec.docs else "")]
        lines.append("")
        facts = _spec_facts(spec)
        if facts:
            lines += [*facts, ""]
        if spec.settings:
            lines += _settings_table(spec.settings)
    return "\n".join(lines).rstrip() + "\n"
