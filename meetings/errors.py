"""Structured errors: every refusal has a stable code and a translated message."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class CommandError(Exception):
    """A refused command. Nothing was changed when this is raised."""

    code = "invalid"
    http_status = 400
    default_message = _l("The request is not valid.")

    def __init__(self, message=None, **details):
        super().__init__(str(message or self.default_message))
        self.message = message or self.default_message
        self.details = details

    def as_dict(self) -> dict:
        error = {"code": self.code, "message": str(self.message)}
        if self.details:
            error["details"] = self.details
        return {"ok": False, "error": error}


class Invalid(CommandError):
    code = "invalid"
    http_status = 400


class Unauthenticated(CommandError):
    code = "unauthenticated"
    http_status = 401
    default_message = _l("Please log in.")


class Forbidden(CommandError):
    code = "forbidden"
    http_status = 403
    default_message = _l("You are not allowed to do this.")


class NotFound(CommandError):
    code = "not_found"
    http_status = 404
    default_message = _l("Not found.")


class Conflict(CommandError):
    code = "conflict"
    http_status = 409
    default_message = _l("This cannot be done in the meeting's current state.")


class Unavailable(CommandError):
    """A transient fault (e.g. the database): the client may retry with the same command id."""

    code = "unavailable"
    http_status = 503
    default_message = _l("The server could not complete this; please try again.")


class RateLimited(CommandError):
    """Too many events or commands: the client may retry after `retry_after` seconds."""

    code = "rate_limited"
    http_status = 429
    default_message = _l("Too many requests at once. Please wait a moment and try again.")


class TooLarge(CommandError):
    """A Socket.IO message over the size limit (meetings/event_limits.py)."""

    code = "too_large"
    http_status = 413
    default_message = _l("This is too large to send. Shorten it and try again.")


RETRY_AFTER_SECONDS = 3  # what a client is told to wait when a shared service is down


def service_down() -> Unavailable:
    """Redis (or another shared service) is unreachable: try again in a few seconds."""
    return Unavailable(retry_after=RETRY_AFTER_SECONDS)
