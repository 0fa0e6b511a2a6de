"""The leaders' view of a coming meeting: who was invited, who answered what, who opened the
documents (read receipts), told live to the leaders' pages; and the demo's between-meetings data."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from core.extensions import db
from meetings.documents.models import DocumentRead, MeetingDocument
from meetings.models import Meeting
from notifications.models import Invitation, Notification
from org.profiles import MemberProfile
from tests.factories import command, events, upcoming_meeting_id

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _released_document(app, login, meeting_id: int, title: str) -> int:
    secretary = login("bithu")
    secretary.post(
        f"/meetings/{meeting_id}/documents",
        data={"title": title, "file": (io.BytesIO(PDF), "tai-lieu.pdf")},
        content_type="multipart/form-data",
    )
    with app.app_context():
        doc_id = db.session.scalar(select(MeetingDocument.id).where(MeetingDocument.title == title))
    secretary.post(f"/meetings/{meeting_id}/documents/{doc_id}/release", data={})
    return doc_id


def test_answers_and_reads_reach_the_leaders_view_live(app, login, sio, demo):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    doc_id = _released_document(app, login, meeting_id, "Báo cáo quý (đọc trước)")
    secretary = sio("bithu")
    secretary.get_received()
    member = sio("dangvien2")
    assert command(
        member, meeting_id, "reply_invitation", {"answer": "excused", "reason": "Con ốm <b>"}
    )["ok"]
    assert events(secretary, "invitations_changed") == [{"meeting_id": meeting_id}]
    reader = login("dangvien2")
    for _ in range(2):  # the second opening changes nothing
        response = reader.get(f"/meetings/{meeting_id}/documents/{doc_id}")
        assert response.status_code == 200
        response.close()
    assert events(secretary, "invitations_changed") == [{"meeting_id": meeting_id}]
    assert events(member, "invitations_changed") == []  # members are not told
    with app.app_context():
        reads = db.session.scalars(select(DocumentRead).where(DocumentRead.document_id == doc_id))
        assert [r.user_id for r in reads] == [demo.users["dangvien2"].id]
    table = login("bithu").get(f"/meetings/{meeting_id}/invitations?part=table")
    html = table.get_data(as_text=True)
    row = html.split(f'data-user-id="{demo.users["dangvien2"].id}"')[1].split("</tr>")[0]
    assert "Xin vắng" in row and "Con ốm &lt;b&gt;" in row and "✓" in row
    other = html.split(f'data-user-id="{demo.users["dangvien3"].id}"')[1].split("</tr>")[0]
    assert "✓" not in other
    page = login("phobithu").get(f"/meetings/{meeting_id}/invitations").get_data(as_text=True)
    assert "Báo cáo quý (đọc trước)" in page


def test_only_the_leaders_see_the_view(app, login):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    for username, status in (
        ("bithu", 200),
        ("phobithu", 200),
        ("dangvien2", 403),
        ("lanhdao", 403),
        ("kp2_bithu", 403),
        ("admin", 403),
    ):
        assert login(username).get(f"/meetings/{meeting_id}/invitations").status_code == status


def test_the_demo_has_profiles_a_meeting_next_week_with_answers_and_unread_notices(app, demo):
    with app.app_context():
        users = db.session.scalar(select(func.count()).select_from(MemberProfile))
        assert users >= 20
        week = db.session.scalars(
            select(Meeting).where(Meeting.kind == "thematic", Meeting.status == "scheduled")
        ).one()
        answers = db.session.scalars(
            select(Invitation.answer).where(
                Invitation.meeting_id == week.id, Invitation.answer.is_not(None)
            )
        ).all()
        assert sorted(answers) == ["attend", "attend", "attend", "excused"]
        unread = db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(
                Notification.user_id == demo.users["dangvien2"].id, Notification.read_at.is_(None)
            )
        )
        assert unread >= 1
