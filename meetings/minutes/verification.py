"""Checking minutes held on paper or as a file against the sealed versions.

By code: the short code (or the full fingerprint) printed on every page finds the sealed version.
By file: an uploaded PDF verifies only if its own SHA-256 equals that of the PDF this server
rendered for a sealed version; a file whose text carries a known code but whose bytes differ is
reported as altered (never as valid). Every answer also re-checks the stored content against its
fingerprint, so a database row changed behind the application's back is caught.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from sqlalchemy import select

from core.extensions import db
from meetings.minutes import pdf, sealing
from meetings.minutes.models import MinutesVersion, VersionState
from meetings.models import Meeting

_CODE_IN_TEXT = re.compile(r"\b([0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4})\b")
_FP_IN_TEXT = re.compile(r"\b([0-9a-f]{64})\b")


@dataclass
class Outcome:
    """What the verification page shows. `status`: valid, superseded, altered, unknown, no_code,
    invalid_code, broken (stored content no longer matches its fingerprint)."""

    status: str
    version: MinutesVersion | None = None
    meeting: Meeting | None = None
    newer: MinutesVersion | None = None
    signers: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("valid", "superseded")


def _find(hex_prefix: str) -> list[MinutesVersion]:
    return list(
        db.session.scalars(
            select(MinutesVersion)
            .where(
                MinutesVersion.state == VersionState.SEALED,
                MinutesVersion.fingerprint.startswith(hex_prefix, autoescape=True),
            )
            .limit(2)
        ).all()
    )


def _describe(version: MinutesVersion, status: str) -> Outcome:
    meeting = db.session.get(Meeting, version.meeting_id)
    if version.content is None or sealing.fingerprint(version.content) != version.fingerprint:
        return Outcome("broken", version, meeting)
    newer = db.session.scalar(
        select(MinutesVersion)
        .where(
            MinutesVersion.meeting_id == version.meeting_id,
            MinutesVersion.number > version.number,
            MinutesVersion.state == VersionState.SEALED,
        )
        .order_by(MinutesVersion.number.desc())
        .limit(1)
    )
    if status == "valid" and newer is not None:
        status = "superseded"
    signers = list(version.content.get("signatures", []))
    return Outcome(status, version, meeting, newer, signers)


def by_code(text: str | None) -> Outcome:
    digits = sealing.parse_code(text)
    if digits is None:
        return Outcome("invalid_code")
    found = _find(digits)
    if len(found) != 1:
        return Outcome("unknown")
    return _describe(found[0], "valid")


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
        # Whatever a hostile upload makes the parser do, it is just "no code found".
        return ""


def _kept_file_digest(version: MinutesVersion) -> str | None:
    path = pdf.cached_path(version)
    return sealing.file_sha256(path.read_bytes()) if path.exists() else None


def by_file(data: bytes) -> Outcome:
    digest = sealing.file_sha256(data)
    original = db.session.scalar(select(MinutesVersion).where(MinutesVersion.pdf_sha256 == digest))
    if original is not None:
        return _describe(original, "valid")
    text = pdf_text(data)
    match = _FP_IN_TEXT.search(text) or _CODE_IN_TEXT.search(text)
    if match is None:
        return Outcome("no_code")
    found = _find(sealing.parse_code(match.group(1)) or "")
    if len(found) != 1:
        return Outcome("unknown")
    if found[0].pdf_sha256 is None and _kept_file_digest(found[0]) == digest:
        return _describe(found[0], "valid")  # sealed without a recorded file (the demo's)
    outcome = _describe(found[0], "altered")
    if outcome.status != "broken":
        outcome.status = "altered"
    return outcome
