"""Accounts: list and search, create, edit, deactivate, reset a password (the writes are the
site commands of `admin.commands`, run through `meetings.commands.run_site`)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from admin import bp
from admin.forms import (
    ConfirmForm,
    PasswordForm,
    UserEditForm,
    UserForm,
)
from admin.helpers import REFUSED, refuse
from auth.models import User
from core.extensions import db
from core.vietnamese import nfc, vi_collation_key
from domain import labels
from meetings.commands import run_site
from org import accounts
from org.models import Membership
from org.queries import oversights


def user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _actor() -> User:
    return current_user._get_current_object()


def password_shown(user: User, password: str, what: str):
    """The one page that shows a generated password. Never flashed: flashes live in the cookie."""
    return render_template("admin/password.html", user=user, password=password, what=what)


@bp.route("/users")
def users():
    query = nfc(request.args.get("q", ""))[:100]
    return render_template("admin/users.html", users=accounts.search_users(query), query=query)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = UserForm()
    if form.validate_on_submit():
        account = {
            "username": form.username.data,
            "full_name": form.full_name.data,
            "password": form.password.data or None,
            "language": form.language.data,
            "is_admin": bool(form.is_admin.data),
        }
        try:
            result = run_site(_actor(), "create_user", account)["result"]
        except REFUSED as exc:
            refuse(form, exc)
        else:
            user, generated = db.session.get(User, result["user_id"]), result.get("password")
            if generated:
                return password_shown(user, generated, _("The account is created."))
            flash(_("The account %(username)s is created.", username=user.username), "info")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    user = user_or_404(user_id)
    form = UserEditForm(obj=user if request.method == "GET" else None)
    if form.validate_on_submit():
        edit = {
            "user_id": user.id,
            "full_name": form.full_name.data,
            "language": form.language.data,
            "is_admin": bool(form.is_admin.data),
        }
        try:
            run_site(_actor(), "update_user", edit)
        except REFUSED as exc:
            refuse(form, exc)
        else:
            flash(_("The account %(username)s is saved.", username=user.username), "info")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        password_form=PasswordForm(formdata=None),
        confirm=ConfirmForm(),
        memberships=sorted(user_memberships(user), key=lambda m: vi_collation_key(m.cell.name)),
        oversights=oversights(user),
        statuses=labels.PARTY_STATUSES,
        roles=labels.CELL_ROLES,
    )


def user_memberships(user: User) -> list[Membership]:
    return list(
        db.session.scalars(db.select(Membership).where(Membership.user_id == user.id)).all()
    )


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def set_active(user_id: int):
    user = user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        run_site(_actor(), "set_active", {"user_id": user.id, "active": active})
    except REFUSED as exc:
        refuse(None, exc)
    else:
        text = (
            _("%(name)s can log in again.", name=user.full_name)
            if active
            else _("%(name)s is deactivated and logged out everywhere.", name=user.full_name)
        )
        flash(text, "info")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def reset_password(user_id: int):
    user = user_or_404(user_id)
    form = PasswordForm()
    if not form.validate_on_submit():
        for error in form.password.errors or [_("The request is not valid.")]:
            flash(error, "error")
        return redirect(url_for("admin.user", user_id=user.id))
    reset = {"user_id": user.id, "password": form.password.data or None}
    try:
        generated = run_site(_actor(), "reset_password", reset)["result"].get("password")
    except REFUSED as exc:
        refuse(None, exc)
        return redirect(url_for("admin.user", user_id=user.id))
    if generated:
        return password_shown(user, generated, _("The password is reset."))
    flash(_("The password of %(name)s is changed.", name=user.full_name), "info")
    return redirect(url_for("admin.user", user_id=user.id))
