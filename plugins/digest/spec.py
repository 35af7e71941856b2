"""The digest plugin's contract: the ``DIGEST = {...}`` settings and the context keys it reads.

The digest reads other plugins' results only from the context, after every plugin's
``generate_context``; each is optional (a network without jobs gets a digest without jobs).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netroots.plugin import PluginSpec
from netroots.settings import TEXT, Setting, choice, whole

SPEC = PluginSpec(
    name="digest",
    doc="The weekly digest: /digest/ pages, /feeds/digest.atom.xml, and an e-mail to the network's list.",
    settings_name="DIGEST",
    settings=(
        Setting(
            "archive_weeks", 12, whole(minimum=0), "Past weeks /digest/ lists (weeks with nothing new are left out)."
        ),
        Setting(
            "event_days", 21, whole(minimum=1), "Events starting within this many days after the week are coming up."
        ),
        Setting("list_limit", 8, whole(minimum=1), "Most items each list of the digest shows."),
        Setting(
            "list_address",
            "",
            TEXT,
            "The mailing list with the subscribers (Mailman, listmonk, Google Groups); --send mails it.",
        ),
        Setting("from_address", "", TEXT, "The sender the list accepts posts from, e.g. digest@example.org."),
        Setting("subscribe_url", "", TEXT, "Where readers sign up: shown on /digest/, the front page and the e-mail."),
        Setting(
            "unsubscribe",
            "",
            TEXT,
            "List-Unsubscribe: a mailto: and/or https: address, e.g. 'mailto:leave@lists.example.org'.",
        ),
        Setting(
            "smtp_host",
            "",
            TEXT,
            "The SMTP relay (NETROOTS_SMTP_HOST overrides it; the account is NETROOTS_SMTP_USER/PASSWORD).",
        ),
        Setting("smtp_port", 587, whole(minimum=1, maximum=65535), "The relay's port: 587 for STARTTLS, 465 for SSL."),
        Setting("smtp_security", "starttls", choice("starttls", "ssl"), "Always encrypted: STARTTLS or SSL."),
        Setting(
            "email_week",
            "",
            TEXT,
            "Set by `tasks.py digest --week`: write that week's e-mail to .cache/digest/.",
            output=False,
        ),
    ),
    provides=("digest_feed", "digest_subscribe"),
    uses=(
        "actions_current_target",
        "recommended_diaries",
        "rescue_lists",
        "events",
        "jobs",
        "most_discussed",
    ),
    optional=True,
    docs="docs/maintainers.md",
)


def digest_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``DIGEST`` over the defaults; a bad value is logged and replaced by its default."""
    return SPEC.options(settings)
