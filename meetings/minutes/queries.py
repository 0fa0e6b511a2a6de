"""Reading the minutes: a meeting's versions, and the document of one version.

The document is what the page and the PDF show and what the signers confirm: the assembled
parts (`assembly`) with the version, approval and signatures; frozen JSON once sealed.
"""

from __future__ import annotations

from sqlalchemy import select

from auth.models import User
from core.extensions import db
from core.timeutil import iso
from meetings.minutes import sealing, wording
from meetings.minutes.assembly import assemble
from meetings.minutes.models import MinutesVersion, SignerRole, VersionState
from meetings.models import Meeting


def versions(meeting_id: int) -> list[MinutesVersion]:
    return list(
        db.session.scalars(
            select(MinutesVersion)
            .where(MinutesVersion.meeting_id == meeting_id)
            .order_by(MinutesVersion.number)
        ).all()
    )


def current_version(meeting_id: int) -> MinutesVersion | None:
    return db.session.scalar(
        select(MinutesVersion)
        .where(MinutesVersion.meeting_id == meeting_id)
        .order_by(MinutesVersion.number.desc())
        .limit(1)
    )


def ensure_version(meeting: Meeting, actor: User | None) -> MinutesVersion:
    """The current version, created as draft number 1 when the meeting has none yet."""
    version = current_version(meeting.id)
    if version is None:
        version = MinutesVersion(
            meeting_id=meeting.id,
            number=1,
            state=VersionState.DRAFT,
            created_by_id=actor.id if actor else None,
        )
        db.session.add(version)
        db.session.flush()
    return version


def previous_version(version: MinutesVersion) -> MinutesVersion | None:
    if version.number <= 1:
        return None
    return db.session.scalar(
        select(MinutesVersion).where(
            MinutesVersion.meeting_id == version.meeting_id,
            MinutesVersion.number == version.number - 1,
        )
    )


def version_part(version: MinutesVersion | None) -> dict:
    if version is None:
        return {"number": 1, "reason": "", "previous_fingerprint": "", "previous_code": ""}
    previous = previous_version(version)
    fp = previous.fingerprint if previous and previous.fingerprint else ""
    return {
        "number": version.number,
        "reason": version.reason or "",
        "previous_fingerprint": fp,
        "previous_code": sealing.short_code(fp) if fp else "",
    }


def approval_part(version: MinutesVersion | None) -> dict | None:
    if version is None or version.approved_at is None:
        return None
    return {
        "at": iso(version.approved_at),
        "line": wording.moment_line(version.approved_at),
        "method": version.approval_method or "chair",
        "by": version.approved_by.full_name if version.approved_by else "",
    }


def signature_part(version: MinutesVersion | None) -> list[dict]:
    if version is None:
        return []
    order = {SignerRole.MINUTE_TAKER: 0, SignerRole.CHAIR: 1}
    return [
        {
            "role": s.role,
            "name": s.name,
            "signed_at": iso(s.signed_at),
            "line": wording.moment_line(s.signed_at),
        }
        for s in sorted(version.signatures, key=lambda s: order.get(s.role, 9))
    ]


def unsigned_content(meeting: Meeting, version: MinutesVersion | None) -> dict:
    """The assembled minutes with version and approval: what each signer confirms."""
    return assemble(meeting) | {
        "version": version_part(version),
        "approval": approval_part(version),
    }


def document(meeting: Meeting, version: MinutesVersion | None) -> dict:
    """The minutes as the page and the PDF show them: frozen when sealed, live otherwise."""
    if version is not None and version.is_sealed and version.content is not None:
        return version.content
    return unsigned_content(meeting, version) | {"signatures": signature_part(version)}
