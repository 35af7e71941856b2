"""The trust plugin's contract: the ``TRUST = {...}`` settings, trust.yaml and rescue.yaml,
and what it publishes for the plugins after it (actions counts only trusted supporters)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netroots import schema
from netroots.plugin import Content, PluginSpec
from netroots.settings import FLAG, STRINGS, TEXT, Setting, choice, either, number, optional, whole_list

SPEC = PluginSpec(
    name="trust",
    doc="The web of trust, trust-weighted recommended diaries, and rescued diaries.",
    settings_name="TRUST",
    settings=(
        Setting("seeds", [], STRINGS, "Seeds besides those listed in content/trust.yaml (member handles)."),
        Setting(
            "capacities",
            [800, 200, 50, 12, 4, 2, 1],
            whole_list(1, example=[800, 200, 50, 12, 4, 2, 1]),
            "Advogato's capacities by distance from the seeds; members further away than the list is long "
            "are not trusted.",
        ),
        Setting(
            "scale",
            "auto",
            either(choice("auto"), number(above=0)),
            "'auto': a seed's capacity becomes the number of members (at least min_scale_members); "
            "a number: a fixed factor (1 = Advogato's values).",
        ),
        Setting("min_scale_members", 50, number(minimum=1), "The smallest network size 'auto' scales to."),
        Setting(
            "damping",
            0.85,
            number(minimum=0.0, maximum=0.99),
            "Personalized PageRank: the chance that the walk follows a vouch rather than jumping to a seed.",
        ),
        Setting(
            "max_weight",
            3.0,
            number(minimum=0.1),
            "Cap on a recommendation's weight (a trusted member's score relative to the average, 1.0).",
        ),
        Setting(
            "half_life_days", 30, number(minimum=0.1), "A recommendation loses half its weight every this many days."
        ),
        Setting("min_weight", 1.0, number(minimum=0.0), "Trusted weight (before decay) a recommended diary needs."),
        Setting("min_recommenders", 2, number(minimum=1), "Trusted members a recommended diary needs."),
        Setting("front_page", 5, number(minimum=0), "Recommended diaries on the front page."),
        Setting("recommended_limit", 50, number(minimum=1), "Diaries on /diaries/recommended/."),
        Setting(
            "front_page_trusted_only", True, FLAG, "The front page's 'Recent diaries' shows only trusted members'."
        ),
        Setting("rescue_group", "rescue-rangers", TEXT, "The group whose editors keep content/rescue.yaml."),
        Setting(
            "recommended_feed", "feeds/recommended.atom.xml", optional(TEXT), "Feed of recommended diaries; None: none."
        ),
        Setting("rescued_feed", "feeds/rescued.atom.xml", optional(TEXT), "Feed of rescued diaries; None: none."),
    ),
    content=(
        Content("trust.yaml", "the seeds of the web of trust"),
        Content("rescue.yaml", "rescue lists kept by the rescue group's editors"),
    ),
    provides=(
        "trust",
        "trusted_members",
        "trust_build",
        "trust_options",
        "diary_recommendations",
        "recommended_diaries",
        "front_recommended_diaries",
        "rescue_lists",
        "rescued_on",
        "front_recent_diaries",
    ),
    uses=("acts_merged", "groups", "diaries"),
    url_words=("recommended", "rescued"),  # /diaries/recommended/, /diaries/rescued/
    member_fields=(
        schema.Field("vouches", schema.list_of(schema.handle), default=list),  # members they know in person
        schema.Field("recommends", schema.string_list, default=list),  # diaries (and comments) they recommend
    ),
    member_check="model:check_vouches",
    optional=True,
    docs="docs/trust.md",
)
DEFAULTS = SPEC.defaults()


def trust_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``TRUST`` over the defaults; a bad value is logged and replaced by its default."""
    return SPEC.options(settings)
