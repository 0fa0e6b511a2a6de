"""What each kind of notification says, rendered in the reader's language when shown or sent.

Texts are built from the meeting as it is now plus the facts kept in the notification's `data`
(the old time of a moved meeting, a document's title), so a notification never goes stale in a
way that misleads, and a member who switches language reads it in the new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_request_context, request
from flask_babel import lazy_gettext as _l

from core.i18n import format_when
from domain import labels

# Invitations reach even a member who muted everything else.
INVITATION_KINDS = frozenset({"invited", "moved", "place_changed", "cancelled"})

HEADLINES = {
    "invited": _l("Invitation: %(title)s"),
    "moved": _l("Meeting moved: %(title)s"),
    "place_changed": _l("New place for %(title)s"),
    "cancelled": _l("Meeting cancelled: %(title)s"),
    "remind_day": _l("Tomorrow: %(title)s"),
    "remind_soon": _l("Starting soon: %(title)s"),
    "started": _l("The meeting has started: %(title)s"),
    "document": _l("New document for %(title)s"),
}
KINDS = frozenset(HEADLINES)


@dataclass(frozen=True)
class Rendered:
    headline: str
    lines: list[tuple[str, str]]  # (label, value) pairs, plain text (escaped where shown)
    room_url: str
    video_url: str | None


def public_base() -> str:
    """The address links point at: CHIBO_PUBLIC_URL, else the request's host (emails and the
    calendar feed are read outside the browser, so links must be absolute)."""
    base = current_app.config["CHIBO_PUBLIC_URL"]
    if not base and has_request_context():
        base = request.host_url
    return (base or "http://127.0.0.1:5000").rstrip("/")


def room_url(meeting_id: int) -> str:
    return f"{public_base()}/meetings/{meeting_id}"


def render(kind: str, meeting, data: dict) -> Rendered:
    """The notification's headline and detail lines; call inside the reader's locale."""
    headline = str(HEADLINES[kind] % {"title": meeting.title})
    lines = [
        (str(_l("Kind")), str(labels.MEETING_KINDS.get(meeting.kind, meeting.kind))),
        (str(_l("Cell")), meeting.cell.name),
        (str(_l("When")), format_when(meeting.scheduled_at)),
    ]
    if kind == "moved" and data.get("previous_at"):
        previous = datetime.fromisoformat(data["previous_at"].replace("Z", "+00:00"))
        lines.append((str(_l("Previously")), format_when(previous)))
    if meeting.place:
        lines.append((str(_l("Place")), meeting.place))
    if kind == "document" and data.get("document"):
        lines.append((str(_l("Document")), data["document"]))
    if kind == "cancelled":
        lines.append((str(_l("Status")), str(_l("Cancelled"))))
    return Rendered(headline, lines, room_url(meeting.id), meeting.online_url)
