"""Pure rules of a Party cell meeting: categories, base figure, eligibility, majorities, tallies.

No Flask, no database: plain values in, plain values out, so every rule is table-tested.
Sources: the Party Charter (Điều lệ Đảng) arts. 3-5, 9, 24; Quy định 24-QĐ/TW item 9.3.2 (now
232-QĐ/TW, 294-QĐ/TW); Quy định 22-QĐ/TW, 69-QĐ/TW (discipline); Quy chế bầu cử 190-QĐ/TW
(elections); summarised for users in docs/voting.md. Decisions taken where they leave room:

Attendance and the base figure
* base = official members of this cell, minus those temporarily transferred out, exempted members
  who are absent, suspended or prosecuted members, and official members absent for the whole
  meeting with a reason accepted by the chair (``ABSENT_EXCUSED``).
* Hosted members (sinh hoạt tạm thời) never count at the host cell, whatever their party status.
  Probationary members never count.
* Conservative on doubt: only a reason accepted by the chair removes an official member. One whose
  attendance is ``UNKNOWN`` or ``ABSENT_UNEXCUSED`` stays in the base, so a forgotten roll call
  makes thresholds harder, never easier, to reach. An exempted member is excused from attending by
  definition and counts only while present (checked in or late).
* Eligible voters: counted in the base and present (late counts as present).
* There is no attendance quorum (none in the Charter). ``can_pass`` is the live warning, per
  kind of vote and under the cell's own rules: could the votes of every present eligible voter
  carry it? With the defaults, ≤ ½ of the base cannot carry a resolution and < ⅔ cannot carry
  an admission, recognition or expulsion. ``resolution_possible`` and ``two_thirds_possible``
  summarise it for the room's two warnings. All are False when the base is 0.
* Attendance rate (a quality flag, not validity): members not transferred out, not suspended and
  not exempted, probationary and hosted members included; flagged when the rate is at or below the
  threshold (quality requires *above* 85%). "Excused more than 3 meetings in a row" needs the
  history of meetings and is left to the caller.

Votes
* Every threshold is a fraction of the base figure, except procedural motions (agenda, time limits),
  decided on ballots cast, abstentions included.
* All comparisons use integers: > ½ is ``2*v > d``; ≥ ⅔ is ``3*v >= 2*d``. Floats never decide.
* Discipline uses cumulative counting from the heaviest option down; "none" votes are never added.
* Elections never break a tie silently: candidates tied across the last seat are all left out and
  reported in ``tie`` for a new round.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Any

__all__ = [
    "CATEGORIES",
    "DEFAULT_RULES",
    "DISCIPLINE_NONE",
    "DISCIPLINE_OPTIONS",
    "FLAGS",
    "MOTION_CHOICES",
    "AttendanceStatus",
    "AttendanceWarning",
    "Denominator",
    "DisciplineResult",
    "ElectionResult",
    "Figures",
    "Majority",
    "MemberFacts",
    "Method",
    "MotionResult",
    "PartyStatus",
    "Threshold",
    "VoteKind",
    "VoteRuleSet",
    "attendance_warnings",
    "category",
    "compute_figures",
    "decisions_possible",
    "counts_in_base",
    "is_eligible_voter",
    "is_present",
    "listed_apart",
    "needs_settling",
    "percent",
    "reaches",
    "tally_discipline",
    "tally_election",
    "tally_motion",
    "why_not_voter",
]


# --------------------------------------------------------------------------------------------
# Members and attendance
# --------------------------------------------------------------------------------------------


class PartyStatus(StrEnum):
    """Party status of a member."""

    OFFICIAL = "official"  # đảng viên chính thức
    PROBATIONARY = "probationary"  # đảng viên dự bị


class AttendanceStatus(StrEnum):
    """Attendance recorded for one member at one meeting."""

    UNKNOWN = "unknown"  # not yet recorded
    PRESENT = "present"  # có mặt
    LATE = "late"  # đến muộn
    ABSENT_EXCUSED = "absent_excused"  # vắng có lý do, reason accepted by the chair
    ABSENT_UNEXCUSED = "absent_unexcused"  # vắng không lý do


@dataclass(frozen=True)
class MemberFacts:
    """What the rules need to know about one member of the cell at one meeting."""

    party_status: PartyStatus
    exempted: bool = False  # miễn sinh hoạt
    hosted: bool = False  # sinh hoạt tạm thời, hosted from another cell
    transferred_out: bool = False  # temporarily transferred out of this cell
    suspended: bool = False  # suspended or prosecuted
    attendance: AttendanceStatus = AttendanceStatus.UNKNOWN


CAT_OFFICIAL = "official"
CAT_PROBATIONARY = "probationary"
CAT_EXEMPTED = "exempted"
CAT_HOSTED = "hosted"
CAT_TRANSFERRED = "transferred"
CAT_SUSPENDED = "suspended"
# Order used in reports and minutes.
CATEGORIES: tuple[str, ...] = (
    CAT_OFFICIAL,
    CAT_PROBATIONARY,
    CAT_EXEMPTED,
    CAT_HOSTED,
    CAT_TRANSFERRED,
    CAT_SUSPENDED,
)

FLAG_LOW_ATTENDANCE = "low_attendance"
FLAG_UNEXCUSED_ABSENCE = "unexcused_absence"
FLAGS: tuple[str, ...] = (FLAG_LOW_ATTENDANCE, FLAG_UNEXCUSED_ABSENCE)

DEFAULT_ATTENDANCE_THRESHOLD = Fraction(85, 100)


def is_present(status: AttendanceStatus) -> bool:
    """True for present or late: a late member takes part in everything after arriving."""
    return status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


def category(m: MemberFacts) -> str:
    """The single reporting category of a member (one of ``CATEGORIES``).

    Precedence: transferred, suspended, hosted, exempted, then party status; a member who is
    both transferred out and suspended is reported once, as transferred.
    """
    if m.transferred_out:
        return CAT_TRANSFERRED
    if m.suspended:
        return CAT_SUSPENDED
    if m.hosted:
        return CAT_HOSTED
    if m.exempted:
        return CAT_EXEMPTED
    if m.party_status is PartyStatus.OFFICIAL:
        return CAT_OFFICIAL
    return CAT_PROBATIONARY


def counts_in_base(m: MemberFacts) -> bool:
    """True when the member counts in the base figure (the denominator of every vote threshold)."""
    if m.transferred_out or m.suspended or m.hosted:
        return False
    if m.party_status is not PartyStatus.OFFICIAL:
        return False
    if m.exempted:
        # Exempted members are excused from attending by definition: they count only when
        # they come (QĐ 24-QĐ/TW 9.3.2 subtracts "exempted members who are absent").
        return is_present(m.attendance)
    # Only a reason accepted by the chair removes an official member.
    return m.attendance is not AttendanceStatus.ABSENT_EXCUSED


def why_not_voter(m: MemberFacts | None) -> str | None:
    """None when the member may vote now (counted in the base and present, or late); else the
    reason, the one the voter is told: ``not_member``, ``probationary``, ``hosted``,
    ``transferred``, ``suspended`` or ``not_present`` (absent, excused, or exempted and away)."""
    if m is None:
        return "not_member"
    if m.party_status is not PartyStatus.OFFICIAL:
        return "probationary"
    if m.hosted:
        return "hosted"
    if m.transferred_out:
        return "transferred"
    if m.suspended:
        return "suspended"
    if not (counts_in_base(m) and is_present(m.attendance)):
        return "not_present"
    return None


def is_eligible_voter(m: MemberFacts) -> bool:
    """True when the member may vote now: counted in the base and present (or late)."""
    return why_not_voter(m) is None


def _counts_for_attendance_rate(m: MemberFacts) -> bool:
    # Exempted members are excluded from the rate (Hướng dẫn 12-HD/BTCTW), present or not.
    return not (m.transferred_out or m.suspended or m.exempted)


def percent(part: int, whole: int) -> Fraction | None:
    """``part`` as an exact percentage of ``whole`` (12 of 14 -> 600/7, i.e. 85.71...).

    None when ``whole`` is 0. Round only for display.
    """
    if whole == 0:
        return None
    return Fraction(100 * part, whole)


@dataclass(frozen=True)
class Figures:
    """Attendance figures of a meeting, as the chair reports them and the rules use them."""

    members_by_category: dict[str, int]  # every category key present, zeros included
    present_by_category: dict[str, int]
    members_total: int
    present_total: int
    base: int  # the base figure (QĐ 24-QĐ/TW 9.3.2; docs/voting.md)
    eligible_present: int  # present eligible voters
    expected: int  # denominator of the attendance rate
    expected_present: int
    attendance_rate: Fraction | None  # None when expected == 0
    can_pass: dict[str, bool]  # vote kind (and "expulsion") -> could it pass with these present
    resolution_possible: bool  # can_pass["resolution"]
    two_thirds_possible: bool  # admission, recognition and expulsion can all pass
    unexcused_absences: int
    flags: tuple[str, ...]  # subset of FLAGS, in that order

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly copy: the rate as a float rounded to 4 places, tuples as lists."""
        return {
            "members_by_category": dict(self.members_by_category),
            "present_by_category": dict(self.present_by_category),
            "members_total": self.members_total,
            "present_total": self.present_total,
            "base": self.base,
            "eligible_present": self.eligible_present,
            "expected": self.expected,
            "expected_present": self.expected_present,
            "attendance_rate": (
                None if self.attendance_rate is None else round(float(self.attendance_rate), 4)
            ),
            "can_pass": dict(self.can_pass),
            "resolution_possible": self.resolution_possible,
            "two_thirds_possible": self.two_thirds_possible,
            "unexcused_absences": self.unexcused_absences,
            "flags": list(self.flags),
        }


