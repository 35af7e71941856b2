"""Links into a forge's web editor (GitHub, GitLab, Gitea, Forgejo), built in one place.

A forge can open its "new file" page with the file's name and text filled in, which is
how members without git take part: the site's Recommend, Support, I'm going, Vouch and
Join links, and ``tasks.py web-links``. The ``FORGE = {...}`` setting names the forge and
the repository; without a repository there are no such links.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .core import FORGE_SPEC

HOSTS = {
    "github": "https://github.com",
    "gitlab": "https://gitlab.com",
    "gitea": "https://gitea.com",
    "forgejo": "https://codeberg.org",
}
# The "new file" page of each forge, and the query fields it fills in.
NEW_FILE = {
    "github": ("{base}/{repository}/new/{branch}", "filename", "value"),
    "gitlab": ("{base}/{repository}/-/new/{branch}/", "file_name", "content"),
    "gitea": ("{base}/{repository}/_new/{branch}/", "filename", "value"),
    "forgejo": ("{base}/{repository}/_new/{branch}/", "filename", "value"),
}
# What a link leaves for the member's browser to fill in when they click it (theme/static/js/acts.js):
# the day or minute that starts the new file's name, and a ``key: YYYY-MM-DD`` line of its text.
# The site's pages never carry the build's clock, so a build later in the day writes the same page.
DAY = "YYYY-MM-DD"
MINUTE = "YYYY-MM-DD-HHMM"
EDIT_FILE = {
    "github": "{base}/{repository}/edit/{branch}/{path}",
    "gitlab": "{base}/{repository}/-/edit/{branch}/{path}",
    "gitea": "{base}/{repository}/_edit/{branch}/{path}",
    "forgejo": "{base}/{repository}/_edit/{branch}/{path}",
}


@dataclass(frozen=True)
class Forge:
    """Where the network's repository lives."""

    kind: str
    base: str
    repository: str
    branch: str = "main"

    def _fill(self, pattern: str, path: str = "") -> str:
        return pattern.format(
            base=self.base.rstrip("/"),
            repository=quote(self.repository.strip("/"), safe="/"),
            branch=quote(self.branch, safe="/"),
            path=quote(path, safe="/"),
        )

    def new_file(self, path: str, text: str) -> str:
        """The forge's new-file page with ``path`` (from the repository's top) and ``text`` filled in.

        Every character of both is percent-encoded (``/`` too, spaces as ``%20``), so a
        title with ``&``, ``#``, quotes or accents reaches the editor as written.
        """
        page, name_field, text_field = NEW_FILE[self.kind]
        query = f"{name_field}={quote(path, safe='')}&{text_field}={quote(text, safe='')}"
        return f"{self._fill(page)}?{query}"

    def edit_file(self, path: str) -> str:
        """The forge's editor on an existing file."""
        return self._fill(EDIT_FILE[self.kind], path)


def forge_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``FORGE`` over its declared defaults (netroots/core.py); a bad value is one error line and its default."""
    return FORGE_SPEC.options(settings)


def site_forge(settings: Mapping[str, Any], repository: str | None = None) -> Forge | None:
    """The configured forge; ``None`` without a repository (then the site shows no such links)."""
    options = forge_settings(settings)
    repository = (repository or options["repository"] or "").strip().strip("/")
    kind = options["kind"]
    if not repository:
        return None
    return Forge(
        kind=kind, base=options["url"] or HOSTS[kind], repository=repository, branch=options["branch"] or "main"
    )


def unfilled(name: str) -> str | None:
    """The placeholder a file's name still starts with (a link followed without JavaScript), or ``None``."""
    for placeholder in (MINUTE, DAY):
        if name.startswith(f"{placeholder}-"):
            return placeholder
    return None
