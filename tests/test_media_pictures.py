"""Members' own pictures: metadata stripped, resized copies, srcset and dimensions, bad pictures reported."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, TODAY, build_site, read
from PIL import ExifTags, Image

from netroots.images import make_variants
from tasks import cli

DIARY = """---
title: Our new office
date: 2026-03-03 10:00
tags: [Office]
summary: Pictures from the move.
---

Here it is:

![The office front door, painted green](images/door.jpg "Our door")

And the sign:

![A hand-painted sign](images/sign.png)
"""


def photo(path: Path, size: tuple[int, int] = (2400, 1600), gps: bool = True) -> Path:
    """A JPEG with camera and GPS EXIF, as a phone writes it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, (40, 120, 60))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.BodySerialNumber] = "SN-0042"
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(
            {
                ExifTags.GPS.GPSLatitudeRef: "N",
                ExifTags.GPS.GPSLatitude: (39.0, 57.0, 36.0),
                ExifTags.GPS.GPSLongitudeRef: "W",
                ExifTags.GPS.GPSLongitude: (82.0, 59.0, 24.0),
            }
        )
    image.save(path, "JPEG", exif=exif.tobytes(), comment=b"home address")
    return path


def media_content(root: Path) -> Path:
    """The basic fixture plus a diary with two of the member's own pictures."""
    shutil.copytree(FIXTURES / "basic", root, dirs_exist_ok=True)
    content = root / "content"
    folder = content / "diaries" / "ana"
    (folder / "2026-03-03-our-new-office.md").write_text(DIARY, encoding="utf-8")
    photo(folder / "images" / "door.jpg")
    sign = Image.new("RGBA", (300, 200), (200, 30, 30, 128))
    sign.save(folder / "images" / "sign.png", pnginfo=None)
    return content


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import os

    os.environ["NETROOTS_TODAY"] = TODAY
    root = tmp_path_factory.mktemp("media")
    content = media_content(root)
    result = build_site(content, root / "output")
    assert not result.errors, result.errors
    return root / "output"


def test_published_pictures_carry_no_metadata(built: Path) -> None:
    published = sorted((built / "diaries" / "ana" / "images").iterdir())
    assert published, "no picture was published"
    assert not any(p.name in ("door.jpg", "sign.png") for p in published), "the original file was shipped"
    for path in published:
        with Image.open(path) as image:
            exif = image.getexif()
            assert not exif, f"{path.name} still has EXIF: {dict(exif)}"
            assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
            assert "exif" not in image.info and "comment" not in image.info and "xmp" not in image.info
        assert b"PhoneMaker" not in path.read_bytes() and b"home address" not in path.read_bytes()


def test_pictures_get_srcset_sizes_dimensions_and_lazy_loading(built: Path) -> None:
    page = read(built, "diaries/ana/our-new-office/index.html")
    pictures = re.findall(r"<picture>.*?</picture>", page, re.S)
    assert len(pictures) == 2
    door = pictures[0]
    assert '<source type="image/webp" srcset="../images/door-480.' in door
    img = re.search(r"<img [^>]*>", door)[0]
    assert 'width="1600" height="1067"' in img  # the largest copy; the aspect ratio reserves the space
    assert 'loading="lazy"' in img and 'alt="The office front door, painted green"' in img
    assert re.search(r'srcset="\.\./images/door-480\.\w+\.jpg 480w, \.\./images/door-960\.\w+\.jpg 960w, ', img)
    assert 'sizes="' in img and 'title="Our door"' in img
    for src in re.findall(r'(?:src|srcset)="([^"]+)"', door):
        for url in src.split(","):
            name = url.split()[0].removeprefix("../images/")
            assert (built / "diaries" / "ana" / "images" / name).is_file(), name
    # A transparent picture keeps its transparency: PNG fallback, only its own width.
    assert re.search(r'<img src="\.\./images/sign-300\.\w+\.png"[^>]* width="300" height="200"', pictures[1])


