"""Comments: files members own, threads under diaries, feeds, trust, moderation, allied responses."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from conftest import build_fixture_once, git, read

import tasks

PLUGINS = ["diaries", "tags", "members", "groups", "trust", "allies", "comments"]
PAGE = "diaries/ana/rent-strike-notes/index.html"
FEED = "feeds/comments/ana/rent-strike-notes.atom.xml"
DANGEROUS = re.compile(
    r"<script|<iframe|<object|<embed|<form|<svg|<style|<[^>]+\son\w+\s*=|javascript:|data:text", re.I
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_once(tmp_path_factory, "comments")


def thread_of(page: str) -> str:
    return page[page.index('<section class="comments"') : page.index("</section>", page.index('id="responses'))]


def anchors(page: str) -> list[str]:
    return re.findall(r'<li class="comment[^"]*" id="([^"]+)"', page)


def text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))


def comment_html(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[start : page.index("</article>", start)]


def check(content: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(tasks.cli, ["--content", str(content), "check", *args])
    return result.exit_code, result.output


def write(content: Path, relative: str, body: str) -> Path:
    path = content / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


# -- the thread on the diary page ---------------------------------------------------
def test_thread_is_nested_oldest_first_within_each_parent(built: Path) -> None:
    page = read(built, PAGE)
    assert anchors(page) == [
        "c-ben.2026-03-02-0900-week-two",
        "c-ana.2026-03-02-1015-re-week-two",
        "c-cara.2026-03-02-1100-third-level",
        "c-ben.2026-03-02-1200-fourth-level",
        "c-ben.2026-03-02-1300-fifth-level",
        "c-cara.2026-03-03-0800-another-root",
        "c-zed.2026-03-03-0900-cheap-pills",
        "c-ben.2026-03-03-1000-off-topic",
        "c-cara.2026-03-03-1100-reply-to-removed",
    ]
    # Replies sit inside their parent's list item: five levels deep on the first thread.
    first = page[page.index('id="c-ben.2026-03-02-0900-week-two"') : page.index('id="c-cara.2026-03-03-0800')]
    assert first.count('<ol class="replies">') == 4


def test_each_comment_shows_title_writer_time_body_signature_and_parent(built: Path) -> None:
    page = read(built, PAGE)
    reply = comment_html(page, "c-ana.2026-03-02-1015-re-week-two")
    assert '<h3 class="comment-title">Not yet</h3>' in reply
    assert '<a href="../../../members/ana/">Ana Ruiz</a>' in reply
    assert '<a class="permalink" href="#c-ana.2026-03-02-1015-re-week-two">' in reply
    assert '<time datetime="2026-03-02T10:15:00-05:00">March 2, 2026, 10:15 AM</time>' in reply
    assert "No answer yet. We meet again on Thursday." in reply
    assert '<p class="signature">Tenant organizer, Columbus. Ask me about rent strikes.</p>' in reply
    assert '<a class="parent-link" href="#c-ben.2026-03-02-0900-week-two">Parent' in reply
    top = comment_html(page, "c-ben.2026-03-02-0900-week-two")
    assert "parent-link" not in top
    assert "<strong>landlord</strong>" in top


def test_thread_sits_inside_the_indexed_diary_and_counts_show(built: Path) -> None:
    page = read(built, PAGE)
    article = page[page.index("data-pagefind-body>") :]
    assert article.index('<section class="comments"') < article.index("</main>")
    assert '<h2 id="comments-heading">8 comments</h2>' in page  # removed and scheduled ones do not count
    listing = read(built, "diaries/index.html")
    assert '<a class="comment-count" href="../diaries/ana/rent-strike-notes/#comments">8 comments</a>' in listing
    assert "1 comment</a>" in listing  # ben's diary
    assert "comment-count" in read(built, "index.html")


def test_scheduled_comment_waits_for_its_date(built: Path) -> None:
    page = read(built, PAGE)
    assert "This waits until December." not in page
    assert "Scheduled note" not in read(built, FEED)


def test_a_diary_without_comments_says_so(built: Path, tmp_path: Path) -> None:
    # ben's diary has one comment; a diary with none still offers its feed.
    page = read(built, "diaries/ben/bus-routes-matter/index.html")
    assert '<h2 id="comments-heading">1 comment</h2>' in page


# -- feeds ------------------------------------------------------------------------------
def test_per_diary_atom_and_rss_feeds(built: Path) -> None:
    atom = feedparser.parse(read(built, FEED))
    titles = [entry.title for entry in atom.entries]
    assert "What about week two?" in titles
    assert "Great post" not in titles  # folded: outside the web of trust
    assert "Off topic rant" not in titles  # removed by the moderators
    first = next(e for e in atom.entries if e.title == "What about week two?")
    assert first.link == "http://localhost:8000/diaries/ana/rent-strike-notes/#c-ben.2026-03-02-0900-week-two"
    assert first.author == "Ben Osei"
    assert "Bus rider since 1998." in first.content[0].value
    untitled = next(e for e in atom.entries if "sign-in sheets" in e.content[0].value)
    assert untitled.title == "Cara Wells on “Rent strike notes”"
    rss = feedparser.parse(read(built, "feeds/comments/ana/rent-strike-notes.rss.xml"))
    assert len(rss.entries) == len(atom.entries) == 7
    assert 'href="http://localhost:8000/feeds/comments/ana/rent-strike-notes.atom.xml"' in read(built, PAGE)


# -- check: every mistake a writer can make, with its line ------------------------------
BROKEN = {
    "comments/ben/2026-03-05-0900-unknown-diary.md": "---\non: ana/no-such-diary\n---\n\nHi.\n",
    "comments/ben/2026-03-05-0901-draft-diary.md": "---\non: ana/draft-thoughts\n---\n\nHi.\n",
    "comments/ben/2026-03-05-0902-bad-diary-id.md": "---\non: not a diary\n---\n\nHi.\n",
    "comments/ben/2026-03-05-0903-unknown-parent.md": (
        "---\non: ana/rent-strike-notes\nparent: ana/2026-01-01-0000-nothing\n---\n\nHi.\n"
    ),
    "comments/ben/2026-03-05-0904-other-diary.md": (
        "---\non: ana/rent-strike-notes\nparent: ana/2026-02-15-0800-route-12\n---\n\nHi.\n"
    ),
    "comments/ben/2026-03-05-0905-empty.md": "---\non: ana/rent-strike-notes\n---\n\n   \n",
    "comments/ben/2026-03-05-0906-bad-date.md": "---\non: ana/rent-strike-notes\ndate: 2026-02-30 25:00\n---\n\nHi.\n",
    "comments/ben/2026-13-45-0907-impossible-name.md": "---\non: ana/rent-strike-notes\n---\n\nHi.\n",
    "comments/ben/no-date-in-name.md": "---\non: ana/rent-strike-notes\n---\n\nHi.\n",
    "comments/nobody/2026-03-05-0908-no-member.md": "---\non: ana/rent-strike-notes\n---\n\nHi.\n",
    "comments/2026-03-05-0909-outside.md": "---\non: ana/rent-strike-notes\n---\n\nHi.\n",
    "comments/ben/2026-03-05-0910-loop-a.md": (
        "---\non: ana/rent-strike-notes\nparent: ben/2026-03-05-0911-loop-b\n---\n\nA.\n"
    ),
    "comments/ben/2026-03-05-0911-loop-b.md": (
        "---\non: ana/rent-strike-notes\nparent: ben/2026-03-05-0910-loop-a\n---\n\nB.\n"
    ),
}
EXPECTED = [
    "content/comments/ben/2026-03-05-0900-unknown-diary.md:2: error: on: 'ana/no-such-diary' is not a published diary",
    "content/comments/ben/2026-03-05-0901-draft-diary.md:2: error: on: 'ana/draft-thoughts' is a draft",
    "content/comments/ben/2026-03-05-0902-bad-diary-id.md:2: error: on: 'not a diary' is not a diary id; write <handle>/<slug>",
    "content/comments/ben/2026-03-05-0903-unknown-parent.md:3: error: parent: 'ana/2026-01-01-0000-nothing' is not a comment",
    "content/comments/ben/2026-03-05-0904-other-diary.md:3: error: parent: 'ana/2026-02-15-0800-route-12' is a comment on ben/bus-routes-matter, not on ana/rent-strike-notes",
    "content/comments/ben/2026-03-05-0905-empty.md:4: error: the comment is empty",
    "content/comments/ben/2026-03-05-0906-bad-date.md:3: error: date: '2026-02-30 25:00' is not a date and time",
    "content/comments/ben/2026-13-45-0907-impossible-name.md:1: error: the file name '2026-13-45-0907-impossible-name.md' has no real date and time",
    "content/comments/ben/no-date-in-name.md:1: error: the file name 'no-date-in-name.md' must be <YYYY-MM-DD-HHMM>-<words>.md",
    "content/comments/nobody/2026-03-05-0908-no-member.md:1: error: no member 'nobody': a comment's folder is its writer's handle",
    "content/comments/2026-03-05-0909-outside.md:1: error: this file is outside the layout: content/comments/2026-03-05-0909-outside.md is not read by anything (files in content/comments/ go at content/comments/*/*.md",
    "content/comments/ben/2026-03-05-0910-loop-a.md:3: error: parent: these replies answer each other in a loop",
    "content/comments/ben/2026-03-05-0911-loop-b.md:3: error: parent: these replies answer each other in a loop",
]


def test_check_names_each_broken_comment_with_its_line(copy_fixture) -> None:
    content = copy_fixture("comments")
    for relative, body in BROKEN.items():
        write(content, relative, body)
    code, output = check(content)
    assert code == 1
    for expected in EXPECTED:
        assert expected in output, f"{expected}\n---\n{output}"
    assert "Traceback" not in output
    # The fixture's own comments are fine.
    assert "week-two.md" not in output


def test_broken_comments_are_left_out_and_the_rest_builds(copy_fixture, site) -> None:
    content = copy_fixture("comments")
    for relative, body in BROKEN.items():
        write(content, relative, body)
    result = site(content, PLUGINS=PLUGINS)
    page = read(result.output, PAGE)
    assert len(anchors(page)) == 9
    assert "0905-empty" not in page and "loop-a" not in page
    assert any("loop" in error for error in result.errors)


def test_the_fixture_checks_clean(copy_fixture) -> None:
    code, output = check(copy_fixture("comments"))
    assert code == 0, output


# -- trust, spam and moderation --------------------------------------------------------------
def test_untrusted_writer_is_folded_with_a_note(built: Path) -> None:
    page = read(built, PAGE)
    folded = page[page.index('id="c-zed.2026-03-03-0900-cheap-pills"') : page.index('id="c-ben.2026-03-03-1000')]
    assert '<details class="comment-folded" data-pagefind-ignore>' in folded
    assert "Zed Quick is not in the" in text(folded)
    assert "Buy cheap pills" in folded  # still there for who opens it
    assert "Buy cheap pills" not in read(built, "feeds/comments.atom.xml")


def test_removed_comment_keeps_its_place_and_its_replies(built: Path) -> None:
    page = read(built, PAGE)
    removed = page[page.index('id="c-ben.2026-03-03-1000-off-topic"') :]
    assert "Removed by the moderators: Off topic and personal" in text(removed[: removed.index("</p>")])
    assert "Something the moderators removed" not in page
    assert "Off topic rant" not in page
    reply = comment_html(page, "c-cara.2026-03-03-1100-reply-to-removed")
    assert "Let us keep to the strike." in reply
    assert '<a class="parent-link" href="#c-ben.2026-03-03-1000-off-topic">' in reply
    assert "Ben Osei" not in reply  # who wrote the removed comment is not repeated


def test_trusted_recommendations_mark_a_comment(built: Path) -> None:
    page = read(built, PAGE)
    assert 'class="badge recommended"' in comment_html(page, "c-ben.2026-03-02-0900-week-two")
    # One trusted recommendation (ben's) is not enough with the default of two.
    assert "badge recommended" not in comment_html(page, "c-cara.2026-03-02-1100-third-level")


def add_sybils(content: Path, count: int = 40) -> None:
    """A nest of fake accounts that vouch for each other, one of them vouched by zed (untrusted),
    all recommending zed's spam comment."""
    fakes = [f"fake-{n:02d}" for n in range(count)]
    for fake in fakes:
        others = ", ".join(f for f in fakes if f != fake)
        write(
            content,
            f"members/{fake}.yaml",
            f"name: {fake}\nvouches: [{others}]\nrecommends: [zed/2026-03-03-0900-cheap-pills]\n",
        )
    zed = content / "members" / "zed.yaml"
    zed.write_text(zed.read_text() + "vouches: [fake-00]\n")


