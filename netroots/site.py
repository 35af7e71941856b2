"""Small helpers for plugin generators: render a page, find the content folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any


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
