"""The build's one walk of content/ (netroots/contentfiles.py): what it lists, and that a
file added, deleted, renamed or edited between builds of one process is seen by the next."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from conftest import site_settings

from netroots.build import build
from netroots.contentfiles import ContentFiles

DIARY = "---\ntitle: {title}\ndate: 2026-03-02 10:00\ntags: [housing]\n---\n\n{body}\n"


def test_the_walk_lists_files_as_paths_sort_and_links_without_following_them(tmp_path: Path) -> None:
    content = tmp_path / "content"
    for name in ("a/b.md", "a.b/c.md", "a/z/d.md", "top.md"):
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text("x", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("secret", encoding="utf-8")
    (content / "a" / "link").symlink_to(outside)
    (content / "a" / "file-link.md").symlink_to(outside / "secret.md")
    files = ContentFiles(str(content))
    wanted = sorted(Path(p) for p in ("a/b.md", "a.b/c.md", "a/z/d.md", "top.md"))
    assert files.files == [p.as_posix() for p in wanted]  # "a/b.md" before "a.b/c.md", as Path sorts
    assert files.links == ["a/file-link.md", "a/link"]
    found = files.lstat(str(content / "a" / "b.md"))
    assert (found.st_ino, found.st_size) == (os.lstat(content / "a" / "b.md").st_ino, 1)
    with pytest.raises(FileNotFoundError):
        files.lstat(str(content / "gone.md"))


def test_builds_in_one_process_see_files_added_renamed_edited_and_deleted_between_them(
    copy_fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``tasks.py serve`` builds again in the same process with the same settings: each build
    walks content/ anew (``start`` gives it fresh state). A file in the wrong folder and a
    symbolic link are reported by every build, with their path and line."""
    import netroots.readcache

    monkeypatch.setattr(netroots.readcache, "SETTLED_NS", 0)  # trust kept hashes at once
    content = copy_fixture("basic")
    output = tmp_path / "output"
    settings = site_settings(content, output)
    page = output / "diaries" / "ben" / "on-the-bus" / "index.html"

    def built() -> Any:
        result = build(settings)
        assert not [e for e in result.errors if "stray.md" not in e and "linked.md" not in e], result.errors
        return result

    built()
    new = content / "diaries" / "ben" / "2026-03-02-on-the-bus.md"
    new.write_text(DIARY.format(title="On the bus", body="Route 9 runs late."), encoding="utf-8")
    built()
    assert "Route 9 runs late." in page.read_text(encoding="utf-8")

    # Edited: the same size, and its times put back: only the change time tells.
    before = new.stat()
    new.write_text(DIARY.format(title="On the bus", body="Route 8 runs late."), encoding="utf-8")
    os.utime(new, ns=(before.st_atime_ns, before.st_mtime_ns))
    built()
    assert "Route 8 runs late." in page.read_text(encoding="utf-8")

    # Touched without a change, then renamed.
    os.utime(new)
    built()
    renamed = new.with_name("2026-03-02-on-the-train.md")
    new.rename(renamed)
    built()
    assert not page.exists()
    moved = output / "diaries" / "ben" / "on-the-train" / "index.html"
    assert "Route 8 runs late." in moved.read_text(encoding="utf-8")

    # In the wrong folder, and a symbolic link: reported by this build and the next.
    stray = content / "diaries" / "stray.md"
    stray.write_text(DIARY.format(title="Stray", body="Lost."), encoding="utf-8")
    (content / "diaries" / "ben" / "2026-03-03-linked.md").symlink_to(renamed)
    for _ in range(2):
        errors = built().errors
        assert any(e.startswith("content/diaries/stray.md:1: error: this file is outside the layout") for e in errors)
        assert any(
            e.startswith("content/diaries/ben/2026-03-03-linked.md:1: error: content/diaries/ben/2026-03-03-linked.md")
            and "is a symbolic link" in e
            for e in errors
        ), errors

    # Deleted.
    renamed.unlink()
    (content / "diaries" / "ben" / "2026-03-03-linked.md").unlink()
    stray.unlink()
    assert built().errors == []
    assert not moved.exists()