def compute_figures(
    members: Iterable[MemberFacts],
    rules: VoteRuleSet | None = None,
    attendance_threshold: Fraction = DEFAULT_ATTENDANCE_THRESHOLD,
) -> Figures:
    """Compute the base figure, eligible voters present, attendance rate and quality flags, and
    which kinds of vote could still pass under ``rules`` (the cell's; default ``DEFAULT_RULES``).

    ``attendance_threshold`` is the rate that must be *exceeded* (default 85%); it must lie
    in [0, 1].
    """
    if not 0 <= attendance_threshold <= 1:
        raise ValueError(f"attendance_threshold must be within [0, 1], got {attendance_threshold}")
    members_by_category = dict.fromkeys(CATEGORIES, 0)
    present_by_category = dict.fromkeys(CATEGORIES, 0)
    base = eligible = expected = expected_present = unexcused = 0
    for m in members:
        cat = category(m)
        present = is_present(m.attendance)
        members_by_category[cat] += 1
        if present:
            present_by_category[cat] += 1
        if counts_in_base(m):
            base += 1
            if present:
                eligible += 1
        if _counts_for_attendance_rate(m):
            expected += 1
            if present:
                expected_present += 1
        if m.attendance is AttendanceStatus.ABSENT_UNEXCUSED:
            unexcused += 1

    can_pass = decisions_possible(eligible, base, rules or DEFAULT_RULES)
    rate = Fraction(expected_present, expected) if expected else None
    flags: list[str] = []
    if rate is not None and rate <= attendance_threshold:
        flags.append(FLAG_LOW_ATTENDANCE)
    if unexcused:
        flags.append(FLAG_UNEXCUSED_ABSENCE)
    return Figures(
        members_by_category=members_by_category,
        present_by_category=present_by_category,
        members_total=sum(members_by_category.values()),
        present_total=sum(present_by_category.values()),
        base=base,
        eligible_present=eligible,
        expected=expected,
        expected_present=expected_present,
        attendance_rate=rate,
        can_pass=can_pass,
        resolution_possible=can_pass[VoteKind.RESOLUTION],
        two_thirds_possible=all(can_pass[k] for k in TWO_THIRDS_DECISIONS),
        unexcused_absences=unexcused,
        flags=tuple(flags),
    )


