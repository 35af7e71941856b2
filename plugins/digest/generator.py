"""Digest pages (/digest/, /digest/<year>-w<week>/), the digest feed, and the week's e-mail."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from pelican.generators import Generator

from netroots.feeds import FeedEntry, absolute, write_feeds
from netroots.site import cache_dir, site_address, write_page
from netroots.today import build_now, build_today, site_timezone

from .mail import compose, subject, text_part, unsubscribe_parts
from .model import Digest, day_of, gather, parse_week, slug, weeks_back
from .spec import digest_settings

FEED = "feeds/digest.atom.xml"


def dated_since(articles: list[Any], day: dt.date) -> int:
    """How many of ``articles`` (newest first, as Pelican orders them) may be dated ``day`` or
    later in their own time zone (those after the day before it began anywhere): a binary
    search, not a look at each of 50,000 diaries' date every build (the digest shows the last
    few weeks'). All of them when their dates do not compare."""
    if not articles:
        return 0
    zone = dt.UTC if getattr(articles[0].date, "tzinfo", None) is not None else None
    bound = dt.datetime.combine(day - dt.timedelta(days=2), dt.time(0), zone)
    low, high = 0, len(articles)
    try:
        while low < high:
            middle = (low + high) // 2
            if articles[middle].date >= bound:
                low = middle + 1
            else:
                high = middle
    except TypeError:
        return len(articles)
    return low


class DigestGenerator(Generator):
    """Reads the other plugins' context after they are done, in ``generate_output``."""

    def generate_context(self) -> None:
        self.options = digest_settings(self.settings)
        self.context["digest_feed"] = FEED
        self.context["digest_subscribe"] = self.options["subscribe_url"]

    def digests(self) -> list[Digest]:
        today = build_today(self.settings)
        weeks = weeks_back(today, int(self.options["archive_weeks"]))
        # Each week looks for its new diaries among those of the weeks shown, not among all
        # 10,000 of a large network once a week.
        first = dt.date.fromisocalendar(*weeks[-1], 1)
        articles = self.context.get("articles") or []
        if self.settings.get("ARTICLE_ORDER_BY") == "reversed-date":
            articles = articles[: dated_since(articles, first)]
        recent = [a for a in articles if a.date is not None and day_of(a.date) >= first]
        context = {**self.context, "articles": recent}
        found = []
        for index, (year, week) in enumerate(weeks):
            digest = gather(context, year, week, today, self.options)
            if index == 0 or not digest.empty:
                found.append(digest)
        return found

    def generate_output(self, writer: Any) -> None:
        digests = self.digests()
        members = self.context.get("members") or {}
        for digest in digests:
            write_page(self, writer, "digest/week.html", f"{digest.url}index.html", digest=digest)
        write_page(self, writer, "digest/index.html", "digest/index.html", digests=digests)
        site = site_address(self.settings)
        sections = self.env.get_template("digest/_sections.html").module
        zone = site_timezone(self.settings)
        write_feeds(
            Path(self.output_path),
            atom_path=FEED,
            title=f"{self.settings['SITENAME']}: weekly digest",
            site_url=site,
            page_path="digest/",
            entries=[
                FeedEntry(
                    id=absolute(site, digest.url),
                    title=digest.title,
                    link=absolute(site, digest.url),
                    updated=build_now(self.settings)
                    if digest.current
                    else dt.datetime.combine(digest.end, dt.time(18), zone),
                    content=str(sections.sections(digest, site, members)),
                )
                for digest in digests
            ],
        )
        if self.options["email_week"]:
            self.write_email(parse_week(self.options["email_week"]), members, site)

    def write_email(self, week: tuple[int, int], members: dict[str, Any], site: str) -> Path:
        """``.cache/digest/<year>-w<week>.eml``: the message ``tasks.py digest --send`` sends."""
        digest = gather(self.context, *week, build_today(self.settings), self.options)
        sitename = self.settings["SITENAME"]
        mail, web = unsubscribe_parts(self.options["unsubscribe"])
        html = self.env.get_template("digest/email.html").render(
            {
                **self.context,
                "digest": digest,
                "site": site,
                "members": members,
                "subject": subject(digest, sitename),
                "unsubscribe_mail": mail,
                "unsubscribe_web": web,
            }
        )
        footer = f"You get this because you joined {sitename}'s digest list."
        if web or mail:
            footer += f" Unsubscribe: {web or 'mailto:' + mail}"
        text = text_part(digest, site, sitename, members, footer)
        message = compose(digest, html, text, self.options, sitename, site, build_now(self.settings))
        folder = cache_dir(self.settings, "digest")
        target = folder / f"{digest.slug}.eml"
        target.write_bytes(bytes(message))
        shown = weeks_back(build_today(self.settings), int(self.options["archive_weeks"]))
        forget_emails(folder, {digest.slug, *(slug(*week) for week in shown)})
        return target


EMAIL = re.compile(r"^\d{4}-w\d{2}\.eml$")


def forget_emails(folder: Path, kept: set[str]) -> list[str]:
    """Delete the e-mails of weeks not in ``kept`` (slugs); returns their names. ``tasks.py
    digest`` writes one a week and nothing reads an old one again: a maintainer may look at
    (or send again) a week /digest/ still shows, so those stay, and the week just written."""
    gone = []
    for path in sorted(folder.glob("*.eml")):
        if EMAIL.match(path.name) and path.stem not in kept:
            path.unlink(missing_ok=True)
            gone.append(path.name)
    return gone
