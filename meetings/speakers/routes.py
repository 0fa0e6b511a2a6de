"""The server's clock over HTTP, so pages can count a speech down in the server's time."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import login_required

from core.timeutil import utcnow

bp = Blueprint("speakers", __name__)


@bp.route("/clock")
@login_required
def clock():
    """The server's time in milliseconds since the epoch (never cached)."""
    response = jsonify({"now": int(utcnow().timestamp() * 1000)})
    response.headers["Cache-Control"] = "no-store"
    return response
