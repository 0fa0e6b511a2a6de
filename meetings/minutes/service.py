"""Minutes commands (edit, approve, correct), signing and sealing, and the room's section.

State machine of a version: draft -> approved (read back; the chair records it, or a passed
procedural vote) -> sealed (signed by chair and minute-taker, each with their password).
An edit while approved sends the version back to draft (the approval was of other words).
A sealed version never changes; a correction is a new draft version with a reason.
"""

from __future__ import annotations

import logging
import subprocess

from flask_babel import lazy_gettext as _l
from pydantic import Field, StrictInt, StrictStr
from sqlalchemy import func, select

from auth.models import User
from core.extensions import db
from core.timeutil import iso, utcnow
from core.vietnamese import nfc
from meetings.commands import Context, Effect, Empty, Payload, command, run
from meetings.errors import Conflict, Invalid, NotFound, Unavailable
from meetings.minutes import pdf, sealing, wording
from meetings.minutes.assembly import assemble
from meetings.minutes.models import (
    MinutesSection,
    MinutesSignature,
    MinutesVersion,
    SignerRole,
    VersionState,
)
from meetings.minutes.sanitize import MAX_HTML, clean_html
from meetings.models import Meeting, MeetingStatus
from meetings.presence import close_meeting
from meetings.snapshot import section
from meetings.voting.records import vote_summaries

log = logging.getLogger(__name__)

SEALED_MESSAGE = _l("These minutes are sealed; a correction needs a new version.")
STALE_MESSAGE = _l(
    "Someone else changed this section; their text is shown. Your edit was not saved."
)
NOT_WRITABLE = _l("Minutes are written once the meeting has started.")
SIGN_WHEN = _l("The minutes are signed after they are approved and the meeting has ended.")


# ---- reading -----------------------------------------------------------------------------------


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


def _ensure_version(meeting: Meeting, actor: User | None) -> MinutesVersion:
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


def _previous(version: MinutesVersion) -> MinutesVersion | None:
    if version.number <= 1:
        return None
    return db.session.scalar(
        select(MinutesVersion).where(
            MinutesVersion.meeting_id == version.meeting_id,
            MinutesVersion.number == version.number - 1,
        )
    )


def _version_part(version: MinutesVersion | None) -> dict:
    if version is None:
        return {"number": 1, "reason": "", "previous_fingerprint": "", "previous_code": ""}
    previous = _previous(version)
    fp = previous.fingerprint if previous and previous.fingerprint else ""
    return {
        "number": version.number,
        "reason": version.reason or "",
        "previous_fingerprint": fp,
        "previous_code": sealing.short_code(fp) if fp else "",
    }


def _approval_part(version: MinutesVersion | None) -> dict | None:
    if version is None or version.approved_at is None:
        return None
    return {
        "at": iso(version.approved_at),
        "line": wording.moment_line(version.approved_at),
        "method": version.approval_method or "chair",
        "by": version.approved_by.full_name if version.approved_by else "",
    }


def _signature_part(version: MinutesVersion | None) -> list[dict]:
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
        "version": _version_part(version),
        "approval": _approval_part(version),
    }


def document(meeting: Meeting, version: MinutesVersion | None) -> dict:
    """The minutes as the page and the PDF show them: frozen when sealed, live otherwise."""
    if version is not None and version.is_sealed and version.content is not None:
        return version.content
    return unsigned_content(meeting, version) | {"signatures": _signature_part(version)}


# ---- the room's section ------------------------------------------------------------------------


def _section_row(row: MinutesSection) -> dict:
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
        "approval": _approval_part(version),
        "signatures": _signature_part(version),
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
    return {"status": status_part(meeting.id), "sections": [_section_row(r) for r in rows]}


# ---- commands ----------------------------------------------------------------------------------


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
    db.session.flush()
    db.session.refresh(row, ["updated_by"])
    data: dict = {"sections": [_section_row(row)]}
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
    version = version or _ensure_version(ctx.meeting, ctx.actor)
    if version.state != VersionState.DRAFT:
        raise Conflict()
    version.state = VersionState.APPROVED
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


# ---- signing and sealing -----------------------------------------------------------------------


def signer_roles(user: User, meeting: Meeting) -> list[str]:
    roles = []
    if meeting.minute_taker_id == user.id:
        roles.append(SignerRole.MINUTE_TAKER.value)
    if meeting.chair_id == user.id:
        roles.append(SignerRole.CHAIR.value)
    return roles


@command("minutes_sign", permission="sign_minutes", wire=False)
def minutes_sign(ctx: Context, payload: Empty) -> Effect:
    """Record the actor's signature (their password was checked by the form); seal when both
    the chair and the minute-taker have signed the same content. Not on the wire: signing is a
    password form (minutes.routes.sign)."""
    meeting, user = ctx.meeting, ctx.actor
    version = current_version(meeting.id)
    if version is not None and version.is_sealed:
        raise Conflict(SEALED_MESSAGE, state="sealed")
    if version is None or version.state != VersionState.APPROVED or not meeting.is_closed:
        raise Conflict(SIGN_WHEN)
    digest = sealing.fingerprint(unsigned_content(meeting, version))
    # A signature given on other content (cannot normally happen: edits void approval).
    for stale in [s for s in version.signatures if s.content_digest != digest]:
        version.signatures.remove(stale)
    signed = {s.role for s in version.signatures}
    new_roles = [r for r in signer_roles(user, meeting) if r not in signed]
    if not new_roles:
        raise Conflict(_l("You have already signed these minutes."))
    now = utcnow()
    for role in new_roles:
        version.signatures.append(
            MinutesSignature(
                role=role,
                user_id=user.id,
                name=user.full_name,
                signed_at=now,
                content_digest=digest,
            )
        )
    db.session.flush()
    if {s.role for s in version.signatures} >= {r.value for r in SignerRole}:
        seal(meeting, version)
        try:
            pdf.keep_sealed(version)  # the file, and its SHA-256, belong to the sealing
        except (RuntimeError, OSError, subprocess.SubprocessError):
            log.exception("minutes PDF not rendered at sealing (meeting %s)", meeting.id)
            raise Unavailable() from None
    return Effect(
        changes=[{"type": "minutes", "data": {"status": status_part(meeting.id)}}],
        result={"state": version.state},
        audit={"version": version.number, "roles": new_roles},
    )


def sign(user: User, meeting_id: int) -> dict:
    """Sign through the command path; once sealed, the meeting's room closes. Returns
    `{"state": ...}` of the current version."""
    outcome = run(user, meeting_id, "minutes_sign")["result"]
    if outcome.get("state") == VersionState.SEALED:
        # The meeting's record is complete: its room closes on every process. Sockets stay
        # connected; whoever opens the meeting again rejoins and reads the sealed minutes.
        close_meeting(meeting_id)
    return outcome


def seal(meeting: Meeting, version: MinutesVersion) -> None:
    """Freeze the full content as JSON and fingerprint it; nothing changes afterwards."""
    content = unsigned_content(meeting, version) | {"signatures": _signature_part(version)}
    version.content = content
    version.fingerprint = sealing.fingerprint(content)
    version.state = VersionState.SEALED
    version.sealed_at = utcnow()
    db.session.flush()
