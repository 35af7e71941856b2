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
