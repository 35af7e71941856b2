"""Group pages and feeds: every published diary that lists the group."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pelican.generators import Generator

from netroots.avatars import publish_picture, small_picture
from netroots.diaryindex import diary_index
from netroots.feeds import FeedEntry, absolute, write_feeds
from netroots.images import ImageProblem, keep_only
from netroots.members import members_in
from netroots.report import Report
from netroots.site import cache_dir, preview_of, site_address, write_page

from .model import Group, load_groups

FEED_ENTRIES = 100  # the newest diaries a group's feed shows


def diary_entry(article: Any, site_url: str) -> FeedEntry:
    """A feed entry for a Pelican diary article."""
    link = absolute(site_url, article.url)
    return FeedEntry(
        id=link,
        title=article.title,
        link=link,
        updated=getattr(article, "modified", None) or article.date,
        published=article.date,
        content=article.content,
        summary=article.summary,
        author=article.author.name,
        categories=tuple(tag.name for tag in getattr(article, "tags", [])),
    )


def newest(articles: list[Any], limit: int) -> list[Any]:
    """The ``limit`` diaries a feed of ``articles`` shows, in its order (newest change first, ties
    as listed: the feed's own sort is stable): a group's feed made an entry, with the diary's
    HTML, of each of its 10,000 diaries at 50,000 to show 100."""
    return sorted(articles, key=lambda article: getattr(article, "modified", None) or article.date, reverse=True)[
        :limit
    ]


def groups_of(article: Any) -> tuple[str, ...] | None:
    """The groups a diary lists, as it lists them (kept between builds: netroots/diaryindex.py)."""
    return tuple(getattr(article, "groups", None) or ()) or None


def listed_in(groups: tuple[str, ...]) -> tuple[str, ...]:
    return groups


class GroupsGenerator(Generator):
    """Writes ``/groups/``, ``/groups/<slug>/`` and a feed per group."""

    def generate_context(self) -> None:
        content = Path(self.settings["PATH"]).resolve()
        report = Report(root=content.parent)
        self.groups = load_groups(content, set(members_in(self.context, self.settings)), report)
        self.picture_cache = cache_dir(self.settings, "groups")
        for group in self.groups.values():  # checked by load_groups; resized once, cached by content
            if group.image is not None:
                try:
                    group.picture = small_picture(group.image, self.picture_cache, f"{group.slug}-group")
                except (ImageProblem, OSError, ValueError) as problem:
                    report.error(group.path, group.lines.get("image", 1), f"image: {problem}")
        report.log()
        listed = diary_index(self.context, self.settings, "groups", groups_of, listed_in)
        self.diaries: dict[str, list[Any]] = {slug: listed.articles(slug) for slug in self.groups}
        self.context["groups"] = self.groups
        self.context["group_diaries"] = self.diaries

    def generate_output(self, writer: Any) -> None:
        site_url = site_address(self.settings)
        output = Path(self.output_path)
        paginate = "group" in self.settings.get("PAGINATED_TEMPLATES", {})
        for group in self.groups.values():
            if group.picture is not None:
                publish_picture(group.picture, self.picture_cache, output / "groups" / group.slug)
            diaries = self.diaries[group.slug]
            # In pages as a tag's (PAGINATED_TEMPLATES["group"]: /groups/<slug>/page/2/), each
            # page holding its own diaries only; all on one page where a site does not paginate.
            listed = {"paginated": {"articles": diaries}} if paginate else {"group_diary_list": diaries}
            write_page(
                self,
                writer,
                "groups/group.html",
                f"groups/{group.slug}/index.html",
                template_name="group",
                group=group,
                page_title=group.title,
                **listed,
            )
            write_feeds(
                output,
                atom_path=f"feeds/groups/{group.slug}.atom.xml",
                rss_path=f"feeds/groups/{group.slug}.rss.xml",
                title=f"{group.title}: {self.settings['SITENAME']}",
                subtitle=group.summary,
                site_url=site_url,
                page_path=group.url,
                entries=[diary_entry(article, site_url) for article in newest(diaries, FEED_ENTRIES)],
                limit=FEED_ENTRIES,
            )
        ordered = sorted(self.groups.values(), key=lambda g: g.title.casefold())
        counts = {slug: len(diaries) for slug, diaries in self.diaries.items()}  # what the list shows: not the diaries
        write_page(
            self,
            writer,
            "groups/index.html",
            "groups/index.html",
            group_list=ordered,
            group_counts=counts,
            page_title="Groups",
        )
        if not preview_of(self.settings):
            keep_only(self.picture_cache, (group.picture for group in self.groups.values() if group.picture))


def check_groups(context: dict[str, Any], report: Report) -> None:
    """``tasks.py check``: every group file; the groups are in the context for the plugins after this one."""
    context["groups"] = load_groups(context["content"], set(context["members"]), report)


__all__ = ["Group", "GroupsGenerator", "check_groups"]