def test_feeds_carry_absolute_picture_addresses(built: Path) -> None:
    feed = read(built, "feeds/all.atom.xml")
    assert "../images/" not in feed
    assert "http://localhost:8000/diaries/ana/images/door-960." in feed


def test_warm_build_reuses_cached_variants(tmp_path: Path) -> None:
    source = photo(tmp_path / "p.jpg", size=(1000, 500))
    cache = tmp_path / "cache"
    first = make_variants(source, cache, name="p", widths=[480, 960], formats=["webp"])
    stamps = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    second = make_variants(source, cache, name="p", widths=[480, 960], formats=["webp"])
    assert first == second
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == stamps
    assert [v.width for v in first.fallback] == [480, 960]


def check_messages(content: Path) -> str:
    result = CliRunner().invoke(cli, ["--content", str(content), "check"])
    return result.output


def test_check_reports_bad_pictures_with_their_line(tmp_path: Path) -> None:
    content = media_content(tmp_path)
    folder = content / "diaries" / "ana"
    (folder / "images" / "fake.jpg").write_bytes(b"%PDF-1.4 not a picture at all")
    photo(folder / "images" / "huge.jpg", size=(400, 300))
    (folder / "images" / "huge.jpg").write_bytes((folder / "images" / "huge.jpg").read_bytes() + b"\0" * 11_000_000)
    (folder / "2026-03-04-more.md").write_text(
        "---\ntitle: More\ntags: [Office]\n---\n\n![](images/door.jpg)\n\n![A gone one](images/gone.jpg)\n\n"
        "![Fake](images/fake.jpg)\n\n![Elsewhere](../ben/images/x.jpg)\n",
        encoding="utf-8",
    )
    output = check_messages(content)
    path = "content/diaries/ana/2026-03-04-more.md"
    assert f"{path}:6: error: picture images/door.jpg has no alt text" in output
    assert f"{path}:8: error: picture images/gone.jpg not found in ana/images/ (files there: door.jpg" in output
    assert f"{path}:10: error: images/fake.jpg: this is not a picture Netroots can read" in output
    assert f"{path}:12: error: picture '../ben/images/x.jpg': keep your pictures in your folder's images/" in output
    assert (
        "content/diaries/ana/images/huge.jpg:1: error: images/huge.jpg: the file is 11.0 MB, over the 10 MB limit"
        in output
    )
    assert "content/diaries/ana/images/fake.jpg:1: error" in output
    # The build names the same problems, leaves the broken pictures out and still publishes the diary.
    result = build_site(content, tmp_path / "output")
    assert any("has no alt text" in e for e in result.errors)
    page = read(tmp_path / "output", "diaries/ana/more/index.html")
    assert page.count("<picture>") == 1 and "gone.jpg" not in page and "fake" not in page
    assert not (tmp_path / "output" / "diaries" / "ana" / "images" / "fake.jpg").exists()


def test_a_good_diary_with_pictures_passes_check(tmp_path: Path) -> None:
    output = check_messages(media_content(tmp_path))
    assert "error" not in output.replace("0 error(s)", ""), output


def test_demo_photo_is_published_without_its_gps(demo_output: Path) -> None:
    page = read(demo_output, "diaries/pat-okafor/the-linden-branch-read-in/index.html")
    assert "<picture>" in page and 'loading="lazy"' in page
    published = list((demo_output / "diaries" / "pat-okafor" / "images").glob("linden-read-in-*"))
    assert len(published) >= 6
    for path in published:
        with Image.open(path) as image:
            assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo) and not image.getexif()
        assert b"DemoPhone" not in path.read_bytes()


def test_avif_is_written_when_asked(tmp_path: Path) -> None:
    source = photo(tmp_path / "p.jpg", size=(600, 400))
    images = make_variants(source, tmp_path / "cache", name="p", widths=[480], formats=["avif", "webp"])
    assert list(images.sources) == ["image/avif", "image/webp"]
    with Image.open(tmp_path / "cache" / images.sources["image/avif"][0].cached) as avif:
        assert avif.format == "AVIF" and not avif.getexif()
