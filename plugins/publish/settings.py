"""The ``PUBLISH = {...}`` settings: deploying, ownership and publish hygiene.

Every key is optional; ``pelicanconf.py`` sets what the network needs, and
``publishconf.py`` turns on what only the published site wants (``PRECOMPRESS``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netroots.settings import plugin_settings

DEFAULTS: dict[str, Any] = {
    # GitHub logins (or member handles) allowed to change anything, e.g. ["mlopez-oak"].
    "MAINTAINERS": [],
    # rsync destination for `python tasks.py publish`, e.g. "deploy@example.org:/var/www/commons/".
    "RSYNC_TARGET": "",
    "SSH_PORT": 22,
    "SSH_KEY": "",  # a private key file for ssh -i; empty: ssh's own defaults
    "SSH_OPTIONS": [],  # extra ssh arguments, e.g. ["-o", "StrictHostKeyChecking=accept-new"]
    "RSYNC_OPTIONS": [],  # extra rsync arguments, e.g. ["--exclude", "private/"]
    "DELETE": True,  # remove files on the host that the build no longer writes
    # Write name.gz beside every file with these extensions (for nginx gzip_static and the like).
    "PRECOMPRESS": False,
    "PRECOMPRESS_EXTENSIONS": [".html", ".css", ".js", ".xml", ".json", ".svg", ".ics"],
    "SITEMAP": True,
    "SITEMAP_EXCLUDE": ["404.html", "theme/*"],  # glob patterns of output paths
    "ROBOTS": True,  # write robots.txt (unless the output already has one)
    "ROBOTS_RULES": "",  # the network's own robots.txt rules, e.g. "User-agent: *\nDisallow: /drafts/"
    "CODEOWNERS": ".github/CODEOWNERS",
    # owner/name on GitHub, for `python tasks.py web-links` (default: the origin remote).
    "REPOSITORY": "",
}


def publish_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    return plugin_settings(settings, "PUBLISH", DEFAULTS)