@pytest.mark.parametrize("extensions", [None, False, ["md"]])
def test_the_walk_answers_pelicans_get_files_as_pelicans_own_walk_does(
    copy_fixture, tmp_path: Path, extensions: Any
) -> None:
    """Excluded folders (members' images/ and media/), ignored names (``.#*``, hidden
    folders when the settings say so), nested folders, a file named on its own."""
    from pelican.generators import Generator

    from netroots.contentfiles import content_files
    from netroots.generators import included_names
    from netroots.plugin import start

    content = copy_fixture("basic")
    for name in (
        "diaries/ana/images/notes.md",
        "diaries/ana/media/transcript.md",
        "diaries/ana/.#2026-03-01-rent-strike-notes.md",
        "diaries/ben/.hidden/secret.md",
        "diaries/ben/deeper/still/2026-01-01-deep.md",
        "diaries/ben/photo.png",
        "pages/more/nested.md",
        "pages/notes.md~",
        "pages/[draft].md",
    ):
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text("x", encoding="utf-8")
    settings = site_settings(content, tmp_path / "output")
    settings["IGNORE_FILES"] = [".#*", ".*", "*[~]", "[[]*"]
    start(settings)

    class Readers:
        extensions = ("md", "markdown")

    generator = Generator.__new__(Generator)
    generator.path, generator.settings, generator.readers = settings["PATH"], settings, Readers()
    excludes = ["diaries/ana/images", "diaries/ana/media", "diaries/nobody/images", "pages/more/"]
    files = content_files(settings)
    for paths in (["diaries"], ["pages"], ["diaries", "pages"], ["pages/about.md"], ["images"]):
        for exclude in ([], excludes):
            listed = files.pelican_files(
                generator.path,
                paths,
                exclude,
                settings["IGNORE_FILES"],
                included_names(settings["IGNORE_FILES"], Readers.extensions, extensions),
            )
            assert listed is not None and len(set(listed)) == len(listed), (paths, exclude)
            assert set(listed) == generator.get_files(paths, exclude, extensions), (paths, exclude)
    assert "diaries/ben/deeper/still/2026-01-01-deep.md" in generator.get_files(["diaries"], [], extensions)
    (content / "diaries" / "ben" / "link.md").symlink_to(content / "pages" / "about.md")
    start(settings)
    assert content_files(settings).pelican_files(generator.path, ["diaries"], [], [], bool) is None


def test_a_folders_names_are_filtered_once_a_folder_as_pelican_filters_each_path(copy_fixture, tmp_path: Path) -> None:
    """Pelican's ``_include_path`` (an ``IGNORE_FILES`` match and a ``splitext`` a file) was
    asked once for each of 50,000 diaries a build; the walk asks which of a folder's names are
    taken once a folder, and the answer is Pelican's for names with odd dots."""
    from pelican.generators import Generator

    from netroots.contentfiles import content_files
    from netroots.generators import included_names
    from netroots.plugin import start

    names = ["a.md", ".md", "..md", ".a.md", "a.", "a", "a.MD", "a.md.bak", "a..md", "...", ".#b.md", "c.markdown~"]
    for ignores in ([".#*"], [".#*", ".*", "*~"], []):
        for extensions in (None, False, ["md", "markdown"], ["", "MD"]):
            generator = Generator.__new__(Generator)
            generator.settings = {"IGNORE_FILES": ignores}
            generator.readers = type("Readers", (), {"extensions": ["md", "markdown"]})()
            wanted = [name for name in names if generator._include_path(name, extensions)]
            assert included_names(ignores, ["md", "markdown"], extensions)(names) == wanted, (ignores, extensions)

    content = copy_fixture("basic")
    settings = site_settings(content, tmp_path / "output")
    start(settings)
    asked: list[Any] = []
    files = content_files(settings)
    listed = files.pelican_files(settings["PATH"], ["diaries"], [], [], lambda names: asked.append(names) or names)
    folders = {path.rpartition("/")[0] for path in files.files if path.startswith("diaries/")}
    assert listed == sorted(path for path in files.files if path.startswith("diaries/"))
    assert len(asked) == len(folders) < len(listed)