def test_a_sybil_nest_cannot_promote_or_unfold_a_comment(copy_fixture, site) -> None:
    content = copy_fixture("comments")
    add_sybils(content)
    page = read(site(content, PLUGINS=PLUGINS).output, PAGE)
    spam = page[page.index('id="c-zed.2026-03-03-0900-cheap-pills"') : page.index('id="c-ben.2026-03-03-1000')]
    assert "comment-folded" in spam
    assert "badge recommended" not in spam


def test_without_seeds_nothing_is_folded(copy_fixture, site) -> None:
    content = copy_fixture("comments")
    (content / "trust.yaml").unlink()
    page = read(site(content, PLUGINS=PLUGINS).output, PAGE)
    assert "comment-folded" not in page
    assert "Buy cheap pills" in comment_html(page, "c-zed.2026-03-03-0900-cheap-pills")


# -- allied responses ------------------------------------------------------------------------
def test_allied_post_linking_to_the_diary_shows_as_a_response(built: Path) -> None:
    page = read(built, PAGE)
    responses = page[page.index('id="responses-heading"') :]
    responses = responses[: responses.index("</section>")]
    assert (
        '<a href="https://prairiedispatch.example.org/2026/rent" rel="noopener noreferrer nofollow ugc">' in responses
    )
    assert "Columbus tenants show the way" in responses and "Prairie Dispatch" in responses
    assert '<time datetime="2026-11-19T10:00:00-05:00">November 19, 2026</time>' in responses
    assert "Unrelated post" not in page  # it links to another site's /diaries/ path
    assert "Responses from allied blogs" not in read(built, "diaries/ben/bus-routes-matter/index.html")


