"""The benchmark's database: cells of N members with a live meeting each, and signed sessions.

`populate(url, secret_key, rooms, size, present_all)` builds an empty database (SQLite file or
PostgreSQL) with the app's own models, then returns, per meeting, its id and members with a
session cookie each. Half the members (all of them for the burst) are already checked in when
the run starts; the others check in during the run.

Sessions are signed by the app's own session interface with the run's SECRET_KEY, after
Flask-Login's `login_user` filled them: byte for byte what the login form would set. Logging
1,500 users in over HTTP would take over an hour at the login rate limit (20 a minute per
address, 5 per account), and checking 1,500 scrypt hashes is not what is measured here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

SECRETARY_NAME = "Nguyễn Văn Hùng"
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hùng",
    "Lan",
    "Mai",
    "Ngọc",
    "Phúc",
    "Quỳnh",
    "Sơn",
    "Thảo",
    "Tuấn",
    "Ước",
    "Vân",
    "Yến",
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương"]


@dataclass
class Member:
    user_id: int
    cookie: str
    present: bool  # checked in before the run starts
    voter: bool  # eligible in the vote the chair opens at the start (official and present)


@dataclass
class Room:
    meeting_id: int
    item_id: int
    members: list[Member] = field(default_factory=list)
    chair: int = 0  # index in members: the secretary, chair and minute-taker


def make_app(url: str, secret_key: str, instance: str):
    """The app bound to the benchmark's database, outside any server (threading mode)."""
    from app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": secret_key,
            "INSTANCE_PATH": instance,
            "CHIBO_ASYNC_MODE": "threading",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )


def populate(
    url: str, secret_key: str, instance: str, rooms: int, size: int, present_all: bool
) -> list[Room]:
    """Create `rooms` cells of `size` official members, each with a live meeting."""
    from werkzeug.security import generate_password_hash

    from auth.models import User
    from core.extensions import db
    from core.timeutil import utcnow
    from meetings.models import AgendaItem, Attendance, Meeting, MeetingStatus
    from org.models import CellRole, Membership, Organization, OrgKind

    app = make_app(url, secret_key, instance)
    # Nobody logs in with it; a cheap hash keeps the set-up fast.
    password_hash = generate_password_hash("bench-only", method="pbkdf2:sha256:1")
    out: list[Room] = []
    with app.app_context():
        db.create_all()
        now = utcnow()
        top = Organization(name="Đảng bộ phường Bến Nghé", kind=OrgKind.GRASSROOTS)
        db.session.add(top)
        db.session.flush()
        plan = []
        for r in range(rooms):
            cell = Organization(name=f"Chi bộ Khu phố {r + 1}", kind=OrgKind.CELL, parent_id=top.id)
            db.session.add(cell)
            db.session.flush()
            users = []
            for i in range(size):
                name = (
                    SECRETARY_NAME
                    if i == 0
                    else f"{FAMILY[i % len(FAMILY)]} Văn {GIVEN[(i // 7) % len(GIVEN)]} {i}"
                )
                users.append(
                    User(
                        username=f"r{r}u{i}",
                        full_name=name,
                        password_hash=password_hash,
                        language="vi",
                    )
                )
            db.session.add_all(users)
            db.session.flush()
            db.session.add_all(
                Membership(
                    user_id=u.id,
                    cell_id=cell.id,
                    party_status="official",
                    cell_role=CellRole.SECRETARY if i == 0 else CellRole.MEMBER,
                )
                for i, u in enumerate(users)
            )
            meeting = Meeting(
                cell_id=cell.id,
                title="Sinh hoạt chi bộ thường kỳ",
                scheduled_at=now - timedelta(minutes=5),
                place="Nhà văn hoá",
                chair_id=users[0].id,
                minute_taker_id=users[0].id,
                status=MeetingStatus.LIVE,
                started_at=now - timedelta(minutes=1),
                created_by_id=users[0].id,
            )
            db.session.add(meeting)
            db.session.flush()
            items = [
                AgendaItem(
                    meeting_id=meeting.id,
                    position=p,
                    title=t,
                    planned_minutes=20,
                    started_at=now if p == 0 else None,
                )
                for p, t in enumerate(["Đánh giá tình hình tháng", "Nhiệm vụ tháng tới"])
            ]
            db.session.add_all(items)
            db.session.flush()
            meeting.current_item_id = items[0].id
            present = [present_all or i % 2 == 0 for i in range(size)]
            db.session.add_all(
                Attendance(
                    meeting_id=meeting.id,
                    user_id=u.id,
                    status="present",
                    arrived_at=now,
                    updated_by_id=u.id,
                )
                for u, here in zip(users, present, strict=True)
                if here
            )
            plan.append((meeting.id, items[0].id, users, present))
        db.session.commit()
        cookies = session_cookies(app, [u for _m, _i, users, _p in plan for u in users])
        for meeting_id, item_id, users, present in plan:
            room = Room(meeting_id, item_id)
            for u, here in zip(users, present, strict=True):
                room.members.append(Member(u.id, cookies[u.id], present=here, voter=here))
            out.append(room)
        db.session.remove()
        db.engine.dispose()
    return out


def session_cookies(app, users) -> dict[int, str]:
    """`session=...` cookie values, as the login form would set them, for each user."""
    from flask import session
    from flask_login import login_user

    cookies = {}
    name = app.config.get("SESSION_COOKIE_NAME", "session")
    for user in users:
        with app.test_request_context("/login", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
            login_user(user)
            response = app.response_class()
            app.session_interface.save_session(app, session, response)
            header = response.headers["Set-Cookie"]
            value = header.split(";", 1)[0]
            assert value.startswith(name + "="), header
            cookies[user.id] = value
    return cookies


def count_ballots(url: str, secret_key: str, instance: str) -> dict:
    """After a burst: ballots and voters recorded per vote (they must equal the ballots cast).

    A closed secret vote's sealed ballots were opened, counted and deleted at the close: its
    ballots are the ones counted then (`ballots_cast`); an open one's are the sealed rows."""
    from sqlalchemy import func, select

    from core.extensions import db
    from meetings.voting.models import Ballot, Vote, VoteParticipation

    app = make_app(url, secret_key, instance)
    with app.app_context():
        votes = db.session.scalars(select(Vote).where(Vote.method == "secret")).all()
        out = {}
        for vote in votes:
            sealed = db.session.scalar(
                select(func.count()).select_from(Ballot).where(Ballot.vote_id == vote.id)
            )
            out[vote.id] = {
                "ballots": vote.ballots_cast if vote.status == "closed" else sealed,
                "voters": db.session.scalar(
                    select(func.count())
                    .select_from(VoteParticipation)
                    .where(VoteParticipation.vote_id == vote.id)
                ),
                "ballots_cast": vote.ballots_cast,
                "status": vote.status,
            }
        db.session.remove()
        db.engine.dispose()
        return out
