"""The weekly digest: page, archive, feed, and the e-mail through a local SMTP server over STARTTLS."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from click.testing import CliRunner
from conftest import FIXTURES, read

from tasks import cli

WEEK_DIARY = """---
title: "<script>alert(1)</script> Rally at the <b>statehouse</b>"
date: 2026-11-18 19:00
summary: "We marched <img src=x onerror=alert(2)> & sang."
tags: [Rally]
---

It was <script>alert(3)</script> cold.
"""


def digest_content(root: Path) -> Path:
    shutil.copytree(FIXTURES / "basic", root, dirs_exist_ok=True)
    content = root / "content"
    (content / "diaries" / "ana" / "2026-11-18-rally.md").write_text(WEEK_DIARY, encoding="utf-8")
    return content


def run(content: Path, output: Path, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, ["--content", str(content), "--output", str(output), "digest", *args], env=env)


def test_digest_page_archive_and_feed(tmp_path: Path) -> None:
    content = digest_content(tmp_path)
    result = run(content, tmp_path / "output", "--dev")
    assert result.exit_code == 0, result.output
    output = tmp_path / "output"
    page = read(output, "digest/2026-w47/index.html")
    assert "Week 47, 2026: November 16 to November 22" in page
    assert "New diaries" in page and "Rally at the statehouse" in page
    active = re.compile(r"<script|<img\b|<[^>]*\son\w+=", re.I)  # member text shows as text, never as markup
    assert not active.search(page.split('<article class="digest"', 1)[1])
    index = read(output, "digest/index.html")
    assert 'href="../2026-w47/"' in index or "2026-w47/" in index
    assert "https://lists.commons.example.org/digest/" in index  # where readers subscribe
    feed = feedparser.parse(read(output, "feeds/digest.atom.xml"))
    assert feed.entries[0].link == "http://localhost:8000/digest/2026-w47/"
    assert "http://localhost:8000/diaries/ana/rally/" in feed.entries[0].content[0].value
    assert (content.parent / ".cache" / "digest" / "2026-w47.eml").is_file()


def test_the_oldest_archived_week_lists_its_new_diaries(tmp_path: Path) -> None:
    content = digest_content(tmp_path)
    oldest = WEEK_DIARY.replace("Rally at the", "Canvass at the").replace("2026-11-18 19:00", "2026-08-24 00:30")
    (content / "diaries" / "ana" / "2026-08-24-canvass.md").write_text(oldest, encoding="utf-8")
    result = run(content, tmp_path / "output", "--dev")
    assert result.exit_code == 0, result.output
    page = read(tmp_path / "output", "digest/2026-w35/index.html")  # twelve weeks before week 47
    assert "Canvass at the statehouse" in page and "Rally at the statehouse" not in page


def test_a_bad_week_is_explained(tmp_path: Path) -> None:
    result = run(digest_content(tmp_path), tmp_path / "output", "--week", "2026-W60")
    assert result.exit_code == 2
    assert "'2026-W60' is not an ISO week; write YYYY-Www, e.g. 2026-W47" in result.output


class Inbox:
    """aiosmtpd's handler: keeps what arrives."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"


