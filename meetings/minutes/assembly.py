"""The automatic parts of the minutes, assembled from the meeting: nothing is retyped.

`assemble(meeting)` returns JSON-ready content: data (ISO times, counts) and the exact
Vietnamese lines the document prints, so the sealed JSON holds what the reader sees. Figures
come from `meetings.roster` (who counts, and how: the rules module decides, not this one).

Votes come from `meetings.voting.records.vote_summaries` (typed `VoteSummary` records) and
speakers from `meetings.speakers.records.speeches` (`Speech` records): plain imports, so a broken
feature fails loudly instead of leaving votes out of sealed minutes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from flask_babel import force_locale
from sqlalchemy import select

from core.extensions import db
from core.timeutil import iso
from domain.rules import AttendanceStatus, category, is_present, listed_apart
from meetings import roster
from meetings.guests import guests_section
from meetings.minutes import wording
from meetings.minutes.models import MinutesSection
from meetings.models import Meeting
from meetings.review.records import minutes_part as review_minutes
from meetings.roster import MemberAtMeeting
from meetings.snapshot import observers_section
from meetings.speakers.records import Speech, speeches
from meetings.tasks.records import minutes_part as tasks_minutes
from meetings.voting.records import VoteSummary, vote_summaries
from org.models import Membership

Record = TypeVar("Record", Speech, VoteSummary)

FORMAT = 1  # bump when the content's shape or the template's wording changes


def sections_by_item(meeting_id: int) -> dict[int, MinutesSection]:
    rows = db.session.scalars(
        select(MinutesSection).where(MinutesSection.meeting_id == meeting_id)
    ).all()
    return {row.item_id: row for row in rows}


def _attendance(members: list[MemberAtMeeting]) -> dict:
    present, late, excused, unexcused, unrecorded, apart = [], [], [], [], [], []
    for member in members:
        name = member.membership.user.full_name
        status = member.facts.attendance
        row = member.attendance
        member_category = category(member.facts)
        if listed_apart(member_category, status):
            # Under their own heading, as the rules count them (never in the vote figures).
            apart.append(
                {
                    "name": name,
                    "category": wording.CATEGORY_LABELS.get(member_category, ""),
                    "status": wording.ATTENDANCE_WORDS.get(status.value, ""),
                    "reason": (row.reason if row else None) or "",
                }
            )
        elif is_present(status):
            present.append(name)
            if status is AttendanceStatus.LATE:
                late.append({"name": name, "time": wording.clock(row.arrived_at if row else None)})
        elif status is AttendanceStatus.ABSENT_EXCUSED:
            excused.append({"name": name, "reason": (row.reason if row else None) or ""})
        elif status is AttendanceStatus.ABSENT_UNEXCUSED:
            unexcused.append(name)
        else:
            unrecorded.append(name)
    return {
        "present_names": present,
        "late": late,
        "absent_excused": excused,
        "absent_unexcused": unexcused,
        "unrecorded": unrecorded,
        "apart": apart,
    }


def _chair(meeting: Meeting) -> dict | None:
    if meeting.chair is None:
        return None
    membership = db.session.scalar(
        select(Membership).where(
            Membership.cell_id == meeting.cell_id, Membership.user_id == meeting.chair_id
        )
    )
    office = wording.ROLE_LABELS.get(membership.cell_role, "") if membership else ""
    return {"name": meeting.chair.full_name, "office": office}


def _by_item(records: Sequence[Record], item_ids: set[int]) -> dict[int | None, list[Record]]:
    """Records grouped by agenda item; None for those under no (or a removed) item."""
    grouped: dict[int | None, list[Record]] = {}
    for record in records:
        item_id = record.agenda_item_id
        grouped.setdefault(item_id if item_id in item_ids else None, []).append(record)
    return grouped


def _speakers(meeting_id: int, item_ids: set[int]) -> dict[int | None, list[dict]]:
    """Who spoke under each item, in order, each once."""
    grouped: dict[int | None, list[dict]] = {}
    for item_id, records in _by_item(speeches(meeting_id), item_ids).items():
        seen: dict[str, dict] = {}
        for record in records:
            if record.name and record.name not in seen:
                office = record.office if record.is_observer else None
                seen[record.name] = {"name": record.name, "office": office or ""}
        grouped[item_id] = list(seen.values())
    return grouped


def _vote_line(summary: VoteSummary) -> dict:
    """One closed vote as the minutes print it."""
    counts = "; ".join(f"{label}: {count} ({pct})" for label, count, pct in summary.lines)
    return {
        "id": summary.vote_id,
        "title": summary.subject,
        "result": counts,
        "eligible": summary.eligible,
        "cast": summary.cast,
        "verdict": summary.verdict,
        "rule": summary.rule,
        "secret": summary.method == "secret",
        "channels": wording.channels_phrase(summary.channels),
    }


def _votes(meeting_id: int, item_ids: set[int]) -> dict[int | None, list[dict]]:
    """Closed votes per item, worded in Vietnamese (the document's language)."""
    with force_locale("vi"):
        records = vote_summaries(meeting_id)
        return {k: [_vote_line(v) for v in vs] for k, vs in _by_item(records, item_ids).items()}


def assemble(meeting: Meeting) -> dict:
    """Everything the minutes show, except approval, version and signatures (see service)."""
    cell = meeting.cell
    members = roster.by_name(roster.member_facts(meeting))
    figures = roster.figures(meeting, members)
    opened = meeting.started_at or meeting.scheduled_at
    texts = sections_by_item(meeting.id)
    item_ids = {item.id for item in meeting.agenda}
    speakers = _speakers(meeting.id, item_ids)
    votes = _votes(meeting.id, item_ids)
    items = [
        {
            "id": item.id,
            "number": index + 1,
            "title": item.title,
            "html": texts[item.id].html if item.id in texts else "",
            "speakers": speakers.get(item.id, []),
            "votes": votes.get(item.id, []),
        }
        for index, item in enumerate(meeting.agenda)
    ]
    figs = figures.as_dict()
    return (
        {
            "format": FORMAT,
            "meeting": {
                "id": meeting.id,
                "title": meeting.title,
                "kind": meeting.kind,
                "scheduled_at": iso(meeting.scheduled_at),
                "started_at": iso(meeting.started_at),
                "ended_at": iso(meeting.ended_at),
                "place": meeting.place or "",
                "online": bool(meeting.online_url),
            },
            "header": {
                "upper": wording.upper_caps(cell.parent.name if cell.parent else ""),
                "cell": wording.upper_caps(cell.name),
                "place_date": wording.place_date_line(cell.place, opened),
            },
            "cell": {"id": cell.id, "name": cell.name},
            "title": "BIÊN BẢN",
            "subtitle": wording.subtitle(meeting.kind, meeting.title, opened),
            "opening": wording.moment_line(opened),
            "closing": wording.clock(meeting.ended_at) if meeting.ended_at else "",
            "closing_date": wording.short_date(meeting.ended_at),
            "figures": {
                "members_total": figs["members_total"],
                "members_by_category": figs["members_by_category"],
                "members_breakdown": wording.category_breakdown(figs["members_by_category"]),
                "present_total": figs["present_total"],
                "present_by_category": figs["present_by_category"],
                "present_breakdown": wording.category_breakdown(figs["present_by_category"]),
                "base": figs["base"],
                "eligible_present": figs["eligible_present"],
                "attendance_rate": wording.percent_vi(figures.attendance_rate),
            },
            "attendance": _attendance(members),
            "chair": _chair(meeting),
            "minute_taker": {"name": meeting.minute_taker.full_name}
            if meeting.minute_taker
            else None,
            "delegates": [
                {"name": o["name"], "office": o["office"]} for o in observers_section(meeting)
            ],
            "guests": [
                {"name": g["name"], "office": g["position"]} for g in guests_section(meeting)
            ],
            "items": items,
            "other_votes": votes.get(None, []),
        }
        | tasks_minutes(meeting)
        | review_minutes(meeting)
    )
