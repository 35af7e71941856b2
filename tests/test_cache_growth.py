"""A kept ``.cache/`` stays the size of the network, whatever its history.

CI keeps ``.cache/`` between runs, so anything in it that only grows is a slow leak for every
network. Each test builds a fixture, then renames and deletes diaries, builds into other
output folders or changes settings, and checks that the cache holds nothing of what is gone,
and that the output is still what a clean build writes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, build_site
from test_incremental import assert_same_output

from netroots.site import output_key


def _fixture(tmp_path: Path, name: str = "basic") -> Path:
    shutil.copytree(FIXTURES / name, tmp_path / "site")
    return tmp_path / "site" / "content"


def _rename_a_diary(content: Path) -> None:
    diary = sorted((content / "diaries").rglob("*.md"))[0]
    diary.rename(diary.with_name(f"{diary.stem}-renamed.md"))


def _records(cache: Path, output: Path) -> list[str]:
    """The files ``.cache/`` keeps about one output folder."""
    key = output_key(output)
    return sorted(path.relative_to(cache).as_posix() for path in cache.rglob(f"*-{key}.*"))


def test_the_records_of_an_output_folder_that_is_gone_are_dropped(tmp_path: Path) -> None:
    content = _fixture(tmp_path)
    cache = content.parent / ".cache"
    kept, gone = tmp_path / "output", [tmp_path / f"screenshots-{n}" for n in range(3)]
    assert not build_site(content, kept).errors
    for output in gone:  # as `tasks.py screenshots` does: a temporary folder, removed after
        assert not build_site(content, output).errors
        assert _records(cache, output) == [
            f"build/output-{output_key(output)}.json",
            f"build/pages-{output_key(output)}.sqlite",
            f"search/pagefind-{output_key(output)}.sqlite",
        ]
        shutil.rmtree(output)
    _rename_a_diary(content)
    latest = tmp_path / "another"
    assert not build_site(content, latest).errors
    for output in gone:
        assert _records(cache, output) == [], output.name
    assert len(_records(cache, kept)) == 3, "a folder that is still there keeps its records"
    assert len(_records(cache, latest)) == 3

    # The kept folder's records still serve it: the renamed diary's old page is deleted (the
    # record says it was the builds'), and the output is a clean build's.
    result = build_site(content, kept)
    assert not result.errors
    clean = tmp_path / "clean"
    shutil.copytree(content, clean / "content")
    assert not build_site(clean / "content", clean / "output").errors
    assert_same_output(kept, clean / "output", "a renamed diary")
    # and a folder built again after its records were dropped is a clean build too
    assert not build_site(content, gone[0]).errors
    assert_same_output(gone[0], clean / "output", "a folder built again")


def _rows(cache: Path, query: str) -> set[str]:
    import sqlite3

    with sqlite3.connect(cache / "build" / "reads.sqlite") as connection:
        return {row[0] for row in connection.execute(query)}


def test_kept_hashes_and_folder_summaries_of_files_that_are_gone_are_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read cache kept each diary's hash (table ``digests``) and each folder's summary
    (``folders``) for ever: a renamed or deleted diary's, a deleted member folder's."""
    import netroots.readcache

    monkeypatch.setattr(netroots.readcache, "SETTLED_NS", 0)  # summaries kept at once (a 3 s margin in builds)
    content = _fixture(tmp_path)
    cache, output = content.parent / ".cache", tmp_path / "output"
    (content / "members" / "cy.yaml").write_text("name: Cy Park\njoined: 2025-03-01\n", encoding="utf-8")
    (content / "diaries" / "cy").mkdir()
    for number in range(3):
        (content / "diaries" / "cy" / f"2026-03-0{number + 1}-note-{number}.md").write_text(
            f"---\ntitle: Note {number}\ndate: 2026-03-0{number + 1} 10:00\ntags: [Transit]\n---\n\nWords {number}.\n",
            encoding="utf-8",
        )

    def read_files() -> set[str]:
        return {str(p) for p in content.rglob("*.md") if p.parent.name != "groups"}

    def check(step: str) -> None:
        assert _rows(cache, "SELECT path FROM digests") == read_files(), step
        assert _rows(cache, "SELECT folder FROM folders") == {str(Path(p).parent) for p in read_files()}, step

    assert not build_site(content, output).errors
    assert not build_site(content, output).errors  # every folder summarized
    check("first builds")
    _rename_a_diary(content)
    (content / "diaries" / "cy" / "2026-03-02-note-1.md").unlink()
    assert not build_site(content, output).errors
    assert not build_site(content, output).errors
    check("a diary renamed and one deleted")
    shutil.rmtree(content / "diaries" / "cy")  # nothing else changes: no other folder is looked up
    assert not build_site(content, output).errors
    assert not build_site(content, output).errors
    check("a member's folder deleted")

    clean = tmp_path / "clean"
    shutil.copytree(content, clean / "content")
    assert not build_site(clean / "content", clean / "output").errors
    assert_same_output(output, clean / "output", "pruned kept hashes")


