"""Pelican's diaries generator, adapted to networks of many thousands of diaries."""

from __future__ import annotations

import logging
import os
import posixpath
from collections.abc import Callable
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any

from pelican import generators, signals
from pelican.contents import Article
from pelican.writers import FileOverwriteFailedError

from .articlecache import KeptArticles
from .contentfiles import content_files
from .fingerprint import reads
from .incremental import IncrementalWriter
from .site import copy_output, glob_matcher

logger = logging.getLogger(__name__)

# pelicanconf.py's ``INTRASITE_LINK_REGEX``: a pattern that matches nothing (no {static} links).
NO_INTRASITE_LINKS = "(?P<what>(?!))"
_UNSET = object()


class ListedByIdentity(list):
    """A list whose ``in`` is a set lookup: Pelican asks ``article in articles`` of a tag's
    or member's list for every diary of the site (quadratic: seconds at 10,000 diaries).
    Diaries compare by identity, so the answer is the list's; the list is not changed after."""

    def __init__(self, items: Any = ()) -> None:
        super().__init__(items)
        self.ids = {id(item) for item in self}

    def __contains__(self, item: object) -> bool:
        return id(item) in self.ids


class ArticlesGenerator(generators.ArticlesGenerator):
    """Pelican's, reading diaries in the order of their paths (a stable order for diaries
    of the same date, which Pelican's search for translations used to give), and writing
    tag pages without a quadratic membership test (and no member or category pages: the
    members plugin writes members' pages, and diaries have no categories)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Connected after every plugin's receiver: a diary's address comes from its final values.
        signals.content_object_init.connect(format_address)
        skip_file_stamps(self.readers)
        self.kept = KeptArticles(self)

    def _pelicans_cache(self) -> bool:
        """Is Pelican's own content cache on (``CACHE_CONTENT``/``LOAD_CONTENT_CACHE``)?"""
        return bool(self._cache_data_policy or self._cache)

    def get_cached_data(self, filename: str, default: Any = None) -> Any:
        """Pelican asks before making each diary's object: a kept one (netroots/articlecache.py)."""
        if self._pelicans_cache():
            return super().get_cached_data(filename, default)
        found = self.kept.get(filename)
        return default if found is None else found

    def cache_data(self, filename: str, data: Any) -> None:
        """Pelican made a diary's object and found it valid."""
        if self._pelicans_cache():
            super().cache_data(filename, data)
        else:
            self.kept.put(filename, data)

    def get_files(self, paths: Any, exclude: Any = None, extensions: Any = None) -> list[str]:
        """Pelican's, sorted, from the build's walk of content/ (netroots/contentfiles.py), and
        once a build for the same question (the diaries' read-ahead asks before Pelican does)."""
        asked = repr((paths, exclude, extensions))
        walked = self.__dict__.setdefault("_files_walked", {})  # asked during Pelican's __init__
        found = walked.get(asked)
        if found is None:
            listed = content_files(self.settings).pelican_files(
                self.path,
                paths,
                exclude,
                self.settings["IGNORE_FILES"],
                included_names(self.settings["IGNORE_FILES"], self.readers.extensions, extensions),
            )
            found = walked[asked] = sorted(super().get_files(paths, exclude, extensions) if listed is None else listed)
        return list(found)

    def add_source_path(self, content: Any, static: bool = False) -> None:
        """Pelican's, naming a diary by its path relative to content/ without Pelican's two
        ``abspath`` and a ``relpath`` a diary a build (``Content.get_relative_source_path``):
        a plain absolute path under content/ is cut; anything else is left to Pelican."""
        relative = None if static else self._relative_source(getattr(content, "source_path", None))
        if relative is None:
            super().add_source_path(content, static)
        else:
            self.context["generated_content"][relative] = content

    def _relative_source(self, path: Any) -> str | None:
        """``path`` relative to content/ (with ``/``), as Pelican's ``relpath`` gives it, for a
        normalized absolute path under content/ (what Pelican's read makes); else None."""
        prefix = self.__dict__.get("_content_prefix")
        if prefix is None:
            prefix = self._content_prefix = os.path.join(os.path.abspath(self.settings["PATH"]), "")
        if not isinstance(path, str) or not path.startswith(prefix):
            return None
        relative = path[len(prefix) :]
        if not relative or relative.endswith(os.sep) or os.path.normpath(relative) != relative:
            return None
        return relative.replace(os.sep, "/")

    def add_static_links(self, content: Any) -> None:
        """Pelican scans every diary's HTML for ``{static}`` links each build; with Netroots'
        ``INTRASITE_LINK_REGEX``, which matches nothing (pelicanconf.py), it can find none."""
        if self.settings.get("INTRASITE_LINK_REGEX") != NO_INTRASITE_LINKS:
            super().add_static_links(content)

    def generate_context(self) -> None:
        try:
            super().generate_context()
        finally:
            self.kept.resume()  # collections on again, even when Pelican failed
        # Pelican formats a diary's address from its settings on every ``url``/``save_as``
        # (~10 times a diary a build); they are final now, so each is formatted once. Those
        # ``format_address`` fixed already (every diary but a few) are left as they are.
        for article in [*self.articles, *self.translations, *self.hidden_articles, *self.drafts]:
            fixed = article.__dict__
            if "override_url" not in fixed or "override_save_as" not in fixed:
                article.override_url, article.override_save_as = article.url, article.save_as

    def save_cache(self) -> None:
        """Pelican's, then the kept diaries stored and this build's changes logged: Pelican calls
        it just before ``article_generator_finalized``, whose receivers ask ``diary_changes``
        (the tags' company)."""
        super().save_cache()
        self.kept.save()

    def generate_authors(self, write: Any) -> None:
        if self.settings.get("AUTHOR_SAVE_AS"):  # Netroots' members plugin writes members' pages
            super().generate_authors(write)

    def generate_categories(self, write: Any) -> None:
        if self.settings.get("CATEGORY_SAVE_AS"):  # diaries have no categories of their own
            super().generate_categories(write)

    def generate_articles(self, write: Any) -> None:
        """Pelican's, queueing the diaries' pages in one call to Netroots' writer
        (``IncrementalWriter.write_pages``) while no receiver listens to
        ``article_generator_write_article`` (Pelican sends it before each page: a receiver may
        change the diary or the context in between): 0.5 s of every 50,000-diary build went
        to a call of ``write_file`` with its keywords and a look-up of the page's copy of the
        context a diary."""
        writer = _incremental_writer(write)
        if writer is None or signals.article_generator_write_article.has_receivers_for(self):
            super().generate_articles(write)
            return
        templates: dict[str, Any] = {}

        def page(article: Any) -> tuple[str, Any, dict[str, Any], bool]:
            template = templates.get(article.template)
            if template is None:
                template = templates[article.template] = self.get_template(article.template)
            values = {"article": article, "category": getattr(article, "category", None), "blog": True}
            return saved_as(article), template, values, hasattr(article, "override_save_as")

        diaries = chain(self.translations, self.articles, self.hidden_translations, self.hidden_articles)
        writer.write_pages(self.context, map(page, diaries), write.keywords.get("relative_urls", False))

    def generate_tags(self, write: Any) -> None:
        """Pelican's, with each tag's diaries in date order taken by their places in
        ``self.dates``: Pelican asked every diary of the site whether it was the tag's, for
        each tag (0.15 s at 50,000 diaries)."""
        template = self.get_template("tag")
        place = {id(article): number for number, article in enumerate(self.dates)}
        for tag, articles in self.tags.items():
            dates = [self.dates[number] for number in sorted({place[id(a)] for a in articles if id(a) in place})]
            try:
                write(
                    tag.save_as,
                    template,
                    self.context,
                    tag=tag,
                    url=tag.url,
                    articles=articles,
                    dates=dates,
                    template_name="tag",
                    blog=True,
                    page_name=tag.page_name,
                    all_articles=self.articles,
                )
            except FileOverwriteFailedError:
                if tag.slug:
                    logger.error('Failed to write Tag page for "%s".', tag)
                    raise
                logger.info(
                    'Tag "%s" has an invalid slug; skipping writing tag page...',
                    tag,
                    extra={"limit_msg": "Further tags with invalid slugs."},
                )

    def generate_output(self, writer: Any) -> None:
        for tag, articles in self.tags.items():
            self.tags[tag] = ListedByIdentity(articles)
        self.authors[:] = [(author, ListedByIdentity(articles)) for author, articles in self.authors]
        self.categories[:] = [(category, ListedByIdentity(articles)) for category, articles in self.categories]
        super().generate_output(writer)


