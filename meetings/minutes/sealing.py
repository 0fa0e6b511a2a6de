"""Canonical content and its SHA-256 fingerprint (pure).

Canonical JSON: keys sorted, no insignificant whitespace, UTF-8 without escaping, text in NFC
(normalized on input). The same content always gives the same bytes, so anyone holding the
frozen JSON can recompute the fingerprint.
"""

from __future__ import annotations

import hashlib
import json
import re

CODE_LENGTH = 16  # hex digits of the short code printed for typing (64 bits)
_HEX = re.compile(r"[0-9a-f]+")


def canonical_json(content: dict) -> bytes:
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def fingerprint(content: dict) -> str:
    """SHA-256 of the canonical JSON, 64 lowercase hex digits."""
    return hashlib.sha256(canonical_json(content)).hexdigest()


def short_code(fp: str) -> str:
    """The first 16 hex digits in groups of four, upper case: "3F2A-91C0-7B44-E0D1"."""
    head = fp[:CODE_LENGTH].upper()
    return "-".join(head[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def parse_code(text: str | None) -> str | None:
    """A typed code (short or full, any case, with spaces or dashes) as lowercase hex, or None."""
    if not text:
        return None
    digits = re.sub(r"[\s\-–—:.]", "", text).lower()
    if not _HEX.fullmatch(digits) or not (CODE_LENGTH <= len(digits) <= 64):
        return None
    return digits


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
