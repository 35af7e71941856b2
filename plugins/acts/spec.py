"""The acts plugin's contract: one file per social act, merged into the members' lists; and the
``FORGE = {...}`` settings that turn on the take-part links (defaults in netroots/forge.py,
which also serves ``tasks.py web-links`` and the web editor)."""

from __future__ import annotations

from netroots.forge import DEFAULTS as FORGE_DEFAULTS
from netroots.forge import NEW_FILE
from netroots.plugin import Content, PluginSpec
from netroots.settings import TEXT, Setting, choice

SPEC = PluginSpec(
    name="acts",
    doc="One small file per social act (recommend, support, vouch, going, withdraw), merged into the "
    "members' lists before trust and actions count; the site's take-part links to the forge.",
    settings_name="FORGE",
    settings=(
        Setting("kind", FORGE_DEFAULTS["kind"], choice(*NEW_FILE), "The forge: github, gitlab, gitea or forgejo."),
        Setting(
            "url",
            FORGE_DEFAULTS["url"],
            TEXT,
            "A self-hosted forge's address, e.g. 'https://git.example.org'; empty: the forge's public site.",
        ),
        Setting(
            "repository",
            FORGE_DEFAULTS["repository"],
            TEXT,
            "owner/name of the network's repository; empty: no links to the forge on the site.",
        ),
        Setting("branch", FORGE_DEFAULTS["branch"], TEXT, "The branch new files are proposed against."),
    ),
    content=(Content("acts/*/*.yaml", "a member's act: acts/<handle>/<date>-<verb>-<target>.yaml"),),
    # acts_merged: the members' recommends, supports, vouches and going include the acts (trust and
    # actions count them, so they must come after this plugin).
    provides=("acts", "comment_recommends", "going", "acts_merged", "act_links"),
    uses=("diaries",),
    docs="docs/writers.md",
)
