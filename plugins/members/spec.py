"""The members plugin's contract: profile pages, and the starter of a new member file."""

from __future__ import annotations

from netroots.plugin import Content, PluginSpec
from netroots.starters import Ask, Starter

MEMBER = """name: {name}
locale:
  country: US
  state: {state}        # your state's two-letter postal code, e.g. OH (empty: not shown)
  city: {city}          # your town or city (empty: not shown)
bio: >-
  A sentence or two about you.
links: []          # e.g. [{{label: Blog, url: https://example.org}}]
github: {github}   # the GitHub account allowed to change your files
mentor: false      # true if you will help new members near you
joined: {joined}
groups: []
vouches: []        # handles of members you know in person
recommends: []     # diaries you recommend, as <handle>/<slug>
supports: []       # actions you support, by slug
"""

SPEC = PluginSpec(
    name="members",
    doc="Members' profile pages, one per `content/members/<handle>.yaml`.",
    content=(Content("members/*.yaml", "a member's profile"),),
    member_owned=("members/{handle}.yaml",),
    starters=(
        Starter(
            kind="member",
            help="Create content/members/HANDLE.yaml.",
            path="members/{handle}.yaml",
            text=MEMBER,
            asks=(
                Ask("handle"),
                Ask("name", "Full name shown on the site.", option="--name"),
                Ask("github", "GitHub login allowed to edit this member's files.", option="--github", default=""),
                Ask(
                    "state",
                    "Your state's postal code, e.g. OH (left for you to fill in if not given).",
                    option="--state",
                    default="",
                ),
                Ask("city", "Your town or city (left for you to fill in if not given).", option="--city", default=""),
            ),
            sample={"state": "", "city": "", "joined": "2026-01-01"},
            prepare="cli:prepare_member",
            next="Next: write your {todo} in it, then `python tasks.py check`.",
            exists="",
        ),
    ),
    provides=("diaries_by_member", "newest_by_member", "diary_counts", "avatars"),
    docs="docs/content.md",
)
