"""Engine settings that make SQLite and PostgreSQL behave alike, and psycopg green under eventlet.

`configure(app)` is called by the app factory; `use_green_psycopg_wait()` by the entry point after
eventlet has patched the standard library (tools that import the app never patch anything).
"""

from __future__ import annotations

import logging
import os
import sys

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

# How long a SQLite writer waits for another writer before failing with "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 10_000

_installed = False


def configure(app: Flask) -> None:
    """Install the connection hooks (once per interpreter; they check each engine's dialect)."""
    global _installed
    if not _installed:
        event.listen(Engine, "connect", _on_connect)
        _installed = True


def _on_connect(dbapi_connection, _record) -> None:
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        _sqlite_pragmas(dbapi_connection)


def _sqlite_pragmas(dbapi_connection) -> None:
    """WAL lets readers go on while a command writes; foreign keys are enforced as PostgreSQL does,
    so a test on SQLite catches what production would refuse; busy_timeout queues writers."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")  # ignored (stays "memory") for :memory:
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; fsync only at checkpoints
    finally:
        cursor.close()


def eventlet_is_patched() -> bool:
    """True when eventlet has patched `select` (psycopg's default wait would block it)."""
    patcher = sys.modules.get("eventlet.patcher")
    return bool(patcher and patcher.is_monkey_patched("select"))


def use_green_psycopg_wait() -> None:
    """Make psycopg wait for the server in a way eventlet can switch away from.

    psycopg 3 waits for query results with a C function (`wait_c`) that blocks the OS thread, so
    one slow query stalls every meeting on an eventlet process (five `pg_sleep(1)` take 5 s).
    `wait_selector` goes through `selectors`, which eventlet patches: the five take 1 s.
    psycopg also honours `PSYCOPG_WAIT_FUNC=wait_selector` when it is set before psycopg is first
    imported (app.py sets it); this sets the module attribute too, which psycopg reads on each
    query, so the choice holds whatever was imported first. gevent is detected by psycopg itself.
    """
    if not eventlet_is_patched():
        return
    os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_selector")
    try:
        from psycopg import waiting
    except ImportError:  # SQLite-only installs
        return
    waiting.wait = waiting.wait_selector
    log.debug("psycopg: wait_selector (eventlet)")
