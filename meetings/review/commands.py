"""Commands of the year-end review: a member submits their self-assessment before the meeting;
in it, the chair takes up each member in turn (then the cell) and opens the vote on a proposed
grade — an ordinary vote of meetings.voting, from which the member concerned is left out."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from pydantic import Field, StrictInt, StrictStr

from core.extensions import db
from core.timeutil import utcnow
from core.vietnamese import nfc_text
from meetings.commands import Context, Effect, Payload, command
from meetings.errors import Conflict, Forbidden, Invalid
from meetings.models import Meeting, MeetingStatus
from meetings.review import queries, settings
from meetings.review.models import CellReport, GradeVote, ReviewFocus, SelfAssessment
from meetings.review.rules import Grade, cap_exceeded, grade_for_score, in_band
from meetings.review.sections import review_change
from meetings.review.strings import CELL_CRITERIA, CRITERIA, grade_label
from meetings.voting import commands as voting

MAX_ANSWER = 8000

NOT_REVIEW = _l("This is not a year-end review meeting.")
AFTER_START = _l("Self-assessments are submitted before the meeting starts.")
NOT_GRADED = _l("Only members graded by this cell submit a self-assessment here.")
ANSWER_NEEDED = _l("Write something under every criterion.")
OUT_OF_BAND = _l(
    "The proposed grade does not match the self-score: a score of %(score)s gives “%(grade)s”."
)
REPORT_CLOSED = _l("The meeting has ended: the cell's self-assessment can no longer be changed.")
NOT_LIVE = _l("The review is held while the meeting is in progress.")
NOT_A_SUBJECT = _l("This member is not graded in this cell.")
BAD_GRADE = _l("This grade is not valid.")


def _require_review(ctx: Context) -> None:
    if not queries.is_review(ctx.meeting):
        raise Conflict(NOT_REVIEW)


def _require_live(ctx: Context) -> None:
    _require_review(ctx)
    if ctx.meeting.status != MeetingStatus.LIVE:
        raise Conflict(NOT_LIVE)


def _grade(value: str) -> Grade:
    try:
        return Grade(value)
    except ValueError:
        raise Invalid(BAD_GRADE, field="grade") from None


def _subject(ctx: Context, user_id: int | None) -> int | None:
    if user_id is None:
        return None  # the cell itself
    if user_id not in {m.user_id for m in queries.graded_members(ctx.meeting.cell_id)}:
        raise Invalid(NOT_A_SUBJECT, field="subject_user_id")
    return user_id


def _checked(payload, criteria: dict) -> tuple[dict[str, str], Grade]:
    """A written self-assessment's texts (one under every section, NFC, paragraphs kept) and its
    grade, which must be the grade of the score's band."""
    if set(payload.answers) != set(criteria):
        raise Invalid(ANSWER_NEEDED, field="answers")
    answers = {key: nfc_text(payload.answers[key]) for key in criteria}
    if any(not text or len(text) > MAX_ANSWER for text in answers.values()):
        raise Invalid(ANSWER_NEEDED, field="answers")
    grade = _grade(payload.grade)
    bands = settings.bands()
    if not in_band(grade, payload.score, bands):
        right = grade_label(grade_for_score(payload.score, bands))
        raise Invalid(OUT_OF_BAND % {"score": payload.score, "grade": right}, field="grade")
    return answers, grade


class SubmitAssessment(Payload):
    answers: dict[StrictStr, StrictStr] = Field(max_length=len(CRITERIA))
    score: StrictInt = Field(ge=0, le=100)
    grade: StrictStr = Field(max_length=20)


@command("review_submit", permission="self_assess", payload=SubmitAssessment)
def review_submit(ctx: Context, payload: SubmitAssessment) -> Effect:
    """A member submits (or corrects) their self-assessment, until the meeting starts."""
    _require_review(ctx)
    if ctx.meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict(AFTER_START)
    if ctx.actor.id not in {m.user_id for m in queries.graded_members(ctx.meeting.cell_id)}:
        raise Forbidden(NOT_GRADED)
    answers, grade = _checked(payload, CRITERIA)
    row = queries.assessment_of(ctx.meeting.id, ctx.actor.id)
    now = utcnow()
    if row is None:
        row = SelfAssessment(meeting_id=ctx.meeting.id, user_id=ctx.actor.id, submitted_at=now)
        db.session.add(row)
    row.answers, row.score, row.grade, row.updated_at = answers, payload.score, grade.value, now
    db.session.flush()
    return Effect(
        changes=[review_change(ctx.meeting)],
        result={"submitted": True},
        audit={"score": payload.score, "grade": grade.value},
    )


