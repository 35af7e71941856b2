"""Development settings for the Commons Network demo (``make html``, ``tasks.py build``).

Each plugin is configured by one UPPERCASE dict named after it; the defaults and
what every key does are in docs/settings.md (generated from plugins/<name>/spec.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))  # the shared `netroots` package, for plugins

from netroots.html import paragraphs  # noqa: E402
from netroots.today import long_date  # noqa: E402

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
PLUGINS = [
    "diaries",
    "media",
    "tags",
    "members",
    "groups",
    "acts",  # merges content/acts/ into the members' lists: before trust, actions and events
    "trust",
    "actions",
    "jobs",
    "events",
    "chapters",
    "allies",
    "comments",
    "digest",
    "search",
    "editor",
    "publish",
]

# Front matter: summary is plain text, never Markdown or HTML.
FORMATTED_FIELDS: list[str] = []
# No {filename}/{static}/{attach} links: Pelican rewrites them with a regex over the sanitized
# HTML and HTML-unescapes the URL, which let `&quot;` reopen an attribute; {static} could also
# copy files from outside content/. This pattern never matches. Members link with plain URLs.
INTRASITE_LINK_REGEX = "(?P<what>(?!))"
JINJA_ENVIRONMENT = {"autoescape": True, "trim_blocks": True, "lstrip_blocks": True, "extensions": []}
# paragraphs: plain text (scripts, letters) as reflowed paragraphs; long_date: "November 2, 2026"
JINJA_FILTERS = {"paragraphs": paragraphs, "long_date": long_date}

# Diaries: /diaries/<handle>/<slug>/
PATH_METADATA = r"diaries/(?P<author>[^/]+)/.*"
# The diaries reader reads the date in a file name itself, with a path:line error for
# 2026-02-30; Pelican's own parse of it would stop on such a name without saying why.
FILENAME_METADATA = ""
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
PAGINATED_TEMPLATES = {"diaries": 20, "tag": 20, "group": 20}
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

# Members' pictures, audio and video (plugins/media, docs/writers.md): pictures in
# content/diaries/<handle>/images/ are published only as resized copies without metadata.
MEDIA = {
    "widths": [480, 960, 1600],  # px; never wider than the original
    "formats": ["webp"],  # besides a JPEG (or PNG) fallback; "avif" too triples a first build's cost
    "max_mb": 10,  # `check` refuses bigger picture files
}

# Weekly digest (plugins/digest, docs/maintainers.md): /digest/, /feeds/digest.atom.xml and
# `python tasks.py digest --send`, which mails the week to the list below over TLS. The SMTP
# account comes from the environment (NETROOTS_SMTP_HOST, NETROOTS_SMTP_USER, NETROOTS_SMTP_PASSWORD).
DIGEST = {
    "list_address": "digest@lists.commons.example.org",  # the list that has the subscribers
    "from_address": "digest@commons.example.org",
    "subscribe_url": "https://lists.commons.example.org/digest/",
    "unsubscribe": "mailto:digest-leave@lists.commons.example.org",  # List-Unsubscribe
}

# Jobs board (plugins/jobs, docs/jobs.md): a job without `expires` closes max_age_days after `posted`.
JOBS = {
    "max_age_days": 60,
    "front_page_count": 5,  # newest open jobs on the front page
}

# Taking part without git (plugins/acts, docs/writers.md): with a repository set, the site shows
# Recommend, Support this cause, I'm going, Vouch and Join links that open the forge's
# new-file page pre-filled. Empty repository: no such links. kind: github, gitlab, gitea, forgejo.
FORGE = {
    "kind": "github",
    "url": "",  # the forge's address when self-hosted, e.g. "https://git.example.org"
    "repository": "",  # e.g. "commons-network/site"
    "branch": "main",
}

# The web editor for writers at /admin/ (plugins/editor, docs/writers.md): Decap CMS, installed by
# `bash scripts/install-decap.sh` (npm); without it there is no /admin/. Here, for local use, it talks
# to Decap's local backend (`python tasks.py editor`); publishconf.py turns that off.
EDITOR = {
    "local_backend": True,  # http://localhost:8081/api/v1, started by `python tasks.py editor`
    "auth": {},  # sign-in for the forge: docs/maintainers.md
}

# Web of trust (plugins/trust, docs/trust.md): seeds in content/trust.yaml; who is trusted
# (Advogato max-flow), trust-weighted recommended diaries, rescued diaries. Defaults in docs/trust.md.
TRUST = {
    "half_life_days": 30,  # a recommendation loses half its weight every 30 days
    "min_recommenders": 2,  # trusted members needed before a diary is on the recommended list
    "rescue_group": "rescue-rangers",  # the group whose editors keep content/rescue.yaml
}

# Action center (plugins/actions, docs/actions.md): a proposed action becomes active when
# `threshold` members support it (trusted members only, once the web of trust is on).
ACTIONS = {
    "threshold": 5,  # an action's own `threshold:` overrides it
    "phone_region": "US",  # how phone numbers without +country code are read
}

# Search (plugins/search, docs/search.md): Pagefind in the browser, Whoosh for the
# terminal (`tasks.py search`), related diaries and tag hints. `whoosh: False` skips
# the build-time Whoosh work; `pagefind: False` skips the in-browser index.
SEARCH = {
    "whoosh": True,
    "pagefind": True,
    "related": 5,  # related diaries on each diary page
}

# The site's Content-Security-Policy (a meta tag in base.html). Same-origin everything;
# media may play from https: addresses (a diary's `media: {url: ...}`, loaded only on play);
# search adds only what Pagefind needs: 'wasm-unsafe-eval' to compile its WebAssembly
# (script-src) and fetching its index files from this site (connect-src 'self').
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' https: data:; style-src 'self'; "
    "script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; font-src 'self'; media-src 'self' https:; "
    "object-src 'none'; base-uri 'none'; form-action 'self' mailto:"
)

# Readers' privacy (docs/maintainers.md, "Remote images"): pictures from other hosts in
# members' diaries and comments and in allies' posts. "drop" shows each as a link to the
# picture, named by its alt text, so no reader's browser asks another host for anything, and
# img-src above becomes 'self' data:; "keep" shows them, and their hosts learn who reads what.
PRIVACY = {"remote_images": "drop"}

# Allied blogs (plugins/allies, docs/allies.md): `python tasks.py fetch` fills .cache/allies/;
# the build only reads that cache. Every key and its default is in docs/allies.md.
ALLIES = {
    "budget": 60,  # seconds for the whole fetch; a feed not done by then keeps its last good copy
    "backfill_days": 14,  # a newly added ally shows posts from up to 14 days before its first fetch
    "front_entries": 5,  # allies' posts in the front page's short list
    # Demo only: sample posts for allies never fetched, so a fresh clone shows the river and
    # an allied response under a diary. Remove this line in your own network.
    "sample_cache": str(ROOT / "demo" / "allies-cache"),
}

# Comments (plugins/comments, docs/content.md): content/comments/<handle>/, threads under
# each diary, feeds per diary and for the site, moderation in content/moderation.yaml.
COMMENTS = {
    "marked_weight": 2.0,  # trusted recommendations a comment needs to be marked "Recommended"
    "site_hosts": ["commons.example.org"],  # the published address: allied links to it are responses
}

# Events (plugins/events, docs/events.md): /events/, /events/<slug>/, /events.ics and a
# calendar per chapter. Times are written in each event's own `timezone:`.
EVENTS = {
    "default_duration_minutes": 120,  # when an event has no `end`
    "front_page_count": 3,  # upcoming events on the front page
    "calendar_name": "",  # name calendar apps show for /events.ics (SITENAME when empty)
}

# Chapters (plugins/chapters, docs/chapters.md): a chapter per state where members live,
# city sections, and a mentor for every member who is alone where they live.
CHAPTERS = {
    "isolation": "state",  # "state" or "city": isolated when no other member shares it
    "mentor_cap": 3,  # most isolated members one mentor is asked to greet
    "city_min_members": 3,  # a city with this many members gets its own section
    "map_steps": [1, 2, 5, 10],  # member counts where the map's shade darkens
}
