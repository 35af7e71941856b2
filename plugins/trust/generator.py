"""Trust pages: /trust/, /trust/graph.json, /diaries/recommended/, /diaries/rescued/ and feeds.

``generate_context`` computes the web of trust and publishes ``trusted_members`` and
``trust`` for the plugins after it (actions counts only trusted supporters), and the
recommended diaries for the front page, which Pelican renders before this writes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from pelican.generators import Generator

from netroots.diaryindex import DiaryIndex, diary_ids, diary_index, published_ids
from netroots.feeds import FeedEntry, absolute, write_feeds
from netroots.members import members_in
from netroots.report import Report
from netroots.site import KeyedView, cache_dir, site_address, write_output, write_page
from netroots.today import build_today

from .model import TrustBuild, build_trust
from .rescue import Rescued
from .spec import trust_settings


def rescue_editors(group: str, context: dict[str, Any]) -> list[str] | None:
    """The rescue group's editors, from the groups plugin's ``groups``; ``None``: no such group."""
    found = (context.get("groups") or {}).get(group)
    return list(found.editors) if found is not None else None


def publish(context: dict[str, Any], built: TrustBuild) -> None:
    """What other plugins and templates read: the interface of this plugin."""
    context["trust"] = built.result
    context["trusted_members"] = built.result.trusted
    context["trust_build"] = built


def graph_data(built: TrustBuild, members: dict[str, Any], today: Any) -> dict[str, Any]:
    """The inputs and results of the web of trust, for /trust/graph.json."""
    result = built.result
    options = built.settings
    return {
        "generated": today.isoformat(),
        "method": {
            "trusted": "Advogato trust metric: maximum flow from the seeds, capacities by distance",
            "score": "personalized PageRank from the seeds",
            "base_capacities": list(options["capacities"]),
            "scale": options["scale"],
            "capacities": list(result.capacities),
            "reach": result.reach if result.enabled else None,
            "damping": options["damping"],
            "max_weight": options["max_weight"],
            "half_life_days": options["half_life_days"],
            "min_weight": options["min_weight"],
            "min_recommenders": options["min_recommenders"],
        },
        "enabled": result.enabled,
        "seeds": list(result.seeds),
        "flow": result.flow,
        "members": [
            {
                "handle": handle,
                "name": members[handle].name if handle in members else handle,
                "vouches": list(status.vouches),
                "recommends": list(members[handle].listed("recommends")) if handle in members else [],
                "supports": list(members[handle].listed("supports")) if handle in members else [],
                "trusted": status.trusted,
                "seed": status.seed,
                "distance": status.distance,
                "capacity": status.capacity,
                "score": round(status.score, 6),
                "weight": status.weight,
                "reason": status.reason,
            }
            for handle, status in sorted(result.members.items())
        ],
        "recommended": [
            {
                "diary": entry.diary_id,
                "listed": entry.listed,
                "weight": entry.weight,
                "score": entry.score,
                "recommenders": [{"handle": h, "weight": w} for h, w in entry.recommenders],
                "not_counted": entry.untrusted,
            }
            for entry in built.recommendations.values()
        ],
        "rescued": [
            {"date": rescue.date.isoformat(), "editor": rescue.editor, "title": rescue.title, "diaries": rescue.diaries}
            for rescue in built.rescues
        ],
    }


def diary_entry(article: Any, site_url: str, updated: Any = None, note: str = "") -> FeedEntry:
    link = absolute(site_url, article.url)
    return FeedEntry(
        id=link,
        title=article.title,
        link=link,
        updated=updated or getattr(article, "modified", None) or article.date,
        published=article.date,
        content=(f"<p>{note}</p>" if note else "") + article.content,
        summary=article.summary,
        author=article.author.name,
        categories=tuple(tag.name for tag in getattr(article, "tags", [])),
    )


class PublishedDiaries(KeyedView[Any]):
    """Published diary id -> this build's diary, found when asked (by its path, from the kept
    index of ids: netroots/diaryindex.py): a dict of 50,000 made every build was 0.08 s."""

    def __init__(self, paths: dict[str, str], index: DiaryIndex[str]) -> None:
        self.keys_held = self.paths = paths
        self.index = index

    def __getitem__(self, diary_id: str) -> Any:
        return self.index.article(self.paths[diary_id])


class PublishedDates(KeyedView[dt.date]):
    """Published diary id -> its date, made when asked: the web of trust asks the dates of the
    recommended diaries only (each of 50,000 diaries' date made every build was 0.1 s)."""

    def __init__(self, articles: Mapping[str, Any]) -> None:
        self.keys_held = self.articles = articles

    def __getitem__(self, diary_id: str) -> dt.date:
        return self.articles[diary_id].date.date()


def author_name(article: Any) -> str | None:
    return article.author.name if getattr(article, "diary_id", None) else None


def recent_by_trusted(context: dict[str, Any], settings: dict[str, Any], trusted: Collection[str]) -> list[Any]:
    """The diaries of trusted members, in order: from the kept indexes of ids and writers
    (netroots/diaryindex.py), not a look at each diary's writer every build."""
    ids = diary_ids(context, settings)
    writers = diary_index(context, settings, "author", author_name).values
    return [ids.article(path) for path in ids.lists.get("", ()) if writers[path] in trusted]


class TrustGenerator(Generator):
    """Computes the web of trust; writes its pages, JSON and feeds."""

    def generate_context(self) -> None:
        options = trust_settings(self.settings)
        content = Path(self.settings["PATH"]).resolve()
        report = Report(root=content.parent)
        members = members_in(self.context, self.settings)
        ids = diary_ids(self.context, self.settings)
        by_id = PublishedDiaries(published_ids(self.context, self.settings), ids)
        drafts = {d.diary_id for d in self.context.get("drafts", []) if getattr(d, "diary_id", None)}
        editors = rescue_editors(options["rescue_group"], self.context)
        self.today = build_today(self.settings)
        self.built = build_trust(
            content,
            members,
            PublishedDates(by_id),
            drafts,
            editors,
            options,
            self.today,
            report,
            cache_dir(self.settings, "trust"),
        )
        report.log()
        publish(self.context, self.built)
        for rescue in self.built.rescues:
            rescue.articles = [by_id[diary_id] for diary_id in rescue.diaries]
        self.recommended = [by_id[e.diary_id] for e in self.built.recommended][: int(options["recommended_limit"])]
        rescued_on: dict[str, Rescued] = {}
        for rescue in reversed(self.built.rescues):  # oldest first, so the newest date wins
            for diary_id in rescue.diaries:
                rescued_on[diary_id] = Rescued(rescue.editor, rescue.date)
        trusted = self.built.result.trusted
        if options["front_page_trusted_only"] and self.built.result.enabled:
            recent = recent_by_trusted(self.context, self.settings, trusted)
        else:
            articles = self.context.get("articles") or []
            recent = articles if len(by_id) == len(articles) else ids.articles("")
        self.context.update(
            trust_options=options,
            diary_recommendations=self.built.recommendations,
            recommended_diaries=self.recommended,
            front_recommended_diaries=self.recommended[: int(options["front_page"])],
            rescue_lists=self.built.rescues,
            rescued_on=rescued_on,
            front_recent_diaries=recent,
        )

    def generate_output(self, writer: Any) -> None:
        options = self.built.settings
        output = Path(self.output_path)
        site_url = site_address(self.settings)
        members = self.context["members"]
        result = self.built.result
        ordered = sorted(
            result.members.values(),
            key=lambda s: (
                not s.trusted,
                s.distance if s.distance is not None else 99,
                members[s.handle].name.casefold(),
            ),
        )
        write_page(
            self, writer, "trust/index.html", "trust/index.html", trust_rows=ordered, page_title="The web of trust"
        )
        data = graph_data(self.built, members, self.today)
        write_output(output, "trust/graph.json", json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        write_page(
            self,
            writer,
            "trust/recommended.html",
            "diaries/recommended/index.html",
            page_title="Recommended diaries",
        )
        write_page(self, writer, "trust/rescued.html", "diaries/rescued/index.html", page_title="Rescued diaries")
        title = self.settings["SITENAME"]
        if options["recommended_feed"]:
            write_feeds(
                output,
                atom_path=options["recommended_feed"],
                title=f"Recommended diaries: {title}",
                site_url=site_url,
                page_path="diaries/recommended/",
                entries=[diary_entry(a, site_url) for a in self.recommended],
            )
        if options["rescued_feed"]:
            entries = {}
            for rescue in reversed(self.built.rescues):
                for article in rescue.articles:
                    when = max(rescue_moment(rescue, article), article.date)
                    note = f"Rescued on {rescue.date.strftime('%B %-d, %Y')}."
                    entries[article.diary_id] = diary_entry(article, site_url, updated=when, note=note)
            write_feeds(
                output,
                atom_path=options["rescued_feed"],
                title=f"Rescued diaries: {title}",
                site_url=site_url,
                page_path="diaries/rescued/",
                entries=list(entries.values()),
            )


def rescue_moment(rescue: Any, article: Any) -> Any:
    """Noon on the rescue list's date, in the diary's time zone, for feed ordering."""
    return dt.datetime(rescue.date.year, rescue.date.month, rescue.date.day, 12, 0, tzinfo=article.date.tzinfo)


def check_trust(context: dict[str, Any], report: Report) -> None:
    """``tasks.py check``: seeds, recommendations and rescue lists, as the build checks them."""
    content: Path = context["content"]
    settings = context["settings"]
    options = trust_settings(settings)
    members = context["members"]
    diaries = context.get("diaries") or []  # the diaries plugin's check, which runs first
    published = {d.id: d.meta["date"].date() for d in diaries if d.published}
    drafts = {d.id for d in diaries if not d.published}
    editors = rescue_editors(options["rescue_group"], context)
    built = build_trust(content, members, published, drafts, editors, options, build_today(settings), report)
    publish(context, built)
