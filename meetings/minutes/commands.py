"""Minutes commands: edit an item's text, approve, open a correction.

State machine of a version: draft -> approved (read back; the chair records it, or a passed
procedural vote) -> sealed (signed by chair and minute-taker, each with their password; see
`signing`). An edit while approved sends the version back to draft (the approval was of other
words). A sealed version never changes; a correction is a new draft version with a reason.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from pydantic import Field, StrictInt, StrictStr

from core.extensions import db
from core.timeutil import utcnow
from core.vietnamese import nfc
from meetings.attendance import unsettled
from meetings.commands import Context, Effect, Payload, command
from meetings.errors import Conflict, Invalid, NotFound
from meetings.minutes.models import MinutesSection, MinutesVersion, VersionState
from meetings.minutes.queries import current_version, ensure_version
from meetings.minutes.sanitize import MAX_HTML, clean_html
from meetings.minutes.sections import section_row, status_part
from meetings.models import Meeting, MeetingStatus
from meetings.voting.records import vote_summaries

UNSETTLED = _l("Settle everyone's attendance before the minutes are approved.")
SEALED_MESSAGE = _l("These minutes are sealed; a correction needs a new version.")
STALE_MESSAGE = _l(
    "Someone else changed this section; their text is shown. Your edit was not saved."
)
NOT_WRITABLE = _l("Minutes are written once the meeting has started.")


def _require_writable(meeting: Meeting) -> MinutesVersion | None:
    if meeting.status == MeetingStatus.SCHEDULED:
        raise Conflict(NOT_WRITABLE)
    version = current_version(meeting.id)
    if version is not None and version.is_sealed:
        raise Conflict(SEALED_MESSAGE, state="sealed")
    return version


def _back_to_draft(version: MinutesVersion | None) -> bool:
    """An edit after approval voids the approval and any signature given on other words."""
    if version is None or version.state != VersionState.APPROVED:
        return False
    version.state = VersionState.DRAFT
    version.approved_at = version.approved_by_id = None
    version.approval_method = version.approval_vote_id = None
    version.signatures.clear()
    return True


class EditSection(Payload):
    item_id: StrictInt
    base_revision: StrictInt = Field(ge=0)
    html: StrictStr = Field(max_length=MAX_HTML * 2)


@command("minutes_edit", permission="edit_minutes", payload=EditSection)
def minutes_edit(ctx: Context, payload: EditSection) -> Effect:
    """Replace one item's text if the writer saw the latest revision; else refuse with it."""
    meeting = ctx.meeting
    if payload.item_id not in {item.id for item in meeting.agenda}:
        raise NotFound(field="item_id")
    version = _require_writable(meeting)
    html = clean_html(payload.html)
    if len(html) > MAX_HTML:
        raise Invalid(field="html")
    row = db.session.get(MinutesSection, (meeting.id, payload.item_id))
    current = row.revision if row else 0
    if payload.base_revision != current:
        raise Conflict(
            STALE_MESSAGE,
            item_id=payload.item_id,
            revision=current,
            html=row.html if row else "",
            updated_by=row.updated_by.full_name if row and row.updated_by else None,
        )
    if row is not None and row.html == html:
        return Effect.nothing({"revision": row.revision, "html": html})
    if row is None:
        row = MinutesSection(meeting_id=meeting.id, item_id=payload.item_id, html="", revision=0)
        db.session.add(row)
    row.html = html
    row.revision = current + 1
    row.updated_by_id = ctx.actor.id
    row.updated_at = utcnow()
    reset = _back_to_draft(version)
    if reset:
        meeting.record_locked = False  # attendance may be corrected again before re-approval
    db.session.flush()
    db.session.refresh(row, ["updated_by"])
    data: dict = {"sections": [section_row(row)]}
    if reset:
        data["status"] = status_part(meeting.id)
    return Effect(
        changes=[{"type": "minutes", "data": data}],
        result={"revision": row.revision, "html": html},
        audit={"item_id": row.item_id, "revision": row.revision, "approval_voided": reset},
    )


class Approve(Payload):
    method: StrictStr = "chair"
    vote_id: StrictInt | None = None


def _passed_vote(meeting_id: int, vote_id: int | None) -> bool:
    """True when `vote_id` is a closed, passed vote of this meeting (the procedural vote)."""
    if vote_id is None:
        return False
    return any(s.vote_id == vote_id and s.passed is True for s in vote_summaries(meeting_id))


@command("minutes_approve", permission="approve_minutes", payload=Approve)
def minutes_approve(ctx: Context, payload: Approve) -> Effect:
    """The minutes were read back and approved: recorded by the chair, or by a passed vote."""
    if payload.method not in ("chair", "vote"):
        raise Invalid(field="method")
    if payload.method == "vote" and not _passed_vote(ctx.meeting.id, payload.vote_id):
        raise Invalid(field="vote_id")
    version = _require_writable(ctx.meeting)
    version = version or ensure_version(ctx.meeting, ctx.actor)
    if version.state != VersionState.DRAFT:
        raise Conflict()
    waiting = unsettled(ctx.meeting)
    if waiting:
        # The record must be whole before it is approved: attendance settled for everyone.
        raise Conflict(UNSETTLED, reason="attendance_unsettled", user_ids=waiting)
    version.state = VersionState.APPROVED
    ctx.meeting.record_locked = True  # attendance and guests are part of what was approved
    version.approved_at = utcnow()
    version.approved_by_id = ctx.actor.id
    version.approval_method = payload.method
    version.approval_vote_id = payload.vote_id if payload.method == "vote" else None
    db.session.flush()
    db.session.refresh(version, ["approved_by"])
    return Effect(
        changes=[{"type": "minutes", "data": {"status": status_part(ctx.meeting.id)}}],
        audit={"version": version.number, "method": payload.method},
    )


class Correct(Payload):
    reason: StrictStr = Field(min_length=1, max_length=1000)


@command("minutes_correct", permission="edit_minutes", payload=Correct)
def minutes_correct(ctx: Context, payload: Correct) -> Effect:
    """Open a correction of sealed minutes: a new draft version; the sealed one is kept."""
    reason = nfc(payload.reason)
    if not reason:
        raise Invalid(field="reason")
    version = current_version(ctx.meeting.id)
    if version is None or not version.is_sealed:
        raise Conflict()
    new = MinutesVersion(
        meeting_id=ctx.meeting.id,
        number=version.number + 1,
        state=VersionState.DRAFT,
        reason=reason,
        created_by_id=ctx.actor.id,
    )
    db.session.add(new)
    db.session.flush()
    return Effect(
        changes=[{"type": "minutes", "data": {"status": status_part(ctx.meeting.id)}}],
        result={"version": new.number},
        audit={"version": new.number},
    )
