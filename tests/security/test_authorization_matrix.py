"""The authorization matrix: every HTTP route and every Socket.IO command against every role.

A route missing from ROUTES, or a command without a permission row, fails here: new ones cannot slip
through unreviewed. Expected rights are written out by role, not derived from the code under test.
"""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select

from auth.models import User
from core.extensions import db, socketio
from meetings.commands import REGISTRY
from meetings.models import Meeting
from meetings.permissions import MEETING_PERMISSIONS, meeting_roles
from tests.security.world import PERSONA_ROLES, PERSONAS, client_for, world_in

ALL = frozenset(PERSONAS)
LOGGED_IN = ALL - {"anonymous"}
MEMBERS = frozenset({"probationary", "hosted", "official", "minute_taker", "chair", "secretary"})
VIEWERS = MEMBERS | {"upper_observer"}
ADMIN = frozenset({"admin"})
SECRETARY = frozenset({"secretary"})  # and the deputy: same role row
LEADERS = frozenset({"chair", "secretary"})

# (method, endpoint) -> personas allowed (anyone else: 403, or the login page when anonymous).
ROUTES: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "meetings.home"): LOGGED_IN,
    ("GET", "auth.login"): ALL,
    ("POST", "auth.login"): ALL,
    ("POST", "account.logout"): LOGGED_IN,
    ("POST", "account.set_language"): ALL,
    ("GET", "account.change_password"): LOGGED_IN,
    ("POST", "account.change_password"): LOGGED_IN,
    ("GET", "minutes.verify"): ALL,  # anyone holding the paper may check its code
    ("POST", "minutes.verify"): ALL,
    ("GET", "speakers.clock"): LOGGED_IN,
    # between meetings: notifications, replies, calendars, the member's handbook
    ("GET", "notifications.index"): LOGGED_IN,
    ("POST", "notifications.reply"): MEMBERS,
    ("GET", "calendar.feed"): ALL,  # the token is the key: a wrong one is 404 for everyone
    ("GET", "calendar.meeting_ics"): VIEWERS,
    ("GET", "handbook.me"): LOGGED_IN,
    ("POST", "handbook.me"): LOGGED_IN,
    ("POST", "handbook.reset_calendar"): LOGGED_IN,
    ("POST", "handbook.vote_alert"): LOGGED_IN,
    ("GET", "notifications.invitations"): LEADERS,  # the deputy too: same role row
    ("GET", "notifications.cell_reminders"): SECRETARY,
    ("POST", "notifications.cell_reminders"): SECRETARY,
    ("GET", "tasks.my_tasks"): LOGGED_IN,
    ("POST", "tasks.update_task"): frozenset({"official"}),  # the task's owner (world.py)
    # the cell and its meetings
    ("GET", "meetings.cell_page"): VIEWERS,
    ("GET", "meetings.schedule_meeting"): SECRETARY,
    ("POST", "meetings.schedule_meeting"): SECRETARY,
    ("GET", "meetings.edit_meeting"): SECRETARY,
    ("POST", "meetings.edit_meeting"): SECRETARY,
    ("GET", "meetings.room_page"): VIEWERS,
    ("GET", "meetings.state"): VIEWERS,
    ("GET", "meetings.audit_trail"): LEADERS | {"upper_observer"},
    ("POST", "meetings.http_command"): MEMBERS,  # the command sent is check_in
    ("GET", "documents.documents_page"): VIEWERS,
    ("POST", "documents.documents_page"): SECRETARY,
    ("GET", "documents.download"): VIEWERS,
    ("POST", "documents.delete"): SECRETARY,
    ("POST", "documents.release"): SECRETARY,
    ("GET", "voting.receipts"): VIEWERS,
    ("GET", "voting.mine"): VIEWERS,
    ("GET", "minutes.page"): VIEWERS,
    ("GET", "minutes.download"): VIEWERS,
    ("POST", "minutes.approve"): frozenset({"chair"}),
    ("POST", "minutes.sign"): frozenset({"chair", "minute_taker"}),
    ("POST", "minutes.correct"): frozenset({"chair", "minute_taker"}),
    # the year-end review (the world's meeting is a regular one: allowed callers get 404)
    ("GET", "review.self_assessment"): MEMBERS,
    ("POST", "review.self_assessment"): MEMBERS,
    ("GET", "review.cell_report"): LEADERS,  # the deputy too: same role row
    ("POST", "review.cell_report"): LEADERS,
    ("GET", "review_results.results_csv"): VIEWERS,
    ("GET", "review_results.results_pdf"): VIEWERS,
    # oversight: leaders of the committee (the province), the cell's own leaders, the admin
    ("GET", "oversight.dashboard"): frozenset(
        {"admin", "upper_observer", "unrelated_observer", "secretary"}
    ),
    ("GET", "oversight.dashboard_csv"): frozenset(
        {"admin", "upper_observer", "unrelated_observer", "secretary"}
    ),
    ("GET", "oversight.assignments"): frozenset({"admin", "upper_observer"}),
    ("POST", "oversight.assignments"): frozenset({"admin", "upper_observer"}),
    ("POST", "oversight.delete_assignment"): frozenset({"admin", "upper_observer"}),
}
ADMIN_ROUTES = [
    ("GET", "admin.index"),
    ("GET", "admin.users"),
    ("GET", "admin.user"),
    ("POST", "admin.user"),
    ("GET", "admin.new_user"),
    ("POST", "admin.new_user"),
    ("POST", "admin.set_active"),
    ("POST", "admin.reset_password"),
    ("GET", "admin.organization"),
    ("GET", "admin.new_organization"),
    ("POST", "admin.new_organization"),
    ("GET", "admin.edit_organization"),
    ("POST", "admin.edit_organization"),
    ("GET", "admin.add_member"),
    ("POST", "admin.add_member"),
    ("GET", "admin.edit_member"),
    ("POST", "admin.edit_member"),
    ("POST", "admin.remove_member"),
    ("GET", "admin.import_members"),
    ("POST", "admin.import_members"),
    ("GET", "admin.import_sample"),
    ("GET", "admin.oversights"),
    ("POST", "admin.oversights"),
    ("POST", "admin.remove_oversight"),
    ("GET", "admin.vote_rules"),
    ("POST", "admin.vote_rules"),
    ("GET", "admin.profile"),
    ("POST", "admin.profile"),
    ("GET", "admin.import_profiles"),
    ("POST", "admin.import_profiles"),
]
ROUTES.update({route: ADMIN for route in ADMIN_ROUTES})

