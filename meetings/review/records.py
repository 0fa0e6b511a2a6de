"""The review's result list, as the minutes print it and the exports give it to the upper
committee: per member the self-score and self-grade, the cell's proposed grade and the vote's
counts; then the cell's own written report (its self-score and self-grade) and its voted grade.
Worded in Vietnamese (the documents' language)."""

from __future__ import annotations

from flask_babel import force_locale

from core.timeutil import vietnam_date
from meetings.models import Meeting
from meetings.review import queries
from meetings.review.strings import CELL_CRITERIA, grade_label


def _counts(vote) -> dict:
    counts = (vote.result or {}).get("counts", {}) if vote is not None else {}
    return {k: counts.get(k, 0) for k in ("agree", "disagree", "abstain")}


def _report(meeting: Meeting) -> dict | None:
    """The cell's report as the documents print it: numbered sections with their labels."""
    report = queries.cell_report(meeting.id)
    if report is None:
        return None
    return {
        "sections": [
            {"label": str(label), "text": report.answers.get(key, "")}
            for key, label in CELL_CRITERIA.items()
        ],
        "score": report.score,
        "grade": grade_label(report.grade),
    }


def results(meeting: Meeting) -> dict:
    """Plain, JSON-ready rows (empty lists when the meeting is not a review)."""
    if not queries.is_review(meeting):
        return {"review_results": []}
    assessed = queries.assessments(meeting.id)
    decided = queries.decided(meeting.id)
    rows = []
    with force_locale("vi"):
        for number, membership in enumerate(queries.graded_members(meeting.cell_id), start=1):
            sa = assessed.get(membership.user_id)
            grade_vote, vote = decided.get(membership.user_id, (None, None))
            rows.append(
                {
                    "number": number,
                    "name": membership.user.full_name,
                    "self_score": sa.score if sa else None,
                    "self_grade": grade_label(sa.grade) if sa else "",
                    "grade": grade_label(grade_vote.grade) if grade_vote else "",
                    "base": vote.base if vote else None,
                    **_counts(vote),
                }
            )
        report = _report(meeting)
        cell_vote = decided.get(None)
        cell = None
        if cell_vote is not None:
            cell = {
                "grade": grade_label(cell_vote[0].grade),
                "base": cell_vote[1].base,
                **_counts(cell_vote[1]),
            }
    when = meeting.started_at or meeting.scheduled_at
    return {
        "review_results": rows,
        "review_cell": cell,
        "review_report": report,
        "review_year": vietnam_date(when).year,
    }


def minutes_part(meeting: Meeting) -> dict:
    """What the minutes print: the result list, the cell's report and its own grade."""
    full = results(meeting)
    return {
        "review_results": full["review_results"],
        "review_cell": full.get("review_cell"),
        "review_report": full.get("review_report"),
    }
