"""What readers see of the theme: words meant for them (never maintainers' instructions),
empty states that speak to them, and admin pages kept out of their way."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import build_fixture_once, read

# Words that only make sense to someone editing the repository.
MAINTAINER_WORDS = re.compile(r"tasks\.py|Maintainers:|supports:</code>|content/members/|add its slug|\.yaml</code>")
# Pages written as how-to guides for members (content, not the theme) and the maintainers' own page.
NOT_FOR_READERS = ("about/", "guides/", "allies/health/", "admin/")  # admin/: the web editor


@pytest.fixture(scope="module")
def empty_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A network with members and diaries but no actions, contacts, jobs, events or fetched allies."""
    return build_fixture_once(tmp_path_factory, "basic")


def reader_pages(output: Path) -> list[Path]:
    return [
        page
        for page in sorted(output.rglob("*.html"))
        if not page.relative_to(output).as_posix().startswith(("theme/", *NOT_FOR_READERS))
    ]


def test_readers_never_see_maintainers_instructions(demo_output: Path, empty_site: Path) -> None:
    found = [
        f"{page.relative_to(output)}: {match.group(0)!r}"
        for output in (demo_output, empty_site)
        for page in reader_pages(output)
        for match in [MAINTAINER_WORDS.search(page.read_text(encoding="utf-8"))]
        if match
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("page", "says"),
    [
        ("index.html", "Our allies&#39; latest posts appear here."),
        ("allies/index.html", "Our allies&#39; latest posts appear here."),
        ("actions/index.html", "No active action right now.</p>"),
        ("actions/index.html", "Nothing proposed right now: new proposals from members appear here."),
        ("contacts/index.html", "The newsrooms, companies and officials our actions target will be listed here."),
        ("events/index.html", "New events appear here and in the calendar feed as members plan them."),
        ("jobs/index.html", "No open jobs right now."),
    ],
)
def test_empty_states_speak_to_readers(empty_site: Path, page: str, says: str) -> None:
    html = read(empty_site, page).replace("'", "&#39;")
    assert says in html
    assert "No contacts of this kind yet" not in html  # one friendly line, not four empty sections


def test_feed_health_is_for_maintainers_only(demo_output: Path) -> None:
    health = read(demo_output, "allies/health/index.html")
    assert '<meta name="robots" content="noindex">' in health
    assert "/allies/health/" not in read(demo_output, "sitemap.xml")
    linking = [page for page in reader_pages(demo_output) if "allies/health/" in page.read_text(encoding="utf-8")]
    assert not linking, linking


def test_the_build_log_tells_maintainers_what_readers_are_not_told(
    site: Callable[..., Any], copy_fixture: Callable[[str], Path]
) -> None:
    content = copy_fixture("basic")
    (content / "allies.yaml").write_text(
        "- name: Prairie Dispatch\n  site: https://prairie.example.org/\n  feed: https://prairie.example.org/feed.xml\n",
        encoding="utf-8",
    )
    result = site(content)
    assert any("run `python tasks.py fetch`" in warning for warning in result.warnings), result.warnings
    assert "tasks.py" not in read(result.output, "allies/index.html")


def test_call_scripts_and_letters_are_reflowed_as_paragraphs(demo_output: Path) -> None:
    page = read(demo_output, "actions/brenner-advertisers/index.html")
    assert "to stop advertising on the show until it does. Thank you for your time.</p>" in page
    assert "stop advertising on the show\n" not in page  # the file's hard wraps are gone
    letters = read(demo_output, "actions/brenner-advertisers/letter/index.html")
    assert '<div class="letter-text"><p>' in letters and "</p><p>" in letters  # blank lines stay paragraph breaks


def test_paragraphs_keep_blank_lines_and_escape_what_members_wrote() -> None:
    from netroots.html import paragraphs

    text = "Hello {person},\r\nplease stop\n  the ads.\n\n \n\nThanks,\nAna <script>x</script>"
    assert str(paragraphs(text)) == (
        "<p>Hello {person}, please stop the ads.</p><p>Thanks, Ana &lt;script&gt;x&lt;/script&gt;</p>"
    )
    assert str(paragraphs("")) == "" and str(paragraphs(None)) == ""


