"""The documented backup command copies the SQLite database safely while it is being written."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from tests.factories import command, upcoming_meeting_id


def test_backup_while_commands_run_then_restore(app, sio, tmp_path):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip(
            "the backup command is for SQLite; PostgreSQL uses pg_dump (docs/operations.md)"
        )
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    chair = sio("bithu")
    chair.emit("join", {"meeting_id": meeting_id}, callback=True)
    stop = threading.Event()

    def keep_writing():
        n = 0
        while not stop.is_set() and n < 200:
            command(chair, meeting_id, "agenda_add", {"title": f"Mục {n}", "planned_minutes": 1})
            n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    runner = app.test_cli_runner()
    target = tmp_path / "backup.db"
    try:
        result = runner.invoke(args=["backup", str(target)])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        users = conn.execute("SELECT count(*) FROM users").fetchone()[0]
    assert users > 20

    # Damage the live database's data, then restore the backup.
    with app.app_context():
        from core.extensions import db

        db.session.execute(db.text("DELETE FROM attendances"))
        db.session.execute(db.text("UPDATE users SET full_name = 'x'"))
        db.session.commit()
    restored = runner.invoke(args=["restore", str(target), "--yes"])
    assert restored.exit_code == 0, restored.output
    with app.app_context():
        from core.extensions import db

        names = db.session.execute(db.text("SELECT full_name FROM users")).scalars().all()
    assert "Nguyễn Văn Hùng" in names
