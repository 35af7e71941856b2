"""Incremental, parallel output: render only the pages whose inputs changed, on every core.

Every page Pelican or a plugin writes through the writer (``write_file``, ``write_feed``,
``netroots.site.write_page``) is queued, not rendered at once. At the end of the output
phase each queued page gets a fingerprint (``netroots.fingerprint``: its template, the
context names its templates read and the values behind them); a page whose fingerprint,
size and modification time match the last build's record is left as it is, the others
are rendered in worker processes (one per core) and written only when their bytes
changed. Pages the last build wrote and this one did not are deleted. The record is
``.cache/build/pages-<output>.sqlite`` (``netroots.pagerecord``); when settings, templates, Netroots or plugin code
or library versions change, the record is ignored (a full render) and the log says why.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import re
import time
from collections import ChainMap
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from operator import is_, itemgetter
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.urlwrappers import URLWrapper
from pelican.utils import path_to_url, sanitised_join
from pelican.writers import FileOverwriteFailedError, Writer

from .articlecache import kept_objects
from .feeds import FeedStore
from .fingerprint import (
    MISSING,
    TRACK_MIN,
    Digester,
    KeyedDict,
    TemplateNames,
    TrackedDict,
    is_keyed,
    keyed_parts,
    page_fingerprint,
    page_frame,
    receiver_inputs,
)
from .manifest import heard_elsewhere, produced_under, recorded, written_stats
from .pagerecord import SEPARATOR, KeyParts, PageRecord, entry_keys, keys_text
from .plugin import STATE_KEY, build_state
from .report import Report
from .site import output_record, preview_of
from .workers import Runs, in_workers

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
LIBRARIES = ("pelican", "jinja2", "markdown", "nh3", "feedgen", "markupsafe")


def build_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """``NETROOTS_BUILD`` over its declared defaults (netroots/core.py BUILD_SPEC)."""
    from .core import BUILD_SPEC

    return BUILD_SPEC.options(settings)


def _hash_files(paths: list[Path]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(paths):
        digest.update(str(path).encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"-")
    return digest.hexdigest()


def world(settings: dict[str, Any]) -> dict[str, str]:
    """What every page depends on; any change means a full render."""
    import pelican

    theme = Path(settings["THEME"])
    template_dirs = [theme / "templates", Path(pelican.__file__).parent / "themes" / "simple" / "templates"]
    template_dirs += [Path(p) for p in settings.get("THEME_TEMPLATES_OVERRIDES", [])]
    templates = [p for folder in template_dirs if folder.is_dir() for p in folder.rglob("*") if p.is_file()]
    code_dirs = [ROOT / "netroots", *(Path(p) if Path(p).is_absolute() else ROOT / p for p in settings["PLUGIN_PATHS"])]
    code = [p for folder in code_dirs if folder.is_dir() for p in folder.rglob("*.py")]
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name}={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name}=?")
    return {
        "settings": Digester()(_what_settings(settings)).hex(),
        "templates": _hash_files(templates),
        "code": _hash_files(code) + "/" + ",".join(versions),
    }


# Checking a queued page against its record costs about this many times less than rendering
# it: the check is split over worker processes from ``parallel_min`` times this many pages.
CHECKS_PER_RENDER = 32
CHECK_RUN = 256  # pages a worker takes at a time to check (``Runs``): some 10 ms of work


def _what_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The settings output depends on: not this build's state, nor a plugin's setting declared
    ``output=False`` (how many processes work, the week ``tasks.py digest`` mails). A plugin's
    settings dict counts by what it sets otherwise than its defaults: ``NETROOTS_BUILD = {"jobs":
    1}`` in one configuration and none in another are the same output (a build fills the dict
    in with its defaults)."""
    from .core import CORE_SPECS
    from .plugin import enabled_specs

    values = {key: value for key, value in settings.items() if key != STATE_KEY}
    for spec in (*CORE_SPECS, *enabled_specs(settings)):
        options = values.get(spec.settings_name)
        if not spec.settings_name or not isinstance(options, dict):
            continue
        declared = {setting.name: setting for setting in spec.settings}
        kept = {
            key: value
            for key, value in options.items()
            if key not in declared or (declared[key].output and value != declared[key].default)
        }
        if kept:
            values[spec.settings_name] = kept
        else:
            del values[spec.settings_name]
    return values


def _record_path(settings: dict[str, Any], output: str) -> Path:
    return output_record(settings, "build", "pages", output, ".sqlite")


@dataclass
class Job:
    """One page to write: what Pelican's writer would have rendered at once."""

    name: str
    path: str
    template: Any
    own: dict[str, Any]  # what the page adds to the context: SITEURL, its file, what it was written with
    base: dict[str, Any]  # the context as it was when the page was queued (shared: ``IncrementalWriter._base``)
    context: dict[str, Any]
    values: dict[str, Any]  # what the page was written with, besides the context

    @property
    def localcontext(self) -> dict[str, Any]:
        """The context Pelican's writer renders the page with; made only for a page that renders."""
        return {**self.base, **self.own}

    def get(self, name: str, default: Any = None) -> Any:
        """``localcontext.get(name, default)``, without making it."""
        found = self.own.get(name, _ABSENT)
        return self.base.get(name, default) if found is _ABSENT else found

    @property
    def source(self) -> tuple[str | None, str]:
        """Made only when two pages collide: 10,000 pages a build never need it."""
        return source_of(self.values, self.name)


