"""What the Party's vocabulary is called on screen, in the user's language: one table per kind.

The one home of these words: Python (forms, messages, verdicts), Jinja (the ``labels`` global)
and the page's JavaScript (``room_strings`` / ``voting_strings`` send them translated) all read
them here. Keys are the stored values (the StrEnum members of domain.rules, org.models and
meetings.models compare equal to them; tests/unit/test_labels.py checks every key against them).
The minutes' fixed Vietnamese document wording is meetings/minutes/wording.py, not a label.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ORG_KINDS = {
    "province": _l("Province committee (Đảng bộ tỉnh)"),
    "district": _l("District or city committee (Đảng bộ huyện, thành phố)"),
    "grassroots": _l("Grassroots committee (Đảng bộ cơ sở)"),
    "cell": _l("Cell (Chi bộ)"),
}
PARTY_STATUSES = {
    "official": _l("Official member"),
    "probationary": _l("Probationary member"),
}
CELL_ROLES = {
    "secretary": _l("Secretary"),
    "deputy": _l("Deputy secretary"),
    "committee": _l("Cell committee member"),
    "member": _l("Member"),
}
# A member's single reporting category (domain.rules.category).
CATEGORIES = {
    "official": _l("Official member"),
    "probationary": _l("Probationary member"),
    "exempted": _l("Exempted from activities"),
    "hosted": _l("Temporarily hosted"),
    "transferred": _l("Transferred out"),
    "suspended": _l("Suspended"),
}
ATTENDANCE = {
    "unknown": _l("Not yet checked in"),
    "present": _l("Present"),
    "late": _l("Late"),
    "absent_excused": _l("Absent with reason"),
    "absent_unexcused": _l("Absent without reason"),
}
MEETING_KINDS = {
    "regular": _l("Regular meeting"),
    "thematic": _l("Thematic meeting"),
    "extraordinary": _l("Extraordinary meeting"),
    "year_review": _l("Year-end review meeting"),
}
VOTE_KINDS = {
    "resolution": _l("Resolution / conclusion"),
    "admission": _l("Admission of a new member"),
    "recognition": _l("Recognition as official member"),
    "discipline": _l("Discipline"),
    "election": _l("Election"),
    "procedural": _l("Procedural vote"),
}
METHODS = {
    "show_of_hands": _l("Show of hands"),
    "secret": _l("Secret ballot"),
}
# The choices on a ballot: a motion's, then discipline's (heaviest first, then none).
CHOICES = {
    "agree": _l("Agree"),
    "disagree": _l("Disagree"),
    "abstain": _l("Abstain"),
    "expulsion": _l("Expulsion"),
    "removal_from_post": _l("Removal from post"),
    "warning": _l("Warning"),
    "reprimand": _l("Reprimand"),
    "none": _l("No discipline"),
}
# A discipline as said inside a verdict's sentence ("Decided: expulsion, …").
DISCIPLINE_IN_SENTENCE = {
    "expulsion": _l("expulsion"),
    "removal_from_post": _l("removal from post"),
    "warning": _l("warning"),
    "reprimand": _l("reprimand"),
}
# A threshold (majority, denominator) as said inside a sentence: one wording, in the verdicts,
# the minutes and the vote-rules page alike.
THRESHOLDS = {
    ("more_than_half", "base"): _l("more than half of the official members"),
    ("at_least_two_thirds", "base"): _l("at least two thirds of the official members"),
    ("more_than_half", "voting"): _l("more than half of the ballots cast"),
    ("at_least_two_thirds", "voting"): _l("at least two thirds of the ballots cast"),
}


def threshold(majority: str, denominator: str):
    """The wording of a threshold (lazy: rendered in the language of the moment)."""
    return THRESHOLDS[(majority, denominator)]


def for_script(prefix: str, table: dict, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """A table rendered now, keyed ``prefix + key``, for the strings a page's script receives."""
    return {f"{prefix}{key}": str(text) for key, text in table.items() if key not in skip}
