"""Throw-away PostgreSQL databases for tests, in the `test` cluster at 127.0.0.1:5432 (trust auth).

`create_database()` returns a SQLAlchemy URL of a new, empty, uniquely named database;
`drop_database(url)` removes it (closing whatever still holds it open). Databases a test forgot
are dropped when the test process exits.
"""

from __future__ import annotations

import atexit
import itertools
import os
import secrets
from collections.abc import Callable

from sqlalchemy.engine import make_url

# Where to create databases (the maintenance connection), overridable for other machines.
ADMIN_URL = os.environ.get("CHIBO_TEST_POSTGRES", "postgresql://root@127.0.0.1:5432/test")
PREFIX = "chibo_t_"

_counter = itertools.count(1)
_created: set[str] = set()


def _admin():
    import psycopg

    return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)


def reachable() -> bool:
    """True when the cluster answers and lets us create databases."""
    try:
        with _admin() as conn:
            row = conn.execute(
                "SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user"
            ).fetchone()
            return bool(row and row[0])
    except Exception:
        return False


def create_database(template: str | None = None) -> str:
    """A new database, empty or a copy of `template`; returns its SQLAlchemy URL (psycopg 3)."""
    name = f"{PREFIX}{os.getpid()}_{next(_counter)}_{secrets.token_hex(3)}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
    _created.add(name)
    url = make_url(ADMIN_URL).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


_templates: dict[str, str] = {}


def copy_of(key: str, build: Callable[[str], None]) -> str:
    """A new database copied from one that `build(url)` filled once per test process.

    Building the schema and the demo organisation takes about a second on PostgreSQL; copying
    a database takes a few milliseconds. `build` must close its connections (the copy needs
    the template to have none)."""
    if key not in _templates:
        url = create_database()
        build(url)
        _templates[key] = make_url(url).database
    return create_database(template=_templates[key])


def drop_database(url: str) -> None:
    """Drop a database made by create_database (FORCE: pooled connections may still be open)."""
    name = make_url(url).database
    if not name or not name.startswith(PREFIX):
        raise ValueError(f"not a test database: {url}")
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _created.discard(name)


def is_test_database(url: str) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "postgresql" and (parsed.database or "").startswith(PREFIX)


@atexit.register
def _drop_leftovers() -> None:
    if not _created:
        return
    try:
        with _admin() as conn:
            for name in list(_created):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except Exception as exc:  # the cluster went away: nothing more we can clean
        print(f"could not drop test databases {sorted(_created)}: {exc}")
