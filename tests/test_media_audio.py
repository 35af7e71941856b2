"""Audio and video diaries: players, captions, transcripts, enclosures, podcast feeds, embed warnings."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, TODAY, build_site, read

from tasks import cli

AUDIO_DIARY = """---
title: Episode one <b>live</b>
date: 2026-03-05 09:00
summary: Our first show.
media:
  file: media/episode-1.mp3
  duration: "12:34"
  transcript: media/episode-1.md
  captions: media/episode-1.vtt
  explicit: true
tags: [Podcast]
---

Listen above.
"""

VIDEO_DIARY = """---
title: The rally on video
date: 2026-03-06 09:00
media:
  url: https://video.example.org/rally.webm
  length: 2048000
  duration: 95
tags: [Video]
---

Watch above.
"""

EMBEDS = """---
title: Embeds
tags: [Video]
---

<iframe src="https://www.youtube.com/embed/x"></iframe>

Some text, then `<video>` in code is fine.

```html
<audio src="x.mp3"></audio>
```

<audio controls src="https://example.org/a.mp3"></audio>
"""


def media_content(root: Path) -> Path:
    shutil.copytree(FIXTURES / "basic", root, dirs_exist_ok=True)
    content = root / "content"
    folder = content / "diaries" / "ana"
    (folder / "media").mkdir(parents=True)
    (folder / "media" / "episode-1.mp3").write_bytes(b"\xff\xfb\x90\x00" + b"\0" * 4000)
    (folder / "media" / "episode-1.md").write_text(
        "**Ana:** Welcome to the show.\n\n<script>alert(1)</script>\n", encoding="utf-8"
    )
    (folder / "media" / "episode-1.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nWelcome\n", encoding="utf-8")
    (folder / "2026-03-05-episode-one.md").write_text(AUDIO_DIARY, encoding="utf-8")
    (content / "diaries" / "ben" / "2026-03-06-rally-video.md").write_text(VIDEO_DIARY, encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    os.environ["NETROOTS_TODAY"] = TODAY
    root = tmp_path_factory.mktemp("audio")
    result = build_site(media_content(root), root / "output")
    assert not result.errors, result.errors
    return root / "output"


def test_audio_diary_page_has_player_captions_and_transcript(built: Path) -> None:
    page = read(built, "diaries/ana/episode-one/index.html")
    player = re.search(r"<audio controls.*?</audio>", page, re.S)[0]
    assert '<source src="../media/episode-1.mp3" type="audio/mpeg">' in player
    assert '<track kind="captions" src="../media/episode-1.vtt" srclang="en" label="Captions" default>' in player
    assert "12:34" in page
    transcript = re.search(r'<details class="transcript card">.*?</details>', page, re.S)[0]
    assert "<strong>Ana:</strong> Welcome to the show." in transcript
    assert "<script" not in transcript and "alert(1)" not in page
    assert (built / "diaries" / "ana" / "media" / "episode-1.mp3").is_file()
    assert (built / "diaries" / "ana" / "media" / "episode-1.vtt").is_file()
    assert not (built / "diaries" / "ana" / "media" / "episode-1" / "index.html").exists()  # not a diary


def test_video_from_an_address_plays_natively(built: Path) -> None:
    page = read(built, "diaries/ben/rally-video/index.html")
    assert re.search(
        r'<video controls[^>]*>\s*<source src="https://video.example.org/rally.webm" type="video/webm">', page
    )
    assert "1:35" in page


def test_diary_feeds_carry_enclosures_and_the_members_name(built: Path) -> None:
    feed = feedparser.parse(read(built, "feeds/members/ana.atom.xml"))
    entry = next(e for e in feed.entries if "Episode one" in e.title)
    assert entry.enclosures[0].href == "http://localhost:8000/diaries/ana/media/episode-1.mp3"
    assert entry.enclosures[0].type == "audio/mpeg" and entry.enclosures[0].length == "4004"
    assert entry.author == "Ana Ruiz"
    rss = feedparser.parse(read(built, "feeds/all.rss.xml"))
    video = next(e for e in rss.entries if e.title == "The rally on video")
    assert video.enclosures[0].href == "https://video.example.org/rally.webm"


def test_podcast_feed_lists_audio_diaries_with_what_apps_need(built: Path) -> None:
    xml = read(built, "feeds/podcast.xml")
    feed = feedparser.parse(xml)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "Commons Network podcast"
    assert "<itunes:explicit>no</itunes:explicit>" in xml and not feed.feed.itunes_explicit
    assert feed.feed.image.href == "http://localhost:8000/theme/images/podcast.png"
    assert [t.term for t in feed.feed.tags] == ["News", "Politics"]
    assert len(feed.entries) == 1  # the video is not a podcast episode
    episode = feed.entries[0]
    assert episode.title == "Episode one live"
    assert episode.enclosures[0].href == "http://localhost:8000/diaries/ana/media/episode-1.mp3"
    assert episode.enclosures[0].length == "4004" and episode.enclosures[0].type == "audio/mpeg"
    assert episode.itunes_duration == "12:34"
    assert episode.itunes_explicit is True
    assert episode.author_detail.name == "Ana Ruiz" or episode.get("itunes_author", "") == "Ana Ruiz"
    own = feedparser.parse(read(built, "feeds/members/ana.podcast.xml"))
    assert own.feed.title == "Commons Network podcast: Ana Ruiz"
    assert [e.title for e in own.entries] == ["Episode one live"]
    assert not (built / "feeds" / "members" / "ben.podcast.xml").exists()


def check_output(content: Path) -> str:
    return CliRunner().invoke(cli, ["--content", str(content), "check"]).output


def test_check_warns_about_embeds_at_their_line(tmp_path: Path) -> None:
    content = media_content(tmp_path)
    (content / "diaries" / "ana" / "2026-03-07-embeds.md").write_text(EMBEDS, encoding="utf-8")
    output = check_output(content)
    path = "content/diaries/ana/2026-03-07-embeds.md"
    assert f"{path}:6: warning: <iframe> is removed when the diary is published" in output
    assert "link to the page instead" in output
    assert f"{path}:14: warning: <audio> is removed" in output and "media: {file: media/episode.mp3" in output
    assert f"{path}:8:" not in output and f"{path}:11:" not in output  # code is not an embed


def test_check_reports_bad_media_fields(tmp_path: Path) -> None:
    content = media_content(tmp_path)
    folder = content / "diaries" / "ana"
    (folder / "media" / "bad.vtt").write_text("not captions", encoding="utf-8")
    cases = {
        "a": ("media: {file: media/missing.mp3}", "media: file: media/missing.mp3 not found in ana/media/"),
        "b": ("media: {url: 'http://x.example.org/a.mp3'}", "must start with https://"),
        "c": ("media: {file: ../ben/x.mp3}", "must be in your folder's media/"),
        "d": ("media: {file: media/episode-1.mp3, duration: 'an hour'}", "not a duration"),
        "e": ("media: {file: media/episode-1.mp3, captions: media/bad.vtt}", "is not WebVTT"),
        "f": ("media: just-a-string.mp3", "must be a mapping"),
    }
    for name, (field, _) in cases.items():
        (folder / f"2026-04-0{ord(name) - 96}-case-{name}.md").write_text(
            f"---\ntitle: Case {name}\n{field}\ntags: [Audio]\n---\n\nBody.\n", encoding="utf-8"
        )
    output = check_output(content)
    for name, (_, message) in cases.items():
        line = next((ln for ln in output.splitlines() if f"case-{name}.md:3: error: media" in ln), "")
        assert message in line, (name, output)
