"""The minutes PDF: Party document format, exact Vietnamese, fonts, A4, caching, verification."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from core.extensions import db
from meetings.attendance import unsettled
from meetings.commands import run
from meetings.minutes import sealing
from meetings.minutes.models import MinutesVersion
from meetings.models import Meeting, MeetingKind
from org.models import Membership, Organization
from tests.conftest import make_test_app
from tests.factories import command, upcoming_meeting_id

A4 = (595.28, 841.89)  # points


@pytest.fixture
def app(tmp_path):
    app = make_test_app(tmp_path, CHIBO_MINUTES_DIR=str(tmp_path / "minutes"))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def pdf_text(data: bytes, first: int | None = None, last: int | None = None) -> str:
    """Text as poppler's pdftotext extracts it (what a reader's copy-paste gives)."""
    args = ["pdftotext", "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    out = subprocess.run([*args, "-", "-"], input=data, capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def flat(text: str) -> str:
    """Whitespace collapsed (lines wrap anywhere in a PDF)."""
    return " ".join(text.split())


def demo_sealed(app):
    """The demo's showcase minutes: Khu phố 1's latest regular meeting (last month's), the one
    with the upper-level delegate — chosen by what it is, not by id or by today's date."""
    with app.app_context():
        version = db.session.scalar(
            select(MinutesVersion)
            .join(Meeting, Meeting.id == MinutesVersion.meeting_id)
            .join(Organization, Organization.id == Meeting.cell_id)
            .where(Organization.name == "Chi bộ Khu phố 1", Meeting.kind == MeetingKind.REGULAR)
            .where(MinutesVersion.fingerprint.is_not(None))
            .order_by(Meeting.scheduled_at.desc())
            .limit(1)
        )
        meeting = db.session.get(Meeting, version.meeting_id)
        names = [m.user.full_name for m in meeting.cell.memberships]
        return version.meeting_id, version.fingerprint, names


def test_sealed_demo_pdf_has_the_party_format_and_every_name(app, login):
    meeting_id, fingerprint, names = demo_sealed(app)
    response = login("bithu").get(f"/meetings/{meeting_id}/minutes.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    data = response.data
    text = flat(pdf_text(data))
    assert unicodedata.is_normalized("NFC", text)
    for expected in (
        "ĐẢNG BỘ PHƯỜNG LIÊN BẢO",
        "CHI BỘ KHU PHỐ 1",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "BIÊN BẢN",
        "Sinh hoạt chi bộ định kỳ tháng",
        "Vĩnh Yên, ngày",
        "I. THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN",
        "Tổng số đảng viên của chi bộ: 15 đồng chí",
        "Số đảng viên có mặt: 13 đồng chí",
        "đồng chí Dương Văn Ước (Đi công tác tại Hà Nội)",
        # Exempted: under their own heading, with the reason.
        "đồng chí Nguyễn Hữu Thọ (miễn sinh hoạt, vắng có lý do: Tuổi cao, sức yếu)",
        "Đại biểu cấp trên dự: đồng chí Trương Quang Vinh, Ủy viên Ban Thường vụ Tỉnh ủy",
        "Chủ trì: đồng chí Nguyễn Văn Hùng, Bí thư chi bộ",
        # A hybrid meeting (issue 12): the guest, and the resolution voted online and on paper.
        "Khách mời: Nguyễn Thị Lan, Chi hội trưởng Chi hội Phụ nữ khu phố",
        "(trong đó 3 phiếu giấy tại hội trường; 1 phiếu giấy không hợp lệ)",
        "Thư ký: đồng chí Lê Văn Bình",
        "THƯ KÝ",
        "CHỦ TRÌ",
        "Mã xác thực: " + sealing.short_code(fingerprint),
        fingerprint,
    ):
        assert expected in text, expected
    assert len(names) == 15
    for name in names:
        assert name in text, name
    assert "DỰ THẢO" not in text  # sealed: no draft watermark


def test_pdf_is_a4_with_embedded_fonts_and_page_numbers_from_page_two(app, login):
    meeting_id, _fp, _names = demo_sealed(app)
    data = login("bithu").get(f"/meetings/{meeting_id}/minutes.pdf").data
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width), 2), round(float(box.height), 2)) == A4
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=False)
    if fonts.returncode != 0:  # older poppler reads no stdin: use a file
        path = Path(app.config["CHIBO_MINUTES_DIR"]) / "check.pdf"
        path.write_bytes(data)
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True)
    rows = fonts.stdout.decode().splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), rows  # "emb" column
    assert any("chibo-serif" in row for row in rows)
    assert any("chibo-serif-Bold" in row for row in rows)
    # The page number sits at the top centre from page 2 on, never on page 1.
    first_lines = [line.strip() for line in pdf_text(data, 1).splitlines() if line.strip()]
    second_lines = [line.strip() for line in pdf_text(data, 2).splitlines() if line.strip()]
    assert "1" not in first_lines
    assert "2" in second_lines