# --------------------------------------------------------------------------------------------
# Votes
# --------------------------------------------------------------------------------------------


class VoteKind(StrEnum):
    """What a vote decides; each kind has its own threshold and allowed methods."""

    RESOLUTION = "resolution"  # nghị quyết / kết luận
    ADMISSION = "admission"  # kết nạp đảng viên
    RECOGNITION = "recognition"  # công nhận đảng viên chính thức
    DISCIPLINE = "discipline"  # kỷ luật
    ELECTION = "election"  # bầu cử, lấy phiếu giới thiệu
    PROCEDURAL = "procedural"  # agenda, time limits and other conduct of the meeting


class Majority(StrEnum):
    """Share of the denominator the yes votes must reach."""

    MORE_THAN_HALF = "more_than_half"  # quá nửa
    AT_LEAST_TWO_THIRDS = "at_least_two_thirds"  # ít nhất hai phần ba


class Denominator(StrEnum):
    """What the share is taken of."""

    BASE = "base"  # the base figure
    VOTING = "voting"  # ballots cast, abstentions included


class Method(StrEnum):
    """How votes are cast."""

    SHOW_OF_HANDS = "show_of_hands"  # biểu quyết giơ tay / giơ thẻ đảng viên
    SECRET = "secret"  # noqa: S105  # bỏ phiếu kín (not a password)