class DraftCellReport(Payload):
    answers: dict[StrictStr, StrictStr] = Field(max_length=len(CELL_CRITERIA))
    score: StrictInt = Field(ge=0, le=100)
    grade: StrictStr = Field(max_length=20)


@command("review_cell_report", permission="draft_cell_report", payload=DraftCellReport)
def review_cell_report(ctx: Context, payload: DraftCellReport) -> Effect:
    """The secretary drafts the cell's own self-assessment before the meeting, and amends it as
    the meeting decides while it is in progress; once the meeting ends it is closed."""
    _require_review(ctx)
    if ctx.meeting.status not in (MeetingStatus.SCHEDULED, MeetingStatus.LIVE):
        raise Conflict(REPORT_CLOSED)
    answers, grade = _checked(payload, CELL_CRITERIA)
    row = queries.cell_report(ctx.meeting.id)
    now = utcnow()
    if row is None:
        row = CellReport(meeting_id=ctx.meeting.id, drafted_at=now)
        db.session.add(row)
    row.answers, row.score, row.grade = answers, payload.score, grade.value
    row.updated_at, row.updated_by_id = now, ctx.actor.id
    db.session.flush()
    return Effect(
        changes=[review_change(ctx.meeting)],
        result={"drafted": True},
        audit={"score": payload.score, "grade": grade.value},
    )


class TakeUp(Payload):
    subject_user_id: StrictInt | None = None  # None: the cell's own grade


@command("review_take_up", permission="run_review", payload=TakeUp)
def review_take_up(ctx: Context, payload: TakeUp) -> Effect:
    """The chair takes up a member (their self-assessment is shown to the cell) or the cell."""
    _require_live(ctx)
    subject = _subject(ctx, payload.subject_user_id)
    focus = db.session.get(ReviewFocus, ctx.meeting.id)
    if focus is None:
        focus = ReviewFocus(meeting_id=ctx.meeting.id)
        db.session.add(focus)
    focus.subject_user_id, focus.taken_up_at = subject, utcnow()
    db.session.flush()
    return Effect(changes=[review_change(ctx.meeting)], audit={"subject_user_id": subject})


class GradeVoteRequest(Payload):
    subject_user_id: StrictInt | None = None
    grade: StrictStr = Field(max_length=20)
    method: StrictStr | None = Field(default=None, max_length=20)


def _vote_subject(ctx: Context, subject: int | None, grade: Grade) -> str:
    """The vote's subject line, in the minutes' language (Vietnamese)."""
    with force_locale("vi"):
        label = grade_label(grade)
    if subject is None:
        return f"Chi bộ tự đánh giá, xếp loại: {label}"
    member = next(m for m in queries.graded_members(ctx.meeting.cell_id) if m.user_id == subject)
    return f"Đề xuất xếp loại đồng chí {member.user.full_name}: {label}"


@command("review_grade_vote", permission="open_vote", payload=GradeVoteRequest)
def review_grade_vote(ctx: Context, payload: GradeVoteRequest) -> Effect:
    """The cell votes on a proposed grade, by the cell's rules for a resolution (method and
    majority of the base figure). The member concerned is left out of the eligible voters. The
    cap on the top grade is checked now: the chair is warned, the vote still opens."""
    _require_live(ctx)
    subject = _subject(ctx, payload.subject_user_id)
    grade = _grade(payload.grade)
    request = voting.OpenVote(
        kind="resolution", method=payload.method, subject=_vote_subject(ctx, subject, grade)
    )
    excluded = None if subject is None else (subject, "own_grade")
    effect = voting.start_vote(ctx, request, excluded=excluded)
    vote_id = effect.result["vote_id"]
    db.session.add(
        GradeVote(
            vote_id=vote_id, meeting_id=ctx.meeting.id, subject_user_id=subject, grade=grade.value
        )
    )
    db.session.flush()
    if subject is not None:
        excellent, good = queries.voted_grades(ctx.meeting.id, (subject, grade.value))
        if cap_exceeded(excellent, good, settings.top_cap_percent()):
            effect.result["warning"] = "cap_exceeded"
    effect.changes.append(review_change(ctx.meeting))
    effect.audit |= {"subject_user_id": subject, "grade": grade.value}
    return effect


def _after_close(vote) -> list[dict]:
    """A grade vote closed: the cell's proposed grades (and the cap) follow its result."""
    if db.session.get(GradeVote, vote.id) is None:
        return []
    return [review_change(db.session.get(Meeting, vote.meeting_id))]


voting.CLOSE_LISTENERS.append(_after_close)
