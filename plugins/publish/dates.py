"""When each diary's page and its member's page last changed, kept between builds.

The sitemap's ``lastmod`` of a diary is its ``modified`` or ``date``, and of a member's page the
latest of their diaries'. Reading them from every diary was a pass over 50,000 objects a build
(0.12 s); now a build reads only the diaries that changed since the kept build
(``netroots.articlecache.diary_changes``, stage 1 of the flat build) and keeps each diary's row
(``.cache/publish/dates.sqlite``: its address, its member's page and its day) and the answer
(``dates.pickle``: address -> day). An address a changed diary held or holds is worked out
again from the rows that name it. The whole pass is made again when the record is missing or
is of another world (settings, templates, code) or day, or the log cannot say what changed.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from typing import Any

from netroots.articlecache import diary_changes
from netroots.keptrows import KeptRows, Row
from netroots.plugin import build_state
from netroots.readcache import read_cache
from netroots.site import cache_dir, chunks, preview_of, read_pickle, write_pickle
from netroots.today import build_today

COLUMNS = ("url", "page", "day")  # page: the member's page ("" without one); day: an ordinal
VERSION = "1"

# What the sitemap's dates take of a diary: (its address, its day, its member's page), or None.
Dated = Callable[[Any], "tuple[str, dt.date, str | None] | None"]


def diary_dates(settings: dict[str, Any], articles: list[Any], dated: Dated) -> dict[str, dt.date]:
    """Address -> the latest day of the diaries (and member pages) ``articles`` show; ``dated``
    gives a diary's ``(address, day, member's page)`` (None: not in the sitemap's dates)."""
    changes = diary_changes(settings)
    if changes.serial is None or preview_of(settings):  # nothing kept: no serial to keep it with
        return _latest(_rows(articles, dated).values())
    kept = _KeptDates(settings, articles, dated, changes.serial)
    answer = kept.answer(changes.since)
    build_state(settings, "publish")["dates_made"] = (kept.before, kept.meta.get("made"), kept.touched)
    return answer


def dates_made(settings: dict[str, Any]) -> tuple[str | None, str, set[str]] | None:
    """Marks of the kept answer before this build and of this build's :func:`diary_dates`
    answer (the same while the answer is; a new one whenever it was made or moved), and the
    addresses whose day may differ between the two; None when it was not kept, and no
    mark before when it was made whole."""
    return build_state(settings, "publish").get("dates_made")


class _KeptDates:
    """The record and answer of one build: read, brought up to date, saved."""

    def __init__(self, settings: dict[str, Any], articles: list[Any], dated: Dated, serial: int) -> None:
        self.settings, self.articles, self.dated, self.serial = settings, articles, dated, serial
        self.key = f"{read_cache(settings).world_id} {build_today(settings).isoformat()}"
        self.record = KeptRows(cache_dir(settings, "publish") / "dates.sqlite", COLUMNS, VERSION)
        self.path = cache_dir(settings, "publish") / "dates.pickle"
        self.meta: dict[str, str] = {}
        self.paths = frozenset(item.source_path for item in articles)
        self.before: str | None = None  # the kept answer's mark, when this build's was made from it
        self.touched: set[str] = set()

    def answer(self, since: Callable[[int | None], frozenset[str] | None]) -> dict[str, dt.date]:
        meta = self.record.meta()
        usable = meta is not None and meta.get("key") == self.key and "made" in meta
        kept = int(meta["serial"]) if usable and meta.get("serial", "").isdigit() else None
        changed = since(kept) if kept is not None else None
        found = self._read_answer(meta) if changed is not None else None
        if changed is None or found is None:
            return self._whole()
        answer, listed = found
        changed |= self.paths ^ listed  # listed or not without being made anew (a plugin dropped it)
        self.before = meta["made"]
        if changed:
            return self._update(answer, changed)
        self.meta = meta
        if kept != self.serial:  # later builds changed nothing this pass keeps: the same answer, at this serial
            self._save({}, [], answer, made=meta["made"])
        return answer

    def _whole(self) -> dict[str, dt.date]:
        """Every diary read (no kept record, or one that cannot say what changed), and kept whole."""
        self.before, self.touched = None, set()
        rows = _rows(self.articles, self.dated)
        answer = _latest(rows.values())
        self.path.unlink(missing_ok=True)
        self.meta = self._meta()
        self.record.save(rows, None, self.meta)
        self._write_answer(answer)
        return answer

    def _update(self, answer: dict[str, dt.date], changed: frozenset[str]) -> dict[str, dt.date]:
        """The rows of the ``changed`` diaries, and the days of the addresses they named or name."""
        made = _rows([item for item in self.articles if item.source_path in changed], self.dated)
        before = self.record.rows_of(changed)
        if before is None:
            return self._whole()
        touched = {name for row in (*before.values(), *made.values()) for name in row[:2] if name}
        moved = {path: row for path, row in made.items() if before.get(path) != row}
        if not self._save(moved, [path for path in before if path not in made], None):
            return self._whole()
        found = self._rows_naming(touched)
        if found is None:
            return self._whole()
        latest = _latest(found.values())
        self.touched = touched
        for name in touched:
            if name in latest:
                answer[name] = latest[name]
            else:
                answer.pop(name, None)
        self._write_answer(answer)
        return answer

    def _meta(self, made: str | None = None) -> dict[str, str]:
        """The record's meta: its world and day, this build's serial, and a mark the answer
        repeats (``made``: the answer's, when it is the same answer)."""
        return {"key": self.key, "serial": str(self.serial), "made": made or str(time.time_ns())}

    def _save(
        self, moved: dict[str, Row], gone: list[str], answer: dict[str, dt.date] | None, made: str | None = None
    ) -> bool:
        """``moved`` and ``gone`` rows and a new meta (the answer kept before goes first: it is
        never read with other rows); False when the record turned out unusable."""
        self.path.unlink(missing_ok=True)
        self.meta = self._meta(made)
        self.record.update(moved, gone, self.meta, lambda: _rows(self.articles, self.dated))
        if self.record.meta() != self.meta:
            return False
        if answer is not None:
            self._write_answer(answer)
        return True

    def _rows_naming(self, names: set[str]) -> dict[str, Row] | None:
        """The kept rows whose address or member's page is one of ``names``."""
        found: dict[str, Row] = {}
        for chunk in chunks(sorted(names), 400):  # twice in the statement
            marks = ", ".join("?" * len(chunk))
            rows = self.record.rows(f"url IN ({marks}) OR page IN ({marks})", [*chunk, *chunk])
            if rows is None:
                return None
            found.update(rows)
        return found

    def _write_answer(self, answer: dict[str, dt.date]) -> None:
        """The answer, with the meta of the rows it was made from."""
        write_pickle(self.path, {"meta": self.meta, "answer": answer, "listed": self.paths})

    def _read_answer(self, meta: dict[str, str] | None) -> tuple[dict[str, dt.date], frozenset[str]] | None:
        """The kept answer and the diaries listed then, when it is the one the record's rows were saved with."""
        found = read_pickle(self.path)
        if not isinstance(found, dict) or found.get("meta") != meta or not isinstance(found.get("answer"), dict):
            return None
        listed = found.get("listed")
        return (found["answer"], listed) if isinstance(listed, frozenset) else None


def _rows(articles: Iterable[Any], dated: Dated) -> dict[str, Row]:
    """Source path -> ``(address, member's page or "", day's ordinal)`` of each dated diary."""
    rows: dict[str, Row] = {}
    for item in articles:
        found = dated(item)
        if found is not None:
            url, day, page = found
            rows[item.source_path] = (url, page or "", day.toordinal())
    return rows


def _latest(rows: Iterable[Row]) -> dict[str, dt.date]:
    """Address -> the latest day among ``rows`` that name it (as the diary's address or its member's page)."""
    latest: dict[str, int] = {}
    for url, page, day in rows:
        for name in (url, page) if page else (url,):
            if latest.get(name, -1) < day:
                latest[name] = day
    days: dict[int, dt.date] = {}  # one object a day: the answer pickles each day once
    return {name: days.get(day) or days.setdefault(day, dt.date.fromordinal(day)) for name, day in latest.items()}
