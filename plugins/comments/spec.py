"""The comments plugin's contract: the ``COMMENTS = {...}`` settings, comment files and
content/moderation.yaml, and what it publishes (threads, counts, recent comments, anchors)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netroots.plugin import Content, PluginSpec
from netroots.settings import FLAG, STRINGS, TEXT, Setting, number, optional, whole
from netroots.starters import Ask, Starter

COMMENT = """---
on: {on}
{parent}title: {title}
date: {date}
---

Write your reply here in Markdown. Be kind; stay on the diary's subject.
"""

SPEC = PluginSpec(
    name="comments",
    doc="Threaded replies under diaries, as files their writers own, weighed by trust, with responses "
    "from allied blogs.",
    settings_name="COMMENTS",
    settings=(
        Setting(
            "diary_feed_atom",
            "feeds/comments/{handle}/{slug}.atom.xml",
            optional(TEXT),
            "Each diary's comments as Atom ({handle} and {slug} of the diary); None: no feed.",
        ),
        Setting(
            "diary_feed_rss", "feeds/comments/{handle}/{slug}.rss.xml", optional(TEXT), "The same as RSS; None: none."
        ),
        Setting("recent_feed_atom", "feeds/comments.atom.xml", optional(TEXT), "The site's newest comments as Atom."),
        Setting("recent_feed_rss", "feeds/comments.rss.xml", optional(TEXT), "The same as RSS; None: none."),
        Setting("recent", 50, whole(minimum=0), "Comments in the site-wide feed and in `recent_comments`."),
        Setting("member_recent", 10, whole(minimum=0), "Comments listed on a member's page."),
        Setting(
            "marked_weight",
            2.0,
            number(minimum=0),
            "Trusted recommendations (each counts the member's trust weight) a comment needs to be marked "
            "'Recommended'.",
        ),
        Setting("marked_recommenders", 2, whole(minimum=1), "Trusted members a 'Recommended' comment needs."),
        Setting(
            "collapse_untrusted",
            True,
            FLAG,
            "When the web of trust has seeds, fold comments by members outside it (with a note) and leave them "
            "out of feeds and recent lists.",
        ),
        Setting(
            "site_hosts",
            [],
            STRINGS,
            "Other host names of this site: an allied post linking to https://<host>/diaries/<handle>/<slug>/ is a "
            "response to that diary (SITEURL's and FEED_DOMAIN's hosts always count).",
        ),
        Setting("responses", 10, whole(minimum=0), "Allied responses shown under a diary (newest first)."),
    ),
    content=(
        Content("comments/*/*.md", "a member's reply: comments/<handle>/<YYYY-MM-DD-HHMM>-<words>.md"),
        Content("moderation.yaml", "comments hidden by the maintainers, with the reason"),
    ),
    member_owned=("comments/{handle}/",),
    starters=(
        Starter(
            kind="comment",
            help="Start a reply to DIARY (its id: <handle>/<slug>, as in /diaries/<handle>/<slug>/).",
            path="comments/{handle}/{name}.md",
            text=COMMENT,
            asks=(
                Ask("diary"),
                Ask(
                    "parent",
                    "The comment you answer (its id is <handle>/<file name>).",
                    option="--parent",
                    metavar="COMMENT-ID",
                ),
                Ask("title", "A subject line for your reply (optional).", option="--title", default=""),
                Ask("handle", "Your handle (guessed from git's user.email if left out).", option="--member"),
            ),
            sample={"parent": "", "date": "2026-01-01 10:00"},
            prepare="cli:prepare_comment",
            next="Next: write your reply below the --- line, then `python tasks.py check {path}`.",
            examples=False,  # a reply's one starter line is not reported (yet): a fresh reply checks clean
        ),
    ),
    provides=(
        "comment_threads",
        "comment_counts",
        "comments_list",
        "recent_comments",
        "comments_by_member",
        "most_discussed_diaries",
        "most_discussed",
        "comment_nodes",
        "allied_responses",
        "comments_options",
        "comment_diaries",
        "comment_thread",
        "search_documents",
    ),
    uses=("trust", "comment_recommends", "allies_river", "diaries", "avatars"),
    optional=True,
    docs="docs/content.md",
)


def comments_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``COMMENTS`` over the defaults; a bad value is logged and replaced by its default."""
    options = SPEC.options(settings)
    options["site_hosts"] = [host.lower() for host in options["site_hosts"]]
    return options