def test_initials_avatars_meet_aa_contrast_and_stay_the_same_per_handle() -> None:
    from netroots.avatars import TONES, contrast, initials, tone

    css = (Path(__file__).resolve().parent.parent / "theme/static/css/site.css").read_text(encoding="utf-8")
    for index, colour in enumerate(TONES):
        assert contrast("#ffffff", colour) >= 4.5, colour  # white initials, WCAG AA for normal text
        assert f".tone-{index} {{ background: {colour}; }}" in css
    handles = [f"member-{n}" for n in range(200)]
    assert {tone(h) for h in handles} == set(range(len(TONES)))  # every tone is used
    assert tone("maria-lopez") == tone("maria-lopez")
    assert initials("Maria López") == "ML" and initials("Cher") == "C" and initials("", "jkim") == "J"
    assert initials("<script>alert(1)</script>") in ("?", "A")


def test_members_without_a_picture_get_initials_and_a_picture_is_resized(
    site: Callable[..., Any], copy_fixture: Callable[[str], Path]
) -> None:
    from PIL import Image

    content = copy_fixture("basic")
    (content / "diaries/ana/images").mkdir(parents=True, exist_ok=True)
    (content / "diaries/ben/images").mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (1200, 900), "#2a6").save(content / "diaries/ana/images/avatar.jpg", exif=b"Exif\x00\x00secret")
    (content / "diaries/ben/images/avatar.png").write_bytes(b"not a picture")  # initials, and a warning
    result = site(content)
    assert not result.errors, result.errors
    ana = read(result.output, "members/ana/index.html")
    img = re.search(r'<img class="avatar avatar-large" src="([^"]+)"', ana)
    assert img, ana[ana.index("profile-head") :][:400]
    published = result.output / "members/ana" / img.group(1).rsplit("/", 1)[-1]
    with Image.open(published) as small:
        assert small.width <= 192 and not small.info.get("exif")
    ben = read(result.output, "members/ben/index.html")
    assert re.search(r'<span class="avatar tone-\d avatar-large" aria-hidden="true">BO</span>', ben) or (
        'class="avatar tone-' in ben and "avatar-large" in ben
    )
    assert any("avatar.png" in warning and "avatar is not used" in warning for warning in result.warnings)


def test_masthead_names_the_network_with_its_tagline_and_logo(
    site: Callable[..., Any], copy_fixture: Callable[[str], Path]
) -> None:
    content = copy_fixture("basic")
    group = content / "groups/tenants.md"
    group.write_text(group.read_text(encoding="utf-8").replace("---\n", "---\ncolour: teal\n", 1), encoding="utf-8")
    result = site(content, SITELOGO="images/logo.png", SITESUBTITLE="Tenants & neighbours")
    assert not result.errors, result.errors
    front = read(result.output, "index.html")
    assert re.search(r'<img class="brand-logo" src="[./]*/?images/logo.png" alt="" width="44" height="44">', front)
    assert '<span class="brand-name">Commons Network</span>' in front
    assert '<span class="brand-tagline">Tenants &amp; neighbours</span>' in front
    assert '<header class="list-head group-head tone-3">' in read(result.output, "groups/tenants/index.html")

    elsewhere = site(content, SITELOGO="https://tracker.example.com/logo.png")
    assert "tracker.example.com" not in read(elsewhere.output, "index.html")  # never a third-party request
    assert '<span class="brand-mark" aria-hidden="true">' in read(elsewhere.output, "index.html")


def test_a_group_colour_outside_the_palette_is_named_in_the_error(
    site: Callable[..., Any], copy_fixture: Callable[[str], Path]
) -> None:
    content = copy_fixture("basic")
    group = content / "groups/tenants.md"
    group.write_text(
        group.read_text(encoding="utf-8").replace("---\n", "---\ncolour: '#ff0000'\n", 1), encoding="utf-8"
    )
    result = site(content)
    assert any("groups/tenants.md:2: error: colour:" in e and "teal" in e for e in result.errors), result.errors
    assert (result.output / "diaries/index.html").is_file()  # the rest of the site still builds


def test_every_comment_in_a_thread_shows_its_writers_face(
    site: Callable[..., Any], copy_fixture: Callable[[str], Path]
) -> None:
    """A picture when the member added one (the same small copy as their profile's), else initials."""
    from PIL import Image

    content = copy_fixture("comments")
    (content / "diaries/ben/images").mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (400, 400), "#246").save(content / "diaries/ben/images/avatar.png")
    result = site(content)
    assert not result.errors, result.errors
    page = read(result.output, "diaries/ana/rent-strike-notes/index.html")
    metas = re.findall(r'<p class="comment-meta">(.*?)</p>', page)
    assert len(metas) >= 6, metas
    for meta in metas:
        writer = re.search(r'href="[^"]*/members/([a-z0-9-]+)/"', meta).group(1)
        if writer == "ben":
            img = re.match(r'<img class="avatar avatar-small" src="([^"]+)" srcset="[^"]+" sizes="48px"', meta)
            assert img and "/members/ben/ben-avatar-96." in img.group(1), meta
            assert (result.output / "diaries/ana/rent-strike-notes" / img.group(1)).resolve().is_file()
        else:
            assert re.match(r'<span class="avatar tone-\d avatar-small" aria-hidden="true">[A-Z?]{1,2}</span>', meta), (
                meta
            )
    assert "avatar" in read(result.output, "members/ben/index.html")


