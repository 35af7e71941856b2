"""The core's own declarations: settings that belong to no plugin, checked and documented like theirs.

``NETROOTS_BUILD`` tunes incremental, parallel builds (netroots/incremental.py); ``FORGE`` names
the forge and repository that the take-part links, ``tasks.py web-links`` and the web editor
use (netroots/forge.py); ``PRIVACY`` says whether remote pictures in members' and allies' HTML
show (netroots/html.py). ``netroots.plugin.start`` checks them before every build and ``check``,
and docs/settings.md lists them first. Core addresses a member's handle may not take are
declared here too; a plugin declares its own in ``PluginSpec.url_words``.
"""

from __future__ import annotations

from .plugin import PluginSpec
from .settings import FLAG, TEXT, Setting, choice, whole

# The forges whose "new file" page can be filled in (netroots/forge.py NEW_FILE).
FORGE_KINDS = ("github", "gitlab", "gitea", "forgejo")

BUILD_SPEC = PluginSpec(
    name="netroots (incremental builds)",
    doc="How a build renders: only what changed, in worker processes.",
    settings_name="NETROOTS_BUILD",
    settings=(
        Setting(
            "incremental",
            True,
            FLAG,
            "Render and write only the pages whose inputs changed since the last build; False: every page.",
        ),
        Setting(
            "jobs",
            0,
            whole(minimum=0),
            "Worker processes that render pages, read content files not in the read cache and compute a first "
            "build's related diaries; 0: one per core.",
            output=False,
        ),
        Setting(
            "parallel_min",
            64,
            whole(minimum=1),
            "With fewer pages to render (or content files to read) than this, the work stays in the build's "
            "own process.",
            output=False,
        ),
    ),
    # Site addresses beside the members' folders (/diaries/page/2/, /diaries/feeds/...).
    url_words=("page", "feeds", "index", "images", "tags", "new"),
    docs="docs/architecture.md",
)

FORGE_SPEC = PluginSpec(
    name="netroots (forge)",
    doc="The forge that holds the network's repository: the site's take-part links (acts), "
    "`python tasks.py web-links` and the web editor open its pages.",
    settings_name="FORGE",
    settings=(
        Setting("kind", "github", choice(*FORGE_KINDS), "The forge: github, gitlab, gitea or forgejo."),
        Setting(
            "url",
            "",
            TEXT,
            "A self-hosted forge's address, e.g. 'https://git.example.org'; empty: the forge's public site.",
        ),
        Setting(
            "repository",
            "",
            TEXT,
            "owner/name of the network's repository; empty: no links to the forge on the site.",
        ),
        Setting("branch", "main", TEXT, "The branch new files are proposed against."),
    ),
    docs="docs/writers.md",
)

PRIVACY_SPEC = PluginSpec(
    name="netroots (readers' privacy)",
    doc="What members' and allies' HTML may make a reader's browser fetch from other hosts.",
    settings_name="PRIVACY",
    settings=(
        Setting(
            "remote_images",
            "drop",
            choice("drop", "keep"),
            "Pictures from other hosts in diaries, comments and allies' posts. 'drop': each becomes a link "
            "to the picture, named by its alt text, and the CSP's img-src becomes 'self' data: (no page asks "
            "another host for anything); 'keep': they show, and their hosts learn who reads what.",
        ),
    ),
    docs="docs/maintainers.md",
)

CORE_SPECS = (BUILD_SPEC, FORGE_SPEC, PRIVACY_SPEC)