def test_a_diary_edited_again_and_again_keeps_one_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each edit stored a new read of the diary and the old one stayed until settings or code
    changed: a kept ``.cache/`` of a network whose code does not change grew by every edit,
    rename and deletion. The reads kept are a clean build's, and the output too."""
    import netroots.readcache

    monkeypatch.setattr(netroots.readcache, "SETTLED_NS", 0)  # summaries kept at once (a 3 s margin in builds)
    content = _fixture(tmp_path)
    cache, output = content.parent / ".cache", tmp_path / "output"
    assert not build_site(content, output).errors
    assert not build_site(content, output).errors  # every folder summarized
    diary = content / "diaries" / "ben" / "2026-02-14-bus-routes-matter.md"
    for number in range(4):
        diary.write_text(diary.read_text(encoding="utf-8") + f"\nMore words, {number}.\n", encoding="utf-8")
        assert not build_site(content, output).errors
    _rename_a_diary(content)
    assert not build_site(content, output).errors
    (content / "pages" / "about.md").write_text("---\ntitle: About us\n---\n\nWho we are.\n", encoding="utf-8")
    assert not build_site(content, output).errors

    clean = tmp_path / "clean"
    shutil.copytree(content, clean / "content")
    assert not build_site(clean / "content", clean / "output").errors
    reads = "SELECT key FROM reads"
    assert len(_rows(cache, reads)) == len(_rows(clean / ".cache", reads)) == 4  # three diaries and a page
    assert_same_output(output, clean / "output", "kept reads dropped")
    # an edit put back reads the file again, and the site is the same
    diary.write_text(diary.read_text(encoding="utf-8").replace("\nMore words, 3.\n", ""), encoding="utf-8")
    assert not build_site(content, output).errors
    shutil.rmtree(clean)
    shutil.copytree(content, clean / "content")
    assert not build_site(clean / "content", clean / "output").errors
    assert_same_output(output, clean / "output", "an edit put back")


def _cached(cache: Path, name: str) -> dict[str, int]:
    """The files of ``.cache/<name>/`` with their modification times."""
    folder = cache / name
    return {path.name: path.stat().st_mtime_ns for path in folder.iterdir()} if folder.is_dir() else {}


def _clean_cache(content: Path, tmp_path: Path) -> Path:
    """A clean build of ``content`` (copied): its ``.cache/``, and its output to compare with."""
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    shutil.copytree(content, clean / "content")
    assert not build_site(clean / "content", clean / "output").errors
    return clean / ".cache"


