"""Member pages: a profile with the member's diaries, and the member list."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from pelican.generators import Generator

from netroots.avatars import make_avatar, publish_avatar
from netroots.members import members_in
from netroots.site import cache_dir, write_page


class MembersGenerator(Generator):
    """Writes ``/members/`` and ``/members/<handle>/`` for every member."""

    def generate_context(self) -> None:
        members = members_in(self.context, self.settings)
        diaries_by_member: dict[str, list[Any]] = defaultdict(list)
        for article in self.context.get("articles", []):
            diaries_by_member[article.author.name].append(article)
        self.context["diaries_by_member"] = dict(diaries_by_member)
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
