"""The audit trail: every command recorded, visible to the chair, secretary and observers."""

from __future__ import annotations

from tests.factories import command, upcoming_meeting_id


def test_commands_are_recorded_and_shown_to_leads_and_observers(app, sio, login):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    chair, member = sio("bithu"), sio("dangvien2")
    command(chair, meeting_id, "start_meeting")
    command(member, meeting_id, "check_in")
    page = login("lanhdao").get(f"/meetings/{meeting_id}/audit")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "start_meeting" in text and "check_in" in text
    assert "Phạm Thị Hương" in text  # dangvien2, who checked in
    assert login("phobithu").get(f"/meetings/{meeting_id}/audit").status_code == 200
    assert login("dangvien2").get(f"/meetings/{meeting_id}/audit").status_code == 403
    assert login("kp2_bithu").get(f"/meetings/{meeting_id}/audit").status_code == 403
