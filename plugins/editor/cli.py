"""``python tasks.py editor``: the web editor at /admin/ on your own machine, saving into your
working copy through Decap's local backend (decap-server)."""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click

from netroots.build import build, cli_settings

from .local import start_local_backend
from .spec import editor_settings


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def add_commands(cli: click.Group, new: click.Group) -> None:
    cli.add_command(editor)


@click.command()
@click.option("--port", default=8000, show_default=True, help="Where to serve the site.")
@click.option("--backend-port", default=8081, show_default=True, help="Where decap-server listens.")
def editor(port: int, backend_port: int) -> None:
    """Open the web editor locally: build, start decap-server, serve output/ on 127.0.0.1.

    What you save appears in content/ at once (check it, preview it, commit it). Install the
    pinned packages first with `bash scripts/install-decap.sh` (needs npm).
    """
    settings = cli_settings()
    content = Path(settings["PATH"]).resolve()
    try:
        process, api = start_local_backend(settings, content.parent, backend_port)
    except (FileNotFoundError, RuntimeError) as exc:
        raise click.ClickException(str(exc)) from None
    try:
        options = {**editor_settings(settings), "local_backend": api}
        result = build({**settings, "EDITOR": options})
        output = Path(settings["OUTPUT_PATH"])
        if not (output / "admin" / "index.html").is_file():
            raise click.ClickException("the build wrote no /admin/: see the line about the web editor above")
        server = ThreadingHTTPServer(("127.0.0.1", port), partial(_Quiet, directory=str(output)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        click.echo(
            f"Web editor at http://127.0.0.1:{server.server_address[1]}/admin/ (saving into {content}); "
            f"{len(result.errors)} content error(s). Ctrl+C to stop."
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.shutdown()
    finally:
        process.terminate()
        process.wait()
