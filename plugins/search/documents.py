"""What goes into the search index, and each item's content hash.

Three sources, one :class:`~search.index.Document` shape:

- diaries and pages from the build (Pelican articles and pages, already rendered);
- the same files read straight from ``content/`` (``tasks.py search`` and ``check``
  refresh the index without a build), hashed the same way so neither redoes the other's work;
- every other kind (actions, jobs, events, allies...) from the built HTML: the element
  marked ``data-pagefind-body`` and the ``pagefind_meta`` filters inside it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from netroots.html import plain_text, render_markdown
from netroots.plugin import offered
from netroots.report import Report
from netroots.site import html_files

from .index import Document

SOURCE_KINDS = {"diaries": "diary", "pages": "page"}
HTML_PREFIX = "html:"
KIND = re.compile(rb'data-pagefind-filter="kind">([^<]*)<')
# What search never reads (``<aside ... data-pagefind-ignore="all">``: the related diaries,
# rewritten on many pages by one edit) is left out of a page's hash, so a page that changed
# only there is not indexed again. Such asides do not nest.
IGNORED_ASIDE = re.compile(rb'<aside\b[^>]*\bdata-pagefind-ignore="all"[^>]*>.*?</aside>', re.DOTALL)


def digest(raw: bytes, *extra: str) -> str:
    """The content hash: the file's bytes plus what the build adds from elsewhere."""
    hasher = hashlib.blake2b(raw, digest_size=16)
    for part in extra:
        hasher.update(b"\0" + part.encode("utf-8"))
    return hasher.hexdigest()


def source_key(path: Path, content: Path) -> str:
    """The path under content/ (content paths are real paths: no resolving needed for most)."""
    try:
        return path.relative_to(content).as_posix()
    except ValueError:
        return path.resolve().relative_to(content).as_posix()


def _date(value: Any) -> str:
    return value.date().isoformat() if hasattr(value, "date") and callable(value.date) else str(value or "")


def _summary(summary: str | None, body: str) -> str:
    text = plain_text(summary or "")
    if not text:
        words = body.split()
        text = " ".join(words[:40]) + ("…" if len(words) > 40 else "")
    return text


# -- hashes -------------------------------------------------------------------
def vocabulary_digest(content: Path) -> str:
    """Tag spellings come from ``content/tags.yaml``: a change there re-indexes the diaries."""
    path = content / "tags.yaml"
    return digest(path.read_bytes()) if path.is_file() else ""


def digest_of_hashes(hashes: Mapping[str, str]) -> str:
    """One hash of ``key -> content hash`` pairs: it changes when any document is added,
    changed or removed."""
    return digest("\0".join(f"{key}\0{hashes[key]}" for key in sorted(hashes)).encode())


def content_hash(path: Path, state: str, vocabulary: str, raw: bytes | None = None, mark: str = "") -> str:
    """A diary's or page's hash: its file, its author's state, the tag vocabulary, and
    ``mark`` ("scheduled" while a diary waits for its day)."""
    return digest(path.read_bytes() if raw is None else raw, state or "", vocabulary, mark)


# -- from the build ---------------------------------------------------------
def build_document(key: str, item: Any, kind: str, state: str = "") -> Document:
    """A Document for a Pelican article (diary) or page."""
    body = plain_text(item.content)
    updates = " ".join(plain_text(update.get("html", "")) for update in getattr(item, "updates", None) or [])
    tags = tuple(tag.name for tag in getattr(item, "tags", None) or [])
    author = getattr(item, "author", None)
    return Document(
        key=key,
        url=item.url,
        kind=kind,
        title=plain_text(item.title),
        body=f"{body} {updates}".strip(),
        summary=_summary(getattr(item, "summary", "") if item.metadata.get("summary") else "", body),
        date=_date(getattr(item, "date", None)),
        member=author.name if author is not None and kind == "diary" else "",
        state=state if kind == "diary" else "",
        tags=tags,
    )


