"""The digest as an e-mail: HTML with inlined CSS plus a plain-text part, sent over TLS.

The list software (Mailman, listmonk, Google Groups) holds the subscribers; Netroots
sends one message to the list's address. Credentials come from the environment only.
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import urlsplit

import css_inline

from netroots.html import plain_text

from .model import Digest

ENV_USER = "NETROOTS_SMTP_USER"
ENV_PASSWORD = "NETROOTS_SMTP_PASSWORD"
ENV_HOST = "NETROOTS_SMTP_HOST"  # host or host:port
ENV_CAFILE = "NETROOTS_SMTP_CAFILE"  # a private relay's certificate authority (tests use one)


class DigestMailError(Exception):
    """Why the digest could not be sent, said so a maintainer can fix it."""


def unsubscribe_parts(value: str) -> tuple[str, str]:
    """``(mailto address, https address)`` from the ``unsubscribe`` setting (either may be empty)."""
    mail, web = "", ""
    for part in value.replace(",", " ").split():
        part = part.strip("<>")
        if part.lower().startswith("mailto:"):
            mail = part[7:]
        elif part.lower().startswith("https://"):
            web = part
    return mail, web


def subject(digest: Digest, sitename: str) -> str:
    return (
        f"{sitename} digest, week {digest.week}: {digest.start.strftime('%B %-d')} to {digest.end.strftime('%B %-d')}"
    )


def _line(article: Any, site: str, members: dict[str, Any]) -> str:
    member = members.get(article.author.name)
    by = member.name if member else article.author.name
    text = f"- {plain_text(article.title)} (by {by})\n  {site}/{article.url}"
    summary = plain_text(article.summary or "")
    if summary:
        text += f"\n  {summary[:200]}"
    return text


def text_part(digest: Digest, site: str, sitename: str, members: dict[str, Any], footer: str) -> str:
    """The plain-text e-mail: the same sections, every link written out."""
    parts = [f"{sitename}: {digest.title}", ""]
    if digest.target:
        action = digest.target
        parts += [f"THIS WEEK'S TARGET: {plain_text(action.title)}", plain_text(action.ask), f"{site}/{action.url}", ""]
    for heading, items in (
        ("RECOMMENDED BY MEMBERS", digest.recommended),
        ("RESCUED: WORTH A SECOND LOOK", digest.rescued),
        ("NEW DIARIES", digest.new),
    ):
        if items:
            parts += [heading, *(_line(a, site, members) for a in items), ""]
    if digest.discussed:
        parts += ["MOST DISCUSSED", *(f"- {plain_text(a.title)}\n  {site}/{a.url}" for a, _ in digest.discussed), ""]
    if digest.events:
        parts.append("COMING UP")
        for event in digest.events:
            parts.append(
                f"- {plain_text(event.title)}, {event.start.strftime('%a %B %-d, %-I:%M %p')}\n  {site}/{event.url}"
            )
        parts.append("")
    if digest.jobs:
        parts += [
            "NEW JOBS",
            *(f"- {plain_text(j.title)} ({plain_text(j.organization)})\n  {site}/{j.url}" for j in digest.jobs),
            "",
        ]
    if digest.empty:
        parts += ["A quiet week: nothing new was published.", f"{site}/diaries/", ""]
    parts += [f"On the web: {site}/{digest.url}", "", footer]
    return "\n".join(parts) + "\n"


def compose(
    digest: Digest, html: str, text: str, options: dict[str, Any], sitename: str, site: str, now: dt.datetime
) -> EmailMessage:
    """One multipart/alternative message for the list."""
    message = EmailMessage()
    message["Subject"] = subject(digest, sitename)
    message["From"] = options["from_address"] or f"digest@{urlsplit(site).hostname or 'localhost'}"
    message["To"] = options["list_address"] or "digest-list@invalid"
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid("digest-" + digest.slug, domain=urlsplit(site).hostname or "localhost")
    mail, web = unsubscribe_parts(options["unsubscribe"])
    if mail or web:
        message["List-Unsubscribe"] = ", ".join(f"<{u}>" for u in (f"mailto:{mail}" if mail else "", web) if u)
    if options["subscribe_url"]:
        message["List-Subscribe"] = f"<{options['subscribe_url']}>"
    message["List-Archive"] = f"<{site}/digest/>"
    message.set_content(text)
    message.add_alternative(css_inline.inline(html), subtype="html")
    return message


def send(message: EmailMessage, options: dict[str, Any]) -> None:
    """Send over TLS (STARTTLS or SSL) to ``smtp_host``; never in the clear."""
    host = os.environ.get(ENV_HOST) or options["smtp_host"]
    if not host:
        raise DigestMailError(f'no SMTP server: set DIGEST["smtp_host"] in pelicanconf.py or {ENV_HOST}')
    if not options["list_address"]:
        raise DigestMailError('no list address: set DIGEST["list_address"] (the mailing list that has the subscribers)')
    security = options["smtp_security"]
    if security not in ("starttls", "ssl"):
        raise DigestMailError(f'DIGEST["smtp_security"] must be "starttls" or "ssl", not {security!r}')
    port = int(options["smtp_port"])
    if host.count(":") == 1:  # NETROOTS_SMTP_HOST=smtp.example.org:2525
        host, _, given = host.partition(":")
        port = int(given) if given.isdigit() else port
    context = ssl.create_default_context(cafile=os.environ.get(ENV_CAFILE) or None)
    user, password = os.environ.get(ENV_USER), os.environ.get(ENV_PASSWORD)
    try:
        if security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=60, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=60)
        with client:
            if security == "starttls":
                client.starttls(context=context)
            if user and password:
                client.login(user, password)
            client.send_message(message)
    except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
        raise DigestMailError(f"sending to {host}:{port} failed: {type(exc).__name__}: {exc}") from None
