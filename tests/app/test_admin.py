"""Administration pages: who may use them, and what an administrator's changes do."""

from __future__ import annotations

import re
import unicodedata

import pytest
from sqlalchemy import func, select

from auth.models import User
from core.extensions import db
from org.models import Membership, Organization, Oversight
from tests.conftest import make_test_app
from tests.factories import upcoming_meeting_id

pytestmark = pytest.mark.language("en")  # the assertions quote English texts


def admin_urls(app) -> list[tuple[str, str]]:
    """(method, url) for every rule of the admin blueprint, ids filled with 1."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin."):
            continue
        values = {arg: 1 for arg in rule.arguments}
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, url))
    return found


def test_the_walk_covers_the_whole_blueprint(app):
    urls = admin_urls(app)
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")}
    assert len(endpoints) >= 15 and len(urls) >= len(endpoints)
    assert ("POST", "/admin/memberships/1/remove") in urls


@pytest.mark.parametrize("username", ["bithu", "lanhdao", "dangvien1"])
def test_non_admins_get_403_on_every_admin_route(app, login, username):
    client = login(username)
    for method, url in admin_urls(app):
        response = client.open(url, method=method)
        assert response.status_code == 403, (method, url, response.status_code)


def test_anonymous_is_sent_to_login_on_every_admin_route(app, client):
    for method, url in admin_urls(app):
        response = client.open(url, method=method)
        assert response.status_code in (302, 401), (method, url)
        if response.status_code == 302:
            assert "/login" in response.headers["Location"]


def test_refused_non_admin_changes_nothing(store, login, demo):
    before = store.count(Membership)
    login("bithu").post(
        f"/admin/cells/{demo.kp1.id}/members/new",
        data={"username": "kp2_dangvien1", "party_status": "official", "cell_role": "member"},
    )
    assert store.count(Membership) == before


def test_csrf_is_required_when_enabled(tmp_path):
    app = make_test_app(tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "admin", "password": "chibo-demo", "csrf_token": token})
    response = client.post("/admin/users/new", data={"username": "x1", "full_name": "X"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(User).filter_by(username="x1")) is None
        db.session.remove()
        db.engine.dispose()


def test_every_admin_page_renders(store, login, demo):
    client = login("admin")
    member = store.membership("dangvien1")
    for url in (
        "/admin/",
        "/admin/users",
        "/admin/users?q=nguyen",
        "/admin/users/new",
        f"/admin/users/{demo.users['bithu'].id}",
        "/admin/orgs/new",
        f"/admin/orgs/{demo.kp1.id}",
        f"/admin/orgs/{demo.kp1.parent_id}",
        f"/admin/orgs/{demo.kp1.id}/edit",
        f"/admin/cells/{demo.kp1.id}/members/new",
        f"/admin/memberships/{member.id}",
        "/admin/oversights",
        f"/admin/cells/{demo.kp1.id}/import",
        "/admin/import-sample.csv",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store"


def test_index_shows_the_tree_with_member_counts(login, demo):
    page = login("admin").get("/admin/").get_data(as_text=True)
    assert page.index("Đảng bộ tỉnh Vĩnh Phúc") < page.index("Chi bộ Khu phố 1")
    assert "15 member(s)" in page or "15 đảng viên" in page or ">15 " in page


class Store:
    """Reads the database in short app contexts: clients must not share a test-wide one."""

    def __init__(self, app):
        self.app = app

    def run(self, fn):
        with self.app.app_context():
            return fn()

    def org(self, name: str) -> Organization:
        return self.run(lambda: db.session.scalar(select(Organization).filter_by(name=name)))

    def user(self, username: str) -> User | None:
        return self.run(lambda: db.session.scalar(select(User).filter_by(username=username)))

    def count(self, model) -> int:
        return self.run(lambda: db.session.scalar(select(func.count(model.id))))

    def membership(self, username: str, cell_id: int | None = None) -> Membership | None:
        def find():
            query = select(Membership).join(User).where(User.username == username)
            if cell_id is not None:
                query = query.where(Membership.cell_id == cell_id)
            return db.session.scalar(query)

        return self.run(find)


@pytest.fixture
def store(app) -> Store:
    return Store(app)


def test_admin_builds_a_committee_a_cell_a_user_a_membership_an_oversight(store, login):
    admin = login("admin")
    province = store.org("Đảng bộ tỉnh Vĩnh Phúc")
    r = admin.post(
        "/admin/orgs/new",
        data={"name": "Đảng bộ  Huyện Tam Đảo", "kind": "district", "parent_id": province.id},
    )
    assert r.status_code == 302
    district = store.org("Đảng bộ Huyện Tam Đảo")
    assert district.parent_id == province.id
    admin.post(
        "/admin/orgs/new",
        data={
            "name": "Chi bộ Thôn Đồi",
            "kind": "cell",
            "parent_id": district.id,
            "place": "Tam Đảo",
            "video_url": "https://meet.jit.si/thon-doi",
        },
    )
    cell = store.org("Chi bộ Thôn Đồi")
    assert (cell.kind, cell.place, cell.video_url) == (
        "cell",
        "Tam Đảo",
        "https://meet.jit.si/thon-doi",
    )

    r = admin.post(
        "/admin/users/new",
        data={"username": "Le.Thi-Hoa", "full_name": "Lê Thị Hoa", "language": "vi"},
    )
    assert r.status_code == 200  # the generated password is shown on this page, once
    shown = re.search(r"<code>([a-z0-9-]{14})</code>", r.get_data(as_text=True)).group(1)
    hoa = store.user("le.thi-hoa")
    assert hoa.check_password(shown)

    r = admin.post(
        f"/admin/cells/{cell.id}/members/new",
        data={"username": "le.thi-hoa", "party_status": "official", "cell_role": "secretary"},
    )
    assert r.status_code == 302
    membership = store.membership("le.thi-hoa")
    assert (membership.cell_id, membership.cell_role) == (cell.id, "secretary")
    # The new secretary logs in with the shown password and may schedule in her cell.
    hoa_client = login("le.thi-hoa", shown)
    assert hoa_client.get(f"/cells/{cell.id}/meetings/new").status_code == 200

    # An oversight of the new district: the observer can open a meeting of a cell below...
    admin.post(
        "/admin/users/new",
        data={
            "username": "pho.bt",
            "full_name": "Kim Văn Phúc",
            "password": "mat-khau-rat-dai",
            "language": "vi",
        },
    )
    r = admin.post(
        "/admin/oversights",
        data={
            "username": "pho.bt",
            "organization_id": district.id,
            "office": "Phó Bí thư Huyện ủy",
        },
    )
    assert r.status_code == 302
    oversight = store.run(
        lambda: db.session.scalar(select(Oversight).filter_by(user_id=store.user("pho.bt").id))
    )
    assert oversight.office == "Phó Bí thư Huyện ủy"
    hoa_client.post(
        f"/cells/{cell.id}/meetings/new",
        data={
            "kind": "extraordinary",
            "title": "Họp bất thường",
            "scheduled_at": "2030-01-15T19:30",
            "chair_id": hoa.id,
            "minute_taker_id": hoa.id,
            "agenda-0-title": "Khai mạc",
            "agenda-0-planned_minutes": "5",
        },
    )
    meeting_id = store.run(lambda: upcoming_meeting_id("Chi bộ Thôn Đồi"))
    assert meeting_id is not None
    observer = login("pho.bt", "mat-khau-rat-dai")
    assert observer.get(f"/meetings/{meeting_id}").status_code == 200
    # ... but not one in another district.
    assert observer.get(f"/meetings/{store.run(upcoming_meeting_id)}").status_code == 403
    # Removing the oversight takes that right away.
    admin.post(f"/admin/oversights/{oversight.id}/remove")
    assert observer.get(f"/meetings/{meeting_id}").status_code == 403


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "X", "kind": "cell", "parent_id": 0}, "must belong to a committee"),
        ({"name": "X", "kind": "grassroots", "parent_id": "KP1"}, "cannot have organisations"),
        ({"name": "X", "kind": "province", "parent_id": "PROVINCE"}, "higher level"),
    ],
)
def test_kind_must_fit_the_tree(store, login, demo, data, message):
    ids = {"KP1": demo.kp1.id, "PROVINCE": store.org("Đảng bộ tỉnh Vĩnh Phúc").id}
    data = {**data, "parent_id": ids.get(data["parent_id"], data["parent_id"])}
    before = store.count(Organization)
    client = login("admin")
    if data["parent_id"] == demo.kp1.id:
        # A cell is not offered as a parent: the form refuses the choice outright.
        r = client.post("/admin/orgs/new", data=data)
        assert r.status_code == 200 and "Not a valid choice" in r.get_data(as_text=True)
    else:
        r = client.post("/admin/orgs/new", data=data)
        assert r.status_code == 200 and message in r.get_data(as_text=True)
    assert store.count(Organization) == before


def test_service_refuses_a_cell_parent_and_a_cell_with_children(app, demo):
    from org.errors import AdminError
    from org.tree import save_organization

    with app.app_context():
        with pytest.raises(AdminError) as exc:
            save_organization(None, name="X", kind="cell", parent_id=demo.kp1.id)
        assert exc.value.code == "parent_is_cell"
        ward = db.session.get(Organization, demo.kp1.parent_id)
        with pytest.raises(AdminError) as exc:
            save_organization(ward, name=ward.name, kind="cell", parent_id=ward.parent_id)
        assert exc.value.code == "kind_has_children"
        city = ward.parent
        with pytest.raises(AdminError) as exc:  # below its own child
            save_organization(city, name=city.name, kind="district", parent_id=ward.id)
        assert exc.value.code == "parent_level"
        with pytest.raises(AdminError) as exc:
            save_organization(city, name=city.name, kind="district", parent_id=city.id)
        assert exc.value.code == "parent_level"
        db.session.rollback()
        assert db.session.get(Organization, ward.id).kind == "grassroots"


def test_user_search_is_accent_insensitive_and_sorted_by_given_name(login):
    page = login("admin").get("/admin/users?q=thi").get_data(as_text=True)
    names = re.findall(r'<th scope="row"><a href="/admin/users/\d+">([^<]+)</a>', page)
    assert "Trần Thị Mai" in names and "Nguyễn Văn Hùng" not in names
    given = [n.split()[-1] for n in names]
    assert given.index("Ánh") < given.index("Bích") < given.index("Yến")
    page = login("admin").get("/admin/users?q=huong").get_data(as_text=True)
    assert "Phạm Thị Hương" in page


def test_create_user_rules(store, login):
    admin = login("admin")
    r = admin.post(
        "/admin/users/new",
        data={"username": "bithu", "full_name": "Ai Đó", "language": "vi"},
    )
    assert "already taken" in r.get_data(as_text=True)
    r = admin.post(
        "/admin/users/new",
        data={"username": "nguyễn", "full_name": "Ai Đó", "language": "vi"},
    )
    assert "lowercase letters without accents" in r.get_data(as_text=True)
    r = admin.post(
        "/admin/users/new",
        data={"username": "short", "full_name": "Ai", "password": "123", "language": "vi"},
    )
    assert store.user("short") is None
    decomposed = unicodedata.normalize("NFD", "Đoàn Thị Ngọc Ánh")
    admin.post(
        "/admin/users/new",
        data={
            "username": "anh",
            "full_name": decomposed,
            "password": "0123456789",
            "language": "vi",
        },
    )
    assert store.user("anh").full_name == unicodedata.normalize("NFC", "Đoàn Thị Ngọc Ánh")


def test_deactivate_logs_out_and_disconnects(store, login, sio, demo):
    socket = sio("dangvien2")
    member = login("dangvien2")
    user_id = demo.users["dangvien2"].id
    r = login("admin").post(f"/admin/users/{user_id}/active", data={"active": "0"})
    assert r.status_code == 302
    assert not socket.is_connected()
    assert member.get("/").status_code == 302  # back to the login page
    assert store.user("dangvien2").is_active_account is False


def test_admin_cannot_lock_themselves_out(store, login, demo):
    admin = login("admin")
    admin_id = demo.users["admin"].id
    r = admin.post(f"/admin/users/{admin_id}/active", data={"active": "0"}, follow_redirects=True)
    assert "cannot deactivate your own account" in r.get_data(as_text=True)
    r = admin.post(f"/admin/users/{admin_id}", data={"full_name": "Quản trị", "language": "vi"})
    assert "own administrator right" in r.get_data(as_text=True)
    admin_user = store.user("admin")
    assert admin_user.is_active_account and admin_user.is_admin


def test_reset_password_rotates_the_session(login, demo):
    member = login("dangvien3")
    user_id = demo.users["dangvien3"].id
    r = login("admin").post(f"/admin/users/{user_id}/password", data={"password": ""})
    shown = re.search(r"<code>([a-z0-9-]{14})</code>", r.get_data(as_text=True)).group(1)
    assert member.get("/").status_code == 302  # the old session is dead
    login("dangvien3", shown)


def _add(client, cell_id, username, **fields):
    data = {"username": username, "party_status": "official", "cell_role": "member"}
    data.update(fields)
    return client.post(f"/admin/cells/{cell_id}/members/new", data=data)


def test_one_secretary_per_cell(store, login, demo):
    admin = login("admin")
    r = _add(admin, demo.kp1.id, "lanhdao", cell_role="secretary")
    assert r.status_code == 200
    assert "already has a secretary (Nguyễn Văn Hùng)" in r.get_data(as_text=True)
    membership = store.membership("phobithu")
    r = admin.post(
        f"/admin/memberships/{membership.id}",
        data={"party_status": "official", "cell_role": "secretary"},
    )
    assert "already has a secretary" in r.get_data(as_text=True)
    assert store.membership("phobithu").cell_role == "deputy"


def test_home_membership_is_unique_others_are_hosted(store, login, demo):
    admin = login("admin")
    r = _add(admin, demo.kp1.id, "kp2_dangvien2")
    assert "one home cell" in r.get_data(as_text=True)
    assert "Chi bộ Khu phố 2" in r.get_data(as_text=True)
    r = _add(admin, demo.kp1.id, "kp2_dangvien2", hosted="y")
    assert r.status_code == 302
    rows = [store.membership("kp2_dangvien2", cell) for cell in (demo.kp1.id, demo.kp2.id)]
    assert sorted((m.cell_id, m.is_hosted) for m in rows) == sorted(
        [(demo.kp2.id, False), (demo.kp1.id, True)]
    )
    r = _add(admin, demo.kp1.id, "kp2_dangvien2", hosted="y")
    assert "already a member of this cell" in r.get_data(as_text=True)


def test_posts_are_for_official_members(login, demo):
    r = _add(
        login("admin"),
        demo.kp2.id,
        "dubi1",
        party_status="probationary",
        cell_role="deputy",
        hosted="y",
    )
    assert "Only official members" in r.get_data(as_text=True)


def test_edit_and_remove_membership_disconnect_the_user(store, login, sio):
    admin = login("admin")
    membership = store.membership("dangvien4")
    socket = sio("dangvien4")
    r = admin.post(
        f"/admin/memberships/{membership.id}",
        data={"party_status": "official", "cell_role": "member", "exempted": "y"},
    )
    assert r.status_code == 302
    assert store.membership("dangvien4").is_exempted is True
    assert not socket.is_connected()

    socket = sio("dangvien4")
    meeting_id = store.run(upcoming_meeting_id)
    assert login("dangvien4").get(f"/meetings/{meeting_id}").status_code == 200
    admin.post(f"/admin/memberships/{membership.id}/remove")
    assert not socket.is_connected()
    assert store.membership("dangvien4") is None
    assert login("dangvien4").get(f"/meetings/{meeting_id}").status_code == 403
