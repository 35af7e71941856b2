"""Every build leaves exactly what the content makes, for every file a plugin writes (issue 14, item 8).

Plugins write their own files (vCards, .ics calendars, OPML, graph.json, feeds, pictures,
media) through ``netroots.site.write_output`` / ``copy_output``, which record each file as
this build's, so the next build removes it when its content is gone, and leave a file whose
bytes did not change untouched.
"""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

from conftest import ROOT, build_site, read, site_settings
from PIL import Image

from netroots.manifest import manifest_path
from netroots.site import copy_output, write_output


def avatar(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (400, 400), (30, 120, 90)).save(path, "JPEG")


def test_deleted_contacts_events_avatars_and_allies_take_their_files_with_them(tmp_path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    avatar(content / "diaries/bea-fontaine/images/avatar.jpg")
    output = tmp_path / "output"
    assert not build_site(content, output).errors
    vcard = output / "contacts/ohio-secretary-of-state/ohio-secretary-of-state.vcf"
    ics = output / "events/bangor-letters-and-coffee.ics"
    chapter_ics = output / "chapters/me/events.ics"
    pictures = sorted((output / "members/bea-fontaine").glob("bea-fontaine-avatar*"))
    for made in (vcard, ics, chapter_ics, *pictures):
        assert made.is_file(), made
    assert pictures
    assert "Prairie Dispatch" in read(output, "allies.opml")
    graph = output / "trust/graph.json"
    graph_time = graph.stat().st_mtime_ns

    (content / "contacts/ohio-secretary-of-state.yaml").unlink()
    (content / "events/bangor-letters-and-coffee.md").unlink()
    (content / "diaries/bea-fontaine/images/avatar.jpg").unlink()
    allies = content / "allies.yaml"
    allies.write_text(allies.read_text(encoding="utf-8").replace("- name: Prairie Dispatch", "- name: Prairie Gone"))
    result = build_site(content, output)  # no clean in between
    assert not result.errors, result.errors

    assert not vcard.exists() and not vcard.parent.exists()
    assert not ics.exists() and not chapter_ics.exists()
    assert not any(p.exists() for p in pictures)
    assert "Prairie Dispatch" not in read(output, "allies.opml") and "Prairie Gone" in read(output, "allies.opml")
    assert "Ohio Secretary of State" not in read(output, "contacts/index.html")
    # What did not change was not written again.
    assert graph.stat().st_mtime_ns == graph_time
    assert (output / "contacts/kbrt-radio/kbrt-radio.vcf").is_file()


def test_every_file_a_build_leaves_is_recorded_as_its_own(tmp_path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    avatar(content / "diaries/bea-fontaine/images/avatar.jpg")
    output = tmp_path / "output"
    result = build_site(content, output, publish=True)
    assert not result.errors, result.errors
    settings_like = {"OUTPUT_PATH": str(output), "PATH": str(content), "NETROOTS_CACHE": str(tmp_path / ".cache")}
    recorded = set(json.loads(manifest_path(settings_like).read_text(encoding="utf-8")))
    # Made after the stale files are removed, from what is in output/ then: remade every build.
    afterwards = {"sitemap.xml", "robots.txt", "theme/css/all.css"}
    left = {
        p.relative_to(output).as_posix()
        for p in output.rglob("*")
        if p.is_file() and p.suffix != ".gz" and p.relative_to(output).parts[0] != "pagefind"
    }
    assert left - recorded - afterwards == set()


def test_write_output_keeps_unchanged_files_and_stays_inside_the_output_folder(tmp_path) -> None:
    output = tmp_path / "output"
    settings = {"OUTPUT_PATH": str(output)}
    target = write_output(settings, "a/b.ics", "BEGIN:VCALENDAR\r\n")
    assert target.read_bytes() == b"BEGIN:VCALENDAR\r\n"  # exactly as given
    before = target.stat().st_mtime_ns
    write_output(settings, "a/b.ics", b"BEGIN:VCALENDAR\r\n")
    assert target.stat().st_mtime_ns == before
    write_output(settings, "a/b.ics", "changed")
    assert target.read_text() == "changed"
    source = tmp_path / "song.mp3"
    source.write_bytes(b"ID3" + bytes(1000))
    copied = copy_output(output, "media/song.mp3", source)
    assert copied.read_bytes() == source.read_bytes()
    for outside in ("../escape.txt", "/etc/passwd-copy", ""):
        try:
            write_output(settings, outside, "x")
        except ValueError:
            continue
        raise AssertionError(f"wrote outside output/: {outside!r}")
    assert not (tmp_path / "escape.txt").exists()


# Calls that write a file. Files in output/ go through netroots.site.write_output / copy_output.
WRITERS = {"write_text", "write_bytes", "rss_file", "atom_file", "copyfile", "copy", "copy2", "copytree", "move"}
# Direct writes that are not into output/: caches, content files commands write, the repository's files.
# (`new` commands write content through netroots/starters.py.)
NOT_OUTPUT = {
    "plugins/actions/feed.py": "the remembered activation dates, in .cache/",
    "plugins/allies/cli.py": "allies import appends to content/allies.yaml",
    "plugins/digest/generator.py": "the digest's e-mail, in .cache/digest/",
    "plugins/publish/cli.py": "codeowners writes CODEOWNERS in the repository",
    "plugins/search/bundles.py": "Pagefind's staged pages and finished parts in .cache/search/ (hard links), "
    "linked back into output/pagefind/<n>/, where only Pagefind writes",
}


def direct_writes(path: Path) -> list[int]:
    """Lines of ``path`` that write a file without the output helpers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        if name in WRITERS:
            lines.append(node.lineno)
        elif name in ("open", "fdopen"):
            modes = [a.value for a in node.args[1:2] if isinstance(a, ast.Constant)]
            modes += [k.value.value for k in node.keywords if k.arg == "mode" and isinstance(k.value, ast.Constant)]
            if any(isinstance(m, str) and set(m) & set("wax+") for m in modes):
                lines.append(node.lineno)
        elif name == "dump" and isinstance(function, ast.Attribute):  # json.dump / pickle.dump into a file
            lines.append(node.lineno)
    return lines


def test_plugins_write_into_the_site_only_through_write_output() -> None:
    found = []
    for path in sorted((ROOT / "plugins").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative in NOT_OUTPUT:
            continue
        found += [f"{relative}:{line}" for line in direct_writes(path)]
    assert not found, (
        "these write files directly; write into output/ with netroots.site.write_output (or copy_output), "
        "so a build removes the file when its content is gone (if it writes elsewhere, add it to NOT_OUTPUT "
        f"with why): {found}"
    )
    for relative in NOT_OUTPUT:  # the exceptions still exist and still write
        assert direct_writes(ROOT / relative), f"{relative} no longer writes directly: remove it from NOT_OUTPUT"


def test_the_guard_sees_every_way_of_writing(tmp_path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from pathlib import Path\nimport shutil, json\n"
        "Path('x').write_text('a')\n"
        "Path('x').write_bytes(b'a')\n"
        "feed.rss_file('x')\n"
        "shutil.copyfile('a', 'b')\n"
        "open('x', 'w')\n"
        "open('x', mode='ab')\n"
        "json.dump({}, out)\n"
        "open('x')\n"
        "Path('x').read_text()\n"
    )
    assert direct_writes(sample) == [3, 4, 5, 6, 7, 8, 9]


def test_long_date_writes_what_strftime_wrote() -> None:
    """The ``long_date`` filter (netroots.today) replaced ``strftime("%B %-d, %Y")`` in the
    busiest templates: the same text for Pelican's dates, plain datetimes and days."""
    import datetime as dt

    from pelican.utils import SafeDatetime

    from netroots.today import long_date

    start = dt.datetime(1999, 12, 25, 23, 59)
    for step in range(0, 800, 7):
        moment = start + dt.timedelta(days=step, hours=step % 24)
        safe = SafeDatetime(moment.year, moment.month, moment.day, moment.hour, moment.minute)
        expected = safe.strftime("%B %-d, %Y")
        assert long_date(safe) == long_date(moment) == long_date(moment.date()) == expected
    assert long_date(dt.date(2026, 11, 2)) == "November 2, 2026"


def test_a_plain_path_under_the_output_folder_is_recorded_without_making_it_absolute(
    tmp_path: Path, monkeypatch
) -> None:
    """Every page a build writes or keeps is reported (60,000 at 50,000 diaries) and each was
    made absolute to be recorded: a plain path under the output folder is cut, as it is."""
    import os

    from netroots import manifest

    output, elsewhere = tmp_path.resolve(), tmp_path.parent.resolve()
    absolute: list[str] = []
    real = os.path.abspath
    monkeypatch.setattr(os.path, "abspath", lambda path: absolute.append(path) or real(path))
    found = {
        f"{output}/diaries/ana/notes/index.html": "diaries/ana/notes/index.html",
        f"{output}/feeds/all.atom.xml": "feeds/all.atom.xml",
        f"{output}/x/../y.html": "y.html",
        f"{output}//z.html": "z.html",
        f"{output}/members/": "members",
        f"{output}/.well-known/a.txt": ".well-known/a.txt",
        f"{elsewhere}/elsewhere.html": None,
    }
    assert {path: manifest._relative(path, output) for path in found} == found
    assert absolute == list(found)[2:]


def test_pages_are_recorded_without_a_signal_each_unless_a_plugin_listens(tmp_path, monkeypatch) -> None:
    """The build's record took each page through Pelican's ``content_written``, sent for every
    page of every build (59,000 at 50,000 diaries, 0.2-0.4 s): it now records them in one call,
    and the signal is sent only while another receiver (a Pelican plugin's) listens."""
    from pelican import signals

    content = tmp_path / "content"
    shutil.copytree(ROOT / "tests/fixtures/basic/content", content)
    output = tmp_path / "output"
    sent: list[str] = []
    send = signals.content_written.send
    monkeypatch.setattr(signals.content_written, "send", lambda path, **kw: sent.append(path) or send(path, **kw))
    assert not build_site(content, output).errors
    assert sent == []
    (page,) = [path for path in output.glob("**/*.html") if "rent-strike-notes" in str(path)]
    (content / "diaries/ana/2026-03-01-rent-strike-notes.md").unlink()
    assert not build_site(content, output).errors
    assert not page.exists()  # a gone diary's page is still known as the build's, and removed
    assert sent == []

    plugin = tmp_path / "plugins" / "listen"
    plugin.mkdir(parents=True)
    (plugin / "__init__.py").write_text(LISTEN_PLUGIN, encoding="utf-8")
    settings = site_settings(content, output)
    heard = tmp_path / "heard.txt"
    plugins = {
        "PLUGINS": [*settings["PLUGINS"], "listen"],
        "PLUGIN_PATHS": [*settings["PLUGIN_PATHS"], str(plugin.parent)],
    }
    assert not build_site(content, output, HEARD_FILE=str(heard), **plugins).errors
    pages = {str(path) for path in output.glob("**/*.html")}
    assert pages and set(heard.read_text(encoding="utf-8").split()) == pages  # kept pages too, as before


LISTEN_PLUGIN = """
from pathlib import Path

from pelican import signals


def heard(path, context=None):
    with open(context["HEARD_FILE"], "a", encoding="utf-8") as out:
        out.write(path + "\\n")


def register():
    signals.content_written.connect(heard)
"""
