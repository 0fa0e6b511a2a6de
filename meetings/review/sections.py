"""The snapshot section `review`: who submitted, the member taken up and their self-assessment,
the grades voted and the cap. The same for every viewer; re-sent whole by each review change.

Self-assessments stay private until the cell takes their author up in the meeting: before, the
section says only who has submitted. The cell's own report is a meeting document: every viewer
reads it as soon as the secretary has drafted it (members read it ahead of the meeting)."""

from __future__ import annotations

from core.timeutil import iso
from meetings.models import Meeting
from meetings.review import queries, settings
from meetings.review.rules import cap_exceeded, top_grade_allowance
from meetings.review.strings import CELL_CRITERIA, CRITERIA
from meetings.snapshot import section


def _counts(vote) -> dict | None:
    if not vote.result:
        return None
    counts = vote.result.get("counts", {})
    return {k: counts.get(k, 0) for k in ("agree", "disagree", "abstain")}


def _report(meeting: Meeting) -> dict | None:
    report = queries.cell_report(meeting.id)
    if report is None:
        return None
    return {
        "answers": report.answers,
        "score": report.score,
        "grade": report.grade,
        "updated_at": iso(report.updated_at),
        "by": report.updated_by.full_name,
    }


def review_section(meeting: Meeting) -> dict | None:
    if not queries.is_review(meeting):
        return None
    mine = queries.assessments(meeting.id)
    decided = queries.decided(meeting.id)
    focus = queries.focus(meeting.id)
    grade_votes = queries.grade_votes(meeting.id)
    # A member's self-score is shown once the cell has taken them up (only review commands change
    # this, so every change of the section comes with one of them).
    shown = {g.subject_user_id for g, _v in grade_votes} | {focus and focus.subject_user_id}
    members = []
    for membership in queries.graded_members(meeting.cell_id):
        uid = membership.user_id
        sa = mine.get(uid)
        row = {"user_id": uid, "name": membership.user.full_name, "submitted": sa is not None}
        if uid in shown and sa is not None:
            row |= {"self_score": sa.score, "self_grade": sa.grade}
        if uid in decided:
            grade_vote, vote = decided[uid]
            row |= {"grade": grade_vote.grade, "vote_id": vote.id, "counts": _counts(vote)}
        members.append(row)
    report = _report(meeting)
    focus_row = None
    if focus is not None and focus.subject_user_id is None:  # the cell: its own report
        focus_row = {
            "subject_user_id": None,
            "assessment": None
            if report is None
            else {k: report[k] for k in ("answers", "score", "grade")},
        }
    elif focus is not None:
        sa = mine.get(focus.subject_user_id)
        focus_row = {
            "subject_user_id": focus.subject_user_id,
            "assessment": None
            if sa is None
            else {"answers": sa.answers, "score": sa.score, "grade": sa.grade},
        }
    cell = decided.get(None)
    excellent, good = queries.voted_grades(meeting.id)
    open_vote = next(
        ((g, v) for g, v in queries.grade_votes(meeting.id) if v.is_open and g.subject_user_id),
        None,
    )
    percent = settings.top_cap_percent()
    allowance = top_grade_allowance(good, percent)
    bands = settings.bands()
    return {
        "criteria": list(CRITERIA),  # keys: labels come from the page, in the viewer's language
        "cell_criteria": list(CELL_CRITERIA),
        "cell_report": report,
        "bands": {"excellent": bands.excellent, "good": bands.good, "complete": bands.complete},
        "members": members,
        "focus": focus_row,
        "grade_votes": [
            {"vote_id": g.vote_id, "subject_user_id": g.subject_user_id, "grade": g.grade}
            for g, _vote in grade_votes
        ],
        "cell": None
        if cell is None
        else {"grade": cell[0].grade, "vote_id": cell[1].id, "counts": _counts(cell[1])},
        "cap": {
            "percent": percent,
            "excellent": excellent,
            "good": good,
            "allowance": allowance,
            "exceeded": allowance is not None and excellent > allowance,
            # The open vote, if it passes, takes the top grade over the cap: warn the chair now.
            "open_vote_exceeds": open_vote is not None
            and cap_exceeded(
                *queries.voted_grades(
                    meeting.id, (open_vote[0].subject_user_id, open_vote[0].grade)
                ),
                percent,
            ),
        },
    }


@section("review")
def review_snapshot(meeting: Meeting, viewer, roles) -> dict | None:
    return review_section(meeting)


def review_change(meeting: Meeting) -> dict:
    return {"type": "review", "data": review_section(meeting)}
