"""Fetch every ally's feed at once, politely, within a hard time budget.

Caps: requests overall and per host, one request's time (start to last byte, so a
drip-feeding server cannot hold us), bytes after decompression, redirects. Conditional
GET with the ETag and Last-Modified kept in ``.cache/allies/health.json``. Parsing runs
in a process per feed that is killed at its deadline (workers.py). A feed that fails, or is
not done within the budget, keeps its last good copy.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import ipaddress
import logging
import os
import socket
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from .model import Ally, safe_url
from .parse import NotAFeed, parse_body
from .workers import ParseCut, ParseFailed, Parsers

logger = logging.getLogger("netroots")
PERMANENT = (301, 308)
TEMPORARY = (302, 303, 307)
THROTTLED = (429, 503)


class FetchError(Exception):
    """A failure worth one line on the health page."""

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after


@dataclass
class Outcome:
    """What happened to one ally in one fetch."""

    slug: str
    ok: bool = False
    skipped: str = ""
    status: int | None = None
    not_modified: bool = False
    error: str = ""
    moved_to: str | None = None
    final_url: str = ""
    bytes: int = 0
    latency_ms: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    gone: bool = False
    retry_after: float | None = None
    parsed: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class Summary:
    outcomes: dict[str, Outcome]
    health: dict[str, dict[str, Any]]
    seconds: float

    def count(self, predicate: Callable[[Outcome], bool]) -> int:
        return sum(1 for o in self.outcomes.values() if predicate(o))

    @property
    def failing(self) -> list[str]:
        return sorted(slug for slug, h in self.health.items() if h.get("failing"))

    def line(self, failing_after: int = 3) -> str:
        """One line a maintainer reads without the docs: what happened this run, then what
        counts as failing (several runs in a row), which is what ``--strict`` and /allies/health/ use."""
        fetched = self.count(lambda o: o.ok and not o.not_modified)
        unchanged = self.count(lambda o: o.not_modified)
        failed = self.count(lambda o: not o.ok and not o.skipped)
        skipped = self.count(lambda o: bool(o.skipped))
        failing = len(self.failing)
        return (
            f"allies, this run: {fetched} fetched with new content, {unchanged} unchanged since last time, "
            f"{failed} could not be fetched (reasons below), {skipped} skipped, in {self.seconds:.1f} s. "
            f"Failing (failed {failing_after} runs in a row, or gone; shown on /allies/health/): {failing}"
        )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def retry_after_seconds(value: str | None, now: dt.datetime) -> float | None:
    """``Retry-After`` as seconds from now: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(min(int(value[:10]), 10**9))
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return max(0.0, (moment - now).total_seconds())


PARSE_THREADS = 8  # feeds parsed at once when there are no worker processes
# The same as ALLIES["allow_private_addresses"], for tests that run `tasks.py fetch` in a process.
ALLOW_PRIVATE_ENV = "NETROOTS_ALLOW_PRIVATE_FEEDS"


class PrivateAddress(httpcore.ConnectError):
    """A feed (or a redirect) led to an address inside a private network."""


def is_public(address: str) -> bool:
    """True for an address on the public internet: not loopback, private, link-local,
    shared (CGNAT), multicast, reserved or unspecified; IPv4 inside IPv6 is unwrapped."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def _resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` names: an IP literal as it is (no lookup), a name through DNS."""
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
    return list(dict.fromkeys(info[4][0] for info in found))


class PublicOnly(httpcore.AsyncNetworkBackend):
    """Connects only to public addresses: the host is resolved here, every address it has is
    checked, and the connection goes to the address that was checked (so a second DNS answer
    cannot swap in 127.0.0.1). httpx opens a new connection for every redirect hop, so every
    hop passes through here. TLS still verifies the original host name."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend, allow_private: bool) -> None:
        self.inner = inner
        self.allow_private = allow_private

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: str | None = None, socket_options=None
    ) -> httpcore.AsyncNetworkStream:
        addresses = await _resolve(host, port)
        if not addresses:
            raise httpcore.ConnectError(f"{host} has no address")
        if not self.allow_private:
            for address in addresses:
                if not is_public(address):
                    raise PrivateAddress(
                        f"refused: {host} is {address}, a private or local address "
                        "(allied feeds are fetched only from the public internet)"
                    )
        return await self.inner.connect_tcp(
            addresses[0], port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are never used for allied feeds")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def public_transport(config: dict[str, Any]) -> httpx.AsyncHTTPTransport:
    """httpx's transport with its connections made through ``PublicOnly``."""
    from httpcore._backends.auto import AutoBackend

    transport = httpx.AsyncHTTPTransport(
        limits=httpx.Limits(max_connections=int(config["concurrency"]), max_keepalive_connections=0)
    )
    pool = transport._pool
    if not hasattr(pool, "_network_backend"):  # a new httpcore: refuse to fetch rather than fetch unchecked
        raise RuntimeError("allies: cannot check addresses with this httpcore version")
    allow = bool(config.get("allow_private_addresses")) or os.environ.get(ALLOW_PRIVATE_ENV) == "1"
    pool._network_backend = PublicOnly(AutoBackend(), allow)
    return transport


