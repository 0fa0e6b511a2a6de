"""The migration to sealed ballots (5e1a7c0d9b21) on a database holding plain-text ballots:
a closed secret vote keeps its result and publishes its receipts on the vote, an open one is void
(its choices are already on disk in clear, and no key exists to seal them), and no plain ballot
remains in the live table."""

from __future__ import annotations

import json
import sqlite3

from flask_migrate import upgrade

from app import create_app
from core.config import ROOT
from core.extensions import db

MIGRATIONS = str(ROOT / "migrations")
VOTE = (
    "INSERT INTO votes (id, meeting_id, kind, method, subject, options, max_choices, rule, "
    "eligible, base, auto_close, status, opened_at, opened_by_id, result) "
    "VALUES (?, 1, 'admission', 'secret', 'X', '[]', 1, '{}', '[]', 3, 0, ?, "
    "'2026-11-30 10:00:00', 1, ?)"
)


def test_plain_ballots_are_published_or_voided_and_dropped(tmp_path):
    path = tmp_path / "old.db"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="5d1c0a9e7b21")
        db.engine.dispose()
    receipts = {1: ["b" * 64, "a" * 64], 2: ["c" * 64]}
    with sqlite3.connect(path) as conn:  # no foreign keys: the rows stand alone
        result = json.dumps({"counts": {"agree": 2}})
        conn.execute(VOTE, (1, "closed", result))
        conn.execute(VOTE, (2, "open", None))
        for vote_id, hashes in receipts.items():
            for n, receipt in enumerate(hashes):
                conn.execute(
                    "INSERT INTO ballots (id, vote_id, choices, receipt_hash) VALUES (?, ?, ?, ?)",
                    (f"{vote_id}-{n}", vote_id, '["agree"]', receipt),
                )
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT id, status, receipts, result FROM votes ORDER BY id").fetchall()
        columns = [row[1] for row in conn.execute("PRAGMA table_info(ballots)")]
        left = conn.execute("SELECT count(*) FROM ballots").fetchone()[0]
    closed, void = rows
    assert closed[1] == "closed" and json.loads(closed[2]) == sorted(receipts[1])
    assert json.loads(closed[3]) == {"counts": {"agree": 2}}
    assert void[1] == "void" and void[2] is None
    assert columns == ["id", "vote_id", "sealed"] and left == 0
