"""Operator commands on the database: `flask --app app backup | restore`.

`create-admin` is in auth.cli, `load-demo` in demo.cli: each command lives with what it writes.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import click
from flask import Flask

from core.extensions import db


def _sqlite_path() -> str:
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise click.ClickException(
            "backup/restore handle the SQLite database; for PostgreSQL use pg_dump / pg_restore "
            "(see docs/operations.md)."
        )
    return url.database


def _check_integrity(path: str) -> None:
    with sqlite3.connect(path) as conn:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise click.ClickException(f"{path} failed SQLite's integrity check: {result}")


def copy_sqlite(source: str, target: str) -> None:
    """Copy a live SQLite database with the online backup API (consistent while writers run)."""
    tmp = f"{target}.partial"
    Path(tmp).unlink(missing_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst, pages=256)
    finally:
        dst.close()
        src.close()
    _check_integrity(tmp)
    os.replace(tmp, target)  # atomic: a backup file is either whole or absent


def register_cli(app: Flask) -> None:
    @app.cli.command("backup")
    @click.argument("target", type=click.Path(dir_okay=False))
    def backup(target: str) -> None:
        """Back up the SQLite database to TARGET, safely while the app is running."""
        copy_sqlite(_sqlite_path(), target)
        click.echo(f"backed up to {target}")

    @app.cli.command("restore")
    @click.argument("source", type=click.Path(exists=True, dir_okay=False))
    @click.option("--yes", is_flag=True, help="do not ask for confirmation")
    def restore(source: str, yes: bool) -> None:
        """Replace the SQLite database with SOURCE (stop the app first)."""
        _check_integrity(source)
        live = _sqlite_path()
        if not yes:
            click.confirm(f"Replace {live} with {source}?", abort=True)
        db.engine.dispose()
        # The backup API writes the whole database under SQLite's locks: never half a file.
        src = sqlite3.connect(source)
        dst = sqlite3.connect(live)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        click.echo(f"restored {live} from {source}")
