"""Email through a real SMTP server (aiosmtpd, in this process): what arrives, in the member's
language; only where the member gave an address and chose email; an SMTP server that is down
retried with back-off, then shown to the administrator, with nothing else failing."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
import time_machine
from aiosmtpd.controller import Controller
from sqlalchemy import select

from auth.models import User
from core.extensions import db
from notifications.mail import ATTEMPTS, BACKOFF
from notifications.models import EmailDelivery
from org.profiles import profile_of
from tests.conftest import make_test_app
from tests.notify_helpers import run_due, schedule, scheduled_jobs

NOW = "2027-03-01T02:00:00Z"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def inbox():
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture
def app(tmp_path, inbox, request):
    port = inbox.port if request.node.get_closest_marker("smtp_down") is None else _free_port()
    app = make_test_app(
        tmp_path,
        CHIBO_SMTP_HOST="127.0.0.1",
        CHIBO_SMTP_PORT=port,
        CHIBO_SMTP_SECURITY="none",
        CHIBO_SMTP_SENDER="chibo@phuong-lien-bao.example",
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _addresses(app, demo):
    with app.app_context():
        profile_of(demo.users["dangvien2"].id).email = "dangvien2@example.org"
        off = profile_of(demo.users["dangvien3"].id)
        off.email, off.email_notifications = "dangvien3@example.org", False
        profile_of(demo.users["dangvien4"].id).email = "dangvien4@example.org"
        db.session.get(User, demo.users["dangvien4"].id).language = "en"
        db.session.commit()


def test_an_invitation_arrives_by_email_in_the_members_language(app, login, demo, inbox, clock):
    _addresses(app, demo)
    meeting_id = schedule(
        login("bithu"),
        demo,
        "Sinh hoạt tháng 3",
        "2027-03-10T19:30",
        online_url="https://meet.example.org/kp1",
    )
    by_address = {m["To"]: m for m in inbox.messages}
    # not dangvien3 (email off) nor bithu (who scheduled it); phobithu's address is the demo's
    assert set(by_address) == {
        "dangvien2@example.org",
        "dangvien4@example.org",
        "phobithu@example.org",
    }
    vi = by_address["dangvien2@example.org"]
    assert vi["Subject"] == "Giấy mời: Sinh hoạt tháng 3"
    assert vi["From"] == "chibo <chibo@phuong-lien-bao.example>"
    body = vi.get_content()
    for expected in (
        "Sinh hoạt thường kỳ",
        "10/03/2027 19:30",
        "Nhà văn hóa khu phố 1",
        "https://meet.example.org/kp1",
        f"http://localhost/meetings/{meeting_id}",
    ):
        assert expected in body, expected
    en = by_address["dangvien4@example.org"]
    assert en["Subject"] == "Invitation: Sinh hoạt tháng 3"
    assert "Regular meeting" in en.get_content()
    with app.app_context():
        rows = db.session.scalars(select(EmailDelivery)).all()
        assert {(r.status, r.attempts) for r in rows} == {("sent", 1)}


@pytest.mark.smtp_down
def test_a_server_that_is_down_is_retried_then_shown_to_the_admin(app, login, demo, clock):
    _addresses(app, demo)
    secretary = login("bithu")
    meeting_id = schedule(secretary, demo, "Sinh hoạt tháng 3", "2027-03-10T19:30")
    assert meeting_id  # the request went through: the email's fault stays in its job
    with app.app_context():
        rows = db.session.scalars(select(EmailDelivery)).all()
        assert {(r.status, r.attempts) for r in rows} == {("pending", 1)}
        assert all("Connection" in r.last_error or "refused" in r.last_error for r in rows)
    tried_at, gaps = datetime(2027, 3, 1, 2, 0, tzinfo=UTC), []
    for _attempt in range(ATTEMPTS - 1):
        retries = [t for t in scheduled_jobs(app) if t.name == "send_email"]
        assert len(retries) == 3  # dangvien2's, dangvien4's, phobithu's
        eta = retries[0].eta.replace(tzinfo=UTC)
        gaps.append(round((eta - tried_at).total_seconds()))
        clock.move_to(eta)
        run_due(app, eta)
        tried_at = eta
    assert gaps == list(BACKOFF)  # growing delays between attempts
    assert [t for t in scheduled_jobs(app) if t.name == "send_email"] == []
    with app.app_context():
        rows = db.session.scalars(select(EmailDelivery)).all()
        assert {(r.status, r.attempts) for r in rows} == {("failed", ATTEMPTS)}
    page = login("admin").get("/admin/").get_data(as_text=True)
    assert "dangvien2@example.org" in page and "Giấy mời: Sinh hoạt tháng 3" in page
    assert secretary.get(f"/meetings/{meeting_id}").status_code == 200  # nothing else failed


def test_no_smtp_means_email_off_and_the_admin_page_says_so(tmp_path):
    (tmp_path / "nosmtp").mkdir()
    app = make_test_app(tmp_path / "nosmtp")
    client = app.test_client()
    client.post("/login", data={"username": "admin", "password": "chibo-demo"})
    page = client.get("/admin/").get_data(as_text=True)
    assert "CHIBO_SMTP_HOST" in page
    with app.app_context():
        assert db.session.scalars(select(EmailDelivery)).all() == []
