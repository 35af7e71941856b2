"""Diary feeds (Pelican writes them) made readable away from the site.

A feed reader shows an entry without the page around it: relative links and
pictures must be absolute, and the author is the member's name, not the handle.
"""

from __future__ import annotations

from typing import Any

from netroots.feeds import absolute
from netroots.fingerprint import reads
from netroots.html import absolute_urls
from netroots.members import members_in
from netroots.plugin import build_state
from netroots.site import site_address


@reads(lambda context: (members_in(context, context), site_address(context)))
def feed_generated(context: dict[str, Any], feed: Any) -> None:
    """``feed_generated``: fix each diary entry before Pelican writes the feed."""
    members = members_in(context, context)
    site_url = site_address(context)
    # A diary is in many feeds (everyone's, its member's, its tags'): its HTML is made absolute once a build.
    made: dict[tuple[str, str], str] = build_state(context, "diaries").setdefault("absolute_urls", {})
    for item in feed.items:
        link = absolute(site_url, item.get("link") or "")
        for key in ("content", "description"):
            if item.get(key):
                found = made.get((item[key], link))
                if found is None:
                    found = made[(item[key], link)] = absolute_urls(item[key], link)
                item[key] = found
        author = item.get("author_name")
        handle = getattr(author, "name", author)
        member = members.get(str(handle)) if handle else None
        if member is not None:
            item["author_name"] = member.name
            item["author_link"] = absolute(site_url, f"members/{member.handle}/")
