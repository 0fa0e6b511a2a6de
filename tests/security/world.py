"""A meeting world with one user per role, for walking every route and event against every role."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from auth.models import User
from core.extensions import db
from core.timeutil import vietnam_today
from meetings import commands
from meetings.commands import dispatch
from meetings.models import Meeting
from org.models import Membership, Organization, OrgKind, Oversight
from oversight.models import Assignment
from tests.conftest import make_test_app
from tests.factories import upcoming_meeting_id
from tests.scale import pg

# persona -> demo username (None: not logged in). The chair is not the secretary, so the roles
# are told apart; the minute-taker is dangvien1 (the demo meeting's).
PERSONAS: dict[str, str | None] = {
    "anonymous": None,
    "other_cell_member": "kp2_dangvien1",
    "unrelated_observer": "lanhdao_td",
    "upper_observer": "lanhdao",
    "probationary": "dubi1",
    "hosted": "tamthoi1",
    "official": "dangvien2",
    "minute_taker": "dangvien1",
    "chair": "dangvien3",
    "secretary": "bithu",
    "admin": "admin",
}

# The roles each persona must hold in the world's meeting (written by hand, so a wrong
# derivation in meetings.permissions is caught, not mirrored).
PERSONA_ROLES: dict[str, frozenset[str]] = {
    "anonymous": frozenset(),
    "other_cell_member": frozenset(),
    "unrelated_observer": frozenset(),
    "upper_observer": frozenset({"observer"}),
    "probationary": frozenset({"member", "probationary"}),
    "hosted": frozenset({"member", "official", "hosted"}),
    "official": frozenset({"member", "official"}),
    "minute_taker": frozenset({"member", "official", "minute_taker"}),
    "chair": frozenset({"member", "official", "chair"}),
    "secretary": frozenset({"member", "official", "secretary"}),
    "admin": frozenset({"admin"}),
}

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    app: object
    ids: dict[str, int] = field(default_factory=dict)


def build(tmp_path) -> World:
    app = make_test_app(tmp_path)
    world = World(app)
    with app.app_context():
        users = {u.username: u for u in db.session.scalars(select(User)).all()}
        orgs = {o.name: o for o in db.session.scalars(select(Organization)).all()}
        province = orgs["Đảng bộ tỉnh Vĩnh Phúc"]
        kp1 = orgs["Chi bộ Khu phố 1"]
        other_district = Organization(
            name="Đảng bộ huyện Tam Dương", kind=OrgKind.DISTRICT, parent=province
        )
        leader = User(username="lanhdao_td", full_name="Kiều Văn Thành")
        leader.set_password("chibo-demo")
        spare = User(username="spare", full_name="Lò Văn Dự Phòng")
        spare.set_password("chibo-demo")
        db.session.add_all([other_district, leader, spare])
        db.session.flush()
        db.session.add(
            Oversight(user=leader, organization=other_district, office="Bí thư Huyện ủy")
        )
        spare_membership = Membership(user=spare, cell=kp1, party_status="official")
        spare_oversight = Oversight(user=spare, organization=other_district, office="Ủy viên")
        db.session.add_all([spare_membership, spare_oversight])
        meeting = db.session.get(Meeting, upcoming_meeting_id())
        meeting.chair_id = users["dangvien3"].id
        meeting.minute_taker_id = users["dangvien1"].id
        assignment = db.session.scalar(
            select(Assignment).where(Assignment.leader_id == users["lanhdao"].id)
        )  # the demo's: lanhdao is assigned to Khu phố 1 by the province
        db.session.commit()

        chair = users["dangvien3"]

        def run(name, payload=None):
            ack = dispatch(chair, meeting.id, name, secrets.token_hex(8), payload or {})
            assert ack["ok"], (name, ack)
            return ack["result"]

        run("start_meeting", {"confirm_early": True})
        for username in ("dangvien2", "dangvien3", "dangvien4"):
            run("mark_attendance", {"user_id": users[username].id, "status": "present"})
        task = run(
            "task_add",
            {
                "text": "Việc của đồng chí Hương",
                "owner_ids": [users["dangvien2"].id],
                "due_on": (vietnam_today() + timedelta(days=5)).isoformat(),
            },
        )
        vote = run("open_vote", {"kind": "admission", "subject": "Lê Thị Cúc"})  # secret
        run("close_vote", {"vote_id": vote["vote_id"]})
        upload = {"title": "Dự thảo nghị quyết", "filename": "du-thao.pdf", "data": PDF}
        doc_id = commands.run(users["bithu"], meeting.id, "attach_document", upload)["result"]
        doc_id = doc_id["document_id"]
        commands.run(users["bithu"], meeting.id, "release_document", {"document_id": doc_id})
        world.ids = {
            "meeting_id": meeting.id,
            "cell_id": kp1.id,
            "committee_id": province.id,
            "org_id": other_district.id,
            "user_id": spare.id,
            "membership_id": spare_membership.id,
            "oversight_id": spare_oversight.id,
            "assignment_id": assignment.id,
            "document_id": doc_id,
            "vote_id": vote["vote_id"],
            "task_id": task["task_id"],
        }
    return world


@contextlib.contextmanager
def world_in(tmp_path) -> Iterator[World]:
    """A world, its connections closed (and its PostgreSQL database dropped) afterwards."""
    world = build(tmp_path)
    try:
        yield world
    finally:
        with world.app.app_context():
            db.session.remove()
            db.engine.dispose()
        url = world.app.config["SQLALCHEMY_DATABASE_URI"]
        if pg.is_test_database(url):
            pg.drop_database(url)


def client_for(world: World, persona: str):
    client = world.app.test_client()
    username = PERSONAS[persona]
    if username is not None:
        response = client.post("/login", data={"username": username, "password": "chibo-demo"})
        assert response.status_code == 302, persona
    return client
