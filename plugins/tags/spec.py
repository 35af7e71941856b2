"""The tags plugin's contract: one spelling per tag."""

from __future__ import annotations

from netroots.plugin import Content, PluginSpec

SPEC = PluginSpec(
    name="tags",
    doc="One spelling per tag, election tags recognized, descriptions on tag pages.",
    content=(Content("tags.yaml", "tag aliases and descriptions"),),
    provides=("tag_vocabulary", "tag_info", "tag_company"),
    offers={"load_vocabulary": "model:load_vocabulary"},
    uses=("diaries",),
    docs="docs/content.md",
)
