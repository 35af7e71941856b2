"""Run a Pelican build the way every Netroots command does, and summarize it."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pelican import Pelican, generators
from pelican.settings import read_settings

from .generators import ArticlesGenerator, StaticGenerator
from .html import content_security_policy
from .plugin import start

ROOT = Path(__file__).resolve().parent.parent
DEMO_SITEURL = "https://commons.example.org"  # the demo network's address in publishconf.py


class ProblemCounter(logging.Handler):
    """Counts the errors and warnings a build logs, for its closing summary."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        target = self.errors if record.levelno >= logging.ERROR else self.warnings
        target.append(record.getMessage())


@dataclass
class BuildResult:
    output: Path
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: str = ""  # what the incremental writer did: "rendered 3 of 1312 pages, ..."


def load_settings(
    publish: bool = False, overrides: Mapping[str, Any] | None = None, root: Path = ROOT
) -> dict[str, Any]:
    """Read pelicanconf.py (or publishconf.py) with ``overrides`` on top; paths are made absolute."""
    config = root / ("publishconf.py" if publish else "pelicanconf.py")
    previous = Path.cwd()
    os.chdir(root)  # Pelican resolves relative settings paths against the config's folder
    try:
        settings = read_settings(str(config), override=dict(overrides or {}))
    finally:
        os.chdir(previous)
    # Content paths are compared with their real paths to refuse symbolic links inside content/.
    settings["PATH"] = os.path.realpath(settings["PATH"])
    # Remote images dropped (PRIVACY["remote_images"], the default): the browser may not fetch any either.
    settings["CONTENT_SECURITY_POLICY"] = content_security_policy(settings)
    # A network publishes in one language, and slugs are unique by their file names: Pelican's
    # search for translations (quadratic in the count of diaries) would find none.
    settings["ARTICLE_TRANSLATION_ID"] = settings["PAGE_TRANSLATION_ID"] = None
    return settings


def cli_settings(publish: bool = False, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Settings for a ``tasks.py`` command: the global ``--content``/``--output`` options apply."""
    import click

    context = click.get_current_context(silent=True)
    root_obj = (context.find_root().obj if context else None) or {}
    return load_settings(publish=publish, overrides={**root_obj.get("overrides", {}), **dict(overrides or {})})


def site_address_warning(settings: Mapping[str, Any]) -> str | None:
    """A published build still pointing at the demo's address would link every feed, sitemap
    entry and canonical URL to someone else's site; say so before it goes out."""
    if str(settings.get("SITEURL", "")).rstrip("/") != DEMO_SITEURL:
        return None
    return (
        f"warning: the site address is still the demo's ({DEMO_SITEURL}): set NETROOTS_SITEURL=https://your.site "
        "or SITEURL in publishconf.py, or feeds, the sitemap and links will point there"
    )


def reset_plugin_signals() -> None:
    """Disconnect every Pelican signal receiver before a build.

    Plugins connect in ``register()`` on every ``Pelican()``, and blinker keeps receivers
    across runs: without this, a process that builds more than once (tests, ``serve``)
    would keep running plugins left out of PLUGINS, and out of PLUGINS order.
    """
    import blinker
    from pelican.plugins import signals

    for value in vars(signals).values():
        if isinstance(value, blinker.Signal):
            value._clear_state()


def forget_logged_warnings() -> None:
    """Pelican's loggers drop a warning already logged once in this process; each build (a
    second test, every ``serve`` rebuild) must report all of its own."""
    from pelican.log import LimitFilter

    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()


class NetrootsPelican(Pelican):
    """Pelican with the incremental, parallel writer (netroots/incremental.py)."""

    def _get_generator_classes(self):
        from .incremental import FlushGenerator

        ours = {generators.ArticlesGenerator: ArticlesGenerator, generators.StaticGenerator: StaticGenerator}
        found = [ours.get(cls, cls) for cls in super()._get_generator_classes()]
        return [*found, FlushGenerator]

    def _get_writer(self):
        from pelican.plugins import signals

        from .incremental import IncrementalWriter

        if signals.get_writer.receivers:
            return super()._get_writer()
        self.writer = IncrementalWriter(self.output_path, settings=self.settings)
        return self.writer


def keep_compiled_templates(settings: dict[str, Any]) -> None:
    """Jinja keeps compiled templates in ``.cache/jinja/`` (checked against each template's
    source): compiling the theme's templates is otherwise a few seconds of every build.

    Templates are not checked for changes while a build renders (``auto_reload``): every
    ``{% include %}`` and ``{% import %}`` otherwise asks the file system for the template's
    time, about ten times a page. Each build makes its own Jinja environments, so a template
    edited under ``serve`` is read by the next build."""
    from jinja2 import FileSystemBytecodeCache

    from .site import cache_dir

    jinja = dict(settings.get("JINJA_ENVIRONMENT") or {})
    if "bytecode_cache" not in jinja:
        jinja["bytecode_cache"] = FileSystemBytecodeCache(str(cache_dir(settings, "jinja")))
    jinja.setdefault("auto_reload", False)
    settings["JINJA_ENVIRONMENT"] = jinja


@contextmanager
def no_full_collections() -> Iterator[None]:
    """Python's full garbage collections walk every object alive; a build's objects (10,000
    diaries and all they hold) live until it ends, so during a build those walks find nothing
    and took 2 s of a 10 s unchanged build at 10,000 diaries. Young objects are still collected;
    ``serve`` collects fully after each build."""
    young, middle, full = gc.get_threshold()
    gc.set_threshold(young, middle, 1 << 30)
    try:
        yield
    finally:
        gc.set_threshold(young, middle, full)


def build(settings: dict[str, Any]) -> BuildResult:
    """Build the site once; errors in content are logged and counted, never raised."""
    from .manifest import track, untrack

    reset_plugin_signals()
    forget_logged_warnings()
    track(settings)  # before the plugins register: removing stale files comes before the sitemap
    counter = ProblemCounter()
    root_logger = logging.getLogger()
    root_logger.addHandler(counter)
    try:
        start(settings)
        keep_compiled_templates(settings)
        pelican = NetrootsPelican(settings)
        with no_full_collections():
            pelican.run()
    finally:
        root_logger.removeHandler(counter)
        untrack()
    summary = getattr(getattr(pelican, "writer", None), "summary", "")
    return BuildResult(
        output=Path(settings["OUTPUT_PATH"]), errors=counter.errors, warnings=counter.warnings, summary=summary
    )
