from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from auth.forms import ActionForm, LoginForm
from auth.models import LANGUAGES, User
from auth.sessions import disconnect_sockets
from core.extensions import db, limiter

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    # Only local paths: never an open redirect.
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("meetings.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("meetings.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        user = db.session.scalar(db.select(User).filter_by(username=username))
        if user is None or not user.is_active or not user.check_password(form.password.data):
            # One message for unknown user and wrong password: no account enumeration.
            flash(_("Wrong username or password."), "error")
        else:
            login_user(user, remember=form.remember.data)
            session["lang"] = user.language
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if not ActionForm().validate_on_submit():
        abort(400)
    user_id = current_user.id
    logout_user()
    disconnect_sockets(user_id)
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language/<code>", methods=["POST"])
def set_language(code: str):
    if code not in LANGUAGES or not ActionForm().validate_on_submit():
        abort(400)
    session["lang"] = code
    if current_user.is_authenticated:
        current_user.language = code
        db.session.commit()
    return redirect(_safe_next(request.form.get("next")))
