"""The room's JavaScript speaks the user's language: its strings come translated from here."""

from flask_babel import gettext as _

from domain import labels
from domain.rules import DEFAULT_ATTENDANCE_THRESHOLD
from meetings.errors import TooLarge


def room_strings() -> dict[str, str]:
    """Every string room.js shows, in the user's language, with {placeholders} for its values."""
    return {
        "live": _("Live"),
        "reconnecting": _("Reconnecting…"),
        "offline": _("Offline: changes will be sent when the connection returns"),
        "connecting": _("Connecting…"),
        "connected": _("Connected"),
        "status_scheduled": _("Scheduled"),
        "status_live": _("In progress"),
        "status_ended": _("Ended"),
        "not_started": _("The meeting has not started."),
        "ended": _("The meeting has ended."),
        "no_current": _("No item is being discussed."),
        "minutes": _("%(n)s min", n="{n}"),
        "make_current": _("Take up this item"),
        "make_current_short": _("Discuss now"),
        "move_up": _("Move up"),
        "move_down": _("Move down"),
        "remove": _("Remove"),
        "mark": _("Mark attendance"),
        "online": _("online now"),
        **labels.for_script("att_", labels.ATTENDANCE),
        **labels.for_script("cat_", labels.CATEGORIES),
        **labels.for_script("role_", labels.CELL_ROLES, skip=("member",)),
        "chair": _("Chair"),
        "minute_taker": _("Minute-taker"),
        "fig_members": _("Members"),
        "fig_present": _("Present"),
        "fig_base": _("Base figure for votes"),
        "fig_eligible": _("Present eligible voters"),
        "fig_rate": _("Attendance rate"),
        "fig_by_category": _("By category (present / members)"),
        # Figures.can_pass follows the cell's own vote rules: the warnings name no fraction.
        "warn_no_resolution": _(
            "Too few eligible voters are present to reach the cell's threshold: "
            "no resolution can pass."
        ),
        "warn_no_two_thirds": _(
            "Too few eligible voters are present to reach the cell's thresholds: "
            "no admission, recognition or expulsion can pass."
        ),
        "flag_low_attendance": _(
            "Quality: attendance is %(target)s or lower.",
            target=f"{round(DEFAULT_ATTENDANCE_THRESHOLD * 100)}%",
        ),
        "flag_unexcused_absence": _("Quality: a member is absent without reason."),
        "me_unknown": _("You have not checked in yet."),
        "me_present": _("You are checked in."),
        "me_late": _("You are checked in (late)."),
        "me_absent_excused": _("You are recorded absent with reason."),
        "me_absent_unexcused": _("You are recorded absent without reason."),
        "me_wait": _("Check-in opens when the meeting starts."),
        "me_sending": _(
            "Your check-in is saved on this device and will be sent when the connection returns."
        ),
        "no_observers": _("No upper-level delegate has joined."),
        "away_changes": _("Back online. While you were away: %(what)s", what="{what}"),
        "away_nothing": _("Back online. Nothing changed while you were away."),
        "away_status": _("the meeting's status changed"),
        "away_item": _("the current item changed"),
        "away_attendance": _("attendance changed"),
        "away_agenda": _("the agenda changed"),
        "sent_later": _("Saved on this device; it will be sent when the connection returns."),
        "session_ended": _("Your session has ended. Please log in again."),
        "too_large": str(TooLarge().message),
        "error": _("Error"),
        "confirm_end": _("End the meeting now?"),
        "reason_required": _("Please give the reason."),
        "reply_attend": _("Replied: will attend"),
        "reply_excused": _("Asks to be excused: %(reason)s", reason="{reason}"),
        "accept_reason": _("Accept the reason"),
        "status_cancelled": _("Cancelled"),
        "confirm_cancel": _("Cancel this meeting? Every member will be told."),
        "at": _("at %(time)s", time="{time}"),
        "item_of": _("Item %(n)s of %(total)s", n="{n}", total="{total}"),
        "since": _("since %(time)s", time="{time}"),
        "started_at": _("Started at %(time)s", time="{time}"),
        "now_discussing": _("now"),
        "done": _("done"),
        "total_minutes": _("%(n)s min in all", n="{n}"),
        "present_of": _("%(n)s/%(total)s present", n="{n}", total="{total}"),
        "away_sent": _("what you did offline has been sent"),
        "away_vote_opened": _("a vote opened: %(subject)s", subject="{subject}"),
        "away_vote_closed": _(
            "the vote on %(subject)s closed: %(verdict)s", subject="{subject}", verdict="{verdict}"
        ),
        "away_ballot": _("your ballot was recorded"),
        "away_floor_you": _("you were given the floor"),
        "away_floor": _("%(name)s has the floor", name="{name}"),
        "away_minutes": _("the minutes were edited"),
        "away_minutes_approved": _("the minutes were approved"),
        "away_minutes_sealed": _("the minutes were signed and sealed"),
    }