# -- feeds, profiles, lists --------------------------------------------------------------------
def test_site_wide_recent_comments_feed(built: Path) -> None:
    atom = feedparser.parse(read(built, "feeds/comments.atom.xml"))
    assert atom.entries[0].title == "Back on topic"  # newest first
    assert len(atom.entries) == 8  # every shown comment on both diaries
    assert not feedparser.parse(read(built, "feeds/comments.rss.xml")).bozo


def test_member_page_lists_their_recent_comments(built: Path) -> None:
    page = read(built, "members/cara/index.html")
    section = page[page.index('id="member-comments-heading"') :]
    assert "Recent comments by Cara Wells" in section
    assert (
        '<a href="../../diaries/ana/rent-strike-notes/#c-cara.2026-03-03-1100-reply-to-removed">Back on topic</a>'
        in section
    )
    assert "on “Rent strike notes”" in section
    assert "member-comments-heading" not in read(built, "members/zed/index.html")  # folded ones are not listed


# -- search ------------------------------------------------------------------------------------
def test_terminal_search_finds_a_comment_at_its_anchor(built: Path) -> None:
    content = built.parent / "content"
    result = CliRunner().invoke(tasks.cli, ["--content", str(content), "search", "--json", "sign-in", "sheets"])
    assert result.exit_code == 0, result.output
    import json

    hits = json.loads(result.output)["results"]
    comment = next(hit for hit in hits if hit["kind"] == "comment")
    assert comment["url"] == "diaries/ana/rent-strike-notes/#c-cara.2026-03-02-1100-third-level"
    assert comment["member"] == "cara"


