"""The documents page of a meeting: upload, release, download."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from core.extensions import db
from core.web import large_body
from meetings.commands import run
from meetings.documents import service, storage
from meetings.documents.models import MeetingDocument
from meetings.errors import CommandError
from meetings.models import Meeting
from meetings.permissions import can, meeting_roles

bp = Blueprint("documents", __name__)


class UploadForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=300)])
    agenda_item_id = SelectField(_l("Agenda item"), coerce=int, validators=[Optional()])
    file = FileField(_l("File (PDF, DOCX, PNG, JPEG; up to 10 MB)"), validators=[FileRequired()])


class ActionForm(FlaskForm):
    pass


def _meeting(meeting_id: int, action: str) -> Meeting:
    meeting = db.get_or_404(Meeting, meeting_id)
    if not can(current_user, action, meeting):
        abort(403)
    return meeting


def _document(meeting: Meeting, document_id: int) -> MeetingDocument:
    doc = db.session.get(MeetingDocument, document_id)
    if doc is None or doc.meeting_id != meeting.id:
        abort(404)
    return doc


@bp.route("/meetings/<int:meeting_id>/documents", methods=["GET", "POST"])
@login_required
# The body may be a little larger than the file itself (form fields, boundaries).
@large_body(lambda: storage.max_bytes() + 256 * 1024)
def documents_page(meeting_id: int):
    meeting = _meeting(meeting_id, "download_documents")
    manage = can(current_user, "upload_documents", meeting)
    form = UploadForm()
    form.agenda_item_id.choices = [(0, _("The whole meeting"))] + [
        (item.id, f"{item.position + 1}. {item.title}") for item in meeting.agenda
    ]
    if request.method == "POST":
        if not manage:
            abort(403)
        if form.validate_on_submit():
            upload = form.file.data
            payload = {
                "title": form.title.data or "",
                "filename": upload.filename or "",
                "data": upload.read(storage.max_bytes() + 1),
                "agenda_item_id": form.agenda_item_id.data or None,
            }
            try:
                run(current_user._get_current_object(), meeting.id, "attach_document", payload)
            except CommandError as exc:
                flash(str(exc.message), "error")
                return render_template(_TEMPLATE, **_context(meeting, manage, form)), 400
            flash(_("The document is attached. Release it when members may read it."), "info")
            return redirect(url_for("documents.documents_page", meeting_id=meeting.id))
        return render_template(_TEMPLATE, **_context(meeting, manage, form)), 400
    return render_template(_TEMPLATE, **_context(meeting, manage, form))


_TEMPLATE = "meetings/documents.html"


@bp.app_template_global("meeting_documents")
def meeting_documents(meeting: Meeting) -> dict:
    """For the room's documents panel: what this user may see, and whether they manage them."""
    manage = can(current_user, "upload_documents", meeting)
    return {
        "docs": service.documents(meeting.id, include_unreleased=manage),
        "manage": manage,
    }


def _context(meeting: Meeting, manage: bool, form: UploadForm) -> dict:
    items = {item.id: item for item in meeting.agenda}
    return {
        "meeting": meeting,
        "manage": manage,
        "can_release": can(current_user, "release_documents", meeting),
        "form": form,
        "action_form": ActionForm(),
        "docs": service.documents(meeting.id, include_unreleased=manage),
        "items": items,
        "timedelta_24h": timedelta(hours=24),
    }


def _document_button(meeting_id: int, document_id: int, action: str, name: str, done: str | None):
    """A button of the documents page: the command `name` on one document, then the page again."""
    meeting = _meeting(meeting_id, action)
    if not ActionForm().validate_on_submit():
        abort(400)
    doc = _document(meeting, document_id)
    actor = current_user._get_current_object()
    try:
        run(actor, meeting.id, name, {"document_id": doc.id})
    except CommandError as exc:
        flash(str(exc.message), "error")
    else:
        if done:
            flash(done, "info")
    return redirect(url_for("documents.documents_page", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/documents/<int:document_id>/release", methods=["POST"])
@login_required
def release(meeting_id: int, document_id: int):
    done = _("The document is released to members.")
    return _document_button(meeting_id, document_id, "release_documents", "release_document", done)


@bp.route("/meetings/<int:meeting_id>/documents/<int:document_id>/delete", methods=["POST"])
@login_required
def delete(meeting_id: int, document_id: int):
    return _document_button(meeting_id, document_id, "upload_documents", "remove_document", None)


@bp.route("/meetings/<int:meeting_id>/documents/<int:document_id>")
@login_required
def download(meeting_id: int, document_id: int):
    meeting = _meeting(meeting_id, "download_documents")
    doc = _document(meeting, document_id)
    if doc.released_at is None and not can(current_user, "upload_documents", meeting):
        abort(404)  # not yet released: members do not learn it exists
    if service.unread(doc, current_user.id) and "member" in meeting_roles(current_user, meeting):
        # The secretary's read receipts; a reading after the first locks nothing.
        run(
            current_user._get_current_object(), meeting.id, "read_document", {"document_id": doc.id}
        )
    response = send_file(
        storage.path_of(doc.storage_name),
        mimetype=storage.mimetype(doc.kind),
        as_attachment=True,
        download_name=doc.filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
