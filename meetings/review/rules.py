"""Pure rules of the year-end review (kiểm điểm, đánh giá, xếp loại chất lượng): score bands to
grades, the cap on the top grade, and who votes on whose grade. Plain values in and out.

Where they come from (docs/review.md): Regulation 366-QĐ/TW (30 August 2025), replacing
124-QĐ/TW (2023), grades on a 100-point scale: ≥ 90 excellent (with further conditions), 70 to < 90
good, 50 to < 70 complete, < 50 incomplete. Earlier guidance capped the top grade at 20% of those
graded "good" (medium confidence it still applies). Both are deployment settings (settings.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MAX_SCORE = 100


class Grade(StrEnum):
    """The four grades, best first."""

    EXCELLENT = "excellent"  # Hoàn thành xuất sắc nhiệm vụ
    GOOD = "good"  # Hoàn thành tốt nhiệm vụ
    COMPLETE = "complete"  # Hoàn thành nhiệm vụ
    INCOMPLETE = "incomplete"  # Không hoàn thành nhiệm vụ


@dataclass(frozen=True)
class Bands:
    """The lowest score of each grade above the last (scores are whole points, 0..100)."""

    excellent: int = 90
    good: int = 70
    complete: int = 50

    def __post_init__(self):
        if not (MAX_SCORE >= self.excellent > self.good > self.complete > 0):
            raise ValueError("score bands must fall: 100 ≥ excellent > good > complete > 0")

    def band(self, grade: Grade) -> tuple[int, int]:
        """(lowest, highest) score of a grade, both included."""
        return {
            Grade.EXCELLENT: (self.excellent, MAX_SCORE),
            Grade.GOOD: (self.good, self.excellent - 1),
            Grade.COMPLETE: (self.complete, self.good - 1),
            Grade.INCOMPLETE: (0, self.complete - 1),
        }[grade]


def grade_for_score(score: int, bands: Bands) -> Grade:
    if not 0 <= score <= MAX_SCORE:
        raise ValueError("score out of range")
    for grade in Grade:
        low, high = bands.band(grade)
        if low <= score <= high:
            return grade
    raise AssertionError("bands cover 0..100")  # pragma: no cover


def in_band(grade: str, score: int, bands: Bands) -> bool:
    """May a member propose this grade with this self-score? Only the grade of the score's band.

    Decision: the score bands are the grade's condition, so a proposal outside its band is refused;
    a lower grade than the score allows is refused too (the member lowers the score instead)."""
    try:
        return 0 <= score <= MAX_SCORE and grade_for_score(score, bands) is Grade(grade)
    except ValueError:
        return False


def top_grade_allowance(good: int, percent: int) -> int | None:
    """How many may be graded excellent when `good` are graded good (excellent ones included):
    `percent`% of them, rounded down. None when there is no cap (percent 0)."""
    if percent <= 0:
        return None
    return good * percent // 100


def cap_exceeded(excellent: int, good: int, percent: int) -> bool:
    """The top grade over its cap: a warning for the chair, never a refusal.

    `good` counts everyone graded good or excellent: the top grade is chosen among those who
    completed their tasks well (the usual reading of the 20% rule)."""
    allowance = top_grade_allowance(good, percent)
    return allowance is not None and excellent > allowance


def may_vote_on_grade(voter_id: int, subject_id: int | None) -> bool:
    """The member concerned does not vote on their own grade; everyone eligible votes on the
    cell's (subject None)."""
    return subject_id is None or voter_id != subject_id


def cap_counts(grades: list[str]) -> tuple[int, int]:
    """(excellent, good-or-better) among the grades the cell has voted."""
    excellent = sum(1 for g in grades if g == Grade.EXCELLENT)
    good = sum(1 for g in grades if g in (Grade.EXCELLENT, Grade.GOOD))
    return excellent, good
