"""The minutes' rich text: a small allowlist (paragraphs, line breaks, bold, italic, lists), NFC."""

from __future__ import annotations

import re
import unicodedata

import nh3

from core.vietnamese import strip_invisible

ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li"})
MAX_HTML = 60_000  # characters after cleaning: a long item is a few thousand

# Browsers' editors write <b>/<i>/<div>; keep their meaning under the allowed names.
_RENAME = (
    (re.compile(r"<(/?)b(\s[^>]*)?>", re.I), r"<\1strong>"),
    (re.compile(r"<(/?)i(\s[^>]*)?>", re.I), r"<\1em>"),
    (re.compile(r"<(/?)div(\s[^>]*)?>", re.I), r"<\1p>"),
)
_EMPTY = re.compile(r"^(\s|<br>|<p>\s*(<br>)?\s*</p>)*$")


def clean_html(raw: str) -> str:
    """Sanitize user HTML to the allowlist (no attributes, no links) and normalize it to NFC."""
    text = unicodedata.normalize("NFC", strip_invisible(raw))
    for pattern, replacement in _RENAME:
        text = pattern.sub(replacement, text)
    cleaned = nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        attributes={},
        url_schemes=set(),
        strip_comments=True,
        link_rel=None,
    ).strip()
    if _EMPTY.match(cleaned):
        return ""
    return unicodedata.normalize("NFC", cleaned)
