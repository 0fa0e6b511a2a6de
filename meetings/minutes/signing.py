"""Signing and sealing: the chair and the minute-taker sign with their passwords; the
second signature seals the version (frozen JSON + SHA-256 fingerprint) and closes the room."""

from __future__ import annotations

import logging
import subprocess

from flask_babel import lazy_gettext as _l

from auth.models import User
from core.extensions import db
from core.timeutil import utcnow
from meetings.commands import Context, Effect, Empty, command, run
from meetings.errors import Conflict, Unavailable
from meetings.minutes import pdf, sealing
from meetings.minutes.commands import SEALED_MESSAGE
from meetings.minutes.models import MinutesSignature, MinutesVersion, SignerRole, VersionState
from meetings.minutes.queries import current_version, signature_part, unsigned_content
from meetings.minutes.sections import status_part
from meetings.models import Meeting
from meetings.presence import close_meeting

log = logging.getLogger(__name__)

SIGN_WHEN = _l("The minutes are signed after they are approved and the meeting has ended.")


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
    content = unsigned_content(meeting, version) | {"signatures": signature_part(version)}
    version.content = content
    version.fingerprint = sealing.fingerprint(content)
    version.state = VersionState.SEALED
    version.sealed_at = utcnow()
    db.session.flush()
