"""The room's "minutes" section: the current version's status and the live texts per item."""

from __future__ import annotations

from sqlalchemy import func, select

from core.extensions import db
from core.timeutil import iso
from meetings.minutes import sealing
from meetings.minutes.models import MinutesSection, MinutesVersion, VersionState
from meetings.minutes.queries import approval_part, current_version, signature_part
from meetings.models import Meeting
from meetings.snapshot import section


def section_row(row: MinutesSection) -> dict:
    return {
        "item_id": row.item_id,
        "html": row.html,
        "revision": row.revision,
        "updated_by": row.updated_by.full_name if row.updated_by else None,
        "updated_at": iso(row.updated_at),
    }


def status_part(meeting_id: int) -> dict:
    """Where the current version stands (replaces the client's `minutes.status`)."""
    version = current_version(meeting_id)
    count = db.session.scalar(
        select(func.count())
        .select_from(MinutesVersion)
        .where(MinutesVersion.meeting_id == meeting_id)
    )
    fp = version.fingerprint if version else None
    return {
        "number": version.number if version else 1,
        "versions": count or 0,
        "state": version.state if version else VersionState.DRAFT,
        "reason": version.reason if version else None,
        "approval": approval_part(version),
        "signatures": signature_part(version),
        "fingerprint": fp,
        "code": sealing.short_code(fp) if fp else None,
    }


@section("minutes")
def minutes_section(meeting: Meeting, viewer, roles) -> dict:
    """`{status, sections}`. Change events of type "minutes" carry `status` and/or the changed
    `sections` only (a keystroke must not resend every item); the client merges sections by
    item id, so applying events gives this same section."""
    rows = db.session.scalars(
        select(MinutesSection)
        .where(MinutesSection.meeting_id == meeting.id)
        .order_by(MinutesSection.item_id)
    ).all()
    return {"status": status_part(meeting.id), "sections": [section_row(r) for r in rows]}
