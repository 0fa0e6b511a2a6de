"""What every response gets: security headers, and errors that say what went wrong."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _wants_json() -> bool:
    return request.is_json or request.path.endswith("/state") or "/commands/" in request.path


def install_web_defaults(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    def error_page(status: int, code: str, message: str):
        if _wants_json():
            return jsonify({"ok": False, "error": {"code": code, "message": message}}), status
        return render_template("error.html", status=status, message=message), status

    @app.errorhandler(CSRFError)
    def csrf_error(_exc):
        return error_page(400, "csrf", _("The form expired. Please reload the page and try again."))

    @app.errorhandler(400)
    def bad_request(_exc):
        return error_page(400, "invalid", _("The request is not valid."))

    @app.errorhandler(403)
    def forbidden(_exc):
        return error_page(403, "forbidden", _("You are not allowed to see this page."))

    @app.errorhandler(404)
    def not_found(_exc):
        return error_page(404, "not_found", _("This page does not exist."))

    @app.errorhandler(405)
    def not_allowed(_exc):
        return error_page(405, "method_not_allowed", _("This action is not allowed here."))

    @app.errorhandler(413)
    def too_large(_exc):
        return error_page(413, "too_large", _("The upload is too large."))

    @app.errorhandler(429)
    def too_many(_exc):
        return error_page(
            429, "rate_limited", _("Too many attempts. Please wait a minute and try again.")
        )

    @app.errorhandler(500)
    def server_error(_exc):
        return error_page(500, "internal", _("Something went wrong on the server."))
