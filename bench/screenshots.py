"""Pictures of the demo for people who would rather look: the main page kinds in headless
Chromium at phone and desktop widths, light and dark, written small into docs/screenshots/."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from bench.browser import launch_chromium, serve_built_site

PHONE = (390, 844)
DESKTOP = (1280, 860)


@dataclass(frozen=True)
class Shot:
    """One picture: a file name, the page (path under the site), the screen and colour scheme."""

    name: str
    path: str
    size: tuple[int, int]
    scheme: str = "light"


SHOTS = (
    Shot("front-desktop", "", DESKTOP),
    Shot("front-phone", "", PHONE),
    Shot("diary-phone", "diaries/pat-okafor/first-meeting-in-a-library-basement/", PHONE),
    Shot("action-desktop", "actions/brenner-advertisers/", DESKTOP),
    Shot("events-phone-dark", "events/", PHONE, "dark"),
    Shot("chapters-desktop-dark", "chapters/", DESKTOP, "dark"),
)


def small_png(png: bytes, colours: int = 128) -> bytes:
    """A screenshot with a reduced palette: a page's few flat colours survive, the file shrinks ~4x."""
    with Image.open(io.BytesIO(png)) as image:
        reduced = image.convert("RGB").quantize(colors=colours, method=Image.Quantize.MEDIANCUT)
        buffer = io.BytesIO()
        reduced.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()


def take(output: Path, site: str, folder: Path, shots: tuple[Shot, ...] = SHOTS) -> list[Path]:
    """Screenshot each page of the built ``output`` (served as ``site``); returns the files written.
    A page the site does not have is skipped."""
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for shot in shots:
                if not (output / shot.path / "index.html").is_file():
                    continue
                width, height = shot.size
                context = browser.new_context(
                    viewport={"width": width, "height": height}, color_scheme=shot.scheme, device_scale_factor=1
                )
                serve_built_site(context, output, site)
                page = context.new_page()
                page.goto(f"{site}/{shot.path}", wait_until="load")
                target = folder / f"{shot.name}.png"
                target.write_bytes(small_png(page.screenshot()))
                written.append(target)
                context.close()
        finally:
            browser.close()
    return written
