"""Writes /admin/: Decap CMS's page (with its own CSP, never indexed), its generated
``config.yml``, and the pinned bundle that ``scripts/install-decap.sh`` installed.

Without the bundle, or with neither a repository (``FORGE``) nor a local backend, there
is no /admin/ and the build says so in one line; nothing else changes.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import yaml
from pelican.generators import Generator
from pelican.plugins._utils import load_plugins

from netroots.forge import site_forge
from netroots.members import MEMBER_FIELDS
from netroots.schema import ContentType
from netroots.site import cache_dir, copy_output, write_output, write_page

from .config import connect_sources, decap_config
from .spec import editor_settings

logger = logging.getLogger(__name__)
BUNDLE_FILES = ("decap-cms.js", "*.decap-cms.js", "*.wasm", "LICENSE.txt", "THIRD-PARTY-LICENSES.txt")


def content_types(settings: dict[str, Any]) -> list[ContentType]:
    """Every kind of content the enabled plugins declare, and member profiles."""
    kinds = [
        ContentType(
            "members",
            "Member profiles",
            "members",
            MEMBER_FIELDS,
            extension="yaml",
            writers="members",
            body="",
            singular="Member profile",
        )
    ]
    for plugin in load_plugins(settings):
        declare = getattr(plugin, "content_types", None)
        if callable(declare):
            kinds.extend(declare(settings))
    return kinds


def bundle_folder(settings: dict[str, Any]) -> Path:
    options = editor_settings(settings)
    return Path(options["bundle"]) if options["bundle"] else cache_dir(settings, "decap") / "decap-cms"


def editor_csp(connect: list[str]) -> str:
    """Decap's own policy, on /admin/ only: its config validator (ajv) compiles code, its styles are
    inline (emotion), it compiles WebAssembly and talks to the forge; no other host."""
    return (
        "default-src 'self'; script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob: https:; font-src 'self' data:; media-src 'self' blob:; "
        f"connect-src {' '.join(connect)} blob:; frame-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'"
    )


class EditorGenerator(Generator):
    """Writes /admin/ when the bundle is installed and there is a backend to talk to."""

    def generate_context(self) -> None:
        return None

    def generate_output(self, writer: Any) -> None:
        options = editor_settings(self.settings)
        if not options["enabled"]:
            return
        bundle = bundle_folder(self.settings)
        if not (bundle / "decap-cms.js").is_file():
            logger.info(
                "Web editor (/admin/) not built: Decap CMS is not installed; run `bash scripts/install-decap.sh` (needs npm)"
            )
            return
        forge = site_forge(self.settings)
        if forge is None and not options["local_backend"]:
            logger.info(
                "Web editor (/admin/) not built: set FORGE['repository'] (or EDITOR['local_backend'] for local use)"
            )
            return
        content = Path(self.settings["PATH"]).name
        site_url = self.settings.get("SITEURL") or ""
        config = decap_config(forge, options, content_types(self.settings), content, site_url)
        header = "# Written by the build (plugins/editor) from Netroots' content formats; do not edit.\n"
        text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=120)
        write_output(self.settings, "admin/config.yml", header + text)
        for pattern in BUNDLE_FILES:
            for path in sorted(bundle.glob(pattern)):
                copy_output(self.settings, f"admin/{path.name}", path)
        version = (bundle / "VERSION").read_text(encoding="utf-8").strip() if (bundle / "VERSION").is_file() else ""
        write_page(
            self,
            writer,
            "editor/index.html",
            "admin/index.html",
            editor_policy=editor_csp(connect_sources(forge, options)),
            decap_version=version,
            page_title="Web editor",
        )