def with_image(content: Path, value: str) -> Path:
    group = content / "groups/tenants.md"
    group.write_text(group.read_text(encoding="utf-8").replace("---\n", f"---\nimage: {value}\n", 1), encoding="utf-8")
    return group


@pytest.mark.parametrize("where", ["tenants.png", "tenants/mark.png"])
def test_a_group_picture_is_resized_and_shown_on_its_page_and_cards(
    site: Callable[..., Any], copy_fixture: Callable[[str], Path], where: str
) -> None:
    """Beside the group's file or in its own folder; small metadata-free copies, colour kept as the band."""
    from PIL import Image

    content = copy_fixture("basic")
    (content / "groups" / where).parent.mkdir(parents=True, exist_ok=True)
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription: must not reach readers
    Image.new("RGB", (900, 900), "#2a6").save(content / "groups" / where, exif=exif)
    with_image(content, where)
    result = site(content)
    assert not result.errors, result.errors
    page = read(result.output, "groups/tenants/index.html")
    head = page[page.index('<header class="list-head group-head tone-') :][:700]
    img = re.search(r'<img class="group-mark group-picture group-mark-large" src="([^"]+)" srcset="([^"]+)"', head)
    assert img and 'alt=""' in head, head
    assert 'loading="lazy"' not in head  # the page's own mark is above the fold: it loads at once
    published = result.output / "groups/tenants" / img.group(1).rsplit("/", 1)[-1]
    with Image.open(published) as small:
        assert small.width <= 192 and not small.info.get("exif")
    assert "tenants-group-192." in img.group(2)
    cards = read(result.output, "groups/index.html")
    assert re.search(
        r'<li class="card group-card"><img class="group-mark group-picture" src="[^"]*/groups/tenants/', cards
    )
    diaries = read(result.output, "diaries/index.html")  # the side column of all diaries
    assert re.search(r'<img class="group-mark group-picture group-mark-small" src="[^"]*/groups/tenants/', diaries)
    assert re.search(r'<img class="group-mark group-picture group-mark-small" [^>]*loading="lazy"', diaries)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("../members/ana.yaml", "must be a file beside the group's file or in its own folder content/groups/tenants/"),
        ("/etc/passwd", "must be a file beside the group's file"),
        ("other-group/mark.png", "in its own folder content/groups/tenants/"),
        ("tenants.gif", "must be a .jpg, .jpeg, .png or .webp picture"),
        ("Tenants.PNG", "must be a .jpg, .jpeg, .png or .webp picture (lower-case)"),
        ("missing.png", "content/groups/missing.png does not exist"),
        ("fake.png", "not a picture Netroots can read"),
        ("huge.png", "over the 8 MB limit"),
        ("linked.png", "does not exist"),
    ],
)
def test_a_bad_group_picture_is_named_with_its_line_and_the_colour_stays(
    site: Callable[..., Any], copy_fixture: Callable[[str], Path], value: str, says: str
) -> None:
    content = copy_fixture("basic")
    (content / "groups/tenants.gif").write_bytes(b"GIF89a")
    (content / "groups/fake.png").write_text("<script>alert(1)</script>", encoding="utf-8")
    (content / "groups/huge.png").write_bytes(b"\x89PNG" + b"\0" * 9_000_000)
    (content / "groups/linked.png").symlink_to(content / "members/ana.yaml")
    with_image(content, value)
    result = site(content)
    assert any(e.startswith("content/groups/tenants.md:2: error: image: ") and says in e for e in result.errors), (
        result.errors
    )
    page = read(result.output, "groups/tenants/index.html")  # the group still builds, with its colour
    assert re.search(r'<span class="group-mark tone-\d group-mark-large" aria-hidden="true">T</span>', page)
    assert (result.output / "diaries/index.html").is_file()


def test_check_names_a_bad_group_picture(copy_fixture: Callable[[str], Path]) -> None:
    from click.testing import CliRunner

    import tasks

    content = copy_fixture("basic")
    with_image(content, "../members/ana.yaml")
    result = CliRunner().invoke(tasks.cli, ["--content", str(content), "check"])
    assert result.exit_code == 1
    assert "content/groups/tenants.md:2: error: image: '../members/ana.yaml' must be a file beside" in result.output
