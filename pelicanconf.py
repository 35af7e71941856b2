"""Development settings for the Commons Network demo (``make html``, ``tasks.py build``).

Each plugin is configured by one UPPERCASE dict named after it; the defaults and
what every key does are in docs/settings.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))  # the shared `netroots` package, for plugins

SITENAME = "Commons Network"
SITESUBTITLE = "Members writing, organizing and acting together"
SITEURL = ""
FEED_DOMAIN = "http://localhost:8000"
RELATIVE_URLS = True
TIMEZONE = "America/New_York"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%B %-d, %Y"

PATH = "content"
OUTPUT_PATH = "output"
ARTICLE_PATHS = ["diaries"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
THEME = "theme"
DELETE_OUTPUT_DIRECTORY = False
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False

PLUGIN_PATHS = ["plugins"]
PLUGINS = ["diaries", "tags", "members", "groups", "jobs", "publish"]

# Front matter: summary is plain text, never Markdown or HTML.
FORMATTED_FIELDS: list[str] = []
JINJA_ENVIRONMENT = {"autoescape": True, "trim_blocks": True, "lstrip_blocks": True, "extensions": []}

# Diaries: /diaries/<handle>/<slug>/
PATH_METADATA = r"diaries/(?P<author>[^/]+)/.*"
ARTICLE_URL = "diaries/{author}/{slug}/"
ARTICLE_SAVE_AS = "diaries/{author}/{slug}/index.html"
DRAFT_URL = ""
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
AUTHOR_URL = "members/{slug}/"
AUTHOR_SAVE_AS = ""  # the members plugin writes every member's page
AUTHORS_SAVE_AS = ""
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
TAGS_SAVE_AS = "tags/index.html"
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
USE_FOLDER_AS_CATEGORY = False
DEFAULT_CATEGORY = "diaries"

DIRECT_TEMPLATES = ["index", "diaries", "tags"]
DIARIES_SAVE_AS = "diaries/index.html"
DIARIES_URL = "diaries/"
PAGINATED_TEMPLATES = {"diaries": 20, "tag": 20}
DEFAULT_PAGINATION = 20
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

# Diary feeds (Atom and RSS): everything, per member, per tag. Groups write their own.
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
AUTHOR_FEED_ATOM = "feeds/members/{slug}.atom.xml"
AUTHOR_FEED_RSS = "feeds/members/{slug}.rss.xml"
TAG_FEED_ATOM = "feeds/tags/{slug}.atom.xml"
TAG_FEED_RSS = "feeds/tags/{slug}.rss.xml"
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None
RSS_FEED_SUMMARY_ONLY = False
FEED_MAX_ITEMS = 50

NAV_LINKS = [
    ("Diaries", "diaries/"),
    ("Actions", "actions/"),
    ("Events", "events/"),
    ("Jobs", "jobs/"),
    ("Chapters", "chapters/"),
    ("Allies", "allies/"),
    ("About", "about/"),
]

# The 404 page: Pelican renders it like any other direct template.
DIRECT_TEMPLATES.append("notfound")
NOTFOUND_SAVE_AS = "404.html"

# Where plugins keep state between builds (allied feed cache, search index); CI caches it.
NETROOTS_CACHE = str(ROOT / ".cache")

# Publishing (plugins/publish, docs/maintainers.md): who may change anything, where
# `python tasks.py publish` deploys with rsync over ssh, sitemap/robots/.gz options.
PUBLISH = {
    "MAINTAINERS": ["maria-lopez", "pat-okafor"],  # GitHub logins or member handles
    "RSYNC_TARGET": "",  # e.g. "deploy@example.org:/var/www/commons/"
}

# Jobs board (plugins/jobs, docs/jobs.md): a job without `expires` closes max_age_days after `posted`.
JOBS = {
    "max_age_days": 60,
    "front_page_count": 5,  # newest open jobs on the front page
}