# What an upper-level observer may ever do: see, ask for the floor, read (docs/oversight.md).
OBSERVER_ACTIONS = {
    "view",
    "view_audit",
    "raise_hand",
    "lower_hand",
    "download_documents",
    "view_minutes",
}


@pytest.fixture(scope="module")
def template_world(tmp_path_factory):
    with world_in(tmp_path_factory.mktemp("matrix")) as world:
        yield world


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule


def test_every_route_is_in_the_matrix(template_world):
    present = {(method, rule.endpoint) for method, rule in _routes(template_world.app)}
    assert present - set(ROUTES) == set(), "routes missing from the authorization matrix"
    assert set(ROUTES) - present == set(), "matrix rows for routes that no longer exist"


def _outcome(response) -> str:
    if response.status_code == 403:
        return "forbidden"
    location = response.headers.get("Location", "")
    if response.status_code == 401 or (response.status_code == 302 and "/login?next=" in location):
        return "login"
    return "allowed"


@pytest.mark.parametrize(("method", "endpoint"), sorted(ROUTES))
def test_route_rights(tmp_path, method, endpoint):
    with world_in(tmp_path) as world:  # fresh: an allowed POST may delete what the next needs
        _check_route(world, method, endpoint)


def _check_route(world, method, endpoint):
    rule = next(r for m, r in _routes(world.app) if r.endpoint == endpoint and m == method)
    url = rule.build(
        dict(world.ids, name="check_in", code="en", token="not-a-token"), append_unknown=False
    )[1]
    allowed = ROUTES[(method, endpoint)]
    # Refused callers first: they must change nothing, so the allowed ones still find everything.
    for persona in sorted(PERSONAS, key=lambda p: p in allowed):
        client = client_for(world, persona)
        body = (
            {"json": {"cid": secrets.token_hex(8), "payload": {}}}
            if endpoint == "meetings.http_command"
            else {"data": {}}
        )
        response = client.open(url, method=method, **body)
        outcome = _outcome(response)
        response.close()  # a file download keeps its file open until closed
        if persona in allowed:
            assert outcome == "allowed", (persona, outcome)
        elif persona == "anonymous":
            assert outcome == "login", (persona, outcome)
        else:
            assert outcome == "forbidden", (persona, outcome)


