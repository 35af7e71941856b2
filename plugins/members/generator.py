"""Member pages: a profile with the member's diaries, and the member list."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pelican.generators import Generator

from netroots.members import members_in
from netroots.site import write_page


class MembersGenerator(Generator):
    """Writes ``/members/`` and ``/members/<handle>/`` for every member."""

    def generate_context(self) -> None:
        members = members_in(self.context, self.settings)
        diaries_by_member: dict[str, list[Any]] = defaultdict(list)
        for article in self.context.get("articles", []):
            diaries_by_member[article.author.name].append(article)
        self.context["diaries_by_member"] = dict(diaries_by_member)
        self.members = sorted(members.values(), key=lambda m: m.name.casefold())

    def generate_output(self, writer: Any) -> None:
        for member in self.members:
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
