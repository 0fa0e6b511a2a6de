"""Configuration read from the environment, with safe defaults for one machine.

`DEFAULTS` updated by `from_environment()` is what `python app.py` uses; tests pass a dict of
overrides to `create_app` instead.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("CHIBO_INSTANCE_PATH", ROOT / "instance"))

ASYNC_MODES = ("eventlet", "gevent", "threading")

# The interface's languages, each named in itself; the first is the default (Vietnamese first).
LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT_LANGUAGE = next(iter(LANGUAGES))
# Times are stored in UTC and shown in the cells' time zone (core.timeutil.VIETNAM).
TIME_ZONE = "Asia/Ho_Chi_Minh"
# Passwords set by an administrator, a CSV import, the CLI or the user themself.
MIN_PASSWORD_LENGTH = 10


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else one generated once into instance/ (never committed)."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _shared_limit_storage(message_queue: str | None) -> str:
    if message_queue and message_queue.startswith(("redis://", "rediss://")):
        return message_queue
    return "memory://"


def from_environment() -> dict:
    """The settings a real run uses."""
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE / 'chibo.db'}"
    async_mode = os.environ.get("CHIBO_ASYNC_MODE", "eventlet")
    if async_mode not in ASYNC_MODES:
        raise ValueError(f"CHIBO_ASYNC_MODE must be one of {ASYNC_MODES}, not {async_mode!r}")
    return (
        {
            "SECRET_KEY": _secret_key(INSTANCE),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SOCKETIO_MESSAGE_QUEUE": os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None,
            "CHIBO_ASYNC_MODE": async_mode,
            "CHIBO_LOAD_DEMO": _flag("CHIBO_LOAD_DEMO", True),
            "CHIBO_AUTO_MIGRATE": _flag("CHIBO_AUTO_MIGRATE", True),
            "SESSION_COOKIE_SECURE": _flag("CHIBO_SECURE_COOKIES", False),
            "REMEMBER_COOKIE_SECURE": _flag("CHIBO_SECURE_COOKIES", False),
            # Several processes share Redis already: login limits must count across all of them.
            "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI")
            or _shared_limit_storage(os.environ.get("SOCKETIO_MESSAGE_QUEUE")),
            # Name shared by the processes of one deployment: their Socket.IO channel, control
            # channel and presence keys in Redis. Two deployments on one Redis need two names.
            "CHIBO_CLUSTER": os.environ.get("CHIBO_CLUSTER") or "chibo",
            # Limits counted in a shared Redis belong to this deployment only.
            "RATELIMIT_KEY_PREFIX": os.environ.get("CHIBO_CLUSTER") or "chibo",
            "CHIBO_BEHIND_PROXY": _flag("CHIBO_BEHIND_PROXY", False),
            # Websocket per-message compression (permessage-deflate): off by default, see
            # docs/performance.md (it costs server CPU and memory per message and per connection).
            "CHIBO_WS_COMPRESSION": _flag("CHIBO_WS_COMPRESSION", False),
            # Who came and went is sent to the room at most once per tick (core/broadcast.py).
            "CHIBO_PRESENCE_TICK": float(os.environ.get("CHIBO_PRESENCE_TICK") or 0.25),
            "CHIBO_STRICT_WRITES": _flag("CHIBO_STRICT_WRITES", False),
        }
        | _jobs_settings()
        | _smtp_settings()
        | _optional_settings()
    )


def _jobs_settings() -> dict:
    """Jobs (email, reminders): huey on SQLite consumed inside `python app.py`, or on Redis with
    a worker process of its own once several processes share a message queue."""
    queue = os.environ.get("SOCKETIO_MESSAGE_QUEUE") or ""
    default = "redis" if queue.startswith(("redis://", "rediss://")) else "sqlite"
    mode = os.environ.get("CHIBO_JOBS") or default
    return {
        "CHIBO_JOBS": mode,
        "CHIBO_JOBS_REDIS": os.environ.get("CHIBO_JOBS_REDIS") or None,
        "CHIBO_JOBS_IN_PROCESS": _flag("CHIBO_JOBS_IN_PROCESS", mode == "sqlite"),
    }


def _smtp_settings() -> dict:
    """Email is off unless CHIBO_SMTP_HOST is set (the admin page says which)."""
    return {
        "CHIBO_SMTP_HOST": os.environ.get("CHIBO_SMTP_HOST") or None,
        "CHIBO_SMTP_PORT": int(os.environ.get("CHIBO_SMTP_PORT") or 587),
        "CHIBO_SMTP_SECURITY": os.environ.get("CHIBO_SMTP_SECURITY") or "starttls",
        "CHIBO_SMTP_USER": os.environ.get("CHIBO_SMTP_USER") or None,
        "CHIBO_SMTP_PASSWORD": os.environ.get("CHIBO_SMTP_PASSWORD") or None,
        "CHIBO_SMTP_SENDER": os.environ.get("CHIBO_SMTP_SENDER") or None,
    }


# Settings that a deployment may give in the environment (their defaults are in DEFAULTS).
OPTIONAL = {
    "CHIBO_PUBLIC_URL": str,  # the address printed on PDFs for verification
    "CHIBO_MINUTES_MARGINS_MM": str,  # "25 25 35 15": top bottom left right
    "CHIBO_PDF_WORKERS": int,
    "CHIBO_MAX_DOCUMENT_BYTES": int,
    "CHIBO_LATE_AFTER_MINUTES": int,
    "CHIBO_EARLY_START_MINUTES": int,
    "CHIBO_REVIEW_BANDS": str,
    "CHIBO_REVIEW_TOP_CAP_PERCENT": int,
    "CHIBO_FLOOD_COOL_DOWN": float,
}


def _optional_settings() -> dict:
    return {name: kind(os.environ[name]) for name, kind in OPTIONAL.items() if os.environ.get(name)}


DEFAULTS: dict = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "BABEL_DEFAULT_LOCALE": DEFAULT_LANGUAGE,
    "BABEL_DEFAULT_TIMEZONE": TIME_ZONE,
    "LANGUAGES": tuple(LANGUAGES),
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # Flask-Login's default is a year; a stolen phone's cookie should not last that long.
    "REMEMBER_COOKIE_DURATION": timedelta(days=30),
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
    "CHIBO_ASYNC_MODE": "threading",
    "CHIBO_LOAD_DEMO": False,
    "CHIBO_AUTO_MIGRATE": False,
    "SOCKETIO_MESSAGE_QUEUE": None,
    "CHIBO_CLUSTER": "chibo",
    "CHIBO_BEHIND_PROXY": False,
    "CHIBO_WS_COMPRESSION": False,
    # Tests hear each arrival at once; `python app.py` batches them (from_environment, above).
    "CHIBO_PRESENCE_TICK": 0.0,
    # A request that commits outside the command path: refused (True, the tests) or logged.
    "CHIBO_STRICT_WRITES": False,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": False,
    # Redis down: count login limits in this process's memory meanwhile (Flask-Limiter logs
    # "falling back to in-memory storage", then "storage recovered"), so logging in still works.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    # Jobs run as they are queued in tests; `python app.py` reads the environment (above).
    "CHIBO_JOBS": "immediate",
    "CHIBO_JOBS_REDIS": None,
    "CHIBO_JOBS_SQLITE": None,  # None: <instance>/jobs.db
    "CHIBO_JOBS_IN_PROCESS": False,
    "CHIBO_SMTP_HOST": None,
    "CHIBO_SMTP_PORT": 587,
    "CHIBO_SMTP_SECURITY": "starttls",  # starttls | ssl | none
    "CHIBO_SMTP_USER": None,
    "CHIBO_SMTP_PASSWORD": None,
    "CHIBO_SMTP_SENDER": None,
    # Socket.IO events (meetings/event_limits.py) and HTTP commands: far above a person's pace.
    "CHIBO_EVENT_LIMIT_SOCKET": "20/second;300/minute",
    "CHIBO_EVENT_LIMIT_USER": "30/second;600/minute",
    # /verify: uploads read at once by worker processes (meetings/minutes/verification.py).
    "CHIBO_VERIFY_WORKERS": 1,
    # Seconds a user whose connection the message gate closed for flooding waits to connect again.
    "CHIBO_FLOOD_COOL_DOWN": 10.0,
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_KEY_PREFIX": "",  # Flask-Limiter's default; our event limits then use CHIBO_CLUSTER
    "SOCKETIO_CORS_ORIGINS": None,  # None: same origin only (Flask-SocketIO's default); never '*'
    "PASSWORD_HASH_METHOD": "scrypt",  # werkzeug's memory-hard default; tests pick a cheap one
    "CHIBO_PUBLIC_URL": None,  # printed on PDFs for verification; None: the request's host
    "CHIBO_MINUTES_MARGINS_MM": (25, 25, 35, 15),  # top, bottom, left, right (Party format)
    "CHIBO_PDF_WORKERS": 2,  # PDF renders at once
    "CHIBO_MAX_DOCUMENT_BYTES": 10 * 1024 * 1024,  # largest meeting document
    "CHIBO_LATE_AFTER_MINUTES": 15,  # a self check-in this long after the start is "late"
    # Starting more than this long before the planned time asks the chair to confirm.
    "CHIBO_EARLY_START_MINUTES": 30,
    "CHIBO_REVIEW_BANDS": "90,70,50",  # year-end review: lowest score of excellent, good, complete
    "CHIBO_REVIEW_TOP_CAP_PERCENT": 20,  # excellent ≤ this % of those graded good or better
    "CHIBO_MINUTES_DIR": None,  # None: <instance>/minutes (rendered sealed PDFs)
    "CHIBO_DOCUMENTS_DIR": None,  # None: <instance>/documents (meeting documents)
}
"""Every setting the code reads, with its default: the code reads ``config[key]``, never
``config.get(key, default)`` (flaskr's single source of defaults)."""