def included_names(ignores: list[str], readable: Any, extensions: Any) -> Callable[[list[str]], list[str]]:
    """Pelican's ``Generator._include_path`` for a folder's file names at once: its
    ``IGNORE_FILES`` patterns made one expression once, not an ``fnmatch`` each a file, and
    ``splitext``'s extension (what follows the last dot that has a character other than a dot
    before it) taken in the loop, not by two calls a file (50,000 files a build)."""
    ignored = glob_matcher(os.path.normcase(pattern) for pattern in ignores)
    allowed = tuple(readable) if extensions is None else extensions
    case = None if os.path.normcase is posixpath.normcase else os.path.normcase  # POSIX keeps a name's case

    def included(names: list[str]) -> list[str]:
        kept = [name for name in names if not ignored(name if case is None else case(name))]
        if allowed is False:
            return kept
        return [name for name in kept if (name.rpartition(".")[2] if "." in name.lstrip(".") else "") in allowed]

    return included


def skip_file_stamps(cacher: Any) -> None:
    """Pelican's content caches (``CACHE_CONTENT``, ``LOAD_CONTENT_CACHE``; Netroots keeps its
    own, netroots/readcache.py) take each file's time when they look a file up and when they
    store it, even when they are off: four ``stat``s a diary a build, for nothing. When this
    cache neither stores nor holds anything, its look-up is the default and storing does nothing."""
    if cacher._cache_data_policy or cacher._cache:
        return
    cacher.get_cached_data = lambda _filename, default=None: default
    cacher.cache_data = lambda _filename, _data: None


