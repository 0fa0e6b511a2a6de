"""Memberships of a cell: add, edit, remove, and the CSV import of a member list."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from admin import bp
from admin.forms import (
    ConfirmForm,
    ImportForm,
    MembershipEditForm,
    MembershipForm,
)
from admin.helpers import cell_or_404, refuse
from admin.messages import message
from core.extensions import db
from domain import labels
from meetings.commands import run_org
from org import accounts, member_import
from org.csv_import import MAX_BYTES, MAX_ROWS
from org.errors import AdminError
from org.models import Membership

SAMPLE_CSV = (
    "username,full_name,party_status,cell_role,exempted,hosted,transferred,password\n"
    "nguyenvanan,Nguyễn Văn An,chính thức,bí thư,,,,\n"
    "tranthibinh,Trần Thị Bình,official,member,no,no,no,\n"
    "levancuong,Lê Văn Cường,dự bị,đảng viên,,,,\n"
    "phamthidung,Phạm Thị Dung,chính thức,đảng viên,có,,,\n"
)


def _flags(form: MembershipForm) -> dict:
    return {
        "party_status": form.party_status.data,
        "cell_role": form.cell_role.data,
        "exempted": bool(form.exempted.data),
        "hosted": bool(form.hosted.data),
        "transferred_out": bool(form.transferred_out.data),
        "suspended": bool(form.suspended.data),
    }


def _actor():
    return current_user._get_current_object()


@bp.route("/cells/<int:cell_id>/members/new", methods=["GET", "POST"])
def add_member(cell_id: int):
    cell = cell_or_404(cell_id)
    form = MembershipForm()
    if form.validate_on_submit():
        user = accounts.find_user(form.username.data)
        if user is None:
            form.username.errors = [*form.username.errors, message("unknown_user")]
        else:
            try:
                run_org(_actor(), cell.id, "add_membership", _flags(form) | {"user_id": user.id})
            except AdminError as exc:
                refuse(form, exc)
            else:
                flash(
                    _("%(name)s is added to %(cell)s.", name=user.full_name, cell=cell.name), "info"
                )
                return redirect(url_for("admin.organization", org_id=cell.id))
    return render_template("admin/membership_form.html", form=form, cell=cell, membership=None)


@bp.route("/memberships/<int:membership_id>", methods=["GET", "POST"])
def edit_member(membership_id: int):
    membership = db.session.get(Membership, membership_id)
    if membership is None:
        abort(404)
    form = MembershipEditForm()
    if not form.is_submitted():
        form.party_status.data = membership.party_status
        form.cell_role.data = membership.cell_role
        form.exempted.data = membership.is_exempted
        form.hosted.data = membership.is_hosted
        form.transferred_out.data = membership.is_transferred_out
        form.suspended.data = membership.is_suspended
    if form.validate_on_submit():
        payload = _flags(form) | {"membership_id": membership.id}
        try:
            run_org(_actor(), membership.cell_id, "update_membership", payload)
        except AdminError as exc:
            refuse(form, exc)
        else:
            flash(_("The membership of %(name)s is saved.", name=membership.user.full_name), "info")
            return redirect(url_for("admin.organization", org_id=membership.cell_id))
    return render_template(
        "admin/membership_form.html",
        form=form,
        cell=membership.cell,
        membership=membership,
        confirm=ConfirmForm(),
    )


@bp.route("/memberships/<int:membership_id>/remove", methods=["POST"])
def remove_member(membership_id: int):
    membership = db.session.get(Membership, membership_id)
    if membership is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    cell_id, name, cell = membership.cell_id, membership.user.full_name, membership.cell.name
    run_org(_actor(), cell_id, "remove_membership", {"membership_id": membership.id})
    flash(_("%(name)s is removed from %(cell)s.", name=name, cell=cell), "info")
    return redirect(url_for("admin.organization", org_id=cell_id))


@bp.route("/cells/<int:cell_id>/import", methods=["GET", "POST"])
def import_members(cell_id: int):
    cell = cell_or_404(cell_id)
    form = ImportForm()
    context = {"form": form, "cell": cell, "max_bytes": MAX_BYTES, "max_rows": MAX_ROWS}
    if form.validate_on_submit():
        # Read one byte more than allowed, so an oversized file is refused without reading it all.
        upload = form.file.data
        try:
            data = upload.stream.read(MAX_BYTES + 1)
        finally:
            upload.close()  # large uploads are spooled to a temporary file
        try:
            result = run_org(_actor(), cell.id, "import_members", {"data": data})["result"]
        except member_import.RowsRefused as refused:
            errors = [(e.line, e.column, message(e.code, e.params)) for e in refused.errors]
            flash(
                _("Nothing was imported: %(count)s problem(s) to fix.", count=len(errors)),
                "error",
            )
            return render_template("admin/import.html", errors=errors, **context), 422
        flash(
            _(
                "%(count)s member(s) imported into %(cell)s.",
                count=result["imported"],
                cell=cell.name,
            ),
            "info",
        )
        # Rendered, not redirected: generated passwords are shown here once and stored nowhere.
        return render_template(
            "admin/import_done.html",
            cell=cell,
            imported=result["members"],
            statuses=labels.PARTY_STATUSES,
            roles=labels.CELL_ROLES,
        )
    return render_template("admin/import.html", errors=None, **context)


@bp.route("/import-sample.csv")
def import_sample():
    return Response(
        SAMPLE_CSV.encode("utf-8-sig"),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=chibo-members-sample.csv"},
    )