# -- from content/, without a build ------------------------------------------
def _normalizer(settings: dict[str, Any], content: Path):
    """The tags plugin's spelling of a tag (``load_vocabulary`` it offers); as written without it."""
    load_vocabulary = offered(settings, "load_vocabulary")
    if load_vocabulary is None:
        return lambda tag: tag
    return load_vocabulary(content, Report(root=content.parent)).normalize


SCHEDULED_DATE = re.compile(rb"^date:[ \t]*[\"']?(\d{4}-\d{2}-\d{2})", re.M)


def scheduled_mark(path: Path, raw: bytes, settings: dict[str, Any] | None) -> str:
    """``"scheduled"`` for a diary dated after the build's today, else ``""``, read cheaply.

    Part of the hash, so the first build on or after its day indexes a scheduled diary
    even though its file did not change.
    """
    if settings is None:
        return ""
    import datetime as dt

    from netroots.today import published_yet

    found = SCHEDULED_DATE.search(raw.split(b"\n---", 1)[0]) or re.match(rb"(\d{4}-\d{2}-\d{2})-", path.name.encode())
    try:
        day = dt.date.fromisoformat(found.group(1).decode()) if found else None
    except ValueError:
        return ""
    return "" if day is None or published_yet(day, settings) else "scheduled"


def source_documents(content: Path, members: dict[str, Any], settings: dict[str, Any]) -> tuple[dict[str, str], Any]:
    """``(key -> hash, make)`` for every diary and page file under ``content``.

    Hashing reads bytes only; ``make`` parses and renders just the new and changed files
    (drafts and files with errors give None and stay out). Diaries and pages are read by the
    diaries plugin's own validation (``read_diary``, ``read_page`` it offers).
    """
    read_diary = offered(settings, "read_diary")
    read_page = offered(settings, "read_page")
    current = _source_hashes(content, members, settings)
    normalize = None

    def make(key: str) -> Document | None:
        nonlocal normalize
        path = content / key
        report = Report(root=content.parent)
        if read_diary is None:
            return None
        if key.startswith("diaries/"):
            diary = read_diary(path, content, report, settings=settings)
            if diary is None or not diary.published:
                return None
            normalize = normalize or _normalizer(settings, content)
            return _diary_document(key, diary, members, normalize)
        return _page_document(key, read_page(path, content, report))

    return current, make


def _source_hashes(content: Path, members: dict[str, Any], settings: dict[str, Any]) -> dict[str, str]:
    """``key -> hash`` of every diary and page, from bytes alone: what a diary's document depends on
    (its member's state, the tag vocabulary, whether it is still scheduled) is in its hash."""
    vocabulary = vocabulary_digest(content)
    current: dict[str, str] = {}
    for path in sorted((content / "diaries").glob("*/*.md")):
        state = getattr(members.get(path.parent.name), "state", None) or ""
        raw = path.read_bytes()
        current[source_key(path, content)] = content_hash(
            path, state, vocabulary, raw, scheduled_mark(path, raw, settings)
        )
    for path in sorted((content / "pages").rglob("*.md")):
        current[source_key(path, content)] = content_hash(path, "", vocabulary)
    return current


def _diary_document(key: str, diary: Any, members: dict[str, Any], normalize: Callable[[str], str]) -> Document:
    """A published diary as a search document: body with its updates, tags in their canonical form."""
    meta = diary.meta
    body = plain_text(render_markdown(diary.source.body))
    updates = " ".join(update["text"] for update in meta.get("updates") or [])
    member = members.get(diary.handle)
    return Document(
        key=key,
        url=f"diaries/{diary.handle}/{diary.slug}/",
        kind="diary",
        title=meta["title"],
        body=f"{body} {updates}".strip(),
        summary=_summary(meta.get("summary"), body),
        date=_date(meta.get("date")),
        member=diary.handle,
        state=getattr(member, "state", None) or "",
        tags=tuple(dict.fromkeys(normalize(tag) for tag in meta.get("tags") or [])),
    )


