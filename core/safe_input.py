"""A first gate for untrusted structured input (Socket.IO payloads, JSON bodies).

Refuses what no field of chibo ever accepts, before any model sees it: text with lone surrogates
(not encodable in UTF-8, so a database would fail on it) or control characters other than tab and
newlines, over-long text, too deep or too large structures.
"""

from __future__ import annotations

import re

from core.vietnamese import strip_invisible

MAX_TEXT = 100_000
MAX_DEPTH = 6
MAX_ITEMS = 1_000

_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def problem(value, depth: int = 0) -> str | None:
    """A short reason why the value is refused, or None when it may go on to validation."""
    if depth > MAX_DEPTH:
        return "too deep"
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            return "text too long"
        if _FORBIDDEN.search(value):
            return "forbidden character"
        return None
    if isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            return "too many fields"
        for key, item in value.items():
            reason = problem(key, depth + 1) or problem(item, depth + 1)
            if reason:
                return reason
        return None
    if isinstance(value, list | tuple):
        if len(value) > MAX_ITEMS:
            return "too many items"
        for item in value:
            reason = problem(item, depth + 1)
            if reason:
                return reason
        return None
    if value is None or isinstance(value, bool | int | float):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
            return "number out of range"
        return None
    return "unsupported type"


def without_invisible(value):
    """The same structure with bidirectional controls and zero-width characters removed from
    every string (keys too): one place for every Socket.IO and JSON command payload."""
    if isinstance(value, str):
        return strip_invisible(value)
    if isinstance(value, dict):
        return {without_invisible(k): without_invisible(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [without_invisible(item) for item in value]
    return value