def test_sealed_pdf_is_rendered_once_and_kept(app, login):
    meeting_id, fingerprint, _names = demo_sealed(app)
    client = login("dangvien3")
    first = client.get(f"/meetings/{meeting_id}/minutes.pdf").data
    kept = Path(app.config["CHIBO_MINUTES_DIR"]) / f"{fingerprint}.pdf"
    assert kept.read_bytes() == first
    kept.write_bytes(first + b"%kept")  # prove the second answer comes from the file
    assert client.get(f"/meetings/{meeting_id}/minutes.pdf").data == first + b"%kept"
    with app.app_context():
        version = db.session.scalar(
            select(MinutesVersion).where(MinutesVersion.fingerprint == fingerprint)
        )
        # The demo's minutes were sealed without their file: a download keeps it on disk but
        # writes nothing to the database (the SHA-256 is recorded at sealing).
        assert version.pdf_sha256 is None


def test_sealing_keeps_the_pdf_and_records_its_sha256_and_a_download_returns_it(app, login):
    with app.app_context():
        meeting = db.session.get(Meeting, upcoming_meeting_id())
        meeting_id, chair, taker = meeting.id, meeting.chair, meeting.minute_taker
        run(chair, meeting_id, "start_meeting", {"confirm_early": True})
        run(chair, meeting_id, "end_meeting", None)
        waiting = {"user_ids": unsettled(db.session.get(Meeting, meeting_id))}
        for actor, name, payload in (
            (chair, "settle_attendance", waiting),  # the record is whole before approval
            (chair, "minutes_approve", {"method": "chair"}),
            (taker, "minutes_sign", None),
            (chair, "minutes_sign", None),
        ):
            assert run(actor, meeting_id, name, payload)["ok"], name
        version = db.session.scalar(
            select(MinutesVersion).where(MinutesVersion.meeting_id == meeting_id)
        )
        assert version.is_sealed and version.pdf_sha256
        kept = Path(app.config["CHIBO_MINUTES_DIR"]) / f"{version.fingerprint}.pdf"
        assert sealing.file_sha256(kept.read_bytes()) == version.pdf_sha256
        before = (db.session.get(Meeting, meeting_id).version, version.pdf_sha256)
    data = login("dangvien3").get(f"/meetings/{meeting_id}/minutes.pdf").data
    assert sealing.file_sha256(data) == before[1]
    with app.app_context():
        version = db.session.scalar(
            select(MinutesVersion).where(MinutesVersion.meeting_id == meeting_id)
        )
        assert (db.session.get(Meeting, meeting_id).version, version.pdf_sha256) == before


