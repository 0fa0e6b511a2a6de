"""HTTP views of the voting feature: the published receipts of a secret vote, and "my votes"."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select

from core.extensions import db
from meetings.errors import CommandError
from meetings.models import Meeting
from meetings.permissions import can
from meetings.room import load_viewable
from meetings.voting import sections
from meetings.voting.models import Vote, VoteParticipation
from meetings.voting.strings import hall_strings, voting_strings

bp = Blueprint("voting", __name__)
bp.add_app_template_global(voting_strings, "voting_strings")
bp.add_app_template_global(hall_strings, "hall_strings")


@bp.route("/meetings/<int:meeting_id>/votes/<int:vote_id>/receipts")
@login_required
def receipts(meeting_id: int, vote_id: int):
    """After a secret vote closes: every receipt (hash of a voter's code) and the three counts."""
    meeting = db.get_or_404(Meeting, meeting_id)
    if not can(current_user, "view", meeting):
        abort(403)
    vote = db.session.get(Vote, vote_id)
    if vote is None or vote.meeting_id != meeting.id or not vote.is_secret or not vote.is_closed:
        abort(404)
    published = sections.receipts(vote)
    ballots = vote.ballots_cast or 0  # counted at the close, when the sealed ballots were opened
    voters = db.session.scalar(
        select(func.count())
        .select_from(VoteParticipation)
        .where(VoteParticipation.vote_id == vote.id)
    )
    return render_template(
        "meetings/receipts.html",
        meeting=meeting,
        vote=vote,
        receipts=published,
        ballots=ballots,
        voters=voters,
        consistent=len(published) == ballots == voters,
    )


@bp.route("/meetings/<int:meeting_id>/votes/mine")
@login_required
def mine(meeting_id: int):
    """The caller's own voting state (the `my_votes` section), e.g. to confirm a ballot."""
    try:
        meeting, roles = load_viewable(current_user, meeting_id)
    except CommandError as exc:
        return jsonify(exc.as_dict()), exc.http_status
    db.session.refresh(meeting)
    response = jsonify({"ok": True, "my_votes": sections.my_votes(meeting, current_user, roles)})
    response.headers["Cache-Control"] = "no-store"
    return response