@dataclass(frozen=True)
class Threshold:
    """A passing rule: ``majority`` of ``denominator``."""

    majority: Majority
    denominator: Denominator


def reaches(votes: int, denominator: int, majority: Majority) -> bool:
    """True when ``votes`` reach ``majority`` of ``denominator`` (exact integer arithmetic).

    More than half: ``2*votes > denominator``; at least two thirds: ``3*votes >= 2*denominator``.
    A zero denominator never passes (nobody to decide).
    """
    if votes < 0 or denominator < 0:
        raise ValueError(f"negative count: votes={votes}, denominator={denominator}")
    if denominator == 0:
        return False
    if majority is Majority.MORE_THAN_HALF:
        return 2 * votes > denominator
    return 3 * votes >= 2 * denominator


DISCIPLINE_OPTIONS: tuple[str, ...] = ("expulsion", "removal_from_post", "warning", "reprimand")
"""Discipline options, heaviest first: khai trừ, cách chức, cảnh cáo, khiển trách."""
DISCIPLINE_NONE = "none"  # không kỷ luật, also on the ballot
MOTION_CHOICES: tuple[str, ...] = ("agree", "disagree", "abstain")
"""tán thành, không tán thành, không biểu quyết / ý kiến khác."""

_HALF_OF_BASE = Threshold(Majority.MORE_THAN_HALF, Denominator.BASE)
_TWO_THIRDS_OF_BASE = Threshold(Majority.AT_LEAST_TWO_THIRDS, Denominator.BASE)
_HALF_OF_VOTING = Threshold(Majority.MORE_THAN_HALF, Denominator.VOTING)


@dataclass(frozen=True)
class VoteRuleSet:
    """Configurable vote rules of a cell: thresholds, allowed and default methods per kind.

    ``thresholds[VoteKind.DISCIPLINE]`` is the rule for the lighter options; a discipline ballot
    is tallied with ``discipline_thresholds`` (one per option). Mappings are stored read-only.
    """

    thresholds: Mapping[VoteKind, Threshold]
    allowed_methods: Mapping[VoteKind, frozenset[Method]]
    default_methods: Mapping[VoteKind, Method]
    discipline_thresholds: Mapping[str, Threshold] = field(
        default_factory=lambda: MappingProxyType(
            {
                "expulsion": _TWO_THIRDS_OF_BASE,
                "removal_from_post": _HALF_OF_BASE,
                "warning": _HALF_OF_BASE,
                "reprimand": _HALF_OF_BASE,
            }
        )
    )

    def __post_init__(self) -> None:
        # A cell's settings come from an admin form: refuse an incomplete or contradictory set.
        for kind in VoteKind:
            if kind not in self.thresholds:
                raise ValueError(f"no threshold for {kind}")
            allowed = self.allowed_methods.get(kind)
            if not allowed:
                raise ValueError(f"no allowed method for {kind}")
            if self.default_methods.get(kind) not in allowed:
                raise ValueError(f"default method for {kind} is not allowed")
        for option in DISCIPLINE_OPTIONS:
            if option not in self.discipline_thresholds:
                raise ValueError(f"no threshold for discipline option {option}")
        # Secret ballot is mandatory for discipline and elections (QĐ 22-QĐ/TW, Quy chế bầu cử
        # 190-QĐ/TW): not configurable.
        for kind in (VoteKind.DISCIPLINE, VoteKind.ELECTION):
            if self.allowed_methods[kind] != frozenset({Method.SECRET}):
                raise ValueError(f"{kind} must be by secret ballot only")
        object.__setattr__(self, "thresholds", MappingProxyType(dict(self.thresholds)))
        object.__setattr__(
            self,
            "allowed_methods",
            MappingProxyType({k: frozenset(v) for k, v in self.allowed_methods.items()}),
        )
        object.__setattr__(self, "default_methods", MappingProxyType(dict(self.default_methods)))
        object.__setattr__(
            self, "discipline_thresholds", MappingProxyType(dict(self.discipline_thresholds))
        )

    def threshold(self, kind: VoteKind) -> Threshold:
        """The passing rule for a kind of vote."""
        return self.thresholds[kind]

    def method_allowed(self, kind: VoteKind, method: Method) -> bool:
        """True when ``method`` may be used for a vote of ``kind``."""
        return method in self.allowed_methods[kind]


