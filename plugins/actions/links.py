"""``tel:`` and ``mailto:`` links, and the ``{target}`` / ``{person}`` placeholders.

A ``mailto:`` follows RFC 6068: subject and body are UTF-8 and percent-encoded with
nothing left "safe", so ``&``, ``?``, ``#``, ``+``, ``%`` and non-ASCII text survive;
line breaks become ``%0D%0A`` as the RFC requires.
"""

from __future__ import annotations

import re
from urllib.parse import quote

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
KNOWN_PLACEHOLDERS = ("target", "person")


def fill(template: str, target: str, person: str) -> str:
    """Replace ``{target}`` and ``{person}``; every other brace is left exactly as written."""
    values = {"target": target, "person": person}
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def unknown_placeholders(template: str) -> list[str]:
    return sorted({m.group(1) for m in PLACEHOLDER.finditer(template)} - set(KNOWN_PLACEHOLDERS))


def crlf(text: str) -> str:
    """Every line break as CRLF, the form a mail message (and RFC 6068) uses."""
    return re.sub(r"\r\n|\r|\n", "\r\n", text)


def mailto(address: str, subject: str = "", body: str = "") -> str:
    """A ``mailto:`` URL whose subject and body decode back to exactly what was given."""
    query = []
    if subject:
        query.append("subject=" + quote(subject, safe=""))
    if body:
        query.append("body=" + quote(crlf(body), safe=""))
    return f"mailto:{quote(address, safe='@')}" + ("?" + "&".join(query) if query else "")
