"""Logging in (the account's own changes are in `members.account`: they run as commands)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user
from werkzeug.security import check_password_hash, generate_password_hash

from auth import login_limits
from auth.forms import LoginForm
from auth.models import User
from core.extensions import db, limiter

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    # Only local paths: never an open redirect.
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("meetings.home")


_dummy_hashes: dict[str, str] = {}


def _credentials_ok(user: User | None, password: str) -> bool:
    """Check the password; for an unknown user, check against a dummy hash of the same method,
    so the answer takes as long either way (no way to tell which usernames exist)."""
    if user is None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        if method not in _dummy_hashes:
            _dummy_hashes[method] = generate_password_hash("not-a-password", method=method)
        check_password_hash(_dummy_hashes[method], password)
        return False
    return user.check_password(password) and user.is_active


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limits.PER_ADDRESS, methods=["POST"])
@limiter.limit(
    login_limits.PER_ACCOUNT_AND_ADDRESS,
    methods=["POST"],
    key_func=login_limits.account_and_address_key,
)
@limiter.limit(login_limits.PER_ACCOUNT, methods=["POST"], key_func=login_limits.account_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("meetings.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        user = db.session.scalar(db.select(User).filter_by(username=username))
        if not _credentials_ok(user, form.password.data):
            # One message for unknown user and wrong password: no account enumeration.
            flash(_("Wrong username or password."), "error")
        else:
            login_user(user, remember=form.remember.data)
            session["lang"] = user.language
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)
