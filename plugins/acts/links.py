"""The site's "take part" links: each opens the forge's new-file page with an act filled in.

Templates call ``act_links`` (in the context when ``FORGE['repository']`` is set): the file
goes in ``content/acts/YOUR-HANDLE/``, and ``theme/static/js/acts.js`` puts the reader's
own handle in place of ``YOUR-HANDLE`` once they have said who they are (kept in
localStorage, never sent). Nothing is requested from the forge until a link is clicked.

The links never carry the build's clock: a new file's name starts with ``YYYY-MM-DD`` (an act)
or ``YYYY-MM-DD-HHMM`` (a reply), which acts.js replaces with the reader's date and time in the
site's time zone when the link is clicked. So a page is the same whenever it is built (an
incremental build renders it again only when what it shows changed), and the file's date is
the day the member clicked, not the day the site was built. Without JavaScript the member
writes the date over the placeholder; a file that still has it is reported by ``check``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from netroots.forge import DAY, MINUTE, Forge
from netroots.starters import quoted, starter_text

PLACEHOLDER = "YOUR-HANDLE"
SAVE = "Save this file (Commit changes, then Propose changes) and it counts once it is merged."


def one_line(text: Any) -> str:
    """Text for a YAML comment: one line, whatever a title holds."""
    return " ".join(str(text or "").split())


class ActLinks:
    """Builds each link; one instance per build, in the Pelican context."""

    def __init__(self, forge: Forge, content: str, comments: bool = False) -> None:
        self.forge = forge
        self.content = content  # the content folder, from the repository's top
        self.comments = comments  # the comments plugin is on: Reply links

    def _act(self, kind: str, field: str, target: str, about: str) -> str:
        name = f"{DAY}-{kind}-{target.replace('/', '-')}.yaml"
        text = f"# {one_line(about)}\n# {SAVE}\nact: {kind}\n{field}: {target}\n"
        return self.forge.new_file(f"{self.content}/acts/{PLACEHOLDER}/{name}", text)

    def recommend(self, diary_id: str, title: str, author: str) -> str:
        return self._act("recommend", "diary", diary_id, f'Recommend "{one_line(title)}" by {author}.')

    def recommend_comment(self, comment_id: str, author: str) -> str:
        return self._act("recommend", "comment", comment_id, f"Recommend {author}'s comment.")

    def support(self, slug: str, title: str) -> str:
        return self._act("support", "action", slug, f'Support "{one_line(title)}".')

    def going(self, slug: str, title: str) -> str:
        return self._act("going", "event", slug, f'I am going to "{one_line(title)}".')

    def vouch(self, handle: str, name: str) -> str:
        return self._act("vouch", "member", handle, f"Vouch for {one_line(name)}: I know them and trust them.")

    def reply(self, diary_id: str, title: str, parent: str | None = None) -> str:
        """A new comment file on ``diary_id`` (``parent``: the comment replied to). Its name holds
        the minute it is written, which dates the comment (no ``date:`` line to fill in too)."""
        slug = diary_id.split("/", 1)[-1]
        name = f"{MINUTE}-re-{slug}"[:80].rstrip("-") + ".md"
        lines = ["---", f"on: {diary_id}"]
        if parent:
            lines.append(f"parent: {parent}")
        lines += [f"title: {quoted('Re: ' + one_line(title))}", "---"]
        text = "\n".join(lines) + "\n\nWrite your reply here in Markdown.\n"
        return self.forge.new_file(f"{self.content}/comments/{PLACEHOLDER}/{name}", text)

    def edit(self, source_path: str, content_path: str) -> str:
        """The forge's editor on a diary's own file."""
        relative = Path(source_path).resolve().relative_to(Path(content_path).resolve()).as_posix()
        return self.forge.edit_file(f"{self.content}/{relative}")

    def join(self) -> str:
        text = starter_text("member", name=quoted("Your Name"), github="YOUR-LOGIN", joined=DAY, state="", city="")
        return self.forge.new_file(f"{self.content}/members/{PLACEHOLDER}.yaml", text)
