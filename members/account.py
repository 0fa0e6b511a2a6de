"""The person's own account: logging out, the interface language, a new password. The pages
are here, above the meeting room, so that each change runs as a command (`members.commands`);
logging in stays in `auth.routes` (it changes nothing in the database)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from auth.forms import ActionForm, PasswordForm
from auth.routes import safe_next
from core.config import LANGUAGES
from core.extensions import limiter
from meetings.commands import run_site
from meetings.errors import CommandError

bp = Blueprint("account", __name__)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if not ActionForm().validate_on_submit():
        abort(400)
    run_site(current_user._get_current_object(), "log_out")  # closes the user's sockets
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language/<code>", methods=["POST"])
def set_language(code: str):
    """Anyone may switch the language of their pages; a logged-in user keeps it (the emails and
    the next login speak it too)."""
    if code not in LANGUAGES or not ActionForm().validate_on_submit():
        abort(400)
    session["lang"] = code
    if current_user.is_authenticated:
        run_site(current_user._get_current_object(), "set_language", {"language": code})
    return redirect(safe_next(request.form.get("next")))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"], key_func=lambda: f"pw:{current_user.id}")
def change_password():
    """A new password ends every other session and socket of the user."""
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        payload = {"current": form.current.data, "new": form.new.data}
        try:
            run_site(user, "change_password", payload)
        except CommandError as exc:
            flash(str(exc.message), "error")
        else:
            login_user(user)  # this session carries the new token; the others are dead
            flash(_("Your password is changed. Other sessions have been logged out."), "info")
            return redirect(url_for("meetings.home"))
    return render_template("auth/password.html", form=form)
