"""The smaller attacks of issue 14.7, each performed against the app."""

from __future__ import annotations

import csv
import io
import re
import statistics
import time
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from auth.models import User
from core.extensions import db, socketio
from core.timeutil import VIETNAM
from meetings.agenda import REVIEW_AGENDA
from meetings.minutes.sanitize import clean_html
from meetings.models import Meeting, MeetingKind
from org.models import Organization
from oversight.export import overdue_csv
from tests.conftest import make_test_app
from tests.factories import command, schedule, upcoming_meeting_id

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# ---- documents between 8 and 10 MB --------------------------------------------------------


def test_a_nine_megabyte_document_is_accepted_with_csrf_on(app, login):
    client = login("bithu")
    app.config["WTF_CSRF_ENABLED"] = True  # as in production: CSRFProtect reads the form first
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    page = client.get(f"/meetings/{meeting_id}/documents").get_data(as_text=True)
    token = _CSRF.search(page).group(1)
    blob = b"%PDF-1.4\n" + b"0" * (9 * 1024 * 1024) + b"\n%%EOF\n"
    # Encoded in memory (the test client would spool a large body to an unclosed temp file).
    boundary, body = encode_multipart(
        {
            "csrf_token": token,
            "title": "Báo cáo",
            "agenda_item_id": "0",
            "file": FileStorage(io.BytesIO(blob), "bao-cao.pdf", content_type="application/pdf"),
        }
    )
    response = client.post(
        f"/meetings/{meeting_id}/documents",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 302, response.status_code
    assert "bao-cao.pdf" in client.get(f"/meetings/{meeting_id}/documents").get_data(as_text=True)


# ---- login: timing, limits, unlock ---------------------------------------------------------


def test_unknown_and_known_usernames_take_the_same_time(tmp_path):
    app = make_test_app(tmp_path, PASSWORD_HASH_METHOD="pbkdf2:sha256:200000")
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(username="bithu"))
        user.set_password("chibo-demo")
        db.session.commit()
    client = app.test_client()

    def timed(username: str) -> float:
        started = time.perf_counter()
        client.post("/login", data={"username": username, "password": "wrong-password"})
        return time.perf_counter() - started

    timed("bithu"), timed("nobody-here")  # warm up
    known = statistics.median(timed("bithu") for _ in range(5))
    unknown = statistics.median(timed("nobody-here") for _ in range(5))
    assert 0.5 < unknown / known < 2.0, (known, unknown)


def _try(client, username, password, address):
    return client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    ).status_code


def test_a_guesser_elsewhere_does_not_lock_the_real_user_out(tmp_path):
    app = make_test_app(tmp_path, RATELIMIT_ENABLED=True)
    client = app.test_client()
    codes = [_try(client, "bithu", "wrong-password", "10.1.0.1") for _ in range(7)]
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]  # this address is slowed
    assert _try(app.test_client(), "bithu", "chibo-demo", "10.1.0.2") == 302  # the user is not


def test_a_spread_out_guesser_hits_the_per_account_limit_and_an_admin_unlocks(tmp_path):
    app = make_test_app(tmp_path, RATELIMIT_ENABLED=True)
    client = app.test_client()
    codes = [_try(client, "phobithu", "wrong", f"10.2.{i // 200}.{i % 200}") for i in range(31)]
    assert codes[:30] == [200] * 30 and codes[30] == 429
    assert _try(app.test_client(), "phobithu", "chibo-demo", "10.3.0.1") == 429
    result = app.test_cli_runner().invoke(args=["unlock-login", "phobithu"])
    assert result.exit_code == 0, result.output
    assert _try(app.test_client(), "phobithu", "chibo-demo", "10.3.0.1") == 302


# ---- CSV formula injection, charset ---------------------------------------------------------


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://evil.example","bấm")', "+1+cmd", "-2+3", "@SUM(A1)", "\tTab"]
)
def test_csv_cells_starting_a_formula_are_escaped(app, login, demo, name):
    with app.app_context():
        cell = db.session.get(Organization, demo.kp1.id)
        cell.name = name
        db.session.commit()
    response = login("admin").get(f"/quality.csv?unit={demo.kp1.parent_id}&year=2026&by=month")
    assert response.status_code == 200
    assert response.headers["Content-Type"].lower().count("charset") == 1
    table = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    names = {row[0] for row in table[1:]}
    assert "'" + name in names and name not in names


HOSTILE_NAME = '=HYPERLINK("http://evil.example","bấm")'


