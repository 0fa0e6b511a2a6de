"""A meeting's documents: names made safe, the queries, and the room's "documents" section.

Attaching, releasing and removing are commands (`meetings.documents.commands`)."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select

from core.extensions import db
from core.timeutil import iso
from core.vietnamese import nfc
from meetings.documents.models import DocumentRead, MeetingDocument
from meetings.models import Meeting
from meetings.snapshot import section


def clean_filename(name: str) -> str:
    """A display name safe for a Content-Disposition header: no path, no control characters."""
    name = nfc(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C" and c not in '"')
    return name.strip()[:200] or "document"


def documents(meeting_id: int, include_unreleased: bool) -> list[MeetingDocument]:
    query = select(MeetingDocument).where(MeetingDocument.meeting_id == meeting_id)
    if not include_unreleased:
        query = query.where(MeetingDocument.released_at.is_not(None))
    return list(db.session.scalars(query.order_by(MeetingDocument.id)).all())


def released_section(meeting_id: int) -> list[dict]:
    """The released documents, the same for everyone in the room (unreleased ones are only on the
    documents page, for those who manage them)."""
    return [
        {
            "id": doc.id,
            "title": doc.title,
            "kind": doc.kind,
            "agenda_item_id": doc.agenda_item_id,
            "released_at": iso(doc.released_at),
        }
        for doc in documents(meeting_id, include_unreleased=False)
    ]


@section("documents")
def documents_section(meeting: Meeting, viewer, roles) -> list[dict]:
    """`documents`: replaced whole by each change of type "documents"."""
    return released_section(meeting.id)


def unread(doc: MeetingDocument, user_id: int) -> bool:
    """A released document this user has not opened yet (the `read_document` command records
    the first opening)."""
    return doc.released_at is not None and db.session.get(DocumentRead, (doc.id, user_id)) is None
