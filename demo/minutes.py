"""Sealed minutes for the demo's past meetings, so a new user can open a real minutes PDF at once.

Written the way a real meeting writes them: texts under each agenda item, the chair's approval,
the minute-taker's and the chair's signatures, then sealing (canonical JSON + SHA-256). The
province leader's visit is recorded too, so the minutes list an upper-level delegate.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import inspect, select

from auth.models import User
from core.extensions import db
from domain.rules import MOTION_CHOICES, Method, PaperEntry, VoteKind, combine_channels
from meetings.minutes.models import (
    MinutesSection,
    MinutesSignature,
    MinutesVersion,
    SignerRole,
    VersionState,
)
from meetings.minutes.queries import unsigned_content
from meetings.minutes.sanitize import clean_html
from meetings.minutes.sealing import fingerprint
from meetings.minutes.signing import seal
from meetings.models import (
    CountingTeamMember,
    Meeting,
    MeetingGuest,
    MeetingKind,
    MeetingStatus,
    ObserverVisit,
)
from meetings.voting.commands import eligible_and_base, record_result
from meetings.voting.models import PaperConfirmation, PaperTally, PaperVoter, Vote
from org.models import Oversight
from org.vote_rules import rule_json, rules_for_cell

log = logging.getLogger(__name__)

# One text per agenda item of the regular order (meetings.agenda.REGULAR_AGENDA), by position.
TEXTS = (
    "<p>Đồng chí Bí thư báo cáo: chi bộ có 15 đảng viên; có mặt 13 đồng chí, vắng 2 đồng chí "
    "có lý do. Các đồng chí đã đóng đảng phí tháng này đầy đủ.</p>"
    "<p>Chi bộ nhất trí chương trình sinh hoạt và cử đồng chí Lê Văn Bình làm thư ký.</p>",
    "<p>Đồng chí Bí thư phổ biến các văn bản mới của cấp trên:</p>"
    "<ul><li>Chỉ thị về công tác phòng, chống thiên tai cuối năm;</li>"
    "<li>Kế hoạch tổ chức Ngày hội Đại đoàn kết toàn dân tộc ở khu dân cư.</li></ul>",
    "<p>Trong tháng, chi bộ đã lãnh đạo hoàn thành việc <strong>thu quỹ khuyến học</strong>, "
    "vận động nhân dân giữ gìn vệ sinh môi trường; còn hạn chế: một số đảng viên chưa tham gia "
    "đầy đủ các buổi tổng vệ sinh.</p>",
    "<p>Chi bộ nghiên cứu chuyên đề <em>“Học tập và làm theo tư tưởng, đạo đức, phong cách "
    "Hồ Chí Minh”</em> về tinh thần trách nhiệm nêu gương của đảng viên.</p>",
    "<ol><li>Tổ chức Ngày hội Đại đoàn kết ở khu phố (đồng chí Trần Thị Mai phụ trách).</li>"
    "<li>Rà soát hộ nghèo, cận nghèo (đồng chí Phạm Thị Hương phụ trách).</li></ol>",
    "<p>Các đồng chí phát biểu thống nhất với nhiệm vụ tháng tới, đề nghị phân công rõ người, "
    "rõ việc.</p>",
    "<p>Đồng chí chủ trì kết luận: chi bộ thống nhất nghị quyết tháng với các nhiệm vụ trên.</p>",
    "<p>Thư ký đọc lại biên bản; chi bộ nhất trí thông qua.</p>",
)


def seal_demo_minutes() -> None:
    """Write, approve, sign and seal the minutes of every ended demo meeting (no-op if done)."""
    db.session.flush()
    if not inspect(db.session.connection()).has_table(MinutesVersion.__tablename__):
        # A database migrated before the minutes tables existed: nothing to seal into.
        log.warning("no minutes tables: the demo's minutes are not sealed")
        return
    meetings = db.session.scalars(
        select(Meeting).where(Meeting.status == MeetingStatus.ENDED).order_by(Meeting.id)
    ).all()
    # The showcase is each cell's latest *regular* meeting (for Khu phố 1: last month's, from
    # demo.organisation), never a thematic one that happens to fall later in the month.
    regular = [m for m in meetings if m.kind == MeetingKind.REGULAR]
    latest = {m.cell_id: m.id for m in sorted(regular, key=lambda m: m.scheduled_at)}
    for index, meeting in enumerate(meetings):
        if db.session.scalar(select(MinutesVersion).where(MinutesVersion.meeting_id == meeting.id)):
            continue
        if latest.get(meeting.cell_id) == meeting.id:
            _delegate(meeting)  # the showcase minutes list an upper-level delegate
            _hybrid(meeting)  # ... a guest, and a resolution voted online and on paper
        elif index % 7 == 3:
            continue  # a few minutes left unsigned, as in real life: the dashboard shows them
        _write(meeting)


def _delegate(meeting: Meeting) -> None:
    ancestors = [org.id for org in meeting.cell.ancestors()]
    oversight = db.session.scalar(
        select(Oversight).where(Oversight.organization_id.in_(ancestors)).limit(1)
    )
    if oversight is None or db.session.get(ObserverVisit, (meeting.id, oversight.user_id)):
        return
    db.session.add(
        ObserverVisit(
            meeting_id=meeting.id,
            user_id=oversight.user_id,
            office=oversight.office,
            first_joined_at=meeting.started_at or meeting.scheduled_at,
        )
    )
    db.session.flush()


def _hybrid(meeting: Meeting) -> None:
    """The showcase meeting was held in the hall and online (issue 12): the chair recorded a
    guest, and the month's resolution was voted by secret ballot, online and on paper in the hall,
    the paper ballots counted and confirmed by a counting team of two. Built from the same rows
    and rules as the room's commands (combine_channels, record_result)."""
    start = meeting.started_at or meeting.scheduled_at
    db.session.add(
        MeetingGuest(
            meeting_id=meeting.id,
            name="Nguyễn Thị Lan",
            position="Chi hội trưởng Chi hội Phụ nữ khu phố",
            added_at=start + timedelta(minutes=2),
            added_by_id=meeting.chair_id,
        )
    )
    eligible, base = eligible_and_base(meeting)
    if len(eligible) < 6 or len(meeting.agenda) < 7:
        return
    paper_voters, team = eligible[-4:], [u for u in eligible if u != meeting.chair_id][:2]
    kind = VoteKind.RESOLUTION
    keys = list(MOTION_CHOICES)
    vote = Vote(
        meeting_id=meeting.id,
        agenda_item_id=meeting.agenda[6].id,  # the conclusion and the resolution
        kind=kind.value,
        method=Method.SECRET.value,
        subject="Nghị quyết sinh hoạt chi bộ tháng",
        options=[{"key": k, "label": None} for k in keys],
        max_choices=1,
        rule=rule_json(rules_for_cell(meeting.cell_id), kind),
        eligible=eligible,
        base=base,
        opened_at=start + timedelta(minutes=90),
        opened_by_id=meeting.chair_id,
        receipts=[],
    )
    db.session.add(vote)
    db.session.flush()
    for user_id in team:
        db.session.add(CountingTeamMember(meeting_id=meeting.id, user_id=user_id))
    for user_id in paper_voters:
        db.session.add(PaperVoter(vote_id=vote.id, user_id=user_id, recorded_by_id=team[0]))
    paper = PaperEntry(counts={"agree": 3, "disagree": 0, "abstain": 0}, valid=3, spoiled=1)
    db.session.add(
        PaperTally(
            vote_id=vote.id,
            counts=dict(paper.counts),
            valid=paper.valid,
            spoiled=paper.spoiled,
            revision=1,
            entered_by_id=team[0],
            entered_at=start + timedelta(minutes=95),
        )
    )
    for user_id in team:
        db.session.add(PaperConfirmation(vote_id=vote.id, user_id=user_id, revision=1))
    online_cast = len(eligible) - len(paper_voters)
    online = {"agree": online_cast - 1, "disagree": 0, "abstain": 1}
    counts, cast = combine_channels(keys, online, online_cast, {}, paper)
    ballots = {
        "online": online_cast,
        "hall_hands": 0,
        "paper": paper.valid,
        "spoiled": paper.spoiled,
    }
    record_result(vote, counts, cast, meeting.chair_id, ballots)
    vote.closed_at = start + timedelta(minutes=96)
    db.session.flush()