def test_resized_copies_of_pictures_no_content_uses_are_dropped(tmp_path: Path) -> None:
    """``.cache/media/`` and ``.cache/avatars/`` kept the copies of every picture version ever
    built: an edited picture's old copies, a removed avatar's. Copies of a picture that only a
    draft uses stay (the draft's page is built); an unchanged build encodes nothing again."""
    from PIL import Image
    from test_media_pictures import media_content, photo

    content = media_content(tmp_path / "site")
    cache, output = content.parent / ".cache", tmp_path / "output"
    folder = content / "diaries" / "ana"
    Image.new("RGB", (400, 400), "#2a6").save(folder / "images" / "avatar.jpg")
    assert not build_site(content, output).errors
    first = _cached(cache, "media")
    assert len({name[:16] for name in first}) == 2 and len(_cached(cache, "avatars")) == 3  # door, sign; avatar

    photo(folder / "images" / "door.jpg", size=(2000, 1500))  # the picture edited: a new version
    diary = folder / "2026-03-03-our-new-office.md"
    text = diary.read_text(encoding="utf-8")
    sign = "![A hand-painted sign](images/sign.png)"
    diary.write_text(text.replace(sign, ""), encoding="utf-8")
    draft = "---\ntitle: Signs\ndate: 2026-03-04 10:00\nstatus: draft\n---\n\n" + sign + "\n"
    (folder / "2026-03-04-signs.md").write_text(draft, encoding="utf-8")
    (folder / "images" / "avatar.jpg").unlink()
    assert not build_site(content, output).errors

    clean = _clean_cache(content, tmp_path)
    kept = _cached(cache, "media")
    assert sorted(kept) == sorted(_cached(clean, "media")), "the copies a clean build makes, no more"
    assert {name[:16] for name in kept} & {name[:16] for name in first}, "the sign (a draft's) keeps its copies"
    assert _cached(cache, "avatars") == {}
    assert_same_output(output, clean.parent / "output", "pictures dropped")
    assert not build_site(content, output).errors
    assert _cached(cache, "media") == kept, "an unchanged build drops and encodes nothing"


def test_a_removed_allys_cached_feed_goes_with_the_next_fetch(tmp_path: Path) -> None:
    """``.cache/allies/feeds/<slug>.json`` of an ally removed from allies.yaml stayed for ever.
    While allies.yaml has a mistake (an ally left out of the list by it), nothing goes."""
    from allies.update import run_fetch
    from allies_server import HostileServer, standard_routes
    from test_allies import allies_yaml, new_site, settings_for

    with HostileServer() as server:
        standard_routes(server)
        content = new_site(tmp_path, allies_yaml(server, ["rss20", "atom10"]))
        feeds = tmp_path / ".cache" / "allies" / "feeds"
        run_fetch(settings_for(content))
        assert sorted(path.name for path in feeds.iterdir()) == ["atom10.json", "rss20.json"]
        (content / "allies.yaml").write_text(
            allies_yaml(server, ["rss20"]) + "- name: Typo\n  feed: not an address\n", encoding="utf-8"
        )
        run_fetch(settings_for(content))
        assert sorted(path.name for path in feeds.iterdir()) == ["atom10.json", "rss20.json"]
        (content / "allies.yaml").write_text(allies_yaml(server, ["rss20"]), encoding="utf-8")
        run_fetch(settings_for(content))
    assert sorted(path.name for path in feeds.iterdir()) == ["rss20.json"]
    result = build_site(content, tmp_path / "output", ALLIES={"progress": False})
    assert not result.errors
    clean = tmp_path / "clean"
    shutil.copytree(tmp_path / ".cache" / "allies", clean / ".cache" / "allies")
    (clean / ".cache" / "allies" / "feeds" / "atom10.json").unlink(missing_ok=True)
    shutil.copytree(content, clean / "content")
    assert not build_site(clean / "content", clean / "output", ALLIES={"progress": False}).errors
    assert_same_output(tmp_path / "output", clean / "output", "a removed ally's feed dropped")


