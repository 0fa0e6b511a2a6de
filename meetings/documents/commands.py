"""Attaching, releasing and removing a meeting's documents: commands, so each is authorized,
logged in the meeting's audit trail, and a release reaches the live room at once."""

from __future__ import annotations

import hashlib

from flask_babel import lazy_gettext as _l
from pydantic import Field, StrictBytes, StrictInt, StrictStr

from core.extensions import db
from core.timeutil import utcnow
from core.vietnamese import nfc
from meetings.commands import Context, Effect, Payload, command
from meetings.documents import storage
from meetings.documents.models import DocumentRead, MeetingDocument
from meetings.documents.service import clean_filename, documents, released_section
from meetings.errors import Conflict, Invalid, NotFound
from meetings.models import AgendaItem

MAX_PER_MEETING = 50


class Attach(Payload):
    title: StrictStr = Field(default="", max_length=300)
    filename: StrictStr = Field(default="", max_length=1000)
    data: StrictBytes
    agenda_item_id: StrictInt | None = None


class DocumentRef(Payload):
    document_id: StrictInt


def _document(ctx: Context, document_id: int) -> MeetingDocument:
    doc = db.session.get(MeetingDocument, document_id)
    if doc is None or doc.meeting_id != ctx.meeting.id:
        raise NotFound(field="document_id")
    return doc


def _audit(doc: MeetingDocument) -> dict:
    return {"document_id": doc.id, "title": doc.title, "filename": doc.filename}


# Not on the wire: the file comes in a form post (the documents page), never over the socket.
@command("attach_document", permission="upload_documents", payload=Attach, wire=False)
def attach_document(ctx: Context, payload: Attach) -> Effect:
    """Check and store one upload; it stays unreleased until the secretary releases it."""
    data = payload.data
    if len(data) > storage.max_bytes():
        raise Invalid(
            _l("The file is larger than %(mb)s MB.", mb=storage.max_bytes() // (1024 * 1024)),
            field="file",
        )
    if not data:
        raise Invalid(_l("The file is empty."), field="file")
    kind = storage.sniff(data)
    filename = clean_filename(payload.filename)
    if kind is None or not storage.matches_extension(kind, filename):
        raise Invalid(_l("Only PDF, DOCX, PNG, JPEG or WebP files are accepted."), field="file")
    item_id = payload.agenda_item_id
    if item_id is not None:
        item = db.session.get(AgendaItem, item_id)
        if item is None or item.meeting_id != ctx.meeting.id:
            raise NotFound(field="agenda_item_id")
    if len(documents(ctx.meeting.id, include_unreleased=True)) >= MAX_PER_MEETING:
        raise Conflict()
    doc = MeetingDocument(
        meeting_id=ctx.meeting.id,
        agenda_item_id=item_id,
        title=(nfc(payload.title) or filename)[:300],
        filename=filename,
        kind=kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_name=storage.save(data),
        uploaded_by_id=ctx.actor.id,
        uploaded_at=utcnow(),
    )
    db.session.add(doc)
    db.session.flush()
    # Nothing to broadcast: members see a document once it is released.
    return Effect(result={"document_id": doc.id}, audit=_audit(doc) | {"size": doc.size})


@command("release_document", permission="release_documents", payload=DocumentRef)
def release_document(ctx: Context, payload: DocumentRef) -> Effect:
    """Make a document visible to members and delegates; the first release time is kept."""
    doc = _document(ctx, payload.document_id)
    if doc.released_at is not None:
        return Effect.nothing(result={"document_id": doc.id})
    doc.released_at = utcnow()
    db.session.flush()
    return Effect(
        changes=[{"type": "documents", "data": released_section(ctx.meeting.id)}],
        result={"document_id": doc.id},
        audit=_audit(doc),
    )


@command("remove_document", permission="upload_documents", payload=DocumentRef)
def remove_document(ctx: Context, payload: DocumentRef) -> Effect:
    """Only an unreleased document may be removed: a released one has reached members."""
    doc = _document(ctx, payload.document_id)
    if doc.released_at is not None:
        raise Conflict(_l("A released document cannot be removed."))
    audit = _audit(doc)
    storage.remove(doc.storage_name)
    db.session.delete(doc)
    return Effect(audit=audit)


# Not on the wire: the download itself is the reading (the documents page and the room's links).
@command("read_document", permission="download_documents", payload=DocumentRef, wire=False)
def read_document(ctx: Context, payload: DocumentRef) -> Effect:
    """A member's first opening of a released document: the leaders' read receipt (their
    invitations page hears of it after the commit). Later openings, and readers who are not
    members of the cell (observers), change nothing."""
    doc = _document(ctx, payload.document_id)
    if "member" not in ctx.roles or doc.released_at is None:
        return Effect.nothing({})
    if db.session.get(DocumentRead, (doc.id, ctx.actor.id)) is not None:
        return Effect.nothing({})
    db.session.add(DocumentRead(document_id=doc.id, user_id=ctx.actor.id))
    db.session.flush()
    return Effect(audit={"document_id": doc.id})
