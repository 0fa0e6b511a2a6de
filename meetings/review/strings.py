"""Labels of the year-end review (one home: pages, the room's script, the minutes, the exports)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from meetings.review.rules import Grade

GRADE_LABELS = {
    Grade.EXCELLENT: _l("Excellently completed duties"),
    Grade.GOOD: _l("Well completed duties"),
    Grade.COMPLETE: _l("Completed duties"),
    Grade.INCOMPLETE: _l("Did not complete duties"),
}

# The criteria a member writes about (sections of the self-assessment, Regulation 366-QĐ/TW's
# groups for a party member; docs/review.md): key -> label.
CRITERIA = {
    "politics": _l(
        "Political thought; ethics and lifestyle; sense of organisation and discipline; "
        "working style"
    ),
    "duties": _l("Results of the duties and tasks assigned"),
    "commitment": _l("Keeping the yearly commitment to study, train and strive"),
    "shortcomings": _l("Shortcomings and their causes; how they will be remedied"),
}

# The sections of the cell's own written self-assessment (báo cáo kiểm điểm của tập thể chi bộ),
# drafted by the secretary: Regulation 366-QĐ/TW's groups for a party organisation (medium
# confidence: docs/review.md): key -> label.
CELL_CRITERIA = {
    "results": _l("Results of leading the cell's political tasks this year"),
    "building": _l(
        "Party building in politics, ideology, ethics, organisation and cadres; "
        "inspection and supervision"
    ),
    "remedies": _l("Remedy of the shortcomings pointed out in earlier reviews"),
    "shortcomings": _l("Shortcomings and their causes; directions and measures for next year"),
}


def grade_label(grade: str) -> str:
    return str(GRADE_LABELS[Grade(grade)])


def review_strings() -> dict[str, str]:
    """The room script's texts for the review panel, in the current language."""
    grades = {"grade_" + g.value: str(label) for g, label in GRADE_LABELS.items()}
    criteria = {"criterion_" + key: str(label) for key, label in CRITERIA.items()}
    cell_criteria = {"cell_criterion_" + key: str(label) for key, label in CELL_CRITERIA.items()}
    return (
        grades
        | criteria
        | cell_criteria
        | {
            "submitted": _("Submitted"),
            "not_submitted": _("Not submitted"),
            "the_cell": _("The cell (its own grade)"),
            "self_score": _("Self-score: %(score)s/100", score="{score}"),
            "self_grade": _("Proposed by the member: %(grade)s", grade="{grade}"),
            "cell_grade": _("The cell's proposal: %(grade)s", grade="{grade}"),
            "no_assessment": _("No self-assessment was submitted."),
            "no_cell_report": _("The cell's self-assessment has not been drafted."),
            "cell_report_by": _("last saved by %(name)s", name="{name}"),
            "cell_self_grade": _("Proposed in the report: %(grade)s", grade="{grade}"),
            "take_up": _("Take up"),
            "now": _("Now"),
            "open_grade_vote": _("Vote on this grade"),
            "cap": _(
                "Excellent: %(n)s of %(good)s graded good or better; the cap allows %(allowance)s.",
                n="{n}",
                good="{good}",
                allowance="{allowance}",
            ),
            "cap_exceeded": _(
                "Warning: more members are graded excellent than the cap allows "
                "(%(percent)s%% of those graded good or better).",
                percent="{percent}",
            ),
            "open_exceeds": _(
                "Warning: if this vote passes, more members are graded excellent than the cap "
                "allows (%(percent)s%% of those graded good or better).",
                percent="{percent}",
            ),
            "pending": _("not voted yet"),
            "votes": _(
                "agree %(agree)s, disagree %(disagree)s, abstain %(abstain)s",
                agree="{agree}",
                disagree="{disagree}",
                abstain="{abstain}",
            ),
        }
    )