def test_comment_text_is_inside_the_pagefind_body(built: Path) -> None:
    page = read(built, PAGE)
    body = page[page.index("data-pagefind-body") : page.index("</article>\n", page.index('id="responses-heading"'))]
    assert "I can bring the sign-in sheets." in body


# -- writing one ---------------------------------------------------------------------------------
def test_new_comment_writes_a_file_that_checks(copy_fixture) -> None:
    content = copy_fixture("comments")
    runner = CliRunner()
    args = ["--content", str(content), "new", "comment", "ana/rent-strike-notes", "--member", "ben"]
    result = runner.invoke(
        tasks.cli, [*args, "--parent", "cara/2026-03-03-0800-another-root", "--title", "Called them"]
    )
    assert result.exit_code == 0, result.output
    created = content / "comments" / "ben" / "2026-11-22-1200-called-them.md"
    assert created.is_file(), result.output
    written = created.read_text()
    assert 'on: ana/rent-strike-notes\nparent: cara/2026-03-03-0800-another-root\ntitle: "Called them"' in written
    again = runner.invoke(tasks.cli, [*args])
    assert again.exit_code == 0 and "2026-11-22-1200-re-rent-strike-notes.md" in again.output
    code, output = check(content)
    assert code == 0, output
    bad = runner.invoke(tasks.cli, ["--content", str(content), "new", "comment", "ana/nope", "--member", "ben"])
    assert bad.exit_code == 2 and "there is no diary ana/nope" in bad.output
    bad = runner.invoke(tasks.cli, [*args, "--parent", "ben/2026-01-01-0000-nothing"])
    assert bad.exit_code == 2 and "there is no comment ben/2026-01-01-0000-nothing" in bad.output


