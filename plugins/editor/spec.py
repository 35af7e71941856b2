"""The editor plugin's contract: the ``EDITOR = {...}`` settings for Decap CMS at /admin/."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netroots.plugin import PluginSpec
from netroots.settings import FLAG, TEXT, Kind, Setting, choice, either

AUTH_KEYS = ("base_url", "auth_endpoint", "auth_type", "app_id", "site_domain")


def _auth(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(k in AUTH_KEYS and isinstance(v, str) for k, v in value.items()):
        raise ValueError
    return dict(value)


AUTH = Kind(
    f"a dict of strings with keys from {', '.join(AUTH_KEYS)}, e.g. {{'base_url': 'https://auth.example.org'}}", _auth
)

SPEC = PluginSpec(
    name="editor",
    doc="The web editor for writers at /admin/: Decap CMS, configured from the content formats.",
    settings_name="EDITOR",
    settings=(
        Setting("enabled", True, FLAG, "False: never build /admin/."),
        Setting(
            "local_backend",
            False,
            either(FLAG, TEXT),
            "Decap's local backend (decap-server, `python tasks.py editor`): True for http://localhost:8081/api/v1, "
            "or the address of its API; False on a published site.",
        ),
        Setting(
            "auth",
            {},
            AUTH,
            "Sign-in, merged into Decap's backend: GitHub {'base_url', 'auth_endpoint'} of an OAuth service; "
            "GitLab {'auth_type': 'pkce', 'app_id'}; Gitea/Forgejo {'app_id'} (docs/maintainers.md).",
        ),
        Setting(
            "publish_mode",
            "editorial_workflow",
            choice("editorial_workflow", ""),
            "'editorial_workflow': each save is a pull request; '': saves go straight to the branch.",
        ),
        Setting("bundle", "", TEXT, "The installed Decap CMS bundle; empty: <NETROOTS_CACHE>/decap/decap-cms."),
    ),
    uses=("act_links",),
    optional=True,
    docs="docs/writers.md",
)
DEFAULTS = SPEC.defaults()


def editor_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``EDITOR`` over the defaults; a bad value is logged and replaced by its default."""
    return SPEC.options(settings)