def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"digest" and auth_data.password == b"s3cret"
    return AuthResult(success=ok)


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[tuple[Inbox, int, Path]]:
    """A TLS-only SMTP server with a throwaway certificate, on 127.0.0.1 and a free port."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    loop = asyncio.new_event_loop()
    sessions: list[SMTP] = []

    def protocol() -> SMTP:
        session = SMTP(
            inbox,
            hostname="localhost",
            tls_context=context,
            require_starttls=True,
            authenticator=authenticate,
            auth_require_tls=True,
        )
        sessions.append(session)
        return session

    async def shut_down() -> None:
        # Close every connection before the loop stops, or a transport left open is collected
        # during a later test as an unraisable ResourceWarning (an error under this suite).
        server.close()
        for session in sessions:
            if session.transport is not None:
                session.transport.close()
        await asyncio.wait_for(server.wait_closed(), 5)
        await asyncio.sleep(0)

    server = loop.run_until_complete(loop.create_server(protocol, "127.0.0.1", 0))
    port = server.sockets[0].getsockname()[1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield inbox, port, cert
    finally:
        asyncio.run_coroutine_threadsafe(shut_down(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def test_digest_email_arrives_multipart_with_absolute_links(tmp_path: Path, smtp_server) -> None:
    inbox, port, cert = smtp_server
    env = {
        "NETROOTS_SMTP_HOST": f"127.0.0.1:{port}",
        "NETROOTS_SMTP_USER": "digest",
        "NETROOTS_SMTP_PASSWORD": "s3cret",
        "NETROOTS_SMTP_CAFILE": str(cert),
    }
    result = run(digest_content(tmp_path), tmp_path / "output", "--week", "2026-W47", "--send", env=env)
    assert result.exit_code == 0, result.output
    assert f"Sent to digest@lists.commons.example.org through 127.0.0.1:{port}" in result.output
    assert len(inbox.envelopes) == 1
    envelope = inbox.envelopes[0]
    assert envelope.rcpt_tos == ["digest@lists.commons.example.org"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message.get_content_type() == "multipart/alternative"
    assert message["List-Unsubscribe"] == "<mailto:digest-leave@lists.commons.example.org>"
    assert message["Subject"] == "Commons Network digest, week 47: November 16 to November 22"
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert "Rally at the statehouse" in html and "Rally at the statehouse" in text
    assert "https://commons.example.org/diaries/ana/rally/" in text
    links = re.findall(r'(?:href|src)="([^"]*)"', html)
    assert links and all(link.startswith(("https://", "mailto:", "tel:")) for link in links), links
    assert "<style" not in html and 'style="' in html  # CSS inlined for mail clients
    assert not re.search(r"<script|<img\b|<[^>]*\son\w+=", html, re.I)
    assert "&lt;img src=x onerror=alert(2)&gt;" in html  # what the member wrote, as text


def test_digest_refuses_a_server_without_tls_credentials_never_leak(tmp_path: Path) -> None:
    env = {"NETROOTS_SMTP_HOST": "127.0.0.1:1", "NETROOTS_SMTP_PASSWORD": "s3cret"}
    result = run(digest_content(tmp_path), tmp_path / "output", "--send", env=env)
    assert result.exit_code == 1
    assert "sending to 127.0.0.1:1 failed" in result.output and "s3cret" not in result.output


def test_writing_a_weeks_email_renders_no_page_again(tmp_path: Path) -> None:
    """``tasks.py digest`` builds with ``DIGEST["email_week"]`` set, a setting of what goes to
    .cache/digest/, not of any page: it changed the settings every page depends on, so a weekly
    digest rendered the whole network, and the next build rendered it all again."""
    from conftest import build_site, site_settings

    content, output = digest_content(tmp_path), tmp_path / "output"
    digest = site_settings(content, output).get("DIGEST") or {}  # as `tasks.py digest` sets it: one more key
    assert not build_site(content, output).errors
    mailed = build_site(content, output, DIGEST={**digest, "email_week": "2026-w47"})
    assert mailed.summary.startswith("rendered 0 of "), mailed.summary
    assert (content.parent / ".cache" / "digest" / "2026-w47.eml").is_file()
    again = build_site(content, output)
    assert again.summary.startswith("rendered 0 of "), again.summary
    other = build_site(content, output, DIGEST={**digest, "archive_weeks": 2})  # what pages show still counts
    assert "(all: settings changed since the last build)" in other.summary, other.summary


def test_the_weeks_shown_look_at_the_dates_of_a_few_diaries_not_all() -> None:
    """The digest picked its weeks' diaries by a look at every diary's date each build (50,000
    diaries, 0.05 s). Pelican orders them newest first, so a binary search finds where the
    weeks shown begin: a dozen dates of 2,000 looked at, the same diaries found, whatever
    their time zones (a day begins 26 hours apart around the world)."""
    import datetime as dt

    from digest.generator import dated_since

    asked: list[object] = []

    class Diary:
        def __init__(self, date: dt.datetime) -> None:
            self._date = date

        @property
        def date(self) -> dt.datetime:
            asked.append(self)
            return self._date

    zones = [dt.timezone(dt.timedelta(hours=14)), dt.timezone(dt.timedelta(hours=-12)), dt.UTC]
    start = dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC)
    diaries = [Diary((start - dt.timedelta(hours=5 * i)).astimezone(zones[i % 3])) for i in range(2000)]
    first = dt.date(2026, 11, 2)
    shown = diaries[: dated_since(diaries, first)]
    assert len(asked) <= 12
    assert [d for d in shown if d._date.date() >= first] == [d for d in diaries if d._date.date() >= first]
    assert dated_since([], first) == 0