# -- hostile input -----------------------------------------------------------------------------
HOSTILE_BODY = """<script>alert('body')</script>
<img src=x onerror="alert('img')">
[click](javascript:alert('link')) <a href="data:text/html,<script>alert(1)</script>">data</a>
<iframe src="https://evil.example"></iframe><form action="https://evil.example"><input></form>
<svg onload="alert('svg')"></svg> <style>body{display:none}</style>
Plain words stay.
"""
HOSTILE_TITLE = "</h3><script>alert('title')</script><img src=x onerror=alert(1)>"
HOSTILE_SIGNATURE = "<script>alert('sig')</script><b onmouseover=alert(2)>sig</b>"


def test_hostile_bodies_titles_and_signatures_never_run(copy_fixture, site) -> None:
    content = copy_fixture("comments")
    write(
        content,
        "comments/ben/2026-03-04-0900-hostile.md",
        f"---\non: ana/rent-strike-notes\ntitle: {json_string(HOSTILE_TITLE)}\n---\n\n{HOSTILE_BODY}",
    )
    cara = content / "members" / "cara.yaml"
    cara.write_text(cara.read_text() + f"signature: {json_string(HOSTILE_SIGNATURE)}\n")
    ally = content.parent / ".cache" / "allies" / "feeds" / "prairie-dispatch.json"
    ally.write_text(
        ally.read_text().replace(
            "<p>Read <a",
            '<script>alert(\\"ally\\")</script><p onclick=\\"alert(3)\\">Read <a',
        )
    )
    output = site(content, PLUGINS=PLUGINS).output
    page = read(output, PAGE)
    thread = thread_of(page)
    assert not DANGEROUS.search(thread), DANGEROUS.search(thread)
    assert "Plain words stay." in thread
    assert "&lt;/h3&gt;&lt;script&gt;alert(&#39;title&#39;)" in thread  # the title is shown as text
    assert "&lt;script&gt;alert(&#39;sig&#39;)&lt;/script&gt;" in thread  # so is the signature
    assert "Columbus tenants show the way" in thread
    feeds = [*sorted((output / "feeds" / "comments").rglob("*.xml")), output / "feeds" / "comments.atom.xml"]
    feeds.append(output / "feeds" / "comments.rss.xml")
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes(), sanitize_html=False)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        for entry in parsed.entries:
            values = [c.get("value", "") for c in entry.get("content", [])] + [entry.get("summary", "")]
            for value in values:  # the HTML a feed reader renders
                assert not DANGEROUS.search(value), (path, value)
    entries = feedparser.parse(read(output, FEED)).entries
    assert any("Plain words stay." in e.content[0].value for e in entries)


def json_string(value: str) -> str:
    import json

    return json.dumps(value)


# -- the demo ----------------------------------------------------------------------------------
def test_demo_has_a_living_conversation(demo_output: Path) -> None:
    threads = {
        "maria-lopez/what-meridian-did-to-kbrt": 7,
        "pat-okafor/the-linden-branch-read-in": 7,
        "ken-adeyemi/ga-sen-runoff-field-notes": 5,
    }
    total = 0
    for diary, count in threads.items():
        page = read(demo_output, f"diaries/{diary}/index.html")
        assert len(anchors(page)) == count, diary
        total += count
    assert total >= 15
    kbrt = read(demo_output, "diaries/maria-lopez/what-meridian-did-to-kbrt/index.html")
    deep = kbrt[kbrt.index('id="c-jkim.2026-05-15-0812') : kbrt.index('id="c-lee-nakamura.2026-05-16-2040')]
    assert deep.count('<ol class="replies">') >= 3  # three levels of replies
    assert '<p class="signature">' in kbrt and '<h3 class="comment-title">' in kbrt
    assert "comment-folded" in kbrt  # Glen Harper is outside the web of trust
    assert "Responses from allied blogs" in kbrt and "The Ledger Watch" in kbrt
    linden = read(demo_output, "diaries/pat-okafor/the-linden-branch-read-in/index.html")
    assert "Removed by the moderators:" in linden
    runoff = read(demo_output, "diaries/ken-adeyemi/ga-sen-runoff-field-notes/index.html")
    assert "Runoff canvassers: lead with the date" in runoff and "badge recommended" in runoff


