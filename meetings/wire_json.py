"""The JSON module of the Socket.IO server: the standard one, plus text serialized once in advance.

A 1,000-member roster is ~150 KB of JSON; every joiner of a meeting gets the same one. `RawJSON`
holds such text, and `dumps` puts it into a packet as it is instead of serializing it again.
"""

from __future__ import annotations

import json
import secrets

# A placeholder no user text can contain: control characters are refused on input
# (core.safe_input), and the random part differs in every process.
_MARK = f"\x00chibo-raw-{secrets.token_hex(8)}-"


class RawJSON:
    """Text that is already one JSON value, to be written into a document as it is."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def value(self):
        return json.loads(self.text)


def dumps(obj, **kwargs) -> str:
    fragments: list[str] = []

    def default(value):
        if isinstance(value, RawJSON):
            fragments.append(value.text)
            return f"{_MARK}{len(fragments) - 1}\x00"
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    text = json.dumps(obj, default=default, **kwargs)
    for i, fragment in enumerate(fragments):
        text = text.replace(json.dumps(f"{_MARK}{i}\x00"), fragment, 1)
    return text


def loads(text, **kwargs):
    return json.loads(text, **kwargs)
