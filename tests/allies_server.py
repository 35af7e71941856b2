"""A local HTTP server on 127.0.0.1 that plays every bad ally (tests only).

Each path is one behaviour; every loop is bounded, so a stuck client cannot keep
the server (or the test run) alive.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "allies" / "feeds"
BOMB = gzip.compress(b"\0" * 30_000_000, compresslevel=9)  # ~30 KB that inflates to 30 MB


class HostileServer:
    """``with HostileServer() as server: server.url("/atom10")``."""

    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.headers: dict[str, list[dict[str, str]]] = {}
        self.routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {}
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                with outer._lock:
                    outer.hits[path] = outer.hits.get(path, 0) + 1
                    outer.headers.setdefault(path, []).append(dict(self.headers))
                route = outer.routes.get(path) or outer.fixture_route(path)
                try:
                    route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HostileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def fixture_route(self, path: str) -> Callable[[BaseHTTPRequestHandler], None]:
        file = FIXTURES / path.strip("/")
        if path.count("/") == 1 and file.is_file():
            return lambda h: send(h, 200, file.read_bytes(), etag=f'"{file.stem}-v1"')
        return lambda h: send(h, 404, b"not found", "text/plain")


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes = b"",
    content_type: str = "application/xml",
    etag: str | None = None,
    **headers: str,
) -> None:
    if etag and handler.headers.get("If-None-Match") == etag:
        handler.send_response(304)
        handler.send_header("ETag", etag)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    if etag:
        handler.send_header("ETag", etag)
        handler.send_header("Last-Modified", "Sat, 21 Nov 2026 10:00:00 GMT")
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.end_headers()
    handler.wfile.write(body)


def slow(seconds: float) -> Callable[[BaseHTTPRequestHandler], None]:
    def route(h: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        send(h, 200, (FIXTURES / "rss20").read_bytes())

    return route


def drip(h: BaseHTTPRequestHandler) -> None:
    """Headers at once, then one byte every 0.1 s (at most 60 bytes)."""
    body = (FIXTURES / "rss20").read_bytes()
    h.send_response(200)
    h.send_header("Content-Type", "application/rss+xml")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    for byte in body[:60]:
        h.wfile.write(bytes([byte]))
        h.wfile.flush()
        time.sleep(0.1)


def huge(h: BaseHTTPRequestHandler) -> None:
    """An endless-looking body without Content-Length: 64 KB chunks, 5 MB at most."""
    h.send_response(200)
    h.send_header("Content-Type", "application/rss+xml")
    h.send_header("Connection", "close")
    h.end_headers()
    h.wfile.write(b"<?xml version='1.0'?><rss version='2.0'><channel><title>")
    for _ in range(80):
        h.wfile.write(b"A" * 65536)
    h.close_connection = True


def huge_declared(h: BaseHTTPRequestHandler) -> None:
    """Claims 10 GB; sends a few bytes and hangs up."""
    h.send_response(200)
    h.send_header("Content-Type", "application/rss+xml")
    h.send_header("Content-Length", "10000000000")
    h.send_header("Connection", "close")
    h.end_headers()
    h.wfile.write(b"<rss>")


def gzip_bomb(h: BaseHTTPRequestHandler) -> None:
    send(h, 200, BOMB, "application/rss+xml", Content_Encoding="gzip")


def redirect(target: str, status: int = 302) -> Callable[[BaseHTTPRequestHandler], None]:
    return lambda h: send(h, status, b"", "text/plain", Location=target)


def throttled_once(seconds: str) -> Callable[[BaseHTTPRequestHandler], None]:
    state = {"calls": 0}

    def route(h: BaseHTTPRequestHandler) -> None:
        state["calls"] += 1
        if state["calls"] == 1:
            send(h, 429, b"slow down", "text/plain", Retry_After=seconds)
        else:
            send(h, 200, (FIXTURES / "atom10").read_bytes())

    return route


def standard_routes(server: HostileServer) -> None:
    """Every bad ally the tests need."""
    server.routes.update(
        {
            "/slow": slow(3.0),
            "/drip": drip,
            "/huge": huge,
            "/huge-declared": huge_declared,
            "/gzip-bomb": gzip_bomb,
            "/gzipped": lambda h: send(
                h, 200, gzip.compress((FIXTURES / "rss20").read_bytes()), "application/rss+xml", Content_Encoding="gzip"
            ),
            "/loop-a": redirect("/loop-b"),
            "/loop-b": redirect("/loop-a"),
            "/moved": redirect("/atom10", 301),
            "/moved-308": redirect("/rss10", 308),
            "/to-javascript": redirect("javascript:alert(1)", 302),
            "/missing": lambda h: send(h, 404, b"no such feed", "text/plain"),
            "/gone": lambda h: send(h, 410, b"gone", "text/plain"),
            "/error": lambda h: send(h, 500, b"oops", "text/plain"),
            "/throttled": throttled_once("1"),
            "/busy": lambda h: send(h, 503, b"busy", "text/plain", Retry_After="3600"),
            "/html": lambda h: send(h, 200, (FIXTURES / "page.html").read_bytes(), "text/html; charset=utf-8"),
            "/latin1": lambda h: send(h, 200, (FIXTURES / "latin1").read_bytes(), "application/rss+xml; charset=utf-8"),
        }
    )