# -- ownership -------------------------------------------------------------------------------


def test_a_member_owns_their_comment_files_and_no_one_elses(copy_fixture) -> None:
    content = copy_fixture("comments")
    top = content.parent
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A", "content")
    git(top, "commit", "-q", "-m", "base")
    write(content, "comments/ben/2026-03-05-0900-my-reply.md", "---\non: ana/rent-strike-notes\n---\n\nMine.\n")
    git(top, "add", "-A", "content")
    git(top, "commit", "-q", "-m", "ben replies")
    code, output = check(content, "--changes", "main~1..main", "--as", "ben-gh")
    assert code == 0, output
    edited = content / "comments" / "ana" / "2026-03-02-1015-re-week-two.md"
    edited.write_text(edited.read_text() + "\nBen was here.\n")
    git(top, "add", "-A", "content")
    git(top, "commit", "-q", "-m", "ben edits ana's comment")
    code, output = check(content, "--changes", "main~1..main", "--as", "ben-gh")
    assert code == 1
    line = next(x for x in output.splitlines() if "re-week-two" in x)
    assert line.startswith("content/comments/ana/2026-03-02-1015-re-week-two.md:1: error: ben-gh may not change ana's")


def test_most_discussed_this_week_for_the_digest(demo_output: Path) -> None:
    page = read(demo_output, "digest/2026-w47/index.html")  # the week of 2026-11-22
    section = page[page.index("Most discussed</h2>") :]
    section = section[: section.index("</section>")]
    # Comments from Nov 15-22: the read-in has 7 (one removed), the runoff notes 5; KBRT's are older.
    assert section.index("Linden branch read-in") < section.index("GA-Sen runoff field notes")
    assert "What Meridian did to KBRT" not in section


def test_moderation_entries_are_checked_each_at_its_own_line(tmp_path: Path) -> None:
    from comments.thread import load_moderation

    from netroots.report import Report

    (tmp_path / "moderation.yaml").write_text(
        "- comment: sam-hollis/2026-11-20-1930-buy-now\n"
        "  reason: Advertising\n"
        "- comment: ana/2026-03-02-1015-re-week-two\n"
        "  by: Not A Handle!\n"
        "  reason: Off topic\n"
        "- comment: not a comment id\n"
        "  reason: Spam\n",
        encoding="utf-8",
    )
    report = Report(root=tmp_path)
    removed = load_moderation(tmp_path, report)
    assert list(removed) == ["sam-hollis/2026-11-20-1930-buy-now"]
    errors = [str(problem) for problem in report.errors]
    assert len(errors) == 2, errors
    assert errors[0].startswith("moderation.yaml:4: error: entry 2: by")
    assert errors[1].startswith("moderation.yaml:6: error: comment: 'not a comment id' is not a comment id")


def test_threads_rendered_in_worker_processes_are_kept_for_the_next_build(copy_fixture, tmp_path) -> None:
    """Pages (and their threads) are rendered in worker processes at the end of the build:
    the threads they render still reach .cache/comments/threads.sqlite, and a build with the
    output folder removed includes the kept HTML instead of rendering each thread again."""
    import shutil
    import sqlite3

    from conftest import build_site

    content = copy_fixture("comments")
    output = tmp_path / "output"
    workers = {"jobs": 2, "parallel_min": 1}  # two processes even for a small site
    assert not build_site(content, output, NETROOTS_BUILD=workers).errors
    store = content.parent / ".cache" / "comments" / "threads.sqlite"
    with sqlite3.connect(store) as connection:
        kept = dict(connection.execute("SELECT diary_id, html FROM threads"))
    assert "ana/rent-strike-notes" in kept and len(kept) == 2  # both published diaries
    assert not list(store.parent.glob("*.part"))
    assert kept["ana/rent-strike-notes"] in read(output, PAGE)
    # The kept HTML is what the next build shows (marked here to see it is not rendered again).
    marked = kept["ana/rent-strike-notes"].replace("</h2>", " (kept)</h2>", 1)
    with sqlite3.connect(store) as connection:
        connection.execute("UPDATE threads SET html = ? WHERE diary_id = 'ana/rent-strike-notes'", (marked,))
    shutil.rmtree(output)
    assert not build_site(content, output, NETROOTS_BUILD=workers).errors
    assert " (kept)</h2>" in read(output, PAGE)
