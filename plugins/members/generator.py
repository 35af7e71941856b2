"""Member pages: a profile with the member's diaries, and the member list."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pelican.generators import Generator

from netroots.avatars import make_avatar, publish_avatar
from netroots.images import keep_only
from netroots.members import members_in
from netroots.site import cache_dir, preview_of, write_page

NEWEST = 5  # a diary page lists four of its member's others: the newest five hold them


@dataclass(frozen=True)
class DiaryLink:
    """What a diary's page shows of its member's other diaries: a page's fingerprint covers
    the values it reads, so with the whole diaries an edit of one of a member's five newest
    rendered every page of that member again (100 at 10,000 diaries, 500 at 50,000)."""

    url: str
    title: str


class MembersGenerator(Generator):
    """Writes ``/members/`` and ``/members/<handle>/`` for every member."""

    def generate_context(self) -> None:
        members = members_in(self.context, self.settings)
        diaries_by_member: dict[str, list[Any]] = defaultdict(list)
        for article in self.context.get("articles", []):
            diaries_by_member[article.author.name].append(article)
        self.context["diaries_by_member"] = dict(diaries_by_member)
        # What a diary's page and the member list show, apart: a page depends only on what it
        # reads, so an edit of a member's old diary re-renders none of their other diaries' pages,
        # and an edit of a new one only those that show its title or address.
        self.context["newest_by_member"] = {
            handle: [DiaryLink(diary.url, diary.title) for diary in found[:NEWEST]]
            for handle, found in diaries_by_member.items()
        }
        self.context["diary_counts"] = {handle: len(found) for handle, found in diaries_by_member.items()}
        self.members = sorted(members.values(), key=lambda m: m.name.casefold())
        # Avatars: the member's content/diaries/<handle>/images/avatar.jpg, resized; else initials.
        self.avatar_cache = cache_dir(self.settings, "avatars")
        content = Path(self.settings["PATH"])
        self.context["avatars"] = {
            m.handle: make_avatar(m.handle, m.name, content, self.avatar_cache) for m in self.members
        }

    def generate_output(self, writer: Any) -> None:
        for member in self.members:
            avatar = self.context["avatars"][member.handle]
            publish_avatar(avatar, self.avatar_cache, Path(self.output_path) / "members" / member.handle)
            write_page(
                self,
                writer,
                "members/member.html",
                f"members/{member.handle}/index.html",
                member=member,
                member_diaries=self.context["diaries_by_member"].get(member.handle, []),
                page_title=member.name,
            )
        write_page(
            self, writer, "members/index.html", "members/index.html", member_list=self.members, page_title="Members"
        )
        if not preview_of(self.settings):
            keep_only(
                self.avatar_cache, (avatar.picture for avatar in self.context["avatars"].values() if avatar.picture)
            )
