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
from netroots.site import site_address


@reads(lambda context: (members_in(context, context), site_address(context)))
def feed_generated(context: dict[str, Any], feed: Any) -> None:
    """``feed_generated``: fix each diary entry before Pelican writes the feed."""
    members = members_in(context, context)
    site_url = site_address(context)
    for item in feed.items:
        link = absolute(site_url, item.get("link") or "")
        for key in ("content", "description"):
            if item.get(key):
                item[key] = absolute_urls(item[key], link)
        author = item.get("author_name")
        handle = getattr(author, "name", author)
        member = members.get(str(handle)) if handle else None
        if member is not None:
            item["author_name"] = member.name
            item["author_link"] = absolute(site_url, f"members/{member.handle}/")