def _conditional_headers(ally: Ally, state: dict[str, Any]) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from the last fetch of this same feed address, so an
    unchanged feed answers 304; values are checked, as they came from the ally's server."""
    headers = {}
    if state.get("feed") == ally.feed:
        for header, key in (("If-None-Match", "etag"), ("If-Modified-Since", "last_modified")):
            value = state.get(key)
            if isinstance(value, str) and value.isprintable() and len(value) < 500:
                headers[header] = value
    return headers


def _redirect_target(url: str, response: httpx.Response, seen: set[str]) -> str | None:
    """Where a redirect points (None if the answer is not one); an address that is not http(s)
    or one already visited is a ``FetchError``."""
    status = response.status_code
    if status not in PERMANENT + TEMPORARY or not response.headers.get("location"):
        return None
    target = safe_url(urljoin(url, response.headers["location"]))
    if not target:
        raise FetchError(f"redirected to an address that is not http(s) ({status})", status)
    if target in seen:
        raise FetchError(f"redirect loop ({status} back to {target})", status)
    return target


def _refuse_unless_ok(response: httpx.Response, outcome: Outcome) -> None:
    """Raise a ``FetchError`` saying what a non-200 answer means for the maintainer (410: remove
    the ally; 429/503: when to ask again)."""
    status = response.status_code
    if status == 410:
        outcome.gone = True
        raise FetchError("410 Gone: the feed was removed; remove the ally or update its feed", 410)
    if status in THROTTLED:
        wait = retry_after_seconds(response.headers.get("retry-after"), _now())
        note = f", asked to wait {int(wait)} s" if wait is not None else ""
        raise FetchError(f"HTTP {status}{note}", status, wait)
    if status != 200:
        raise FetchError(f"HTTP {status} {response.reason_phrase}".strip(), status)


def _network_problem(exc: Exception, timeout: float, status: int | None) -> FetchError:
    """A failure on the wire as one line for the health page, never a traceback."""
    if isinstance(exc, TimeoutError):
        return FetchError(f"no complete answer within {timeout:g} s (timeout)", status)
    if isinstance(exc, httpx.InvalidURL):
        return FetchError(f"invalid address or redirect target: {str(exc)[:150]}", status)
    if isinstance(exc, httpx.ConnectError):
        if "refused: " in str(exc):
            return FetchError(str(exc)[:200], status)
        return FetchError(f"network error: ConnectError {str(exc)[:150]}".strip())
    return FetchError(f"network error: {type(exc).__name__} {str(exc)[:150]}".strip())


class _Limits:
    """Semaphores overall and per host, created inside the running loop."""

    def __init__(self, overall: int, per_host: int) -> None:
        self.overall = asyncio.Semaphore(max(1, overall))
        self.per_host_size = max(1, per_host)
        self.hosts: dict[str, asyncio.Semaphore] = {}

    def host(self, url: str) -> asyncio.Semaphore:
        name = (urlsplit(url).hostname or "").lower()
        if name not in self.hosts:
            self.hosts[name] = asyncio.Semaphore(self.per_host_size)
        return self.hosts[name]


