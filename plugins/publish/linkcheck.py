"""A small link checker over a built site: every internal link must reach a file,
and every ``#fragment`` an element with that id."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

LINK_ATTRIBUTES = {
    "a": "href",
    "link": "href",
    "area": "href",
    "img": "src",
    "script": "src",
    "source": "src",
    "iframe": "src",
    "form": "action",
}


@dataclass(frozen=True, order=True)
class BrokenLink:
    page: str  # the page the link is on, relative to the output folder
    line: int
    url: str
    reason: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: broken link {self.url} ({self.reason})"


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[int, str]] = []
        self.ids: set[str] = set()
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name"):
            if values.get(key) and (key == "id" or tag == "a"):
                self.ids.add(values[key] or "")
        if tag == "base" and values.get("href"):
            self.base = values["href"]
        wanted = LINK_ATTRIBUTES.get(tag)
        if tag == "link" and "canonical" in (values.get("rel") or "").split():
            return  # the canonical address names the page itself
        if wanted and values.get(wanted):
            self.links.append((self.getpos()[0], values[wanted] or ""))
        if tag in ("img", "source") and values.get("srcset"):
            for candidate in (values["srcset"] or "").split(","):
                if candidate.strip():
                    self.links.append((self.getpos()[0], candidate.split()[0]))


@cache
def _parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8", errors="replace"))
    return collector


def _target(output: Path, path: str) -> Path | None:
    """The file a URL path is served from (``/x/`` -> ``x/index.html``), if there is one."""
    relative = unquote(path).lstrip("/")
    candidate = output / relative
    if relative == "" or relative.endswith("/"):
        candidate = candidate / "index.html"
    if candidate.is_file():
        return candidate
    if (candidate / "index.html").is_file():
        return candidate / "index.html"
    return None


def broken_links(output: Path, site_url: str = "", pages: list[Path] | None = None) -> list[BrokenLink]:
    """Check the links of ``pages`` (default: every .html file under ``output``).

    Links to ``site_url`` (the published address) count as internal; other hosts,
    ``mailto:`` and the like are not checked."""
    _parse.cache_clear()
    output = output.resolve()
    site = urlsplit(site_url.rstrip("/") + "/") if site_url else None
    found: list[BrokenLink] = []
    for page in sorted(pages or output.rglob("*.html")):
        page = page.resolve()
        relative = page.relative_to(output).as_posix()
        page_url = "http://site.invalid/" + relative
        parsed = _parse(page)
        for line, raw in parsed.links:
            url = urlsplit(urljoin(parsed.base or page_url, raw.strip()))
            if url.scheme not in ("http", "https"):
                continue
            if url.netloc == "site.invalid":
                path = url.path
            elif site and url.netloc == site.netloc and url.path.startswith(site.path):
                path = "/" + url.path[len(site.path) :]
            else:
                continue  # another host
            target = _target(output, path)
            if target is None:
                found.append(BrokenLink(relative, line, raw, f"no file for {path}"))
                continue
            if url.fragment and target.suffix == ".html" and unquote(url.fragment) not in _parse(target).ids:
                found.append(BrokenLink(relative, line, raw, f"no element with id '{unquote(url.fragment)}'"))
    return found