def _page_document(key: str, page: tuple[Any, dict[str, Any], str] | None) -> Document | None:
    """A published page (``read_page``'s ``(source, meta, slug)``) as a search document, else None."""
    if page is None or page[1].get("status") != "published":
        return None
    source, meta, slug = page
    body = plain_text(render_markdown(source.body))
    return Document(
        key=key,
        url=f"{slug}/",
        kind="page",
        title=meta["title"],
        body=body,
        summary=_summary(meta.get("summary"), body),
        date=_date(meta.get("date")),
    )


# -- from the built HTML ------------------------------------------------------
def html_document(output: Path, relative: str) -> Document | None:
    """The main content of a built page (its ``data-pagefind-body`` element), or None."""
    import lxml.html

    raw = (output / relative).read_bytes()
    if b"data-pagefind-body" not in raw:
        return None
    tree = lxml.html.fromstring(raw)
    bodies = tree.xpath("//*[@data-pagefind-body]")
    if not bodies:
        return None
    filters: dict[str, list[str]] = {}
    meta: dict[str, str] = {}
    for body in bodies:
        for element in body.xpath(".//*[@data-pagefind-filter]"):
            filters.setdefault(element.get("data-pagefind-filter"), []).append(element.text_content().strip())
        for element in body.xpath(".//*[@data-pagefind-meta]"):
            meta.setdefault(element.get("data-pagefind-meta"), element.text_content().strip())
        for element in body.xpath(".//*[@hidden] | .//*[@data-pagefind-ignore] | .//script | .//style"):
            element.drop_tree()
    kind = (filters.get("kind") or [""])[0]
    if not kind:
        return None
    text = " ".join(" ".join(" ".join(body.itertext()).split()) for body in bodies)
    heading = tree.xpath("string(//h1)").strip()
    url = relative.removesuffix("index.html")
    return Document(
        key=HTML_PREFIX + relative,
        url=url,
        kind=kind,
        title=meta.get("title") or heading or url,
        body=text,
        summary=meta.get("summary") or _summary("", text),
        date=meta.get("date", ""),
        member=(filters.get("member") or [""])[0],
        state=(filters.get("state") or [""])[0],
        tags=tuple(filters.get("tag") or ()),
    )


def scan_output(
    output: Path, seen: dict[str, tuple] | None = None, files: list[tuple[str, int, int]] | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """One pass over the built HTML (``files``: ``html_files(output)``, when the caller has it):
    ``(key -> hash of pages to index from HTML, pages)``.

    ``pages`` maps every page Pagefind would index (those with ``data-pagefind-body``)
    to its hash. ``seen`` (relative path -> (size, mtime, hash, kind or None), updated in
    place: an entry that changed is replaced, never altered) is the last scan's: a file with
    the same size and modification time is not read again, so a build that changed a few
    pages reads a few pages.
    """
    seen = {} if seen is None else seen
    current: dict[str, str] = {}
    pages: dict[str, str] = {}
    found: set[str] = set()
    for relative, size, modified in html_files(output) if files is None else files:
        if relative.startswith("pagefind/"):
            continue
        found.add(relative)
        known = seen.get(relative)
        if known is None or known[0] != size or known[1] != modified:
            raw = (output / relative).read_bytes()
            if b"data-pagefind-body" in raw:
                kind = KIND.search(raw)
                known = (size, modified, digest(IGNORED_ASIDE.sub(b"", raw)), kind.group(1).decode() if kind else "")
            else:
                known = (size, modified, None, None)
            seen[relative] = known
        page_hash, kind = known[2], known[3]
        if page_hash is None:
            continue
        pages[relative] = page_hash
        if relative.startswith(("theme/", "search/")):
            continue
        if kind and kind not in SOURCE_KINDS.values():  # stale copies of removed diaries too
            current[HTML_PREFIX + relative] = page_hash
    for relative in set(seen) - found:
        del seen[relative]
    return current, pages