def test_code_and_original_file_verify_and_a_tampered_file_does_not(app, login, client):
    meeting_id, fingerprint, _names = demo_sealed(app)
    data = login("bithu").get(f"/meetings/{meeting_id}/minutes.pdf").data
    code = sealing.short_code(fingerprint)
    # Public: no login needed.
    page = client.get(f"/verify?code={code}").get_data(as_text=True)
    assert 'data-status="valid"' in page
    assert "Nguyễn Văn Hùng" in page and "Lê Văn Bình" in page and fingerprint in page
    assert "Đồng chí Bí thư báo cáo" not in page  # never the text itself
    assert 'data-status="valid"' in client.post("/verify", data={"code": fingerprint}).get_data(
        as_text=True
    )

    def upload(blob: bytes) -> str:
        body = {"file": (io.BytesIO(blob), "bien-ban.pdf", "application/pdf")}
        response = client.post("/verify", data=body, content_type="multipart/form-data")
        return re.search(r'data-status="(\w+)"', response.get_data(as_text=True)).group(1)

    assert upload(data) == "valid"
    # Something appended after the end: same visible code, different file -> altered.
    assert upload(data + b"\n% a line added later\n") == "altered"
    # One byte changed in the middle.
    broken = bytearray(data)
    broken[len(broken) // 2] ^= 0x01
    assert upload(bytes(broken)) in {"altered", "no_code", "unknown"}
    assert upload(b"not a pdf") == "no_code"
    assert 'data-status="unknown"' in client.get("/verify?code=0000-0000-0000-0000").get_data(
        as_text=True
    )


def test_changed_database_row_no_longer_verifies(app, client):
    _meeting_id, fingerprint, _names = demo_sealed(app)
    with app.app_context():
        version = db.session.scalar(select(MinutesVersion).order_by(MinutesVersion.id).limit(1))
        content = dict(version.content)
        content["closing"] = "23 giờ 00 phút"
        version.content = content
        db.session.commit()
    page = client.get(f"/verify?code={sealing.short_code(fingerprint)}").get_data(as_text=True)
    assert 'data-status="broken"' in page


def test_draft_pdf_of_a_live_meeting_has_watermark_decomposed_text_and_votes(app, sio, login):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
        item_id = db.session.get(Meeting, meeting_id).agenda[0].id
        cell_id = db.session.get(Meeting, meeting_id).cell_id
        officials = [
            m.user.username
            for m in db.session.scalars(select(Membership).where(Membership.cell_id == cell_id))
            if m.party_status == "official" and not m.is_exempted and not m.is_hosted
        ]
    chair, taker = sio("bithu"), sio("dangvien1")
    assert command(chair, meeting_id, "start_meeting", {"confirm_early": True})["ok"]
    decomposed = unicodedata.normalize("NFD", "<p>Đồng chí Bùi Thị Ngọc Ánh đề nghị bổ sung</p>")
    edit = {"item_id": item_id, "base_revision": 0, "html": decomposed}
    assert command(taker, meeting_id, "minutes_edit", edit)["ok"]
    # A vote under the item: every official checks in and agrees.
    voters = [sio(u) for u in officials]
    for v in voters:
        assert command(v, meeting_id, "check_in")["ok"]
    opened = command(
        chair, meeting_id, "open_vote", {"kind": "resolution", "subject": "Nghị quyết tháng"}
    )
    assert opened["ok"], opened
    vote_id = opened["result"]["vote_id"]
    for v in voters:
        ack = command(v, meeting_id, "cast_vote", {"vote_id": vote_id, "choices": ["agree"]})
        assert ack["ok"], ack
    assert command(chair, meeting_id, "close_vote", {"vote_id": vote_id})["ok"]

    data = login("dangvien4").get(f"/meetings/{meeting_id}/minutes.pdf").data
    text = flat(pdf_text(data))
    assert "DỰ THẢO" in text
    assert "Đồng chí Bùi Thị Ngọc Ánh đề nghị bổ sung" in text
    from flask_babel import force_locale

    from meetings.voting.records import vote_summaries

    with app.test_request_context(), force_locale("vi"):
        [summary] = vote_summaries(meeting_id)
    assert summary.passed is True
    assert flat(summary.verdict) in text
    assert "Nghị quyết tháng" in text

    save_pages(data, "minutes_draft")


def save_pages(data: bytes, stem: str) -> None:
    """First and last page as PNG in test-artifacts/ (looked at by a person)."""
    out = Path("test-artifacts")
    out.mkdir(exist_ok=True)
    pages = len(PdfReader(io.BytesIO(data)).pages)
    (out / f"{stem}.pdf").write_bytes(data)
    for label, number in (("first", 1), ("last", pages)):
        target = out / f"{stem}_{label}"
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "70",
                "-f",
                str(number),
                "-l",
                str(number),
                "-singlefile",
                str(out / f"{stem}.pdf"),
                str(target),
            ],
            check=True,
        )
        assert (out / f"{stem}_{label}.png").stat().st_size > 10_000


def test_sample_pages_saved_for_review(app, login):
    meeting_id, _fp, _names = demo_sealed(app)
    save_pages(login("bithu").get(f"/meetings/{meeting_id}/minutes.pdf").data, "minutes_sealed")
