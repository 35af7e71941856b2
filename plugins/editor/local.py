"""Decap's local backend (decap-server from npm, installed by scripts/install-decap.sh):
``python tasks.py editor`` and the browser test start it on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from netroots.site import cache_dir


def server_script(settings: dict) -> Path:
    return cache_dir(settings, "decap") / "server" / "node_modules" / "decap-server" / "dist" / "index.js"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_local_backend(settings: dict, repository: Path, port: int | None = None) -> tuple[subprocess.Popen, str]:
    """Start decap-server for ``repository`` (the folder holding content/); returns it and its API address.

    It writes straight into the working copy (MODE=fs): what the editor saves is there to
    check, preview and commit."""
    script = server_script(settings)
    node = shutil.which("node")
    if node is None or not script.is_file():
        raise FileNotFoundError("decap-server is not installed: run `bash scripts/install-decap.sh` (needs npm)")
    port = port or free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "BIND_HOST": "127.0.0.1",
        "MODE": "fs",
        "GIT_REPO_DIRECTORY": str(repository.resolve()),
        "LOG_LEVEL": "error",
    }
    process = subprocess.Popen([node, str(script)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"decap-server stopped at once (exit {process.returncode}); is port {port} free?")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    else:
        process.terminate()
        process.wait()
        raise RuntimeError(f"decap-server did not answer on 127.0.0.1:{port}")
    return process, f"http://127.0.0.1:{port}/api/v1"