DEFAULT_RULES = VoteRuleSet(
    thresholds={
        VoteKind.RESOLUTION: _HALF_OF_BASE,
        VoteKind.ADMISSION: _TWO_THIRDS_OF_BASE,
        VoteKind.RECOGNITION: _TWO_THIRDS_OF_BASE,
        VoteKind.DISCIPLINE: _HALF_OF_BASE,
        VoteKind.ELECTION: _HALF_OF_BASE,
        VoteKind.PROCEDURAL: _HALF_OF_VOTING,
    },
    allowed_methods={
        VoteKind.RESOLUTION: frozenset({Method.SHOW_OF_HANDS, Method.SECRET}),
        VoteKind.ADMISSION: frozenset({Method.SHOW_OF_HANDS, Method.SECRET}),
        VoteKind.RECOGNITION: frozenset({Method.SHOW_OF_HANDS, Method.SECRET}),
        VoteKind.DISCIPLINE: frozenset({Method.SECRET}),
        VoteKind.ELECTION: frozenset({Method.SECRET}),
        VoteKind.PROCEDURAL: frozenset({Method.SHOW_OF_HANDS}),
    },
    default_methods={
        VoteKind.RESOLUTION: Method.SHOW_OF_HANDS,
        VoteKind.ADMISSION: Method.SECRET,
        VoteKind.RECOGNITION: Method.SECRET,
        VoteKind.DISCIPLINE: Method.SECRET,
        VoteKind.ELECTION: Method.SECRET,
        VoteKind.PROCEDURAL: Method.SHOW_OF_HANDS,
    },
)
"""The regulations' defaults (docs/voting.md); a cell may override them."""

EXPULSION = "expulsion"
# The decisions the room's second warning names (⅔ of the base under the default rules).
TWO_THIRDS_DECISIONS: tuple[str, ...] = (VoteKind.ADMISSION, VoteKind.RECOGNITION, EXPULSION)


def decisions_possible(eligible_present: int, base: int, rules: VoteRuleSet) -> dict[str, bool]:
    """Per kind of vote (and for expulsion, the heaviest discipline): could it pass if every
    present eligible voter voted yes? A share of the ballots cast needs one voter; a share of
    the base needs the present eligible voters to reach it. With base 0 nothing can pass."""

    def possible(threshold: Threshold) -> bool:
        if threshold.denominator is Denominator.VOTING:
            return base > 0 and eligible_present > 0
        return reaches(eligible_present, base, threshold.majority)

    out = {kind.value: possible(rules.threshold(kind)) for kind in VoteKind}
    out[EXPULSION] = possible(rules.discipline_thresholds[EXPULSION])
    return out


def _checked_counts(counts: Mapping[str, int], allowed: Iterable[str]) -> dict[str, int]:
    """Counts for every allowed key (missing -> 0); unknown keys or negatives are errors."""
    allowed = tuple(allowed)
    unknown = set(counts) - set(allowed)
    if unknown:
        raise ValueError(f"unknown choices: {sorted(unknown)}")
    out = {key: counts.get(key, 0) for key in allowed}
    for key, value in out.items():
        if value < 0:
            raise ValueError(f"negative count for {key}: {value}")
    return out


def _denominator(threshold: Threshold, base: int, cast: int) -> int:
    """The number a threshold is a share of; ballots can never outnumber the base."""
    if base < 0:
        raise ValueError(f"negative base: {base}")
    if threshold.denominator is Denominator.BASE and cast > base:
        # Only eligible voters (a subset of the base) receive a ballot: this is a data error.
        raise ValueError(f"{cast} ballots cast but the base figure is {base}")
    return base if threshold.denominator is Denominator.BASE else cast


