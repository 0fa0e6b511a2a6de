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


# Settings read where they are used, with their defaults there; set only when given.
OPTIONAL = {
    "CHIBO_PUBLIC_URL": str,  # the address printed on PDFs for verification
    "CHIBO_MINUTES_MARGINS_MM": str,  # "25 25 35 15": top bottom left right
    "CHIBO_PDF_WORKERS": int,  # PDF renders at once (2)
    "CHIBO_MAX_DOCUMENT_BYTES": int,  # largest meeting document (10 MB)
    "CHIBO_LATE_AFTER_MINUTES": int,  # a self check-in this long after the start is "late" (15)
}


def _optional_settings() -> dict:
    return {name: kind(os.environ[name]) for name, kind in OPTIONAL.items() if os.environ.get(name)}


DEFAULTS: dict = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "BABEL_DEFAULT_LOCALE": "vi",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
    "LANGUAGES": ("vi", "en"),
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
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": False,
    # Redis down: count login limits in this process's memory meanwhile (Flask-Limiter logs
    # "falling back to in-memory storage", then "storage recovered"), so logging in still works.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    # Jobs run as they are queued in tests; `python app.py` reads the environment (above).
    "CHIBO_JOBS": "immediate",
    "CHIBO_JOBS_REDIS": None,
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
}
