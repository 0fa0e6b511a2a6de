"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from app import create_app
from core.config import ROOT
from core.extensions import db
from tests.scale import pg


def _diff_after_upgrade(url: str, tmp_path) -> list:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    return diff


def test_sqlite_migrations_match_the_models(tmp_path):
    assert _diff_after_upgrade(f"sqlite:///{tmp_path / 'm.db'}", tmp_path) == []


def test_postgresql_migrations_match_the_models(tmp_path):
    if not pg.reachable():
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    url = pg.create_database()
    try:
        assert _diff_after_upgrade(url, tmp_path) == []
    finally:
        pg.drop_database(url)
