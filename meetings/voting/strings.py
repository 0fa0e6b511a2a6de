"""The voting panel's JavaScript speaks the user's language: its strings come from here."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from domain import labels

# Why a member may not vote (domain.rules.why_not_voter), and an observer's reason: told by the
# server when a ballot is refused and shown by the panel, in the same words.
WHY_NOT = {
    "observer": _l("Upper-level delegates do not vote."),
    "not_member": _l("Only members of this cell vote."),
    "probationary": _l("Probationary members do not vote."),
    "hosted": _l("Temporarily hosted members do not vote at the host cell."),
    "transferred": _l("Members transferred out of this cell do not vote here."),
    "suspended": _l("Suspended members do not vote."),
    "not_present": _l("You were not present as an eligible voter when this vote opened."),
    "own_grade": _l("You do not vote on your own grade."),
}


def voting_strings() -> dict[str, str]:
    return {
        **labels.for_script("kind_", labels.VOTE_KINDS),
        **labels.for_script("method_", labels.METHODS),
        **labels.for_script("", labels.CHOICES),
        "progress": _("%(n)s of %(m)s have voted", n="{n}", m="{m}"),
        "base": _("Base figure: %(base)s", base="{base}"),
        "cast_button": _("Cast my ballot"),
        "confirm_secret": _("A secret ballot is final. Cast it now?"),
        "choose_up_to": _("Choose up to %(n)s", n="{n}"),
        "hand_raised": _(
            "Your hand: %(choice)s (you may change it until the vote closes)", choice="{choice}"
        ),
        "sending": _("Sending your ballot…"),
        "recorded": _("Your ballot is recorded."),
        "receipt": _("Your receipt code: %(code)s", code="{code}"),
        "receipt_help": _(
            "Keep it: after the vote you can check that it is on the published list."
        ),
        "receipt_elsewhere": _("Your ballot was cast on another device: its receipt is there."),
        **{f"why_{reason}": str(text) for reason, text in WHY_NOT.items()},
        "close": _("Close the vote"),
        "confirm_close": _("Close the vote now?"),
        "closed": _("Vote closed"),
        "void": _("Vote void"),
        "void_text": _(
            "The server lost the key of this secret ballot before the close: its ballots cannot "
            "be counted. The vote must be taken again."
        ),
        "retake": _("Take the vote again"),
        "open": _("Vote in progress"),
        "cast_of": _(
            "%(cast)s ballots of %(eligible)s eligible voters", cast="{cast}", eligible="{eligible}"
        ),
        "receipts_link": _("Published receipts"),
        "receipt_found": _("Your receipt is on the published list."),
        "receipt_missing": _("Your receipt is NOT on the published list: tell the chair."),
        "earlier": _("Earlier votes"),
        "checked": _("Found on the list."),
        "not_found": _("Not on the list."),
        "subject_resolution": _("Title of the resolution or conclusion"),
        "subject_procedural": _("What the meeting decides (e.g. approving the minutes)"),
        "subject_admission": _("Name of the person to admit"),
        "subject_recognition": _("Name of the probationary member"),
        "subject_discipline": _("Name of the member concerned"),
        "subject_election": _("What is elected (e.g. the cell's secretary)"),
        "verdict_passed": _("Passed."),
        "verdict_failed": _("Not passed."),
        "verdict_election": _("Election result:"),
        "announce_opened": _("A vote has opened: %(subject)s", subject="{subject}"),
        "announce_closed": _("The vote is closed: %(verdict)s", verdict="{verdict}"),
    }


def hall_strings() -> dict[str, str]:
    """The hybrid meeting's part of the room (static/js/hall.js)."""
    return {
        "alert_not_saved": _("Your choice could not be saved. Please try again."),
        "banner_vote": _("Voting now: %(subject)s — tap to vote", subject="{subject}"),
        "banner_info": _("Voting now: %(subject)s (for information)", subject="{subject}"),
        "channels": _(
            "Voted online: %(online)s · hands in the hall: %(hall)s · paper ballots: %(paper)s",
            online="{online}",
            hall="{hall}",
            paper="{paper}",
        ),
        "hall_hands_h": _("Hands in the hall"),
        "hall_nobody": _("Nobody is waiting to vote in the hall."),
        "all_agree": _("All remaining in the hall: agree (%(n)s)", n="{n}"),
        "all_agree_help": _(
            "Tap those who disagree or abstain first; then record the rest as agreeing."
        ),
        "confirm_all_agree": _("Record these members as agreeing: %(names)s?", names="{names}"),
        "team_line": _("Counting team: %(names)s", names="{names}"),
        "team_help": _(
            "Name the members who count in the hall: one for hands; two or more for paper ballots."
        ),
        "team_button": _("Name the counting team"),
        "paper_voters_help": _("Tick the members who put a paper ballot in the box."),
        "paper_voters_button": _("Record their paper ballots"),
        "paper_marked": _("Paper ballots cast: %(n)s (%(names)s)", n="{n}", names="{names}"),
        "totals_help": _("After counting: the votes per option and the spoiled ballots."),
        "valid": _("Valid ballots"),
        "spoiled": _("Spoiled ballots"),
        "totals_button": _("Enter the paper totals"),
        "entered": _("Entered by %(by)s: %(numbers)s", by="{by}", numbers="{numbers}"),
        "confirm_waiting": _("Still to confirm: %(names)s", names="{names}"),
        "confirm_done": _("Confirmed by the whole counting team."),
        "confirm_button": _("I confirm these totals"),
        "close_names": _(
            "%(n)s have not voted yet: %(names)s. Close the vote anyway?", n="{n}", names="{names}"
        ),
        "close_everyone": _("Everyone has voted. Close the vote?"),
        "settle_one": _("Settle"),
        "settle_rest": _("The rest: absent without reason (%(n)s)", n="{n}"),
        "confirm_settle_rest": _("Mark absent without reason: %(names)s?", names="{names}"),
        "exempted": _("exempted"),
        "hosted": _("temporarily hosted"),
        "status_unknown": _("not recorded"),
        "status_absent_excused": _("absent with reason"),
        "status_absent_unexcused": _("absent without reason"),
        "no_guests": _("No guests recorded."),
        "guest_remove": _("Remove %(name)s", name="{name}"),
        "next_sealed": _("The minutes are signed and sealed."),
        "next_member": _("The meeting has ended. The minutes are being finished: read them here."),
        "next_read": _("Read the minutes"),
        "next_settle": _(
            "Next: settle the attendance of %(n)s members, then approve the minutes.", n="{n}"
        ),
        "next_settle_action": _("Settle attendance"),
        "next_approve": _("Next: approve the minutes (read back to the meeting)."),
        "next_approve_action": _("Approve the minutes"),
        "next_sign": _("Next: sign the minutes. Still to sign: %(names)s.", names="{names}"),
        "next_sign_action": _("Sign the minutes"),
        "step_approve": _("Approve"),
        "step_sign": _("Sign"),
        "step_seal": _("Sealed"),
    }
