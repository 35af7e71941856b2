"""One member, one name, one address: the rules for handles, GitHub logins and names.

A handle is the folder and the address (``/members/<handle>/``) exactly as written, so it
must be something no tool rewrites: ASCII lowercase words joined by single hyphens.
Two handles or two names that a reader could mistake for each other are caught here,
because the network rests on a member speaking only as themselves.
"""

from __future__ import annotations

import re
import unicodedata

# Exactly `[a-z0-9]+(-[a-z0-9]+)*`, ASCII only; `\Z` because `$` also matches before a newline.
HANDLE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
HANDLE_MAX = 39
# GitHub's rules for a login: letters, digits and single hyphens, not at either end, 39 at most.
GITHUB_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\Z")
# Latin look-alikes a transliteration keeps apart but a reader does not.
_LOOKALIKES = (("rn", "m"), ("vv", "w"), ("0", "o"), ("1", "l"), ("5", "s"))


def is_handle(value: object) -> bool:
    """True for a well-formed handle (reserved words are checked apart, with their own message)."""
    return isinstance(value, str) and len(value) <= HANDLE_MAX and HANDLE.match(value) is not None


def is_github_login(value: object) -> bool:
    return isinstance(value, str) and GITHUB_LOGIN.match(value) is not None


def skeleton(text: str) -> str:
    """What ``text`` looks like to a reader: case, accents, spacing, punctuation, invisible
    characters and look-alike letters (Cyrillic ``і``, ``rn`` for ``m``) all folded away."""
    from unidecode import unidecode

    folded = unidecode(unicodedata.normalize("NFKC", text)).casefold()
    folded = re.sub(r"[^a-z0-9]+", "", folded)
    for pair, single in _LOOKALIKES:
        folded = folded.replace(pair, single)
    return folded
