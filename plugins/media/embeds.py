"""Embeds a member pastes (a YouTube iframe, an <audio> tag) are removed by the sanitizer;
``check`` says so at their line, and points to ``media:`` instead of failing silently."""

from __future__ import annotations

import re
from pathlib import Path

from netroots.report import Report

EMBED = re.compile(r"<\s*(iframe|video|audio|object|embed)\b", re.I)
FENCE = re.compile(r"^\s*(```|~~~)")
INLINE_CODE = re.compile(r"`[^`]*`")


def check_embeds(path: Path, body: str, body_line: int, report: Report) -> None:
    """Warn at each ``<iframe>``, ``<video>``, ``<audio>``, ``<object>`` or ``<embed>`` outside code."""
    if "<" not in body:
        return
    fenced = False
    for offset, line in enumerate(body.splitlines()):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced or line.startswith(("    ", "\t")):
            continue
        for match in EMBED.finditer(INLINE_CODE.sub("", line)):
            tag = match.group(1).lower()
            advice = (
                "put your recording in your media/ folder and name it in the front matter, "
                "`media: {file: media/episode.mp3, duration: '12:34'}`"
                if tag in ("audio", "video")
                else "link to the page instead, or, for your own audio or video, use the `media:` field"
            )
            report.warning(
                path,
                body_line + offset,
                f"<{tag}> is removed when the diary is published (embedded players can track readers "
                f"and run script); {advice} (docs/writers.md, Audio and video)",
            )
