"""The `serve` command's web server: output/ as a static host would serve it, plus live reload.

Each HTML page is served with one extra ``<script>`` (from this server, never written to
output/) that asks ``/__netroots/build`` every half second and reloads the page when a
rebuild has finished. Published output has no such script: only this development server
adds it, and only to what it sends.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

BUILD_PATH = "/__netroots/build"
SCRIPT_PATH = "/__netroots/reload.js"
SCRIPT = b"""(function () {
  var seen = null;
  function poll() {
    fetch("%s", {cache: "no-store"}).then(function (r) { return r.text(); }).then(function (id) {
      if (seen !== null && id !== seen) { location.reload(); }
      seen = id;
    }).catch(function () {}).then(function () { setTimeout(poll, 500); });
  }
  poll();
})();
""" % BUILD_PATH.encode()
TAG = f'<script src="{SCRIPT_PATH}" defer></script>'.encode()


class BuildCounter:
    """How many builds have finished; the reload script watches it."""

    def __init__(self) -> None:
        self.value = 0
        self.lock = threading.Lock()

    def bump(self) -> None:
        with self.lock:
            self.value += 1


class DevHandler(SimpleHTTPRequestHandler):
    counter: BuildCounter

    def log_message(self, format: str, *args) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """An unknown address gets the site's own 404.html, as a static host would send it."""
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == BUILD_PATH:
            return self._send(str(self.counter.value).encode(), "text/plain; charset=utf-8")
        if path == SCRIPT_PATH:
            return self._send(SCRIPT, "text/javascript; charset=utf-8")
        local = self.translate_path(self.path)
        if os.path.isdir(local) and path.endswith("/"):
            local = os.path.join(local, "index.html")
        if local.endswith(".html") and os.path.isfile(local):
            with open(local, "rb") as page:
                html = page.read()
            at = html.rfind(b"</body>")
            html = html[:at] + TAG + html[at:] if at >= 0 else html + TAG
            return self._send(html, "text/html; charset=utf-8")
        return super().do_GET()

    do_HEAD = do_GET


def start_server(output: Path, bind: str, port: int, counter: BuildCounter) -> ThreadingHTTPServer:
    """Serve ``output`` on ``bind:port`` (0: any free port) in a background thread."""
    handler = type("Handler", (DevHandler,), {"counter": counter})
    server = ThreadingHTTPServer((bind, port), partial(handler, directory=str(output)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def changed_since(started: float, paths: Iterable[Path]) -> bool:
    """Whether a file or folder under ``paths`` changed after ``started`` (``time.time()``):
    what a writer saved while serve's first build ran, before its watcher was on. A folder's
    time covers files deleted or renamed in it."""

    def newer(path: str) -> bool:
        try:
            return os.stat(path).st_mtime > started
        except OSError:
            return False

    for path in paths:
        if not path.is_dir():
            if newer(str(path)):
                return True
            continue
        for root, folders, files in os.walk(path):
            folders[:] = [name for name in folders if name not in IGNORED_FOLDERS]
            if newer(root) or any(newer(os.path.join(root, name)) for name in files):
                return True
    return False


# Written by Python and tools, never by writers (watchfiles ignores them too).
IGNORED_FOLDERS = frozenset({"__pycache__", ".git", ".pytest_cache", "node_modules"})
