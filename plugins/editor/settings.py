"""The ``EDITOR = {...}`` settings: the web editor for writers at /admin/ (Decap CMS)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netroots.settings import plugin_settings

DEFAULTS: dict[str, Any] = {
    "enabled": True,  # False: never build /admin/
    # Decap's local backend (decap-server, `python tasks.py editor`): True for its usual
    # http://localhost:8081/api/v1, or the address of its API; False on a published site.
    "local_backend": False,
    # Sign-in for the forge's backend (docs/maintainers.md): for GitHub, the address of an
    # OAuth client (base_url, auth_endpoint); for GitLab and Gitea/Forgejo, app_id (PKCE).
    "auth": {},
    "publish_mode": "editorial_workflow",  # each save is a pull request; "" saves straight to the branch
    # Where scripts/install-decap.sh puts the pinned bundle; empty: <NETROOTS_CACHE>/decap/decap-cms.
    "bundle": "",
}


def editor_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    return plugin_settings(settings, "EDITOR", DEFAULTS)