@dataclass(frozen=True)
class MotionResult:
    """Outcome of a vote on a motion (agree / disagree / abstain)."""

    passed: bool
    yes: int
    no: int
    abstain: int
    cast: int  # ballots cast, abstentions included
    denominator: int  # what the threshold was applied to (base figure or ``cast``)
    threshold: Threshold


def tally_motion(counts: Mapping[str, int], base: int, threshold: Threshold) -> MotionResult:
    """Tally a motion from counts keyed by ``MOTION_CHOICES`` (missing keys count 0).

    Passes when the agree votes reach the threshold of the base figure, or of the ballots cast
    for a ``Denominator.VOTING`` threshold.
    """
    c = _checked_counts(counts, MOTION_CHOICES)
    cast = sum(c.values())
    denominator = _denominator(threshold, base, cast)
    return MotionResult(
        passed=reaches(c["agree"], denominator, threshold.majority),
        yes=c["agree"],
        no=c["disagree"],
        abstain=c["abstain"],
        cast=cast,
        denominator=denominator,
        threshold=threshold,
    )


@dataclass(frozen=True)
class DisciplineResult:
    """Outcome of a discipline ballot under cumulative counting."""

    outcome: str  # one of DISCIPLINE_OPTIONS, or DISCIPLINE_NONE
    # (option, cumulative votes, passed) for each option checked, heaviest first.
    steps: tuple[tuple[str, int, bool], ...]
    base: int
    cast: int  # ballots cast, "none" included


def tally_discipline(
    counts: Mapping[str, int],
    base: int,
    thresholds: Mapping[str, Threshold],
) -> DisciplineResult:
    """Tally a discipline ballot by cumulative counting.

    Check the heaviest option; if it does not reach its threshold, add its votes to the next
    lighter option and check again, down to reprimand. The first option that passes is the
    outcome; if none does, the outcome is ``"none"``. Votes for "none" are never added.
    ``counts`` is keyed by ``DISCIPLINE_OPTIONS`` and ``"none"``; ``thresholds`` by option
    (``DEFAULT_RULES.discipline_thresholds`` holds the defaults).
    """
    c = _checked_counts(counts, (*DISCIPLINE_OPTIONS, DISCIPLINE_NONE))
    cast = sum(c.values())
    steps: list[tuple[str, int, bool]] = []
    cumulative = 0
    for option in DISCIPLINE_OPTIONS:
        threshold = thresholds[option]
        cumulative += c[option]
        passed = reaches(cumulative, _denominator(threshold, base, cast), threshold.majority)
        steps.append((option, cumulative, passed))
        if passed:
            return DisciplineResult(outcome=option, steps=tuple(steps), base=base, cast=cast)
    return DisciplineResult(outcome=DISCIPLINE_NONE, steps=tuple(steps), base=base, cast=cast)


@dataclass(frozen=True)
class ElectionResult:
    """Outcome of one round of an election (or a poll on candidates)."""

    elected: tuple[str, ...]  # by votes, highest first
    tie: tuple[str, ...]  # tied across the last seat(s): none elected, a new round is needed
    passing: tuple[str, ...]  # every candidate reaching the threshold, by votes, highest first
    votes: dict[str, int]
    seats: int
    base: int
    cast: int | None  # ballots cast, when given

    @property
    def seats_left(self) -> int:
        """Seats not filled in this round (tie or too few passing candidates)."""
        return self.seats - len(self.elected)


