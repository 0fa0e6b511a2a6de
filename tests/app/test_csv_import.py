"""CSV import of a cell's members through the admin page: all rows or none."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from sqlalchemy import func, select

from auth.models import User
from core.extensions import db
from org.models import Membership

pytestmark = pytest.mark.language("en")  # the assertions quote English texts

HEADER = "username,full_name,party_status,cell_role,exempted,hosted,transferred,password\n"


@pytest.fixture
def cell_id(app):
    """A new, empty cell under the ward of the demo, created through the admin page."""
    from org.models import Organization

    with app.app_context():
        ward = db.session.scalar(select(Organization).filter_by(name="Đảng bộ Phường Liên Bảo"))
        cell = Organization(name="Chi bộ Khu phố 3", kind="cell", parent=ward)
        db.session.add(cell)
        db.session.commit()
        return cell.id


def upload(client, cell_id: int, data: bytes, name: str = "members.csv"):
    return client.post(
        f"/admin/cells/{cell_id}/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count(User.id))),
            db.session.scalar(select(func.count(Membership.id))),
        )


def members(app, cell_id: int) -> dict[str, Membership]:
    with app.app_context():
        rows = db.session.scalars(select(Membership).filter_by(cell_id=cell_id)).all()
        for row in rows:
            _ = row.user.full_name  # load it before the context closes
        return {m.user.username: m for m in rows}


GOOD = (
    HEADER + "an.nv,Nguyễn Văn An,official,secretary,,,,\n"
    "binh.tt,Trần Thị Bình,chính thức,phó bí thư,,,,mat-khau-cua-binh\n"
    "cuong.lv,Lê Văn Cường,dự bị,đảng viên,,,,\n"
    "dung.pt,Phạm Thị Dung,official,member,có,,,\n"
    "em.hv,Hoàng Văn Em,official,member,,,x,\n"
)


def test_a_good_file_imports_every_member_and_shows_generated_passwords(app, login, cell_id):
    before = counts(app)
    response = upload(login("admin"), cell_id, GOOD.encode())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert counts(app) == (before[0] + 5, before[1] + 5)
    found = members(app, cell_id)
    assert set(found) == {"an.nv", "binh.tt", "cuong.lv", "dung.pt", "em.hv"}
    assert found["an.nv"].cell_role == "secretary"
    assert found["binh.tt"].cell_role == "deputy"
    assert found["cuong.lv"].party_status == "probationary"
    assert found["dung.pt"].is_exempted and found["em.hv"].is_transferred_out
    # Four passwords generated and shown once; the fifth came from the file.
    shown = re.findall(r"<code>([a-z0-9-]{14})</code>", page)
    assert len(shown) == 4
    login("an.nv", shown[0])
    login("binh.tt", "mat-khau-cua-binh")
    assert response.headers["Cache-Control"] == "no-store"


def test_three_bad_rows_are_reported_by_line_and_nothing_is_imported(app, login, cell_id):
    data = (
        HEADER + "ok.1,Nguyễn Văn An,official,member,,,,\n"  # 2
        "ok.2,Trần Thị Bình,official,member,,,,\n"  # 3
        "bad.1,Lê Văn Cường,maybe,member,,,,\n"  # 4: bad party status
        "ok.3,Phạm Thị Dung,official,member,,,,\n"  # 5
        ",Hoàng Văn Em,official,member,,,,\n"  # 6: no username
        "ok.4,Vũ Thị Phương,official,member,,,,\n"  # 7
        "ok.1,Đỗ Văn Giang,official,member,,,,\n"  # 8: duplicate of line 2
    )
    before = counts(app)
    response = upload(login("admin"), cell_id, data.encode())
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    lines = re.findall(r'<tr><th scope="row">(\d+)</th>', page)
    assert lines == ["4", "6", "8"]
    assert "line 2" in page  # the duplicate says where the first one is
    assert counts(app) == before
    assert members(app, cell_id) == {}


def test_rows_checked_against_the_database(app, login, cell_id):
    data = (
        HEADER + "dangvien1,Lê Văn Bình,official,member,,,,\n"  # 2: home in Khu phố 1
        "dangvien2,Phạm Thị Hương,official,member,,yes,,\n"  # 3: fine, hosted
        "dangvien3,Someone Else,official,member,,yes,,\n"  # 4: name mismatch
        "dangvien4,Vũ Thị Lan,official,member,,yes,,mat-khau-moi-dai\n"  # 5: password given
    )
    before = counts(app)
    page = upload(login("admin"), cell_id, data.encode()).get_data(as_text=True)
    assert re.findall(r'<tr><th scope="row">(\d+)</th>', page) == ["2", "4", "5"]
    assert "Chi bộ Khu phố 1" in page and "Hoàng Văn Dũng" in page
    assert counts(app) == before


def test_existing_user_is_added_as_hosted_member_without_a_new_account(app, login, cell_id):
    data = HEADER + "dangvien2,Phạm Thị Hương,official,member,,có,,\n"
    before = counts(app)
    page = upload(login("admin"), cell_id, data.encode()).get_data(as_text=True)
    assert counts(app) == (before[0], before[1] + 1)
    assert members(app, cell_id)["dangvien2"].is_hosted
    assert "<code>" not in page


def test_an_existing_secretary_refuses_a_second_one(app, login):
    from tests.factories import Demo

    with app.app_context():
        kp1 = Demo.load().kp1.id
    data = HEADER + "new.bt,Ngô Văn Hải,official,secretary,,,,\n"
    before = counts(app)
    page = upload(login("admin"), kp1, data.encode()).get_data(as_text=True)
    assert "already has a secretary (Nguyễn Văn Hùng)" in page
    assert counts(app) == before


def test_bom_and_semicolons_as_excel_writes_them(app, login, cell_id):
    text = (
        "username;full_name;party_status;cell_role;exempted;hosted;transferred;password\r\n"
        "an.nv;Nguyễn Văn An;chính thức;bí thư;;;;\r\n"
        "binh.tt;Trần Thị Bình;dự bị;đảng viên;không;không;không;\r\n"
    )
    response = upload(login("admin"), cell_id, b"\xef\xbb\xbf" + text.encode())
    assert response.status_code == 200
    found = members(app, cell_id)
    assert found["an.nv"].cell_role == "secretary"
    assert found["binh.tt"].party_status == "probationary"
    assert found["an.nv"].user.full_name == "Nguyễn Văn An"  # no BOM glued to anything


def test_decomposed_vietnamese_names_are_stored_nfc(app, login, cell_id):
    name = unicodedata.normalize("NFD", "Đặng Thị Thuỳ Dương")
    data = f"username,full_name,party_status,cell_role\nduong,{name},official,member\n"
    upload(login("admin"), cell_id, data.encode())
    stored = members(app, cell_id)["duong"].user.full_name
    assert stored == unicodedata.normalize("NFC", "Đặng Thị Thuỳ Dương")
    assert stored != name


def test_a_file_that_is_not_utf8_is_refused(app, login, cell_id):
    data = HEADER.encode() + "an,Ph\xe9p,official,member\n".encode("cp1252")
    page = upload(login("admin"), cell_id, data).get_data(as_text=True)
    assert "not UTF-8" in page and '<th scope="row">2</th>' in page


def test_an_oversized_file_is_refused(app, login, cell_id, monkeypatch):
    # A small limit: werkzeug's test client leaks the temporary file of a 1 MB request body.
    import admin.members
    import org.csv_import

    monkeypatch.setattr(org.csv_import, "MAX_BYTES", 2_000)
    monkeypatch.setattr(admin.members, "MAX_BYTES", 2_000)
    before = counts(app)
    data = GOOD.encode() * 20
    assert len(data) > 2_000
    response = upload(login("admin"), cell_id, data)
    assert response.status_code == 422 and "too large" in response.get_data(as_text=True)
    assert counts(app) == before


def test_sample_file_imports_cleanly(app, login, cell_id):
    admin = login("admin")
    sample = admin.get("/admin/import-sample.csv").data
    assert sample.startswith(b"\xef\xbb\xbf")
    response = upload(admin, cell_id, sample)
    assert response.status_code == 200
    assert len(members(app, cell_id)) == 4
