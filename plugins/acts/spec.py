"""The acts plugin's contract: one file per social act, merged into the members' lists. The
take-part links use the core's ``FORGE = {...}`` settings (netroots/core.py, netroots/forge.py)."""

from __future__ import annotations

from netroots.plugin import Content, PluginSpec

SPEC = PluginSpec(
    name="acts",
    doc="One small file per social act (recommend, support, vouch, going, withdraw), merged into the "
    "members' lists before trust and actions count; the site's take-part links to the forge.",
    content=(Content("acts/*/*.yaml", "a member's act: acts/<handle>/<date>-<verb>-<target>.yaml"),),
    member_owned=("acts/{handle}/",),
    # acts_merged: the members' recommends, supports, vouches and going include the acts (trust and
    # actions count them, so they must come after this plugin).
    provides=("acts", "comment_recommends", "going", "acts_merged", "act_links"),
    uses=("diaries",),
    docs="docs/writers.md",
)