def tally_election(
    votes: Mapping[str, int],
    seats: int,
    base: int,
    threshold: Threshold,
    *,
    cast: int | None = None,
) -> ElectionResult:
    """Tally one round of an election.

    ``votes`` maps each candidate to the ballots naming them. A candidate passes when their votes
    reach ``threshold`` (of the base figure, or of ``cast`` ballots, which must then be given).
    Seats are filled by votes, highest first, among passing candidates. When candidates with equal
    votes straddle the last seat, none of that tied group is elected and all are listed in ``tie``.
    Fewer passing candidates than seats leaves seats empty. Equal votes are listed in name order.
    """
    if seats < 1:
        raise ValueError(f"seats must be at least 1, got {seats}")
    v = dict(votes)
    for name, n in v.items():
        if n < 0:
            raise ValueError(f"negative votes for {name}: {n}")
        if cast is not None and n > cast:
            raise ValueError(f"{name} has {n} votes but only {cast} ballots were cast")
    if threshold.denominator is Denominator.VOTING:
        if cast is None:
            raise ValueError("a threshold of ballots cast needs the number of ballots cast")
        denominator = cast
    else:
        if base < 0:
            raise ValueError(f"negative base: {base}")
        if cast is not None and cast > base:
            raise ValueError(f"{cast} ballots cast but the base figure is {base}")
        if any(n > base for n in v.values()):
            raise ValueError(f"a candidate has more votes than the base figure {base}")
        denominator = base

    ranked = sorted(v, key=lambda name: (-v[name], name))
    elected: tuple[str, ...]
    tie: tuple[str, ...]
    passing = tuple(name for name in ranked if reaches(v[name], denominator, threshold.majority))
    if len(passing) <= seats:
        elected, tie = passing, ()
    else:
        last_in, first_out = v[passing[seats - 1]], v[passing[seats]]
        if last_in > first_out:
            elected, tie = passing[:seats], ()
        else:
            # Equal votes across the last seat: the meeting must decide in a new round.
            elected = tuple(name for name in passing if v[name] > last_in)
            tie = tuple(name for name in passing if v[name] == last_in)
    return ElectionResult(
        elected=elected,
        tie=tie,
        passing=passing,
        votes=v,
        seats=seats,
        base=base,
        cast=cast,
    )


# --------------------------------------------------------------------------------------------
# Hybrid meetings: votes cast in the hall and online (docs/voting.md, "Hybrid meetings")
# --------------------------------------------------------------------------------------------
# * A member votes once, in one channel: online (their own device), a hand counted in the hall,
#   or a paper ballot in the hall. A second channel is refused, naming the first.
# * Paper ballots are counted by a vote-counting team (tổ kiểm phiếu) of at least two present
#   members; the totals count only once every member of the team confirmed the same entry.
# * The paper ballots entered (valid + spoiled) must equal the hall voters marked as voting on
#   paper. Spoiled ballots are reported but carry no choice: they are not "cast" for a threshold
#   of ballots cast, and never reach a threshold of the base.
# * Every channel is added up before the rule is applied, against the same base figure.


class Channel(StrEnum):
    """Where a member's vote was cast."""

    ONLINE = "online"  # trực tuyến, on the member's own device
    HALL = "hall"  # giơ tay tại hội trường, counted by the chair or a named counter
    PAPER = "paper"  # phiếu giấy tại hội trường, counted by the vote-counting team


MIN_COUNTING_TEAM = 2


def vote_channel(
    user_id: int,
    online: Iterable[int],
    hall: Iterable[int],
    paper: Iterable[int],
) -> Channel | None:
    """The channel a member has already voted in, or None."""
    for channel, voters in ((Channel.ONLINE, online), (Channel.HALL, hall), (Channel.PAPER, paper)):
        if user_id in set(voters):
            return channel
    return None


def channel_refusal(existing: Channel | None, wanted: Channel) -> Channel | None:
    """The channel that blocks a vote in ``wanted``, or None when it may be recorded.

    Re-entering a hand in the hall (a correction by the counter) is allowed; an online hand may
    be changed by its voter; everything else that already exists blocks.
    """
    if existing is None:
        return None
    if existing is wanted and wanted in (Channel.HALL, Channel.ONLINE):
        return None
    return existing


def not_voted(
    eligible: Iterable[int],
    online: Iterable[int],
    hall: Iterable[int],
    paper: Iterable[int],
) -> list[int]:
    """Eligible voters with no vote in any channel, in the eligible list's order."""
    done = set(online) | set(hall) | set(paper)
    return [uid for uid in eligible if uid not in done]


def counting_team_problem(team: Iterable[int], present: Iterable[int]) -> str | None:
    """Why a vote-counting team cannot count, or None: ``too_few`` (fewer than two; the chair
    alone is never enough) or ``not_present`` (a member of the team is not in the meeting)."""
    team = set(team)
    if len(team) < MIN_COUNTING_TEAM:
        return "too_few"
    if not team <= set(present):
        return "not_present"
    return None


@dataclass(frozen=True)
class PaperEntry:
    """Paper ballots of one vote as the counting team entered them (no voter, only totals)."""

    counts: Mapping[str, int]  # votes per option (per candidate in an election)
    valid: int  # valid ballots
    spoiled: int = 0  # phiếu không hợp lệ