def test_roles_are_derived_as_the_matrix_says(template_world):
    with template_world.app.app_context():
        meeting = db.session.get(Meeting, template_world.ids["meeting_id"])
        for persona, username in PERSONAS.items():
            if username is None:
                continue
            user = db.session.scalar(select(User).where(User.username == username))
            assert meeting_roles(user, meeting) == PERSONA_ROLES[persona], persona


def test_every_command_has_a_permission_row_and_observers_only_see_and_speak():
    for command in REGISTRY.values():
        assert command.permission in MEETING_PERMISSIONS, command.name
    for action, roles in MEETING_PERMISSIONS.items():
        if "observer" in roles:
            assert action in OBSERVER_ACTIONS, action
        assert "admin" not in roles, action  # the administrator is no meeting participant


@pytest.mark.parametrize("name", sorted(n for n, cmd in REGISTRY.items() if cmd.wire))
def test_command_rights(template_world, name):
    app, meeting_id = template_world.app, template_world.ids["meeting_id"]
    permission = REGISTRY[name].permission
    for persona in PERSONAS:
        http = client_for(template_world, persona)
        socket = socketio.test_client(app, flask_test_client=http)
        if persona == "anonymous":
            assert not socket.is_connected()
            continue
        ack = socket.emit(
            "command",
            {"meeting_id": meeting_id, "name": name, "cid": secrets.token_hex(8), "payload": {}},
            callback=True,
        )
        socket.disconnect()
        expected = bool(MEETING_PERMISSIONS[permission] & PERSONA_ROLES[persona])
        refused = ack.get("ok") is False and ack["error"]["code"] == "forbidden"
        assert refused is not expected, (persona, ack)


@pytest.mark.parametrize("name", sorted(n for n, cmd in REGISTRY.items() if not cmd.wire))
def test_form_only_commands_are_not_on_the_wire(template_world, name):
    # e.g. minutes_sign: the password form runs it; a socket naming it is refused for everyone.
    app, meeting_id = template_world.app, template_world.ids["meeting_id"]
    socket = socketio.test_client(app, flask_test_client=client_for(template_world, "chair"))
    ack = socket.emit(
        "command",
        {"meeting_id": meeting_id, "name": name, "cid": secrets.token_hex(8), "payload": {}},
        callback=True,
    )
    socket.disconnect()
    assert ack["ok"] is False and ack["error"]["details"] == {"field": "name"}, ack


@pytest.mark.parametrize("event", ["join", "snapshot"])
def test_room_events_rights(template_world, event):
    app, meeting_id = template_world.app, template_world.ids["meeting_id"]
    for persona in PERSONAS:
        socket = socketio.test_client(app, flask_test_client=client_for(template_world, persona))
        if persona == "anonymous":
            assert not socket.is_connected()
            continue
        ack = socket.emit(event, {"meeting_id": meeting_id}, callback=True)
        socket.disconnect()
        if persona in VIEWERS:
            assert ack["ok"] is True and ack["snapshot"]["version"] > 0, persona
        else:
            assert ack == {
                "ok": False,
                "error": {"code": "forbidden", "message": ack["error"]["message"]},
            }, persona