def _incremental_writer(write: Any) -> IncrementalWriter | None:
    """The writer of Pelican's ``partial(writer.write_file, relative_urls=...)``, when it is
    Netroots' (``generate_pages`` hands each ``generate_*`` that)."""
    if not isinstance(write, partial) or write.args or set(write.keywords) - {"relative_urls"}:
        return None
    writer = getattr(write.func, "__self__", None)
    if isinstance(writer, IncrementalWriter) and write.func.__func__ is IncrementalWriter.write_file:
        return writer
    return None


def saved_as(item: Any) -> str:
    """``item.save_as`` without Pelican's property (``address`` below says why)."""
    found = item.__dict__.get("override_save_as", _UNSET)
    return item.save_as if found is _UNSET else found


def address(item: Any) -> str:
    """``item.url`` without Pelican's property, which looks for the fixed address
    (``override_url``, set above) and its metadata on every access: 10,000 diaries a build."""
    return item.__dict__.get("override_url") or item.url


@reads(lambda _context: None)  # the diary's own values and the settings
def format_address(content: Any) -> None:
    """``content_object_init``: a diary's ``url`` and ``save_as`` from one ``url_format``.

    Pelican formats both anew on every access, and each format works out the diary's path and
    its author's and category's slugs: three times a diary before Pelican has even listed it.
    The keys are Pelican's (``ARTICLE_URL``, ``DRAFT_SAVE_AS``, ``ARTICLE_LANG_URL``...). A
    diary whose front matter gives its own ``url`` or ``save_as`` is left to Pelican.
    """
    if type(content) is not Article or hasattr(content, "override_url") or hasattr(content, "override_save_as"):
        return
    values = content.url_format
    kind = "DRAFT" if content.status == "draft" else "ARTICLE"
    language = "" if content.in_default_lang else "LANG_"
    content.override_url = str(content.settings[f"{kind}_{language}URL"]).format(**values)
    content.override_save_as = str(content.settings[f"{kind}_{language}SAVE_AS"]).format(**values)


class StaticGenerator(generators.StaticGenerator):
    """Pelican's, copying the theme's own files (``THEME_STATIC_PATHS``) only when their bytes
    changed (``netroots.site.copy_output``): Pelican wrote them again at every build, so every
    build gave the style sheets and scripts new times, and a deploy that compares times sent
    them again."""

    def _copy_paths(self, paths: Any, source: str, destination: str, output_path: str, final_path: Any = None) -> None:
        ignored = glob_matcher(self.settings["IGNORE_FILES"])
        for path in paths:
            source_path = os.path.join(source, path)
            if ignored(os.path.basename(source_path)):
                continue
            if os.path.isfile(source_path):
                name = os.path.basename(path) if final_path else path
                copy_output(output_path, os.path.join(destination, final_path or "", name), Path(source_path))
            elif os.path.isdir(source_path):
                target = os.path.join(destination, final_path or path)
                for folder, folders, files in os.walk(source_path, followlinks=True):
                    folders[:] = sorted(name for name in folders if not ignored(name))
                    inside = os.path.relpath(folder, source_path)
                    for name in sorted(files):
                        if not ignored(name):
                            relative = os.path.normpath(os.path.join(target, inside, name))
                            copy_output(output_path, relative, Path(folder, name))
            else:
                logger.warning("The theme's static path %s is neither a file nor a folder: not copied", source_path)
