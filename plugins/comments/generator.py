"""The comments plugin's part of the build: threads under diaries, feeds, shared lists.

``generate_context`` reads the comments (cached), checks them, arranges the threads and
``publish``-es what templates and other plugins read; the diary pages Pelican writes
afterwards include each thread. ``generate_output`` writes the comment feeds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

from markupsafe import escape
from pelican.generators import Generator

from netroots.feeds import FeedEntry, FeedJob, absolute, feed_store, write_feed_jobs
from netroots.fingerprint import KeyedDict
from netroots.generators import address
from netroots.html import images_for_readers
from netroots.manifest import produced_under
from netroots.members import members_in
from netroots.plugin import build_state
from netroots.report import Report
from netroots.site import KeyedView, cache_dir, preview_of, read_json, write_json
from netroots.today import aware, build_today, published_yet, site_timezone

from .diaries import MODULUS, feed_hash, kept_diaries
from .model import MemberComment, load_comments, read_cache, write_cache
from .render import Blank, ThreadRenderer, thread_view
from .responses import allied_responses, site_hosts
from .spec import comments_settings
from .thread import Conversation, Node, build_conversation, load_moderation

logger = logging.getLogger("netroots")
TEMPLATE = "comments/thread"
FORMATS = "\x00formats"  # in feeds.json, beside the diaries' ids (which hold no NUL)
RECENT = "\x00recent"
Feed = tuple[str, str, list[FeedEntry]]  # a comment feed's title, page and entries
Feeds = dict[str, Feed]  # diary id -> its comment feed
SETTLED_NS = 2 * 10**9  # a folder changed since this long before a build began is listed by the next


def publish(
    context: dict[str, Any],
    conversation: Conversation,
    options: dict[str, Any],
    responses: dict,
    today: dt.date | None = None,
) -> None:
    """What other plugins and templates read: the interface of this plugin (docs/architecture.md).

    - ``comment_threads``: diary id -> Thread (``.roots``, ``.nodes`` in page order, ``.count``)
    - ``comment_counts``: diary id -> comments a reader sees under it (cards, digests)
    - ``comments_list``: every shown comment (Node: ``.comment``, ``.url``, ``.anchor``), newest first
    - ``recent_comments``: the newest ``COMMENTS["recent"]`` of those
    - ``comments_by_member``: handle -> their newest ``COMMENTS["member_recent"]`` shown comments
      as ``MemberComment``s (what a member's page lists), read by key
    - ``most_discussed_diaries``: diary ids, most comments first (ties: newest comment first)
    - ``most_discussed``: ``(diary, comments in the last 7 days)`` pairs, most first (the weekly digest)
    - ``comment_nodes``: comment id -> Node, for "Reply" links (``node.url`` is ``diaries/h/s/#c-...``)
    - ``allied_responses``: diary id -> allied posts (the allies' river entries) linking to it
    - ``comment_thread``: ``comment_thread(diary_id, SITEURL)`` in a template gives the thread's HTML
    - ``comment_diaries``: diary id -> the published diary (Pelican article)
    """
    threads = conversation.threads
    shown = sorted(
        (node for thread in threads.values() for node in thread.nodes if node.shown),
        key=lambda node: (node.comment.date, node.id),
        reverse=True,
    )
    diaries = context.get("comment_diaries", {})
    by_member: KeyedDict = KeyedDict()  # read by key: a comment renders its own writer's page only
    for node in shown:
        listed = by_member.setdefault(node.comment.handle, [])
        if len(listed) < int(options["member_recent"]):
            diary = diaries.get(node.comment.on)
            title = diary.title if diary is not None else None
            listed.append(MemberComment(node.url, node.comment.title, title, node.comment.date))
    by_member = KeyedDict((handle, tuple(listed)) for handle, listed in by_member.items())
    latest = {}
    for node in shown:
        latest.setdefault(node.comment.on, node.comment.date)
    counts = KeyedDict((diary_id, thread.count) for diary_id, thread in threads.items() if thread.count)  # cards
    context.update(
        comment_threads=threads,
        comment_counts=counts,
        comments_list=shown,
        recent_comments=shown[: int(options["recent"])],
        comments_by_member=by_member,
        most_discussed_diaries=sorted(
            counts,
            key=lambda diary_id: (-counts[diary_id], -(latest[diary_id].timestamp() if diary_id in latest else 0)),
        ),
        comment_nodes=conversation.by_id,
        most_discussed=discussed_this_week(shown, context, today),
        allied_responses=responses,
        comments_options=options,
    )


def search_documents(
    nodes: list[Node], members: dict[str, Any], articles: dict[str, Any]
) -> dict[str, tuple[str, dict]]:
    """Each shown comment for the search plugin (context key ``search_documents``), pointing
    at its anchor: ``key -> (content hash, Document fields)``."""
    found = {}
    for node in nodes:
        comment = node.comment
        member = members.get(comment.handle)
        name = member.name if member else comment.handle
        article = articles.get(comment.on)
        title = comment.title or (f"{name} on “{article.title}”" if article is not None else f"Comment by {name}")
        state = (getattr(member, "state", None) or "") if member else ""
        words = comment.text.split()
        fields = {
            "url": node.url,
            "kind": "comment",
            "title": title,
            "body": comment.text,
            "summary": " ".join(words[:40]) + ("…" if len(words) > 40 else ""),
            "date": comment.date.date().isoformat(),
            "member": comment.handle,
            "state": state,
        }
        digest = hashlib.blake2b(f"{comment.digest}\0{node.url}\0{title}\0{state}".encode(), digest_size=16)
        found[f"comments/{comment.id}"] = (digest.hexdigest(), fields)
    return found


def discussed_this_week(shown: list[Node], context: dict[str, Any], today: dt.date | None) -> list[tuple[Any, int]]:
    """Diaries with comments dated in the seven days before ``today`` or on it, most comments first.
    Whole days, so the digest page is the same at any hour of a build day (not the build's clock)."""
    if today is None:
        return []
    since = today - dt.timedelta(days=7)
    counts: dict[str, int] = {}
    for node in shown:
        if since <= node.comment.date.date() <= today:
            counts[node.comment.on] = counts.get(node.comment.on, 0) + 1
    articles = context.get("comment_diaries")  # the generator's; not 10,000 diaries listed again
    if articles is None:
        articles = {a.diary_id: a for a in context.get("articles", []) if getattr(a, "diary_id", None)}
    ranked = sorted(counts, key=lambda diary_id: (-counts[diary_id], diary_id))
    return [(articles[diary_id], counts[diary_id]) for diary_id in ranked if diary_id in articles]


def diary_feed_paths(options: dict[str, Any], diary_id: str) -> dict[str, str | None]:
    handle, slug = diary_id.split("/", 1)
    return {
        kind: options[f"diary_feed_{kind}"].format(handle=handle, slug=slug) if options[f"diary_feed_{kind}"] else None
        for kind in ("atom", "rss")
    }


def template_stamp(generator: Generator) -> str:
    """Changes when a comments template (or a template the thread imports) changes, so cached
    HTML is rendered again."""
    hasher = hashlib.blake2b(digest_size=8)
    imported = ("_macros.html", "acts/_links.html")
    for name in sorted(n for n in generator.env.list_templates() if n.startswith("comments/") or n in imported):
        source, _, _ = generator.env.loader.get_source(generator.env, name)
        hasher.update(f"{name}\0{source}\0".encode())
    return hasher.hexdigest()


class CommentsGenerator(Generator):
    """Reads and arranges comments; writes the per-diary and site-wide comment feeds."""

    def generate_context(self) -> None:
        """Read and arrange the comments, publish them to the context, and make each diary's thread."""
        self.options = comments_settings(self.settings)
        content = Path(self.settings["PATH"]).resolve()
        report = Report(root=content.parent)
        members = members_in(self.context, self.settings)
        folder = cache_dir(self.settings, "comments")
        self.preview = preview_of(self.settings)
        self.articles = kept_diaries(self.settings, self.context, folder, keep=not self.preview)
        self.conversation = self._conversation(content, members, report, folder)
        report.log()
        hosts = site_hosts(self.settings, self.options["site_hosts"])
        responses = allied_responses(
            self.context.get("allies_river", []), hosts, self.articles, int(self.options["responses"])
        )
        self.context["comment_diaries"] = self.articles
        publish(self.context, self.conversation, self.options, responses, build_today(self.settings))
        self.context.setdefault("search_documents", {}).update(
            search_documents(self.context["comments_list"], members, self.articles)
        )
        self.renderer = self._renderer(members, responses, folder)
        self.context["comment_thread"] = self.renderer

    def _conversation(self, content: Path, members: Any, report: Report, folder: Path) -> Conversation:
        """Every diary's thread, from the comment files, moderation, trust and acts."""
        drafts = {d.diary_id for d in self.context.get("drafts", []) if getattr(d, "diary_id", None)}
        comments = load_comments(content, report, folder / "files.json")
        for comment in comments:  # remote pictures as PRIVACY["remote_images"] says (netroots.html)
            comment.html = images_for_readers(comment.html, self.settings)
        removals = load_moderation(content, report)
        if self.preview:  # only the previewed member's diaries are read: their comments, no others'
            comments = [c for c in comments if c.on in self.articles or c.on in drafts]
            removals = {key: removal for key, removal in removals.items() if key in {c.id for c in comments}}
        return build_conversation(
            comments,
            members,
            DiaryAddresses(self.articles),
            drafts,
            removals,
            self.context.get("trust"),
            self.options,
            lambda moment: published_yet(moment, self.settings),
            report,
            moderation_path=content / "moderation.yaml",
            acts=self.context.get("comment_recommends"),
        )

    def _renderer(self, members: Any, responses: dict[str, list[Any]], folder: Path) -> ThreadRenderer:
        """Each diary's thread view, rendered when its page asks (and kept in threads.sqlite)."""
        zone = site_timezone(self.settings)
        threads = self.conversation.threads
        shown = [diary_id for diary_id in threads if diary_id in self.articles]
        shown += [d for d, found in responses.items() if found and d in self.articles and d not in threads]
        views = {  # diaries with something under them; the others' (blank) views are made when asked
            diary_id: thread_view(
                diary_id,
                threads.get(diary_id),
                responses.get(diary_id, []),
                members,
                zone,
                diary_feed_paths(self.options, diary_id),
                self.conversation.trust_on,
                self.context.get("avatars"),
            )
            for diary_id in shown
        }
        act_links = self.context.get("act_links")
        for diary_id, view in views.items():
            view["title"] = str(self.articles[diary_id].title)
        return ThreadRenderer(
            self.get_template(TEMPLATE),
            views,
            {
                "FEED_DOMAIN": self.settings.get("FEED_DOMAIN") or "",
                "THEME_STATIC_DIR": self.settings.get("THEME_STATIC_DIR", "theme"),
                "template_stamp": template_stamp(self),
                "act_links": act_links,
                # Reply links follow the forge (never the build's clock): cached threads follow them.
                "links_stamp": repr(vars(act_links)) if act_links else "",
            },
            folder / "threads.sqlite",
            Blank(self.articles, self._feed_paths, self.conversation.trust_on),
            self.articles,
        )

    def _feed_paths(self, diary_id: str) -> dict[str, str | None]:
        return diary_feed_paths(self.options, diary_id)

    def generate_output(self, writer: Any) -> None:
        if self.preview:
            return  # the preview shows the thread; feeds and the caches of every thread are the build's
        build_state(self.settings, "comments")["renderer"] = self.renderer  # saved when pages are written
        output = str(self.output_path)
        site_url = self.settings.get("FEED_DOMAIN") or self.settings.get("SITEURL", "")
        members = self.context["members"]
        sitename = self.settings["SITENAME"]
        zone = site_timezone(self.settings)
        store = feed_store(self.settings)  # settings, templates and code: kept feeds are made again when they change
        formats = [self.options[f"{which}_feed_{kind}"] for which in ("diary", "recent") for kind in ("atom", "rss")]
        feeds = CommentFeeds(cache_dir(self.settings, "comments") / "feeds.json", formats, FeedFolders(output))
        world = store.stamp if store is not None else ""
        recent_paths = {"atom": self.options["recent_feed_atom"], "rss": self.options["recent_feed_rss"]}

        def entry(node: Node) -> FeedEntry:
            return comment_entry(node, members, site_url, self.articles, zone)

        commented = self._commented(entry, sitename)
        recent = (f"Recent comments: {sitename}", "", [entry(node) for node in self.context["recent_comments"]])
        keys = {
            name: [entry_key(e) for e in entries] for name, (_, _, entries) in (*commented.items(), (RECENT, recent))
        }
        every = self._digest(commented, recent, keys, (sitename, site_url, world))
        if not feeds.all_kept(every):
            for name, (title, page, entries) in self._feeds(commented, recent, sitename):
                inputs = keys.get(name, [])
                key = hashlib.blake2b(repr((title, page, site_url, inputs, world)).encode(), digest_size=16).hexdigest()
                if not feeds.kept(name, key):
                    where = recent_paths if name == RECENT else diary_feed_paths(self.options, name)
                    feeds.make(
                        name, key, where, {"title": title, "site_url": site_url, "page_path": page, "entries": entries}
                    )
        produced_under(output, feeds.kept_files)
        write_feed_jobs(self.settings, feeds.jobs)  # two feeds a diary: on every core
        feeds.save(every)

    def _commented(self, entry: Callable[[Node], FeedEntry], sitename: str) -> Feeds:
        """The feeds of the diaries with a shown comment: diary id -> (title, page, entries)."""
        found: Feeds = {}
        for diary_id, thread in self.conversation.threads.items():
            article = self.articles.get(diary_id)
            nodes = [node for node in thread.nodes if node.shown] if article is not None else []
            if nodes:
                title = f"Comments on “{article.title}”: {sitename}"
                found[diary_id] = (title, address(article), [entry(node) for node in nodes])
        return found

    def _digest(self, commented: Feeds, recent: Feed, keys: dict[str, list[list[str]]], around: tuple[str, ...]) -> str:
        """The digest of every comment feed's inputs. The diaries without a shown comment are
        in it as the sum of their ``feed_hash``es: the kept sum of every diary's (diaries.py),
        less the commented diaries' (50,000 diaries, every build, were a pass of their own)."""
        quiet = (self.articles.total - sum(feed_hash(d, self.articles[d]) for d in commented)) % MODULUS
        shown = [(name, *commented.get(name, recent)[:2], entries) for name, entries in keys.items()]
        # repr, not JSON: unambiguous for strings and lists, and cheaper
        return hashlib.blake2b(repr((quiet, shown, around)).encode(), digest_size=16).hexdigest()

    def _feeds(self, commented: Feeds, recent: Feed, sitename: str) -> Iterator[tuple[str, Feed]]:
        """Each diary's feed (its name, title, page and entries) in the diaries' order, then the recent comments'."""
        for diary_id, article in self.articles.items():
            found = commented.get(diary_id)
            yield diary_id, found or (f"Comments on “{article.title}”: {sitename}", address(article), [])
        yield RECENT, recent


class CommentFeeds:
    """The comment feeds of a build against the record of the last (``feeds.json``): a feed's
    name (a diary's id, or RECENT) -> ``[key, atom path, rss path]``. The paths are made from
    the diary's id and the address formats: recorded with the same formats, they are taken as
    recorded (not formatted again for 10,000 diaries).

    Beside it, ``feeds.kept.json`` holds the digest of every feed's inputs, the formats, the
    inode and time of each folder holding nothing but its feeds, the feeds in other folders
    (``loose``) and every feed's path (one string). A build with the same digest and formats,
    those folders as recorded and the loose feeds present keeps every feed without a key, a
    listing or a look-up a feed (:meth:`all_kept`): a file added to or taken from a folder
    changes its time. It does not read the record either (50,000 diaries' entries, 0.05 s):
    the kept file is written after the record it describes, and removed before the record
    is written again."""

    def __init__(self, path: Path, formats: list[Any], present: FeedFolders) -> None:
        self.path = path
        self.state_path = path.with_suffix(".kept.json")
        self.formats = formats
        self.state = read_json(self.state_path)
        self.written: dict[str, Any] = {FORMATS: formats}
        self.present = present
        self.kept_files: list[str] = []
        self.jobs: list[FeedJob] = []
        self.unchanged = False  # every feed kept as recorded (all_kept)

    @cached_property
    def previous(self) -> dict[str, Any]:
        """The record of the last build, read when a feed is looked up."""
        return read_cache(self.path)

    @cached_property
    def same_formats(self) -> bool:
        return self.previous.get(FORMATS) == self.formats

    def all_kept(self, digest: str) -> bool:
        """Is every feed made from the inputs digested as ``digest`` in output/ as the last
        build left it? Then its record is this build's, and no feed is looked at."""
        state = self.state
        if not (isinstance(state, dict) and state.get("digest") == digest and state.get("formats") == self.formats):
            return False
        folders, loose, files = state.get("folders"), state.get("loose"), state.get("files")
        if not (isinstance(folders, dict) and isinstance(loose, list) and isinstance(files, str)):
            return False
        if folders != self.present.stamps(folders) or not all(self.present(path) for path in loose):
            return False
        self.kept_files, self.unchanged = files.split("\n") if files else [], True
        return True

    def kept(self, name: str, key: str) -> bool:
        """Is the feed made from ``key`` in output/ as the last build left it? Then it is this build's."""
        before = self.previous.get(name)
        if not (self.same_formats and type(before) is list and len(before) == 3 and before[0] == key):
            return False
        targets = [p for p in before[1:] if p]
        if not all(self.present(p) for p in targets):  # a file written later is in no listing taken before
            return False
        self.written[name] = before
        self.kept_files.extend(targets)  # not rewritten: still this build's files
        return True

    def make(self, name: str, key: str, paths: dict[str, str | None], made: dict[str, Any]) -> None:
        if any(paths.values()):
            self.written[name] = [key, paths.get("atom"), paths.get("rss")]
            self.jobs.append(FeedJob(key, paths, made))

    def save(self, digest: str) -> None:
        """Write the record when it changed, then the kept state when no folder changed since a
        little before the build began (a file taken from a folder after its listing, or in the
        same tick of the clock as the stamp, would go unseen)."""
        if self.unchanged:
            return
        paths = [path for name, entry in self.written.items() if name != FORMATS for path in entry[1:] if path]
        settled = self.present.settled(paths)
        files = "\n".join(paths)
        state = None
        if settled is not None and files.count("\n") == max(len(paths) - 1, 0):  # no path holds a line break
            state = {"digest": digest, "formats": self.formats, **settled, "files": files}
        if state == self.state and self.written == self.previous:
            return
        try:
            self.state_path.unlink(missing_ok=True)
            if self.written != self.previous:
                write_cache(self.path, self.written)
            if state is not None:
                write_json(self.state_path, state)
        except OSError as exc:
            logger.warning("comments: could not write %s (%s)", self.path, exc)


class DiaryAddresses(KeyedView[str]):
    """Diary id -> its page's address, taken only for the diaries comments are on: Pelican's
    ``url`` property for each of 10,000 diaries was a part of every build."""

    def __init__(self, articles: dict[str, Any]) -> None:
        self.articles = articles
        self.keys_held = self.articles

    def __getitem__(self, diary_id: str) -> str:
        return address(self.articles[diary_id])


class FeedFolders:
    """Is a feed's file in output/? One listing of each feeds' folder a build (a member's
    diaries' feeds share one) instead of a ``stat`` for each of a diary's two feeds. Only feeds
    not written yet this build are asked about: a listing taken before a write still holds."""

    def __init__(self, output: str) -> None:
        self.output = output
        self.folders: dict[str, frozenset[str]] = {}
        self.started = time.time_ns()

    def __call__(self, relative: str) -> bool:
        folder, _, name = relative.rpartition("/")
        names = self.folders.get(folder)
        if names is None:
            names = self.folders[folder] = self._names(folder)
        return name in names

    def _names(self, folder: str) -> frozenset[str]:
        try:
            with os.scandir(os.path.join(self.output, folder)) as entries:
                return frozenset(entry.name for entry in entries if entry.is_file())
        except OSError:
            return frozenset()

    def stamps(self, folders: Iterable[str]) -> dict[str, list[int] | None]:
        """Each folder's ``[inode, mtime_ns]`` (None: missing)."""
        found: dict[str, list[int] | None] = {}
        for folder in folders:
            try:
                stat = os.stat(os.path.join(self.output, folder))
            except OSError:
                found[folder] = None
                continue
            found[folder] = [stat.st_ino, stat.st_mtime_ns]
        return found

    def settled(self, paths: list[str]) -> dict[str, Any] | None:
        """``{"folders": stamps, "loose": paths}`` for a record of the feeds at ``paths``: the
        stamp of each folder holding nothing but these feeds, and the feeds in other folders
        (``feeds/`` holds the site's own feeds, written whenever a diary changes), checked one
        by one. None when a folder changed since ``SETTLED_NS`` before this build began."""
        by_folder: dict[str, set[str]] = {}
        for path in paths:
            folder, _, name = path.rpartition("/")
            by_folder.setdefault(folder, set()).add(name)
        since = self.started - SETTLED_NS
        folders: dict[str, list[int]] = {}
        loose: list[str] = []
        for folder, names in by_folder.items():
            try:
                stamp = os.stat(os.path.join(self.output, folder))
            except OSError:
                return None
            if stamp.st_mtime_ns > since:  # written into by this build (or while it ran)
                return None
            # Its listing of this build (taken before the stamp, and nothing changed since): it
            # holds these feeds only, or they are checked one by one.
            if self.folders.get(folder) == names or (folder not in self.folders and self._names(folder) == names):
                folders[folder] = [stamp.st_ino, stamp.st_mtime_ns]
            else:
                loose.extend(f"{folder}/{name}" if folder else name for name in sorted(names))
        return {"folders": folders, "loose": loose}


def comment_entry(node: Node, members: dict[str, Any], site_url: str, articles: dict[str, Any], zone: Any) -> FeedEntry:
    """A comment in a feed: its title (or who wrote on which diary), body and signature."""
    comment = node.comment
    member = members.get(comment.handle)
    name = member.name if member else comment.handle
    article = articles.get(comment.on)
    title = comment.title or (f"{name} on “{article.title}”" if article is not None else name)
    link = absolute(site_url, node.url)
    signature = getattr(member, "signature", "") if member else ""
    content = comment.html + (f'<p class="signature">{escape(signature)}</p>' if signature else "")
    return FeedEntry(id=link, title=title, link=link, updated=aware(comment.date, zone), content=content, author=name)


def entry_key(entry: FeedEntry) -> list[str]:
    return [entry.id, entry.title, entry.updated.isoformat(), entry.content, entry.author]