class Fetcher:
    """One fetch phase: a client, limits, the parse processes and the settings."""

    def __init__(self, config: dict[str, Any], user_agent: str, parsers: Parsers | None) -> None:
        self.config = config
        self.parsers = parsers
        self.limits = _Limits(int(config["concurrency"]), int(config["per_host"]))
        self.parsing = asyncio.Semaphore(PARSE_THREADS)
        self.deadline = time.monotonic() + float(config["budget"])
        self.client = httpx.AsyncClient(
            transport=public_transport(config),
            follow_redirects=False,
            timeout=httpx.Timeout(float(config["timeout"])),
            limits=httpx.Limits(max_connections=int(config["concurrency"]), max_keepalive_connections=0),
            headers={
                "User-Agent": user_agent,
                "Accept": "application/atom+xml, application/rss+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
                "Accept-Encoding": "gzip, deflate",
            },
        )

    async def close(self) -> None:
        await self.client.aclose()

    async def fetch(self, ally: Ally, state: dict[str, Any]) -> Outcome:
        outcome = Outcome(slug=ally.slug)
        host = self.limits.host(ally.feed)
        download: tuple[bytes, str, str] | None = None
        async with self.limits.overall, host:
            for attempt in range(2):
                try:
                    download = await self._request(ally, state, outcome)
                    break
                except FetchError as exc:
                    outcome.error, outcome.status, outcome.retry_after = exc.message, exc.status, exc.retry_after
                    wait = exc.retry_after
                    short = wait is not None and wait <= float(self.config["retry_wait"])
                    if attempt == 0 and short and time.monotonic() + wait < self.deadline:
                        await asyncio.sleep(wait)
                        outcome.error = ""
                        continue
                    return outcome
        if download is not None:  # parsed after the connection slot is freed for the next feed
            try:
                await self._parse(*download, outcome)
            except FetchError as exc:
                outcome.error, outcome.status = exc.message, exc.status
                return outcome
        if outcome.parsed is None and not outcome.not_modified:
            return outcome
        outcome.ok = True
        return outcome

    async def _request(self, ally: Ally, state: dict[str, Any], outcome: Outcome) -> tuple[bytes, str, str] | None:
        """Download (following redirects); returns ``(body, content type, url)``, or None for a 304."""
        url = ally.feed
        seen = {url}
        permanent = True
        headers = _conditional_headers(ally, state)
        timeout = float(self.config["timeout"])
        started = time.monotonic()
        for _hop in range(int(self.config["max_redirects"]) + 1):
            try:
                async with asyncio.timeout(timeout):
                    response = await self.client.send(
                        self.client.build_request("GET", url, headers=headers), stream=True
                    )
                    try:
                        outcome.status = response.status_code
                        target = _redirect_target(url, response, seen)
                        if target:
                            seen.add(target)
                            permanent = permanent and response.status_code in PERMANENT
                            if permanent:
                                outcome.moved_to = target
                            url = target
                            continue
                        body = await self._answer(response, url, state, outcome, started)
                    finally:
                        await response.aclose()
            except (TimeoutError, httpx.InvalidURL, httpx.HTTPError) as exc:
                raise _network_problem(exc, timeout, outcome.status) from None
            if body is None:
                return None
            outcome.bytes = len(body)
            outcome.etag = response.headers.get("etag")
            outcome.last_modified = response.headers.get("last-modified")
            return body, response.headers.get("content-type", ""), url
        raise FetchError(f"more than {self.config['max_redirects']} redirects (max_redirects)", outcome.status)

    async def _answer(
        self, response: httpx.Response, url: str, state: dict[str, Any], outcome: Outcome, started: float
    ) -> bytes | None:
        """The body of the final (not redirecting) answer, or None for 304 Not Modified, when the
        cached entries stay; any other status but 200 is a ``FetchError``."""
        outcome.final_url = url
        outcome.latency_ms = int((time.monotonic() - started) * 1000)
        if response.status_code == 304:
            outcome.not_modified = True
            outcome.etag = response.headers.get("etag") or state.get("etag")
            outcome.last_modified = response.headers.get("last-modified") or state.get("last_modified")
            return None
        _refuse_unless_ok(response, outcome)
        body = await self._read(response)
        outcome.latency_ms = int((time.monotonic() - started) * 1000)
        return body

    async def _read(self, response: httpx.Response) -> bytes:
        """The body, decompressed here with a cap, so a gzip bomb stops at max_bytes."""
        limit = int(self.config["max_bytes"])
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(f"feed is {int(declared):,} bytes, more than max_bytes ({limit:,})", response.status_code)
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding in ("gzip", "x-gzip"):
            decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            decoder = zlib.decompressobj()
        elif encoding in ("identity", ""):
            decoder = None
        else:
            raise FetchError(f"unsupported Content-Encoding '{encoding[:40]}'", response.status_code)
        parts: list[bytes] = []
        size = 0
        too_big = FetchError(f"feed is larger than max_bytes ({limit:,} bytes) once decompressed", response.status_code)
        async for chunk in response.aiter_raw():
            if decoder is None:
                size += len(chunk)
                if size > limit:
                    raise too_big
                parts.append(chunk)
                continue
            data = chunk
            while data:
                try:
                    piece = decoder.decompress(data, limit + 1 - size)
                except zlib.error as exc:
                    raise FetchError(f"broken {encoding} data: {exc}", response.status_code) from None
                size += len(piece)
                if size > limit:
                    raise too_big
                parts.append(piece)
                data = decoder.unconsumed_tail
        return b"".join(parts)

    async def _parse(self, body: bytes, content_type: str, url: str, outcome: Outcome) -> None:
        args = (
            body,
            content_type,
            url,
            _now().replace(microsecond=0).isoformat(),
            int(self.config["max_entries"]),
            int(self.config["max_entry_bytes"]),
        )
        limit = float(self.config["parse_timeout"])
        try:
            if self.parsers is not None and not self.parsers.broken:
                try:
                    outcome.parsed = await self.parsers.parse(args, limit, self.deadline)
                except ParseFailed as exc:
                    if not self.parsers.broken:
                        raise FetchError(str(exc), outcome.status) from None
                    logger.warning("allies: parsing in threads, %s", exc)  # no processes here
            if outcome.parsed is None:
                async with self.parsing:
                    outcome.parsed = await in_daemon_thread(parse_body, *args)
        except NotAFeed as exc:
            raise FetchError(str(exc), outcome.status) from None
        except ParseCut as cut:
            where = f"the fetch budget ({self.config['budget']:g} s)" if cut.budget else f"parse_timeout ({limit:g} s)"
            raise FetchError(
                f"cut: parsing and cleaning the feed was stopped at {where}; it keeps its last good copy",
                outcome.status,
            ) from None
        outcome.warnings = list(outcome.parsed.get("warnings", []))


