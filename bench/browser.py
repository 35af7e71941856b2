"""The system Chromium, as browser tests and benchmarks drive it (never a downloaded browser)."""

from __future__ import annotations

import os
from typing import Any

CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
# Headless on a machine with no network but loopback: no background requests, no sandbox as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch_chromium(playwright: Any) -> Any:
    """Start the system Chromium through Playwright."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def serve_built_site(context: Any, output: Any, site: str) -> list[str]:
    """Answer a Playwright context's requests to ``site`` from the built ``output`` folder,
    as the published host would; refuse any other host. Returns the refused URLs, so a
    caller can assert the page made no third-party request."""
    from pathlib import Path

    root = Path(output)
    refused: list[str] = []

    def serve(route: Any) -> None:
        url = route.request.url.split("#")[0].split("?")[0]
        relative = url.removeprefix(site).lstrip("/")
        target = root / relative
        if relative == "" or relative.endswith("/"):
            target = target / "index.html"
        if target.is_file():
            route.fulfill(path=str(target))
        else:
            route.fulfill(status=404, body="not found")

    def refuse(route: Any) -> None:
        refused.append(route.request.url)
        route.abort()

    context.route("**/*", refuse)
    context.route(f"{site}/**", serve)
    return refused