def source_of(values: dict[str, Any], name: str) -> tuple[str | None, str]:
    """(the content file, what it is) a page is written for, from the values it is rendered with."""
    for value in values.values():
        path = getattr(value, "source_path", None) or getattr(value, "path", None)
        if isinstance(path, str | Path) and str(path).endswith((".md", ".yaml")):
            return str(path), f"this {type(value).__name__.lower()}"
    for value in values.values():
        if isinstance(value, URLWrapper):  # named at the first diary that uses it
            first = next(iter(values.get("articles") or []), None)
            return getattr(first, "source_path", None), f"the page of the {type(value).__name__.lower()} '{value.name}'"
    return None, f"the site's page /{name}"


def report_collision(settings: dict[str, Any], name: str, source: tuple[str | None, str], earlier: Job | None) -> None:
    """A second page for one output path: the later one is left out, named with the earlier
    one (netroots.outputs; ``check`` names both before anything is written)."""
    path, what = source
    if earlier is None:
        before = "a feed or file written earlier in this build"
    else:
        before_path, before = earlier.source
        if before_path:
            before = f"{before} ({Path(before_path).name})"
    report = Report(root=Path(settings["PATH"]).resolve().parent)
    report.error(
        path or "pelicanconf.py",
        1,
        f"{what} would be written to /{name}, which {before} already writes; rename one of them (this one is left out)",
    )
    report.log()