def test_the_year_end_results_csv_escapes_member_names(app, login, demo):
    """Every CSV export, not only the dashboard's: the year-end review's result list."""
    with app.app_context():
        chair = db.session.scalar(select(User).where(User.username == "bithu"))
        meeting_id = schedule(
            chair,
            demo.kp1.id,
            MeetingKind.YEAR_REVIEW,
            datetime.now(VIETNAM) + timedelta(days=7),
            chair.id,
            chair.id,
            [str(title) for title, _minutes in REVIEW_AGENDA],
        )
        member = db.session.scalar(select(User).where(User.username == "dangvien2"))
        member.full_name = HOSTILE_NAME
        db.session.commit()
    response = login("bithu").get(f"/meetings/{meeting_id}/review/results.csv")
    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    names = {row[1] for row in table[1:]}
    assert "'" + HOSTILE_NAME in names and HOSTILE_NAME not in names


def test_the_overdue_tasks_csv_escapes_cells_tasks_and_owners(app):
    owner = SimpleNamespace(user=SimpleNamespace(full_name="@SUM(A1)"))
    task = SimpleNamespace(
        text="+1+cmd", owners=[owner], owner_committee=False, due_on=date(2026, 1, 5), status="open"
    )
    cell = SimpleNamespace(id=1, name=HOSTILE_NAME)
    report = SimpleNamespace(cells=[cell], overdue={1: [task]})
    with app.test_request_context():
        data = overdue_csv(report)
    [row] = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:]
    assert row[:3] == ["'" + HOSTILE_NAME, "'+1+cmd", "'@SUM(A1)"]


# ---- ids and JSON bodies ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/meetings/{}", "/meetings/{}/minutes", "/meetings/{}/state"])
def test_ids_beyond_64_bits_are_not_found(login, path):
    client = login("bithu")
    for big in (2**63, 2**64 + 5, 10**30):
        assert client.get(path.format(big)).status_code == 404


def test_a_deeply_nested_json_body_is_invalid(app, login):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    body = '{"cid": "nested-body-1", "payload": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = login("bithu").post(
        f"/meetings/{meeting_id}/commands/lower_hand",
        data=body,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid"


# ---- impossible dates --------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00", "9999-12-31T23:59:00-12:00"])
def test_impossible_arrival_times_are_invalid(app, sio, when):
    chair = sio("bithu")
    with app.app_context():
        meeting_id = upcoming_meeting_id()
        member_id = db.session.scalar(select(User.id).filter_by(username="dangvien1"))
    assert command(chair, meeting_id, "start_meeting", {"confirm_early": True})["ok"]
    ack = command(
        chair,
        meeting_id,
        "mark_attendance",
        {"user_id": member_id, "status": "present", "arrived_at": when},
    )
    assert ack["ok"] is False and ack["error"]["code"] == "invalid", ack


def test_an_impossible_meeting_date_is_refused_on_the_form(app, login):
    client = login("bithu")
    with app.app_context():
        meeting_id = upcoming_meeting_id()
        before = db.session.get(Meeting, meeting_id).scheduled_at
    response = client.post(
        f"/meetings/{meeting_id}/edit",
        data={"kind": "regular", "title": "Sinh hoạt", "scheduled_at": "0001-01-01T00:00"},
    )
    assert response.status_code < 500
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).scheduled_at == before


# ---- invisible characters ----------------------------------------------------------------------

BIDI = "\u202eTRÁI\u202c \u2066x\u2069\u200b\u200d\ufeff\u200f"


def test_bidi_overrides_and_zero_width_characters_never_reach_the_database(app, sio, login):
    chair = sio("bithu")
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    ack = command(chair, meeting_id, "agenda_add", {"title": "Mục" + BIDI, "planned_minutes": 5})
    assert ack["ok"], ack
    snapshot = chair.emit("snapshot", {"meeting_id": meeting_id}, callback=True)["snapshot"]
    titles = [item["title"] for item in snapshot["agenda"]["items"]]
    assert "MụcTRÁI x" in titles
    assert not any(ch in t for t in titles for ch in BIDI if not ch.isalnum() and ch != " ")
    admin = login("admin")
    with app.app_context():
        user_id = db.session.scalar(select(User.id).filter_by(username="dangvien9"))
    admin.post(
        f"/admin/users/{user_id}",
        data={"full_name": "Lê Văn" + BIDI, "language": "vi"},
    )
    with app.app_context():
        name = db.session.get(User, user_id).full_name
    assert "\u202e" not in name and "\u200b" not in name
    assert clean_html("<p>a\u202eb\u200bc</p>") == "<p>abc</p>"


# ---- Socket.IO polling responses -------------------------------------------------------------


def test_socketio_polling_responses_carry_the_security_headers(app, login):
    client = login("bithu")
    response = client.get("/socket.io/?EIO=4&transport=polling")
    assert response.status_code == 200
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert "frame-ancestors 'none'" in response.headers.get("Content-Security-Policy", "")
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert socketio  # the app's Socket.IO server answered, not a Flask route
