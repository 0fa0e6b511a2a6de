"""The voting panel's JavaScript speaks the user's language: its strings come from here."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

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
}


def voting_strings() -> dict[str, str]:
    return {
        "kind_resolution": _("Resolution / conclusion"),
        "kind_admission": _("Admission of a new member"),
        "kind_recognition": _("Recognition as official member"),
        "kind_discipline": _("Discipline"),
        "kind_election": _("Election"),
        "kind_procedural": _("Procedural vote"),
        "method_show_of_hands": _("Show of hands"),
        "method_secret": _("Secret ballot"),
        "agree": _("Agree"),
        "disagree": _("Disagree"),
        "abstain": _("Abstain"),
        "expulsion": _("Expulsion"),
        "removal_from_post": _("Removal from post"),
        "warning": _("Warning"),
        "reprimand": _("Reprimand"),
        "none": _("No discipline"),
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
            "Keep it: after the vote you can find its fingerprint on the published list."
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
        "announce_opened": _("A vote has opened: %(subject)s", subject="{subject}"),
        "announce_closed": _("The vote is closed: %(verdict)s", verdict="{verdict}"),
    }
