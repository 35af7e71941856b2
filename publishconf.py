"""Publishing settings: absolute URLs and feeds for the real site (``tasks.py build --publish``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("NETROOTS_SITEURL", "https://commons.example.org")
FEED_DOMAIN = SITEURL
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
# Precompressed .gz copies of html/css/js/xml/json/svg/ics for hosts that serve them.
PUBLISH = {**PUBLISH, "PRECOMPRESS": True}  # noqa: F405
# The published web editor talks to the forge (FORGE), never to a local backend.
EDITOR = {**EDITOR, "local_backend": False}  # noqa: F405