async def in_daemon_thread(function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)`` in a daemon thread. A thread cannot be stopped, but unlike the
    event loop's executor a daemon thread is not waited for when the fetch returns or the
    program exits, so a pathological feed cannot hold the fetch past its budget."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if not future.done():
            future.set_exception(error) if error is not None else future.set_result(result)

    def run() -> None:
        try:
            result, error = function(*args), None
        except BaseException as exc:  # handed to the awaiting task, never lost
            result, error = None, exc
        try:
            loop.call_soon_threadsafe(settle, result, error)
        except RuntimeError:
            pass  # the fetch already ended: nobody is waiting for this feed any more

    threading.Thread(target=run, name="netroots-parse", daemon=True).start()
    return await future


def parsers_for(config: dict[str, Any]) -> Parsers | None:
    """A process per feed parse, each killed at its deadline (``parse_workers`` at once: None
    is one per CPU); None (``parse_workers: 0``) parses in threads, which cannot be stopped."""
    workers = config["parse_workers"]
    if workers is None:
        workers = os.cpu_count() or 1
    return Parsers(int(workers)) if int(workers) > 0 else None


async def fetch_all(
    allies: list[Ally],
    config: dict[str, Any],
    health: dict[str, dict[str, Any]],
    user_agent: str,
    force: bool = False,
    on_done: Callable[[Outcome], None] | None = None,
    parsers: Parsers | None = None,
) -> dict[str, Outcome]:
    """Fetch every ally that is due; return what happened to each, by slug."""
    now = _now()
    outcomes: dict[str, Outcome] = {}
    due: list[Ally] = []
    for ally in allies:
        state = health.get(ally.slug, {})
        reason = "" if force else skip_reason(ally, state, now)
        if reason:
            outcomes[ally.slug] = Outcome(slug=ally.slug, skipped=reason)
            if on_done:
                on_done(outcomes[ally.slug])
        else:
            due.append(ally)
    fetcher = Fetcher(config, user_agent, parsers)

    async def run(ally: Ally) -> Outcome:
        result = await fetcher.fetch(ally, health.get(ally.slug, {}))
        if on_done:
            on_done(result)
        return result

    try:
        tasks = {asyncio.create_task(run(ally)): ally for ally in due}
        budget = max(0.0, fetcher.deadline - time.monotonic())
        done, pending = await asyncio.wait(tasks, timeout=budget) if tasks else (set(), set())
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=5)
        for task, ally in tasks.items():
            if task in done and not task.cancelled() and task.exception() is None:
                outcomes[ally.slug] = task.result()
            elif task in done and not task.cancelled():
                error = task.exception()
                outcomes[ally.slug] = Outcome(
                    slug=ally.slug, error=f"unexpected error: {type(error).__name__}: {error}"[:200]
                )
            else:
                outcomes[ally.slug] = Outcome(
                    slug=ally.slug, error=f"not done within the fetch budget ({config['budget']:g} s, budget)"
                )
                if on_done:
                    on_done(outcomes[ally.slug])
    finally:
        await fetcher.close()
    return outcomes


def skip_reason(ally: Ally, state: dict[str, Any], now: dt.datetime) -> str:
    """Why this ally is not fetched now (gone, or backing off), or ""."""
    if state.get("feed") != ally.feed:
        return ""
    if state.get("gone"):
        return "gone (HTTP 410): remove it from allies.yaml or give it a new feed"
    wait = state.get("next_attempt")
    if wait:
        try:
            moment = dt.datetime.fromisoformat(wait)
        except (TypeError, ValueError):
            return ""
        if moment.tzinfo is not None and moment > now:
            return f"waiting until {moment:%Y-%m-%d %H:%M} UTC after failures or a Retry-After"
    return ""