def _write(meeting: Meeting) -> None:
    start = meeting.started_at or meeting.scheduled_at
    end = meeting.ended_at or start + timedelta(minutes=105)
    for item, text in zip(meeting.agenda, TEXTS, strict=False):
        db.session.add(
            MinutesSection(
                meeting_id=meeting.id,
                item_id=item.id,
                html=clean_html(text),
                revision=1,
                updated_by_id=meeting.minute_taker_id,
                updated_at=start + timedelta(minutes=10 * (item.position + 1)),
            )
        )
    meeting.record_locked = True  # approved: attendance and guests are settled
    version = MinutesVersion(
        meeting_id=meeting.id,
        number=1,
        state=VersionState.APPROVED,
        created_by_id=meeting.minute_taker_id,
        created_at=start,
        approved_at=end - timedelta(minutes=3),
        approved_by_id=meeting.chair_id,
        approval_method="chair",
    )
    db.session.add(version)
    db.session.flush()
    digest = fingerprint(unsigned_content(meeting, version))
    signers = (
        (SignerRole.MINUTE_TAKER, meeting.minute_taker_id),
        (SignerRole.CHAIR, meeting.chair_id),
    )
    for minutes_after, (role, user_id) in enumerate(signers, start=5):
        user = db.session.get(User, user_id)
        if user is None:
            return  # no chair or minute-taker: leave the minutes approved, unsigned
        version.signatures.append(
            _signature(role, user, end + timedelta(minutes=minutes_after), digest)
        )
    db.session.flush()
    seal(meeting, version)
    version.sealed_at = end + timedelta(minutes=6)


def _signature(role, user: User, when, digest: str) -> MinutesSignature:
    return MinutesSignature(
        role=role.value, user_id=user.id, name=user.full_name, signed_at=when, content_digest=digest
    )