def _stat(path: str) -> list[int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return [found.st_size, found.st_mtime_ns]


def _write_if_changed(path: str, text: str | bytes) -> None:
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        with open(path, "rb") as existing:
            if existing.read() == data:
                return
    except OSError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as out:
        out.write(data)


class IncrementalWriter(Writer):
    """Pelican's writer, queueing pages; ``flush`` renders those whose inputs changed."""

    def __init__(self, output_path: str, settings: dict[str, Any] | None = None) -> None:
        super().__init__(output_path, settings=settings)
        self.options = build_settings(self.settings)
        self.jobs: dict[str, Job] = {}
        self.order: list[str] = []
        self.record = PageRecord(_record_path(self.settings, output_path))
        self.root = os.path.join(os.path.abspath(self.output_path), "")  # what ``_relative`` cuts off
        self.world = world(self.settings)
        self.old: dict[str, Any] = {}
        self.loaded: dict[str, Any] | None = None  # the entries as read: those kept are not written again
        self.reason = ""
        self.template_names: dict[str, list[list[str]]] = {}  # template source digest -> names (fingerprint.py)
        self._load()
        self.new: dict[str, Any] = {}
        self.digest: Digester | None = None
        self.names: dict[int, TemplateNames] = {}
        self.tracked: dict[int, TrackedDict] = {}
        self.bases: dict[int, _Copy] = {}  # id of a context -> its copy for the pages queued (``_base``)
        self.last_scalars: tuple[dict[str, Any], bytes] | None = None  # ``_scalars``
        self.diaries = DiaryPages(self)
        self.summary = ""
        self.stats = {"pages": 0, "rendered": 0, "kept": 0, "unchecked": 0, "feeds": 0, "feeds_kept": 0, "deleted": 0}
        self.preview = preview_of(self.settings)
        self.feeds: FeedStore | None = None
        if self.options["incremental"] and not self.preview:
            self.feeds = build_state(self.settings, "feeds")["store"] = FeedStore(self.settings, self.world)

    def _load(self) -> None:
        if not self.options["incremental"]:
            self.reason = "incremental builds are off (NETROOTS_BUILD['incremental'])"
            return
        found = self.record.load()
        if found is None:
            self.reason = "no record of an earlier build of this output folder"
            return
        world, self.old, names = found
        self.loaded = self.old
        changed = [part for part, value in self.world.items() if world.get(part) != value]
        if world.get("templates") == self.world["templates"]:  # else: start afresh
            self.template_names = dict(names)  # a copy: the loaded one is compared
        if changed:
            self.reason = f"{' and '.join(changed)} changed since the last build"
            self.old = {name: {"stat": entry.get("stat")} for name, entry in self.old.items()}  # deletions only

    # Pelican's Writer.write_file, with the page queued instead of rendered.
    def write_file(
        self,
        name,
        template,
        context,
        relative_urls=False,
        paginated=None,
        template_name=None,
        override_output=False,
        url=None,
        **kwargs,
    ):
        if not name:
            return
        from pelican.paginator import Paginator

        def local(context, name, kwargs):
            return _own(name, context.get("localsiteurl", None), relative_urls, kwargs)

        if paginated is None:
            paginated = {key: val for key, val in kwargs.items() if key in {"articles", "dates"}}
        if paginated and template_name in self.settings["PAGINATED_TEMPLATES"]:
            per_page = self.settings["PAGINATED_TEMPLATES"][template_name] or self.settings["DEFAULT_PAGINATION"]
            paginators = {key: Paginator(name, url, val, self.settings, per_page) for key, val in paginated.items()}
            made: dict[tuple[str, int, str], Any] = {}  # one Page and PageLink a number (``_page``, ``_link``)
            base = None  # the list's pages share the copy of the context: nothing changes it in between
            for page_num in range(next(iter(paginators.values())).num_pages):
                paginated_kwargs = kwargs.copy()
                for key, paginator in paginators.items():
                    previous_page = _link(made, key, paginator, page_num) if page_num > 0 else None
                    page = _page(made, key, paginator, page_num + 1)
                    next_page = (
                        _link(made, key, paginator, page_num + 2) if page_num + 1 < paginator.num_pages else None
                    )
                    paginated_kwargs.update(
                        {
                            f"{key}_paginator": paginator,
                            f"{key}_page": page,
                            f"{key}_previous_page": previous_page,
                            f"{key}_next_page": next_page,
                        }
                    )
                save_as = _link(made, key, paginator, page_num + 1).save_as
                base = self._queue(
                    template, local(context, save_as, paginated_kwargs), save_as, context, override_output, kwargs, base
                )
        else:
            self._queue(template, local(context, name, kwargs), name, context, override_output, kwargs)

    def write_pages(
        self,
        context: dict[str, Any],
        pages: Iterable[tuple[str, Any, dict[str, Any], bool]],
        relative_urls: bool = False,
    ) -> None:
        """``write_file(name, template, context, relative_urls, override_output=override,
        **values)`` for each of ``pages`` (name, template, values, override): pages of one
        context, not lists (no ``template_name``), as Pelican's diaries' pages are, 59,000 a
        build at 50,000 diaries. The context's ``localsiteurl``, and each template's names and
        shared copy, are looked up once, not a page each; nothing may change ``context`` while
        ``pages`` is taken (Pelican's loop sends no signal to a receiver between two pages)."""
        if self.preview:
            for name, template, values, override in pages:
                self.write_file(name, template, context, relative_urls, override_output=override, **values)
            return
        localsiteurl = context.get("localsiteurl")
        shared: dict[int, tuple[Any, _Copy, dict[str, Any]]] = {}  # id of a template -> it, its copy
        jobs, queued, bases, key = self.jobs, self.diaries.queued, self.bases, id(context)
        for name, template, values, override in pages:
            if not name:
                continue
            path = self._path(name)
            if not self._claim(path, name, override, values):
                continue
            found = shared.get(id(template))
            if found is None or found[0] is not template or bases.get(key) is not found[1]:
                base = self._base(context, self._names(template))  # again when another template's made a copy
                found = shared[id(template)] = (template, bases[key], base)
            if path in jobs:  # a page written there before, overridden
                jobs[path] = Job(
                    name, path, template, _own(name, localsiteurl, relative_urls, values), found[2], context, values
                )
            else:  # a Job at the flush, if it is not kept as recorded (``DiaryPages``)
                queued[path] = (name, template, values, found[2], context, localsiteurl, relative_urls)

    def _queue(
        self,
        template: Any,
        own: dict[str, Any],
        name: str,
        context: dict,
        override: bool,
        values: dict[str, Any],
        base: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """Queue a page; return the copy of the context the next pages of its list share
        (``base``: made for the first of them queued, None until then)."""
        if self.preview and not _shows(ChainMap(own, context), self.preview):
            return base  # tasks.py preview: only the previewed diary's page
        path = self._path(name)
        if not self._claim(path, name, override, values):
            return base
        if path not in self.jobs:
            self.order.append(path)
        if base is None:
            base = self._base(context, self._names(template))
        self.jobs[path] = Job(name, path, template, own, base, context, values)
        return base

    def _claim(self, path: str, name: str, override: bool, values: dict[str, Any]) -> bool:
        """May a page be queued at ``path``? Pelican's writer's checks: a second page for one
        path is reported and left out, unless it overrides (once)."""
        if path in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{path}" a second time (was previously overwritten)'
                )
            return False
        if path in self._written_files and not override:
            source = source_of(values, name)
            earlier = self.jobs.get(path) or self.diaries.job(path)
            report_collision(self.settings, os.path.relpath(path, self.output_path), source, earlier)
            return False
        if override:
            self._overridden_files.add(path)
        self._written_files.add(path)
        return True

    def _base(self, context: dict[str, Any], names: frozenset[str]) -> dict[str, Any]:
        """A copy of ``context`` for the page, shared with the pages queued before it while every
        name this page's templates read has the same value in both (a name added, removed or set
        since makes a new copy). Pelican's writer copied the context for each page: at 50,000
        diaries, 59,000 copies of 240 names, 0.35 GB."""
        found = self.bases.get(id(context))
        if found is not None and found.context is context and found.holds(context, names):
            return found.copy
        self.bases[id(context)] = found = _Copy(context)
        return found.copy

    def _path(self, name: str) -> str:
        """``sanitised_join(output, name)``: an ordinary name (folders and a file, no ".", ".."
        or empty part) is joined by concatenation, as normalizing would leave it."""
        if type(name) is str and os.sep == "/" and _UNORDINARY.isdisjoint(name.split("/")):
            return self.root + name
        return sanitised_join(self.output_path, name)

    def _digester(self, context: dict[str, Any]) -> Digester:
        if self.digest is None:
            opaque = [self.settings, context, self.settings.get(STATE_KEY)]
            self.digest = Digester(opaque=opaque, kept=kept_objects(self.settings))
        return self.digest

    def _scalars(self, digest: Digester, scalars: dict[str, Any]) -> bytes:
        """``digest(scalars)``, digested again only when a name or value is not the same
        object, in the same place, as the last feed's: Pelican writes every member's and tag's
        feeds from one context (228 digests of the same 150 values at 10,000 diaries)."""
        last = self.last_scalars
        if (
            last is not None
            and len(last[0]) == len(scalars)
            and all(map(is_, chain.from_iterable(last[0].items()), chain.from_iterable(scalars.items())))
        ):
            return last[1]
        found = digest(scalars)
        self.last_scalars = (scalars, found)
        return found

    def write_feed(
        self, elements, context, path=None, url=None, feed_type="atom", override_output=False, feed_title=None
    ):
        if self.preview:
            return None  # tasks.py preview writes the one page, no feeds
        if not path:
            return super().write_feed(elements, context, path, url, feed_type, override_output, feed_title)
        complete = sanitised_join(self.output_path, path)
        relative = os.path.relpath(complete, self.output_path)
        self.stats["feeds"] += 1
        fingerprint = None
        # feed_generated receivers change the feed: what they read is part of its fingerprint
        # (netroots.fingerprint.reads); one that does not say makes the feed be written always.
        inputs = receiver_inputs(signals.feed_generated.receivers_for(context), context)
        if self.options["incremental"] and inputs is not None:
            digest = self._digester(context)
            scalars = {k: v for k, v in context.items() if isinstance(v, (str, int, float, bool, type(None)))}
            items = list(elements[: self.settings["FEED_MAX_ITEMS"]])
            parts = [
                digest(items),
                self._scalars(digest, scalars),
                digest([path, url, feed_type, feed_title]),
                digest(inputs),
            ]
            fingerprint = hashlib.blake2b(b"\x1e".join(parts), digest_size=16).hexdigest()
            old = self.old.get(relative, {})
            current = _stat(complete)
            if old.get("fingerprint") == fingerprint and current is not None and current == old.get("stat"):
                self._written_files.add(complete)
                self.new[relative] = old
                self.stats["feeds_kept"] += 1
                signals.feed_written.send(complete, context=context, feed=None)
                return None
            made = self.feeds.get(relative, fingerprint) if self.feeds is not None else None
            if made is not None:  # made by an earlier build from the same inputs: output/ was emptied
                _write_if_changed(complete, made)
                self._written_files.add(complete)
                self.new[relative] = {"stat": _stat(complete), "fingerprint": fingerprint}
                signals.feed_written.send(complete, context=context, feed=None)
                return None
        feed = super().write_feed(elements, context, path, url, feed_type, override_output, feed_title)
        entry: dict[str, Any] = {"stat": _stat(complete)}
        if fingerprint is not None:
            entry["fingerprint"] = fingerprint
            if self.feeds is not None:
                try:
                    with open(complete, "rb") as written:
                        self.feeds.put(relative, fingerprint, written.read())
                except OSError:
                    pass
        self.new[relative] = entry
        return feed

    def flush(self) -> None:
        """Render what changed (in parallel), delete what is gone, save the record."""
        started = time.perf_counter()
        # Every value a page to render reads is digested before any page renders: rendering
        # may add attributes to objects, and a digest must mean the same in every build.
        jobs = self.diaries.settle() + [self.jobs[path] for path in self.order]
        self.stats["unchecked"] = len(self.diaries.kept)
        self.stats["pages"] = len(jobs) + len(self.diaries.kept)
        unchanged = self._unchanged(jobs)
        todo: list[Job] = []
        for index, job in enumerate(jobs):
            if index in unchanged:
                relative = self._relative(job.path)
                self.new[relative] = self.old[relative]
            else:
                todo.append(job)
        for job in todo:
            digest = self._digester(job.context)
            for name in self._names(job.template):
                value = job.get(name)
                if value is not None:
                    digest(value)
        self.stats["rendered"] = len(todo)
        self.stats["kept"] = self.stats["pages"] - len(todo)
        for relative, entry in self._render_all(todo):
            self.new[relative] = entry
        self.diaries.record(jobs)
        produced_under(self.output_path, [*self.diaries.kept, *(self._relative(job.path) for job in jobs)])
        if heard_elsewhere(signals.content_written):
            for job in jobs:
                signals.content_written.send(job.path, context=ChainMap(job.own, job.base))
        self._delete_stale()
        self._save()
        written_stats(  # the sitemap and search list the pages at these, not with a stat each
            self.output_path,
            {name: entry["stat"] for name, entry in self.new.items() if entry.get("stat") and name.endswith(".html")},
        )
        if self.feeds is not None:
            self.feeds.save()
            self.feeds.prune(recorded())  # every feed is made by now (comment feeds too)
        note = f" (all: {self.reason})" if self.reason and self.stats["rendered"] else ""
        self.summary = (
            f"rendered {self.stats['rendered']} of {self.stats['pages']} pages{note}, "
            f"{self.stats['feeds'] - self.stats['feeds_kept']} of {self.stats['feeds']} feeds, "
            f"deleted {self.stats['deleted']} stale files, in {time.perf_counter() - started:.2f} s"
        )
        logger.info("build: %s", self.summary)
        self.jobs.clear()
        self.order.clear()
        self.bases.clear()
        self.diaries = DiaryPages(self)

    def _unchanged(self, jobs: list[Job]) -> set[int]:
        """The indices of the pages whose size, modification time and fingerprint match the
        record, checked in worker processes (59,000 pages at 50,000 diaries: 3.7 s in one).
        Each takes the pages in runs as it goes (``Runs``): this process from the end of the
        queue, where the list, tag and member pages read every diary, the workers from the
        start, where each diary's page reads its own; none waits for another, and the pages an
        edit renders here (the lists it is in) read what this process has digested (from a
        worker's end, 0.55 s at 50,000 diaries of walking the site's and each tag's list
        again). Every kept diary is digested here before the workers fork, so each process
        finds it digested: its page in a worker and its lists here digested each diary
        twice a build (``Kept.holds`` and what kept diaries name: a third of the check's
        CPU at 50,000 diaries). A worker answers
        with the runs it took and their unchanged pages, not digests; the runs of a worker
        that failed are checked here. Fingerprints do not depend on which process digests
        what first (``Digester``), so the record is the one a single process writes."""
        if not jobs or not self.old:
            return set()
        digest = self._digester(jobs[0].context)  # made once, here: every generator shares Pelican's context
        workers = self._checkers(len(jobs))
        if workers == 1:
            return set(self._check_run(jobs, range(len(jobs))))
        for kept in list(digest.kept.values()):  # each diary once, for every process (its page and the lists)
            digest(kept.value)
        self._shared_values(digest, jobs)
        runs = Runs(len(jobs), CHECK_RUN)
        answers = in_workers(workers, lambda share, shares: self._check_runs(jobs, runs, share == 0), here=True)
        unchanged: set[int] = set()
        checked = bytearray(len(jobs))
        for ok, answer in answers:
            if not ok:
                logger.debug("checking pages failed in a worker process, checked here instead: %s", answer)
                continue
            taken, kept = answer
            for first, last in taken:
                checked[first:last] = b"\x01" * (last - first)
            unchanged.update(kept)
        left = [index for index, done in enumerate(checked) if not done]
        unchanged.update(self._check_run(jobs, left))
        return unchanged

    def _shared_values(self, digest: Digester, jobs: list[Job]) -> None:
        """Digest what the queued pages take whole from their shared copies, once for every
        process: with the diaries' pages kept unchecked (``DiaryPages``), a worker checks list
        pages too, and each list page this process renders after one that a worker checked
        walked the site's and its tag's lists again."""
        seen = set()
        for job in jobs:
            key = (id(job.base), id(job.template), len(job.own))
            if key in seen:
                continue
            seen.add(key)
            own, base = job.own, job.base
            for name in self._names(job.template):
                value = base.get(name) if name not in own else None
                if value is None or type(value) is str or (type(value) is dict and len(value) >= TRACK_MIN):
                    continue
                if type(value) is not KeyedDict and not is_keyed(value):
                    digest.top(value)

    def _check_runs(self, jobs: list[Job], runs: Runs, from_end: bool) -> tuple[list[tuple[int, int]], list[int]]:
        """Check runs of ``jobs`` until none is left: the runs taken, the unchanged pages."""
        taken, unchanged = [], []
        while (run := runs.take(from_end)) is not None:
            unchanged += self._check_run(jobs, run)
            taken.append((run.start, run.stop))
        return taken, unchanged

    def _check_run(self, jobs: list[Job], indices: Iterable[int]) -> list[int]:
        """The indices of the unchanged pages among ``indices``."""
        unchanged = []
        old_entries, relative_of, root = self.old, self._relative, self.root
        digest, names = None, {}  # id of a template -> its names (a run's pages share a few)
        for index in indices:
            job = jobs[index]
            path = job.path
            old = old_entries.get(path[len(root) :] if path.startswith(root) else relative_of(path))
            if old is None or "fingerprint" not in old or old.get("stat") is None or _stat(path) != old["stat"]:
                continue
            template = job.template
            found = names.get(id(template))
            if found is None:
                found = names[id(template)] = (template, self._names(template))
            if digest is None:
                digest = self._digester(job.context)
            fingerprint = page_fingerprint(digest, template.name, found[1], job.own, entry_keys(old), base=job.base)
            if fingerprint == old["fingerprint"]:
                unchanged.append(index)
        return unchanged

    def _relative(self, path: str) -> str:
        """``os.path.relpath(path, output)`` for a path made by ``sanitised_join`` (absolute,
        normalized) by slicing: relpath costs more than the rest of checking a kept page."""
        root = self.root
        return path[len(root) :] if path.startswith(root) else os.path.relpath(path, self.output_path)

    def _names(self, template: Any) -> Any:
        environment = template.environment
        key = id(environment)
        if key not in self.names:
            self.names[key] = TemplateNames(environment, self.template_names)
        return self.names[key](template.name)

    def _workers(self, count: int) -> int:
        jobs = int(self.options["jobs"]) or (os.cpu_count() or 1)
        if count < int(self.options["parallel_min"]):
            return 1
        return max(1, min(jobs, count // max(1, int(self.options["parallel_min"]) // 2)))

    def _checkers(self, count: int) -> int:
        """Processes that check ``count`` queued pages: one per worker from ``parallel_min``
        times ``CHECKS_PER_RENDER`` pages, where forking costs less than it saves."""
        jobs = int(self.options["jobs"]) or (os.cpu_count() or 1)
        return jobs if count >= CHECKS_PER_RENDER * int(self.options["parallel_min"]) else 1

    def _render_all(self, todo: list[Job]) -> list[tuple[str, dict[str, Any]]]:
        workers = self._workers(len(todo))
        if workers == 1:
            return self._render_share(todo, 0, 1)
        results = []
        for ok, answer in in_workers(workers, lambda share, shares: self._render_share(todo, share, shares), here=True):
            if not ok:
                raise RuntimeError(f"rendering pages failed in a worker process: {answer}")
            results.extend(answer)
        return results

    def _render_share(self, todo: list[Job], share: int, workers: int) -> list[tuple[str, dict[str, Any]]]:
        done = []
        for job in todo[share::workers]:
            done.append(self._render(job))
        return done

    def _render(self, job: Job) -> tuple[str, dict[str, Any]]:
        if job.own["localsiteurl"]:
            job.context["localsiteurl"] = job.own["localsiteurl"]
        names = self._names(job.template)
        render_context = job.localcontext  # a new dict: the tracked dicts go in it
        wrapped: dict[str, Any] = {}  # tracked dicts, and keyed objects (netroots.fingerprint.is_keyed)
        for name in names:
            value = render_context.get(name)
            if (type(value) is dict and len(value) >= TRACK_MIN) or type(value) is KeyedDict:
                tracked = self.tracked.get(id(value))
                if tracked is None or dict.__len__(tracked) != len(value):
                    tracked = self.tracked[id(value)] = TrackedDict(value)
                tracked.start()
                render_context[name] = wrapped[name] = tracked
            elif value is not None and is_keyed(value):  # asked by key: it keeps its own log
                value.start()
                wrapped[name] = value
        output = job.template.render(render_context)
        read = {name: tracked.read() for name, tracked in wrapped.items()}
        keys = {name: found for name, found in read.items() if found is not None}  # None: read whole
        _write_if_changed(job.path, output)
        logger.info('Writing "%s"', job.path)
        fingerprint = None
        if self.options["incremental"]:
            fingerprint = page_fingerprint(
                self._digester(job.context), job.template.name, names, job.own, keys, base=job.base
            )
        entry: dict[str, Any] = {"stat": _stat(job.path)}
        if fingerprint is not None:
            entry["fingerprint"] = fingerprint
            entry["keys"] = keys
        return self._relative(job.path), entry

    def _delete_stale(self) -> None:
        """Pages and feeds the last build wrote and this one did not (deleted or renamed content)."""
        for relative, entry in self.old.items():
            if relative in self.new:
                continue
            path = os.path.join(self.output_path, relative)
            if entry.get("stat") is not None and _stat(path) == entry["stat"]:  # untouched since we wrote it
                os.unlink(path)
                self.stats["deleted"] += 1
                _remove_empty_parents(Path(path).parent, Path(self.output_path))

    def _save(self) -> None:
        if self.preview:
            return  # a preview's folder is thrown away: no record of it in .cache/
        pages = self.new if self.options["incremental"] else {}
        parts = self.diaries.parts if self.options["incremental"] else None
        self.stats["recorded"] = self.record.save(self.world, pages, self.template_names, self.loaded, parts)


_UNORDINARY = frozenset({"", ".", ".."})
_ABSENT = object()


def _nothing(_: Any) -> tuple[()]:
    return ()


class _Copy:
    """A copy of a context, and how to tell whether names still hold in it what they hold in the
    context (``IncrementalWriter._base``): for each set of names, the values of those it has
    (taken in one ``itemgetter`` call) and those it lacks."""

    __slots__ = ("context", "copy", "views")

    def __init__(self, context: dict[str, Any]) -> None:
        self.context = context
        self.copy = context.copy()
        self.views: dict[frozenset[str], tuple[Any, tuple[Any, ...], tuple[str, ...]]] = {}

    def holds(self, context: dict[str, Any], names: frozenset[str]) -> bool:
        view = self.views.get(names)
        if view is None:
            present = tuple(name for name in names if name in self.copy)
            missing = tuple(name for name in names if name not in self.copy)
            getter = itemgetter(*present, *present[:1]) if present else _nothing  # 2 names or more: a tuple
            view = self.views[names] = (getter, getter(self.copy), missing)
        getter, values, missing = view
        try:
            now = getter(context)
        except KeyError:  # a name removed since
            return False
        return all(map(is_, now, values)) and not any(map(context.__contains__, missing))


# A diary's page as ``write_pages`` queued it: name, template, values, shared copy, context,
# ``localsiteurl``, relative addresses.
Queued = tuple[str, Any, dict[str, Any], dict[str, Any], dict[str, Any], Any, bool]
# What a diary's page's fingerprint takes from its own names besides its diary (``page_frame``):
# its category, its file, and with relative addresses its ``SITEURL``, all made from its diary.
DERIVED = frozenset({"article", "category", "output_file"})
DERIVED_RELATIVE = DERIVED | {"localsiteurl", "SITEURL"}
REMAKE_GROWTH = 1.5  # the key parts are made again from the pages when they have grown so much
MARKERS_MAX = 512  # more changed keys than this: every diary's page is checked


class DiaryPages:
    """The diaries' pages (``write_pages``): held as queued, not made into ``Job``s, until the
    flush; there a page certain to be as recorded keeps its entry unchecked (52,500 of 59,000
    pages at 50,000 diaries: a ``Job``, a ``stat``, its keys decoded and a fingerprint each, in
    both processes, 40 µs of CPU a page).

    Certain means: its fingerprint could only come out as recorded. A diary's page's record
    holds its ``basis``: its ``frame`` (``page_frame``: its template, what it shares with the
    other diaries' pages, the names it read by key) and its diary's digest (a kept diary's is
    looked up: ``netroots.fingerprint.Kept``); what each key any of them read gave is kept once
    (``KeyParts``: a member's entry, a diary's thread, its related list). A page is kept when
    its frame and diary digest as now, none of the keys whose part changed is in its keys' text,
    and its file's size and time are as recorded. Every key of a page with a basis has its part
    in the table, as of the last build that made the table: a page is kept or checked against
    it, rendered with its keys added, or loses its basis."""

    def __init__(self, writer: IncrementalWriter) -> None:
        self.writer = writer
        self.queued: dict[str, Queued] = {}
        self.kept: list[str] = []  # the pages kept as recorded, relative to the output folder
        self.parts: KeyParts | None = None  # this build's, when the machinery runs; None: left as it was
        self.reference: tuple[Any, ...] | None = None  # shared copy, context, localsiteurl, relative
        self.frames: dict[tuple[int, tuple[str, ...]], bytes | None] = {}  # (template, names) -> frame now
        self.framed: dict[bytes, tuple[str, list[str]]] = {}  # frame -> (template, names), for the record
        self.frame_ok: dict[tuple[bytes, int], bool] = {}
        self.digests: dict[str, bytes] = {}  # path -> its diary's digest, for the pages made into jobs
        self.remake = False  # the key parts are made again from the pages at the end

    def job(self, path: str) -> Job | None:
        """The queued page at ``path`` as a ``Job`` (a collision names it)."""
        found = self.queued.get(path)
        return None if found is None else _job(path, found)

    def settle(self) -> list[Job]:
        """Keep the pages certain to be as recorded; the ``Job``s of the others."""
        queued, self.queued = self.queued, {}
        if not queued:
            return []
        keep = self._keeper(next(iter(queued.values())))
        jobs, taken = [], self.writer.jobs
        if self.parts is None:
            return [_job(path, page) for path, page in queued.items() if path not in taken]
        base, context, localsiteurl, relative = self.reference  # type: ignore[misc]
        digest, digests = self.writer._digester(context), self.digests
        for path, page in queued.items():
            if path in taken:  # a later page overrode it
                continue
            if page[3] is base and page[4] is context and page[5] == localsiteurl and page[6] == relative:
                digests[path] = digest(page[2]["article"])
                if keep is not None and keep(path, page):
                    continue
            jobs.append(_job(path, page))
        return jobs

    def _keeper(self, first: Queued) -> Any:
        """What says whether a page is kept; None when none is (no record, the world changed,
        too many keys changed). ``parts`` stays None (no page gets a basis, the table is left as
        it was) with a receiver of ``content_written`` besides the record's."""
        writer = self.writer
        if not writer.options["incremental"] or writer.preview or heard_elsewhere(signals.content_written):
            return None
        self.reference = first[3:]
        loaded = writer.record.key_parts() if writer.old and not writer.reason else None
        self.parts = KeyParts({}, None)
        self.remake = True
        if loaded is None:
            return None
        self.framed = {bytes.fromhex(frame): (found[0], found[1]) for frame, found in loaded.frames.items()}
        self.parts = KeyParts({}, loaded.loaded, loaded.frames, loaded.made)
        markers = self._changed(loaded)
        self.remake = markers is None
        if markers is None or len(markers) > MARKERS_MAX:
            return None
        search = re.compile("|".join(map(re.escape, sorted(markers)))).search if markers else None
        old, relative_of, new, kept, digests = writer.old, writer._relative, writer.new, self.kept, self.digests

        def keep(path: str, page: Queued) -> bool:
            relative = relative_of(path)
            entry = old.get(relative)
            basis = None if entry is None else entry.get("basis")
            if basis is None or basis[16:] != digests[path] or "fingerprint" not in entry:
                return False
            if not self._frame_holds(basis[:16], page):
                return False
            if (search is not None and search(keys_text(entry))) or _stat(path) != entry["stat"]:
                return False
            new[relative] = entry
            kept.append(relative)
            return True

        return keep

    def _changed(self, loaded: KeyParts) -> set[str] | None:
        """Each key's part now (into ``self.parts``), and the keys whose part changed, as their
        JSON text; None when a name is no longer a plain dict or an object asked by key."""
        parts = _Parts(self.writer._digester(self.reference[1]), self.reference[0])  # type: ignore[index]
        now, changed = self.parts.parts, set()  # type: ignore[union-attr]
        for item, part in loaded.loaded.items():  # type: ignore[union-attr]
            found = now[item] = parts(item)
            if found is None:
                return None
            if found != part:
                changed.add(json.dumps(item.partition(SEPARATOR)[2], ensure_ascii=False))
        return changed

    def _frame_holds(self, frame: bytes, page: Queued) -> bool:
        """Is ``frame`` (a page's recorded) what its template's pages that read the same names
        by key are framed by now?"""
        key = (frame, id(page[1]))
        found = self.frame_ok.get(key)
        if found is None:
            described = self.framed.get(frame)
            found = described is not None and described[0] == page[1].name
            found = self.frame_ok[key] = found and self.frame(page, tuple(described[1])) == frame  # type: ignore[index]
        return found

    def frame(self, page: Queued, names: tuple[str, ...]) -> bytes | None:
        """This build's frame of the pages of ``page``'s template that read ``names`` by key."""
        name, template, values, base, context, localsiteurl, relative = page
        key = (id(template), names)
        if key not in self.frames:
            writer = self.writer
            digest, own = writer._digester(context), _own(name, localsiteurl, relative, values)
            plan = digest.plan(template.name, writer._names(template), own, dict.fromkeys(names, ()), base)
            self.frames[key] = page_frame(digest, plan, own, base, DERIVED_RELATIVE if relative else DERIVED)
        return self.frames[key]

    def record(self, jobs: list[Job]) -> None:
        """Give the diaries' pages rendered this build their basis, their keys' parts to the
        table; take it from a page checked another way (its parts may not be the table's)."""
        if self.parts is None:
            return
        writer, digests = self.writer, self.digests
        digest = writer._digester(self.reference[1])  # type: ignore[index]
        for job in jobs:
            relative = writer._relative(job.path)
            entry = writer.new.get(relative)
            if entry is None:
                continue
            if job.path in digests and isinstance(entry.get("keys"), dict) and "fingerprint" in entry:
                self._base(job, entry, digest)
            elif "basis" in entry and job.path not in digests:
                writer.new[relative] = {name: value for name, value in entry.items() if name != "basis"}
        self._finish()

    def _base(self, job: Job, entry: dict[str, Any], digest: Digester) -> None:
        """A rendered diary's page's basis, and its keys' parts into the table."""
        keys, base = entry["keys"], job.base
        parts = _Parts(digest, base)
        found = {item: parts(item) for item in (name + SEPARATOR + key for name, read in keys.items() for key in read)}
        names = tuple(sorted(keys))
        page = (job.name, job.template, job.values, base, job.context, *self.reference[2:])  # type: ignore[index]
        frame = self.frame(page, names)
        if frame is None or None in found.values():
            return
        self.parts.parts.update(found)  # type: ignore[union-attr, arg-type]
        self.framed[frame] = (job.template.name, list(names))
        entry["basis"] = frame + self.digests[job.path]

    def _finish(self) -> None:
        """The frames the record's pages name; the table made again from the pages when it
        has none, held a name of another kind, or has grown by half since it was made."""
        parts, new = self.parts, self.writer.new
        used = {entry["basis"][:16] for entry in new.values() if "basis" in entry}
        parts.frames = {frame.hex(): list(self.framed[frame]) for frame in used if frame in self.framed}  # type: ignore[union-attr]
        if self.remake or len(used) > len(parts.frames) or len(parts.parts) > REMAKE_GROWTH * parts.made + 1000:  # type: ignore[union-attr]
            self._remake()

    def _remake(self) -> None:
        """The table from the keys of every page with a basis (each was checked or rendered
        against this build's parts); a page whose keys cannot be is left without."""
        writer, reference = self.writer, self.reference
        made, parts = _Parts(writer._digester(reference[1]), reference[0]), {}  # type: ignore[index]
        for relative, entry in list(writer.new.items()):
            if "basis" not in entry:
                continue
            found = {
                item: made(item)
                for item in (name + SEPARATOR + key for name, read in entry_keys(entry).items() for key in read)
            }
            if None in found.values() or entry["basis"][:16].hex() not in self.parts.frames:  # type: ignore[union-attr]
                writer.new[relative] = {name: value for name, value in entry.items() if name != "basis"}
            else:
                parts.update(found)  # type: ignore[arg-type]
        self.parts = KeyParts(parts, None, self.parts.frames, len(parts))  # type: ignore[union-attr]


class _Parts:
    """Each key's part (``item``: name, ``SEPARATOR``, key) as a page of ``base`` reads it;
    None for a name that is not a plain dict or an object asked by key."""

    def __init__(self, digest: Digester, base: dict[str, Any]) -> None:
        self.digest = digest
        self.base = base
        self.names: dict[str, Any] = {}  # name -> its function of the key (``keyed_parts``)

    def __call__(self, item: str) -> bytes | None:
        name, _, key = item.partition(SEPARATOR)
        part = self.names.get(name, _ABSENT)
        if part is _ABSENT:
            part = self.names[name] = keyed_parts(self.digest, self.base.get(name, MISSING))
        return None if part is None else part(key)


def _job(path: str, page: Queued) -> Job:
    name, template, values, base, context, localsiteurl, relative = page
    return Job(name, path, template, _own(name, localsiteurl, relative, values), base, context, values)


def _own(name: str, localsiteurl: Any, relative_urls: bool, values: dict[str, Any]) -> dict[str, Any]:
    """What a page adds to the context it is written with (Pelican's writer copied the context
    a page): its ``SITEURL`` when addresses are relative, its file, what it was written with."""
    if relative_urls:
        up = _relative(name)
        own = {"localsiteurl": up, "SITEURL": up, "output_file": name}
    else:
        own = {"localsiteurl": localsiteurl, "output_file": name}
    own.update(values)
    return own


def _page(made: dict[tuple[str, int, str], Any], key: str, paginator: Any, number: int) -> Any:
    """``paginator.page(number)``, made once: Pelican made each list page's Page three times
    (as itself and as its neighbours' next and previous), and each was digested apart."""
    found = made.get((key, number, "page"))
    if found is None:
        found = made[(key, number, "page")] = paginator.page(number)
    return found


@dataclass(frozen=True)
class PageLink:
    """A list page as its neighbours link to it ("Newer", "Older"): its number and address.

    Pelican hands a list page its neighbours' whole ``Page``s, diaries included, so an edit
    of a diary on page 7 rendered pages 6 and 8 too (their links did not change)."""

    number: int
    url: str
    save_as: str


def _link(made: dict[tuple[str, int, str], Any], key: str, paginator: Any, number: int) -> PageLink:
    """Made once a list page: Pelican formats a Page's ``url`` and ``save_as`` from the
    pagination patterns at each ask (six times a page, as itself and as its neighbours')."""
    found = made.get((key, number, "link"))
    if found is None:
        page = _page(made, key, paginator, number)
        found = made[(key, number, "link")] = PageLink(page.number, page.url, page.save_as)
    return found


def _shows(localcontext: dict[str, Any], source: str) -> bool:
    """Is this the page of the content file ``source`` (a diary's or a page's own page)?"""
    for key in ("article", "page"):
        item = localcontext.get(key)
        if item is not None and os.path.abspath(getattr(item, "source_path", "") or "") == source:
            return True
    return False


def _relative(name: str) -> str:
    """Pelican's relative ``SITEURL`` of the page at ``name`` ("../.." two folders deep). An
    ordinary name (no leading, trailing or doubled "/") counts its folders; any other goes
    through Pelican's ``get_relative_path``, whose loop of ``os.path.split`` was a third of
    queueing 10,000 pages."""
    if type(name) is str and name and os.sep == "/" and "//" not in name and name[0] != "/" and name[-1] != "/":
        depth = name.count("/")
        return "/".join([os.pardir] * depth) if depth else os.curdir
    from pelican.utils import get_relative_path

    return path_to_url(get_relative_path(name))


def _remove_empty_parents(folder: Path, output: Path) -> None:
    while folder != output and output in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


class FlushGenerator:
    """Runs last in the output phase: the queued pages are written before ``finalized``
    (search and the sitemap read the output folder there)."""

    def __init__(self, **_: Any) -> None:
        pass

    def generate_output(self, writer: Any) -> None:
        if isinstance(writer, IncrementalWriter):
            writer.flush()