def test_digest_emails_of_weeks_the_archive_no_longer_shows_go(tmp_path: Path) -> None:
    """``tasks.py digest`` wrote ``.cache/digest/<week>.eml`` every week and none went. Those of
    the weeks /digest/ shows stay (a maintainer may read or send one again), and the one just
    written, whatever its week."""
    from test_digest import digest_content, run

    content = digest_content(tmp_path)
    folder = content.parent / ".cache" / "digest"
    for week in ("2026-W30", "2026-W47", "2026-W46"):  # today is in week 47; the archive shows 12 more
        result = run(content, tmp_path / "output", "--dev", "--week", week)
        assert result.exit_code == 0, result.output
        if week == "2026-W30":
            assert sorted(path.name for path in folder.iterdir()) == ["2026-w30.eml"]
    (folder / "notes.txt").write_text("a maintainer's own file\n", encoding="utf-8")
    assert run(content, tmp_path / "output", "--dev", "--week", "2026-W35").exit_code == 0
    assert sorted(path.name for path in folder.iterdir()) == [
        "2026-w35.eml",
        "2026-w46.eml",
        "2026-w47.eml",
        "notes.txt",
    ]


def _paths(cache: Path) -> set[str]:
    """Every path the read cache's tables keyed by path hold."""
    import sqlite3

    with sqlite3.connect(cache / "build" / "reads.sqlite") as connection:
        return {
            row[0]
            for query in (
                "SELECT path FROM digests",
                "SELECT folder FROM folders",
                "SELECT path FROM reads",
                "SELECT path FROM articles",
            )
            for row in connection.execute(query)
        }


def test_a_copied_cache_drops_what_it_kept_for_the_folder_it_was_copied_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A site folder copied whole (content and ``.cache/``) kept, in the copy, the first
    folder's rows (read cache, kept diaries) and its output folder's records for ever; a
    cache two content folders share (``NETROOTS_CACHE``) keeps both folders' rows."""
    import netroots.readcache

    monkeypatch.setattr(netroots.readcache, "SETTLED_NS", 0)
    first = _fixture(tmp_path)
    assert not build_site(first, first.parent / "output").errors
    assert not build_site(first, first.parent / "output").errors
    copy = tmp_path / "copy"
    shutil.copytree(first.parent, copy)
    assert not build_site(copy / "content", copy / "output").errors
    assert _paths(copy / ".cache") and not [p for p in _paths(copy / ".cache") if p.startswith(str(first))]
    assert _records(copy / ".cache", first.parent / "output") == []
    assert len(_records(copy / ".cache", copy / "output")) == 3

    shared = tmp_path / "shared" / "content"
    shutil.copytree(first, shared)
    assert not build_site(shared, tmp_path / "shared" / "output", NETROOTS_CACHE=str(first.parent / ".cache")).errors
    kept = _paths(first.parent / ".cache")
    assert [p for p in kept if p.startswith(str(first))] and [p for p in kept if p.startswith(str(shared))]

    clean = _clean_cache(copy / "content", tmp_path)
    assert_same_output(copy / "output", clean.parent / "output", "a copied cache")


def test_no_store_in_the_cache_waits_for_the_disk(tmp_path: Path) -> None:
    """A store in ``.cache/`` is opened through ``netroots.site.cache_database``, which never
    waits for the disk at a commit (``synchronous=OFF``): the search stores waited for an fsync
    at each commit, seconds each behind other writes on a busy disk (23 s of one 10,000-diary
    edit's search step). A store only read (``mode=ro``, or the rows' reader) may connect itself."""
    import ast

    from netroots.site import cache_database

    connection = cache_database(tmp_path / "store.sqlite")
    assert connection.execute("PRAGMA synchronous").fetchone() == (0,)
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    root = Path(__file__).resolve().parent.parent
    direct = []
    for path in [*sorted((root / "netroots").rglob("*.py")), *sorted((root / "plugins").rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "sqlite3.connect":
                call = ast.unparse(node)
                if "mode=ro" not in call and not (path.name == "site.py" or call == "sqlite3.connect(self.path)"):
                    direct.append(f"{path.relative_to(root)}:{node.lineno} {call}")
    assert direct == []
