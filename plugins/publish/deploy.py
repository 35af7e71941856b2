"""``python tasks.py publish``: the rsync-over-ssh command that copies output/ to a host."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def rsync_command(
    output: Path, options: Mapping[str, Any], target: str | None = None, dry_run: bool = False
) -> list[str]:
    """The argument list for rsync; ``target`` overrides ``PUBLISH["RSYNC_TARGET"]``."""
    destination = target or options["RSYNC_TARGET"]
    if not destination:
        raise ValueError(
            "nowhere to publish to: set PUBLISH = {'RSYNC_TARGET': 'user@host:/var/www/site/'} in publishconf.py "
            "or pass --target"
        )
    ssh = ["ssh", "-p", str(int(options["SSH_PORT"]))]
    if options["SSH_KEY"]:
        ssh += ["-i", str(Path(options["SSH_KEY"]).expanduser())]
    ssh += [str(o) for o in options["SSH_OPTIONS"]]
    command = ["rsync", "--archive", "--compress", "--checksum", "--human-readable", "--itemize-changes"]
    if options["DELETE"]:
        command.append("--delete")
    if dry_run:
        command.append("--dry-run")
    command += [str(o) for o in options["RSYNC_OPTIONS"]]
    command += ["-e", shlex.join(ssh), f"{output.as_posix().rstrip('/')}/", destination]
    return command
