"""No side doors around the command path: a request that commits a change outside a command is
refused (`meetings.write_guard`, strict in every test), and no module outside the allowed few
commits at all."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from auth.models import User
from core.extensions import db
from meetings.commands import run_site
from meetings.write_guard import WriteOutsideCommand

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("admin", "auth", "core", "domain", "jobs", "meetings", "members", "notifications")
PACKAGES += ("org", "oversight", "app.py")

# Where a commit may be written, and why it is not a side door.
MAY_COMMIT = {
    "meetings/commands.py": "the command path itself",
    "notifications/service.py": "after-commit listeners: invitations and notifications a command "
    "caused (run inside that command)",
    "notifications/mail.py": "the email job's delivery record (the worker, no request)",
    "notifications/reminders.py": "the reminder job's claim (the worker, no request)",
    "auth/cli.py": "create-admin on the command line: the first account, before any actor",
}
COMMIT = re.compile(r"\.commit\(\)")


def _sources():
    for name in PACKAGES:
        path = ROOT / name
        yield from [path] if path.is_file() else sorted(path.rglob("*.py"))


def test_only_the_command_path_commits():
    found = {
        str(path.relative_to(ROOT))
        for path in _sources()
        if COMMIT.search(path.read_text(encoding="utf-8"))
    }
    assert found - set(MAY_COMMIT) == set(), "route these writers through meetings.commands"
    assert set(MAY_COMMIT) <= found, "an allowed writer is gone: take it off the list"


def _rename_route(app):
    """A view that writes directly, as views used to."""

    def side_door():
        user = db.session.scalar(select(User).where(User.username == "dangvien2"))
        user.full_name = "Tên khác"
        db.session.commit()
        return "ok"

    app.add_url_rule("/_side_door", "side_door", side_door)


def test_a_request_that_commits_outside_a_command_is_refused(app):
    _rename_route(app)
    with pytest.raises(WriteOutsideCommand, match="GET side_door"):
        app.test_client().get("/_side_door")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "dangvien2"))
        assert user.full_name != "Tên khác"


def test_the_same_request_through_a_command_passes(app):
    def by_command():
        user = db.session.scalar(select(User).where(User.username == "dangvien2"))
        run_site(user, "set_language", {"language": "en"})
        return "ok"

    app.add_url_rule("/_front_door", "front_door", by_command)
    assert app.test_client().get("/_front_door").get_data(as_text=True) == "ok"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "dangvien2"))
        assert user.language == "en"


def test_outside_a_request_nothing_is_checked(app):
    """The CLI, the job worker and test set-ups write in an application context only."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "dangvien2"))
        user.full_name = "Tên khác"
        db.session.commit()
