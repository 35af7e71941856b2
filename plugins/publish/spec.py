"""The publish plugin's contract: the ``PUBLISH = {...}`` settings (deploying, ownership, hygiene).

Every key is optional; ``pelicanconf.py`` sets what the network needs, and
``publishconf.py`` turns on what only the published site wants (``PRECOMPRESS``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netroots.plugin import PluginSpec
from netroots.settings import FLAG, STRINGS, TEXT, Setting, whole

SPEC = PluginSpec(
    name="publish",
    doc="Sitemap, robots.txt, cache-busted CSS, precompressed files, rsync deploys, and the ownership check.",
    settings_name="PUBLISH",
    settings=(
        Setting("MAINTAINERS", [], STRINGS, "GitHub logins (or member handles) allowed to change anything."),
        Setting(
            "RSYNC_TARGET",
            "",
            TEXT,
            "rsync destination for `python tasks.py publish`, e.g. 'deploy@example.org:/var/www/commons/'.",
        ),
        Setting("SSH_PORT", 22, whole(minimum=1, maximum=65535), "The deploy host's ssh port."),
        Setting("SSH_KEY", "", TEXT, "A private key file for ssh -i; empty: ssh's own defaults."),
        Setting("SSH_OPTIONS", [], STRINGS, "Extra ssh arguments, e.g. ['-o', 'StrictHostKeyChecking=accept-new']."),
        Setting("RSYNC_OPTIONS", [], STRINGS, "Extra rsync arguments, e.g. ['--exclude', 'private/']."),
        Setting("DELETE", True, FLAG, "Remove files on the host that the build no longer writes."),
        Setting("PRECOMPRESS", False, FLAG, "Write name.gz beside every file with PRECOMPRESS_EXTENSIONS."),
        Setting(
            "PRECOMPRESS_EXTENSIONS",
            [".html", ".css", ".js", ".xml", ".json", ".svg", ".ics"],
            STRINGS,
            "The extensions PRECOMPRESS compresses.",
        ),
        Setting("SITEMAP", True, FLAG, "Write sitemap.xml."),
        Setting("SITEMAP_EXCLUDE", ["404.html", "theme/*"], STRINGS, "Glob patterns of output paths left out of it."),
        Setting("ROBOTS", True, FLAG, "Write robots.txt (unless the output already has one)."),
        Setting(
            "ROBOTS_RULES", "", TEXT, "The network's own robots.txt rules, e.g. 'User-agent: *\\nDisallow: /drafts/'."
        ),
        Setting("CODEOWNERS", ".github/CODEOWNERS", TEXT, "Where `python tasks.py codeowners` writes."),
        Setting(
            "REPOSITORY",
            "",
            TEXT,
            "owner/name on GitHub, for `python tasks.py web-links` (default: the origin remote).",
        ),
    ),
    docs="docs/maintainers.md",
)
DEFAULTS = SPEC.defaults()


def publish_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``PUBLISH`` over the defaults; a bad value is logged and replaced by its default."""
    return SPEC.options(settings)
