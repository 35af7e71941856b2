"""Small helpers for plugin generators: render a page, find the content folder."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

LOCAL_ADDRESS = "http://localhost:8000"  # where `python tasks.py serve` answers


def site_address(settings: Mapping[str, Any]) -> str:
    """The site's absolute address, without a trailing slash: the one meaning used for every
    absolute link (feeds, podcasts, the sitemap, robots.txt, digests, search results, the
    allies' User-Agent). ``SITEURL`` when it is absolute (``publishconf.py``), else
    ``FEED_DOMAIN`` (``pelicanconf.py`` keeps SITEURL empty for relative links), else the
    address ``serve`` answers on."""
    url = settings.get("SITEURL") or ""
    if not str(url).startswith(("http://", "https://")):
        url = settings.get("FEED_DOMAIN") or LOCAL_ADDRESS
    return str(url).rstrip("/")


def content_path(settings: dict[str, Any]) -> Path:
    return Path(settings["PATH"]).resolve()


def page_url(save_as: str) -> str:
    """``diaries/x/index.html`` -> ``diaries/x/``, the address readers see."""
    return save_as.removesuffix("index.html")


def write_page(generator: Any, writer: Any, template: str, save_as: str, **values: Any) -> None:
    """Render ``template`` to ``save_as`` with the build's context plus ``values``."""
    writer.write_file(
        save_as,
        generator.get_template(template.removesuffix(".html")),
        generator.context,
        relative_urls=generator.settings.get("RELATIVE_URLS", False),
        url=page_url(save_as),
        **values,
    )


def cache_dir(settings: dict[str, Any], name: str) -> Path:
    """``.cache/<name>/`` (``NETROOTS_CACHE`` setting), created on first use."""
    base = Path(settings.get("NETROOTS_CACHE") or Path(settings["PATH"]).resolve().parent / ".cache")
    folder = base / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
