"""Attaching, releasing and removing a meeting's documents."""

from __future__ import annotations

import hashlib
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.extensions import db
from core.timeutil import utcnow
from core.vietnamese import nfc
from meetings.documents import storage
from meetings.documents.models import MeetingDocument
from meetings.errors import Conflict, Invalid, NotFound
from meetings.models import AgendaItem, Meeting

MAX_PER_MEETING = 50


def clean_filename(name: str) -> str:
    """A display name safe for a Content-Disposition header: no path, no control characters."""
    name = nfc(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C" and c not in '"')
    return name.strip()[:200] or "document"


def attach(
    meeting: Meeting, user_id: int, title: str, filename: str, data: bytes, item_id: int | None
) -> MeetingDocument:
    """Check and store one upload; it stays unreleased until the secretary releases it."""
    if len(data) > storage.max_bytes():
        raise Invalid(
            _l("The file is larger than %(mb)s MB.", mb=storage.max_bytes() // (1024 * 1024)),
            field="file",
        )
    if not data:
        raise Invalid(_l("The file is empty."), field="file")
    kind = storage.sniff(data)
    filename = clean_filename(filename)
    if kind is None or not storage.matches_extension(kind, filename):
        raise Invalid(_l("Only PDF, DOCX, PNG, JPEG or WebP files are accepted."), field="file")
    if item_id is not None:
        item = db.session.get(AgendaItem, item_id)
        if item is None or item.meeting_id != meeting.id:
            raise NotFound(field="agenda_item_id")
    count = len(documents(meeting.id, include_unreleased=True))
    if count >= MAX_PER_MEETING:
        raise Conflict()
    title = nfc(title or "") or filename
    doc = MeetingDocument(
        meeting_id=meeting.id,
        agenda_item_id=item_id,
        title=title[:300],
        filename=filename,
        kind=kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_name=storage.save(data),
        uploaded_by_id=user_id,
        uploaded_at=utcnow(),
    )
    db.session.add(doc)
    db.session.commit()
    return doc


def documents(meeting_id: int, include_unreleased: bool) -> list[MeetingDocument]:
    query = select(MeetingDocument).where(MeetingDocument.meeting_id == meeting_id)
    if not include_unreleased:
        query = query.where(MeetingDocument.released_at.is_not(None))
    return list(db.session.scalars(query.order_by(MeetingDocument.id)).all())


def release(doc: MeetingDocument) -> None:
    """Make a document visible to members and delegates; the first release time is kept."""
    if doc.released_at is None:
        doc.released_at = utcnow()
        db.session.commit()


def remove(doc: MeetingDocument) -> None:
    """Only an unreleased document may be removed: a released one has reached members."""
    if doc.released_at is not None:
        raise Conflict(_l("A released document cannot be removed."))
    storage.remove(doc.storage_name)
    db.session.delete(doc)
    db.session.commit()
