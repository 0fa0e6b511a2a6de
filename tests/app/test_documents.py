"""Meeting documents: type from the bytes, size limit, release, who may download."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from core.extensions import db
from meetings.documents.models import MeetingDocument
from tests.factories import upcoming_meeting_id

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


@pytest.fixture(autouse=True)
def documents_dir(app, tmp_path):
    app.config["CHIBO_DOCUMENTS_DIR"] = str(tmp_path / "documents")


def fetch(client, url):
    """GET a download and close it (send_file keeps the file open until then)."""
    response = client.get(url)
    response.close()
    return response


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def upload(client, meeting_id, data: bytes, name: str, title="Dự thảo nghị quyết"):
    return client.post(
        f"/meetings/{meeting_id}/documents",
        data={"title": title, "agenda_item_id": "0", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def stored(app):
    """The newest document of the upcoming meeting (the demo's past meetings have their own)."""
    with app.app_context():
        return db.session.scalars(
            select(MeetingDocument)
            .where(MeetingDocument.meeting_id == upcoming_meeting_id())
            .order_by(MeetingDocument.id.desc())
        ).first()


def test_upload_release_and_download(app, login):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    secretary, member, leader = login("bithu"), login("dangvien2"), login("lanhdao")
    assert upload(secretary, meeting_id, PDF, "du-thao.pdf").status_code == 302
    doc = stored(app)
    assert (doc.kind, doc.size, doc.filename, doc.released_at) == (
        "pdf",
        len(PDF),
        "du-thao.pdf",
        None,
    )
    assert doc.storage_name != "du-thao.pdf" and len(doc.storage_name) == 32
    url = f"/meetings/{meeting_id}/documents/{doc.id}"
    # Not released: members do not see it.
    assert fetch(member, url).status_code == 404
    assert "Dự thảo nghị quyết" not in member.get(f"/meetings/{meeting_id}/documents").get_data(
        as_text=True
    )
    assert fetch(secretary, url).status_code == 200
    # Only the secretary's side releases.
    assert member.post(f"{url}/release").status_code == 403
    assert secretary.post(f"{url}/release").status_code == 302
    assert stored(app).released_at is not None
    for client in (member, leader):
        response = client.get(url)
        body = response.get_data()
        response.close()
        assert response.status_code == 200 and body == PDF
        assert response.mimetype == "application/pdf"
        assert "attachment" in response.headers["Content-Disposition"]
    # A released document stays on the record.
    secretary.post(f"{url}/delete")
    assert stored(app) is not None


def test_docx_and_images_are_accepted(app, login):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    secretary = login("bithu")
    assert upload(secretary, meeting_id, docx_bytes(), "ke-hoach.docx").status_code == 302
    assert stored(app).kind == "docx"
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    assert upload(secretary, meeting_id, png, "anh.PNG").status_code == 302
    assert stored(app).kind == "png"


def test_renamed_executable_and_mismatches_are_refused(app, login):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    secretary = login("bithu")
    for data, name in [
        (EXE, "tai-lieu.pdf"),  # an .exe renamed to .pdf
        (EXE, "tai-lieu.docx"),
        (PDF, "tai-lieu.exe"),  # a real PDF with a wrong extension
        (b"PK\x03\x04not a zip", "a.docx"),
        (b"", "empty.pdf"),
    ]:
        response = upload(secretary, meeting_id, data, name)
        assert response.status_code == 400, name
        assert stored(app) is None, name
    html = upload(secretary, meeting_id, EXE, "x.pdf").get_data(as_text=True)
    assert "PDF, DOCX" in html


def test_size_limit(app, login):
    from meetings.documents import storage

    with app.app_context():
        meeting_id = upcoming_meeting_id()
        assert storage.max_bytes() == 10 * 1024 * 1024  # the default
    # A small limit keeps the test's upload in memory; the same checks apply at 10 MB.
    app.config["CHIBO_MAX_DOCUMENT_BYTES"] = 4096
    secretary = login("bithu")
    response = upload(secretary, meeting_id, PDF + b"0" * 5000, "big.pdf")
    assert response.status_code == 400
    assert "larger than" in response.get_data(as_text=True) or "lớn hơn" in response.get_data(
        as_text=True
    )
    # Far over the limit, the request itself is refused before it is read.
    response = upload(secretary, meeting_id, PDF + b"0" * 300_000, "huge.pdf")
    assert response.status_code == 413
    assert stored(app) is None
    assert upload(secretary, meeting_id, PDF + b"0" * 3000, "ok.pdf").status_code == 302


def test_non_members_cannot_upload_or_download(app, login):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    secretary = login("bithu")
    upload(secretary, meeting_id, PDF, "a.pdf")
    doc = stored(app)
    secretary.post(f"/meetings/{meeting_id}/documents/{doc.id}/release")
    outsider = login("kp2_dangvien1")
    assert fetch(outsider, f"/meetings/{meeting_id}/documents/{doc.id}").status_code == 403
    assert outsider.get(f"/meetings/{meeting_id}/documents").status_code == 403
    assert upload(login("dangvien2"), meeting_id, PDF, "b.pdf").status_code == 403
    assert upload(login("lanhdao"), meeting_id, PDF, "b.pdf").status_code == 403
