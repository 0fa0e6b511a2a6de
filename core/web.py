"""What every response gets: security headers, and errors that say what went wrong."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from redis import RedisError
from werkzeug.routing import IntegerConverter

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
ID_MAX = 2**63 - 1  # the largest id a database column holds


class IdConverter(IntegerConverter):
    """`<int:...>` in every URL: an id no database can hold is simply not found (404), instead
    of an overflow deep in the driver (500)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", ID_MAX)
        super().__init__(url_map, *args, **kwargs)


class BoundedJSON(DefaultJSONProvider):
    """A JSON body nested deeper than the parser's recursion limit is invalid input (400)."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def large_body(limit):
    """Mark a view whose request body may exceed MAX_CONTENT_LENGTH: `limit()` gives its own.

    Applied before any other hook reads the body (CSRF reads the form first), so the view's
    limit is the one that counts."""

    def mark(view):
        view.max_body = limit
        return view

    return mark


def _with_security_headers(wsgi_app):
    """Socket.IO's polling answers come from Engine.IO's WSGI middleware, outside Flask's
    after_request: add the same headers there."""

    def app(environ, start_response):
        if not environ.get("PATH_INFO", "").startswith("/socket.io"):
            return wsgi_app(environ, start_response)

        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _value in headers}
            headers = list(headers) + [
                (name, value) for name, value in HEADERS.items() if name.lower() not in present
            ]
            return start_response(status, headers, exc_info)

        return wsgi_app(environ, start)

    return app


def _wants_json() -> bool:
    return request.is_json or request.path.endswith("/state") or "/commands/" in request.path


def install_input_bounds(app: Flask) -> None:
    """Before the routes are registered: ids bounded in URLs, JSON depth bounded."""
    app.url_map.converters["int"] = IdConverter
    app.json = BoundedJSON(app)


def install_web_defaults(app: Flask) -> None:
    app.wsgi_app = _with_security_headers(app.wsgi_app)

    def body_limit():
        view = app.view_functions.get(request.endpoint)
        limit = getattr(view, "max_body", None)
        if limit is not None:
            request.max_content_length = limit()

    # First of all hooks: CSRFProtect's own hook reads the form.
    app.before_request_funcs.setdefault(None, []).insert(0, body_limit)

    @app.after_request
    def security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
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

    @app.errorhandler(RedisError)
    def service_down(_exc):
        """Redis (message queue, presence) unreachable: a passing fault, said plainly, retried."""
        log.warning("%s %s: Redis unreachable; answered 503", request.method, request.path)
        message = _("The service is briefly unavailable. This page will try again in a moment.")
        if _wants_json():
            body = {"code": "unavailable", "message": message, "details": {"retry_after": 5}}
            response = jsonify({"ok": False, "error": body})
        else:
            response = render_template("error.html", status=503, message=message, retry=5)
        return response, 503, {"Retry-After": "5"}

    @app.errorhandler(500)
    def server_error(_exc):
        return error_page(500, "internal", _("Something went wrong on the server."))
