"""Shared helpers every Netroots plugin and command uses.

Kept small on purpose: reading content with line numbers, validating fields,
reporting ``path:line: message``, sanitizing HTML, writing feeds, the build date.
"""