def paper_problem(
    entry: PaperEntry, keys: Iterable[str], max_choices: int, voters: int
) -> str | None:
    """Why a paper entry cannot be accepted, or None.

    ``mismatch``: valid + spoiled differs from the hall voters marked as voting on paper;
    ``choices``: the options' votes do not fit the ballots (one choice per ballot on a motion or
    a discipline ballot; in an election at most ``max_choices`` per ballot, one per candidate).
    """
    counts = _checked_counts(entry.counts, keys)
    if entry.valid < 0 or entry.spoiled < 0:
        raise ValueError("negative ballots")
    if entry.valid + entry.spoiled != voters:
        return "mismatch"
    total = sum(counts.values())
    if max_choices == 1:
        return None if total == entry.valid else "choices"
    if total > entry.valid * max_choices or any(n > entry.valid for n in counts.values()):
        return "choices"
    return None


def combine_channels(
    keys: Iterable[str],
    online: Mapping[str, int],
    online_cast: int,
    hall: Mapping[str, int],
    paper: PaperEntry | None,
) -> tuple[dict[str, int], int]:
    """(votes per option, valid ballots cast) over every channel: the figures the rule is applied
    to. A hall hand is one ballot with one choice; spoiled paper ballots are not cast."""
    keys = tuple(keys)
    parts = [_checked_counts(online, keys), _checked_counts(hall, keys)]
    cast = online_cast + sum(parts[1].values())
    if paper is not None:
        parts.append(_checked_counts(paper.counts, keys))
        cast += paper.valid
    return {key: sum(part[key] for part in parts) for key in keys}, cast


def needs_settling(m: MemberFacts) -> bool:
    """True when the chair must still settle this member's attendance before the minutes are
    approved: no status yet, and expected to attend. Exempted members are excused by definition
    (they count only when they come); members transferred out or suspended take no part."""
    if m.attendance is not AttendanceStatus.UNKNOWN:
        return False
    return not (m.exempted or m.transferred_out or m.suspended)


def starts_too_early(planned: datetime, now: datetime, allowed_minutes: int) -> bool:
    """True when starting now is more than `allowed_minutes` before the planned time: the chair
    is asked to confirm (a slip of the finger on the wrong meeting opens it for everyone, and
    members who come at the announced time find it half over). Exactly `allowed_minutes` early
    is allowed without asking; a meeting may always start late."""
    return planned - now > timedelta(minutes=allowed_minutes)


def listed_apart(member_category: str, attendance: AttendanceStatus) -> bool:
    """Exempted and hosted members who are not present: the minutes and the settlement list show
    them under their own heading (absent, they count in no vote figure), not among the absent."""
    return member_category in (CAT_EXEMPTED, CAT_HOSTED) and not is_present(attendance)


# ---- a member's attendance over the year (the handbook page's warnings) ---------------------
EXCUSED_IN_A_ROW_LIMIT = 3  # quality criterion: nobody excused more than 3 meetings in a row
UNEXCUSED_MONTHS_LIMIT = 3  # Charter: 3 months in a year without a valid reason -> removal


class AttendanceWarning(StrEnum):
    UNEXCUSED = "unexcused"  # any absence without reason
    EXCUSED_IN_A_ROW = "excused_in_a_row"  # more than 3 excused absences in a row
    REMOVAL_RISK = "removal_risk"  # unexcused absences in 3 or more months of the year


def attendance_warnings(record: list[tuple[int, AttendanceStatus]]) -> list[AttendanceWarning]:
    """Warnings from a member's year: [(month, status)] in meeting order (ended meetings only)."""
    warnings: list[AttendanceWarning] = []
    unexcused_months = {m for m, s in record if s == AttendanceStatus.ABSENT_UNEXCUSED}
    if unexcused_months:
        warnings.append(AttendanceWarning.UNEXCUSED)
    run = longest = 0
    for _month, status in record:
        run = run + 1 if status == AttendanceStatus.ABSENT_EXCUSED else 0
        longest = max(longest, run)
    if longest > EXCUSED_IN_A_ROW_LIMIT:
        warnings.append(AttendanceWarning.EXCUSED_IN_A_ROW)
    if len(unexcused_months) >= UNEXCUSED_MONTHS_LIMIT:
        warnings.append(AttendanceWarning.REMOVAL_RISK)
    return warnings
