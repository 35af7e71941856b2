"""Podcast feeds (RSS 2.0 with the iTunes tags podcast apps read), written with feedgen."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from feedgen.feed import FeedGenerator

from netroots.feeds import absolute
from netroots.html import plain_text, words
from netroots.site import site_address, write_output
from netroots.today import site_timezone


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def write_podcast(
    output: Path,
    path: str,
    articles: list[Any],
    settings: dict[str, Any],
    options: dict[str, Any],
    members: dict[str, Any],
    member: str | None = None,
) -> Path:
    """Write one podcast feed of ``articles`` (diaries with audio), newest first."""
    site_url = site_address(settings)
    person = members.get(member) if member else None
    feed = _channel(site_url, path, settings, options, person.name if person else None, member)
    zone = site_timezone(settings)
    ordered = sorted(articles, key=lambda a: a.date, reverse=True)
    for article in reversed(ordered):
        _add_episode(feed, article, site_url, members, options, zone)
    if ordered:
        newest = ordered[0].date
        feed.lastBuildDate(newest if newest.tzinfo else newest.replace(tzinfo=zone))
    return write_output(output, path, feed.rss_str(pretty=False))


def _channel(
    site_url: str, path: str, settings: dict[str, Any], options: dict[str, Any], name: str | None, member: str | None
) -> FeedGenerator:
    """The feed's own fields: the network's podcast, or (with ``name``) one member's audio diaries."""
    sitename = settings.get("SITENAME", "")
    title = options["podcast_title"] or f"{sitename} podcast"
    author = name or options["podcast_author"] or sitename
    feed = FeedGenerator()
    feed.load_extension("podcast")
    feed.title(f"{title}: {name}" if name else title)
    page = f"members/{member}/" if member else "diaries/"
    feed.link(href=absolute(site_url, page), rel="alternate")
    feed.link(href=absolute(site_url, path), rel="self")
    description = options["podcast_description"] or settings.get("SITESUBTITLE") or title
    if name:
        description = f"Audio diaries by {name} on {sitename}."
    feed.description(description)
    feed.language(settings.get("DEFAULT_LANG", "en"))
    feed.author(name=author, email=options["podcast_email"] or None)
    feed.podcast.itunes_author(author)
    feed.podcast.itunes_summary(description)
    feed.podcast.itunes_explicit(_yes_no(options["podcast_explicit"]))
    feed.podcast.itunes_category(options["podcast_category"], options["podcast_subcategory"] or None)
    feed.podcast.itunes_type("episodic")
    if options["podcast_email"]:
        feed.podcast.itunes_owner(name=options["podcast_author"] or sitename, email=options["podcast_email"])
    if options["podcast_image"]:
        feed.image(absolute(site_url, options["podcast_image"]), title=title, link=absolute(site_url, page))
        feed.podcast.itunes_image(absolute(site_url, options["podcast_image"]))
    return feed


def _add_episode(
    feed: FeedGenerator, article: Any, site_url: str, members: dict[str, Any], options: dict[str, Any], zone: ZoneInfo
) -> None:
    """One diary with audio as an episode: its page as id and link, the media as the enclosure."""
    media = article.media_info
    link = absolute(site_url, article.url)
    item = feed.add_entry()
    item.id(link)
    item.guid(link, permalink=True)
    item.title(plain_text(article.title))
    item.link(href=link)
    summary = plain_text(article.summary or "") or words(article.content, 60)
    item.description(summary)
    date = article.date if article.date.tzinfo else article.date.replace(tzinfo=zone)
    item.pubDate(date)
    writer = members.get(article.author.name)
    item.podcast.itunes_author(writer.name if writer else article.author.name)
    item.podcast.itunes_summary(summary)
    item.podcast.itunes_explicit(_yes_no(media.explicit or options["podcast_explicit"]))
    if media.duration:
        item.podcast.itunes_duration(media.duration)
    item.enclosure(media.absolute(link), str(media.length), media.mime)
