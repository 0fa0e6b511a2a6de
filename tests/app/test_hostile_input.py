"""Hostile input (Hypothesis): every command and every room event, sent malformed payloads, answers a
structured error, logs no exception and leaves the database exactly as it was.

Commands are taken from the registry, so a new command is covered the day it is written.
"""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.extensions import db, socketio
from meetings.commands import REGISTRY
from tests.conftest import make_test_app
from tests.factories import command, upcoming_meeting_id

ERROR_CODES = {"invalid", "forbidden", "not_found", "conflict", "unauthenticated"}

texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "<script>alert(1)</script>",
            "\x00",
            "\ud800",
            "a\x1bb",
            "Nguye\u0302\u0303n",
            "x" * 100_001,
            "' OR 1=1 --",
            "../../etc/passwd",
        ]
    ),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True),
    texts,
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def field_names():
    names = {"title", "item_id", "user_id", "status", "reason", "position", "planned_minutes"}
    for cmd in REGISTRY.values():
        names.update(cmd.payload.model_fields)
    return sorted(names)


payloads = st.one_of(
    values,
    st.dictionaries(st.sampled_from(field_names()) | st.text(max_size=6), values, max_size=6),
)


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    app = make_test_app(tmp_path_factory.mktemp("hostile"))
    http = app.test_client()
    assert (
        http.post("/login", data={"username": "bithu", "password": "chibo-demo"}).status_code == 302
    )
    chair = socketio.test_client(app, flask_test_client=http)
    with app.app_context():
        meeting_id = upcoming_meeting_id()
        other_meeting = upcoming_meeting_id("Chi bộ Khu phố 2")
    assert command(chair, meeting_id, "start_meeting", {"confirm_early": True})["ok"]
    yield app, chair, meeting_id, other_meeting
    chair.disconnect()


def fingerprint(app) -> list:
    with app.app_context():
        return [
            (table.name, sorted(map(repr, db.session.execute(select(table)).all())))
            for table in db.metadata.sorted_tables
        ]


def assert_structured_refusal(ack):
    assert isinstance(ack, dict) and ack.get("ok") is False, ack
    error = ack["error"]
    assert error["code"] in ERROR_CODES and isinstance(error["message"], str) and error["message"]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(sorted(REGISTRY)),
    payload=payloads,
    target=st.sampled_from(["this", "other", "missing", "garbage"]),
)
def test_malformed_commands_are_refused_and_change_nothing(room, caplog, name, payload, target):
    app, chair, meeting_id, other_meeting = room
    meeting = {
        "this": meeting_id,
        "other": other_meeting,
        "missing": 999_999,
        "garbage": "1; DROP TABLE users",
    }[target]
    before = fingerprint(app)
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        ack = chair.emit(
            "command",
            {
                "meeting_id": meeting,
                "name": name,
                "cid": "h" * 12 + str(abs(hash((name, repr(payload), target))) % 10**12),
                "payload": payload,
            },
            callback=True,
        )
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), ack
    if not ack["ok"]:
        assert_structured_refusal(ack)
        assert fingerprint(app) == before


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(event=st.sampled_from(["join", "leave", "snapshot", "command"]), data=values)
def test_malformed_room_events_are_refused(room, caplog, event, data):
    app, chair, _meeting_id, _other = room
    if isinstance(data, dict) and isinstance(data.get("meeting_id"), int):
        data["meeting_id"] = -1
    before = fingerprint(app)
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        ack = chair.emit(event, data, callback=True)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert_structured_refusal(ack)
    assert fingerprint(app) == before


def test_unknown_fields_and_wrong_types_are_named_in_the_error(room):
    _app, chair, meeting_id, _other = room
    ack = command(chair, meeting_id, "agenda_add", {"title": 5, "planned_minutes": "10", "x": 1})
    assert ack["error"]["code"] == "invalid"
    assert set(ack["error"]["details"]["fields"]) == {"title", "planned_minutes", "x"}
