"""Translated messages for the codes of org.errors.AdminError and org.csv_import."""

from __future__ import annotations

from flask_babel import gettext as _


def N_(msgid: str) -> str:  # noqa: N802 (the gettext convention: mark for extraction only)
    """Mark a msgid for extraction; it is translated when shown, with its parameters."""
    return msgid


MESSAGES = {
    # the tree
    "bad_kind": N_("Choose a kind of organisation."),
    "cell_needs_parent": N_("A cell must belong to a committee: choose its parent."),
    "parent_is_cell": N_("A cell cannot have organisations below it: choose a committee."),
    "parent_level": N_(
        "The parent must be at a higher level (province › district › grassroots › cell)."
    ),
    "parent_cycle": N_("An organisation cannot be placed below itself."),
    "kind_has_children": N_(
        "This organisation has organisations below it at this level or lower: "
        "it cannot become this kind."
    ),
    "cell_has_members": N_("This cell has members: it must stay a cell."),
    "not_found": N_("Not found."),
    "not_a_cell": N_("Members belong to cells only."),
    # accounts
    "required": N_("This field is required."),
    "bad_username": N_(
        "Use 2 to 64 characters: lowercase letters without accents, digits, and . _ -"
    ),
    "username_taken": N_("This username is already taken."),
    "bad_language": N_("Choose a language."),
    "password_too_short": N_("The password must have at least %(min)s characters."),
    "own_admin": N_("You cannot remove your own administrator right."),
    "own_account": N_("You cannot deactivate your own account."),
    "unknown_user": N_("No user with this username: create the user first."),
    # memberships
    "bad_party_status": N_("Unknown party status “%(value)s”: use official or probationary."),
    "bad_cell_role": N_(
        "Unknown cell role “%(value)s”: use secretary, deputy, committee or member."
    ),
    "bad_flag": N_("Unreadable “%(value)s”: use yes or no (also 1/0, x, có/không)."),
    "hosted_and_transferred": N_(
        "A hosted member cannot also be transferred out of the host cell."
    ),
    "post_needs_official": N_(
        "Only official members can hold a cell post (probationary members cannot stand)."
    ),
    "post_not_hosted": N_(
        "A hosted member cannot hold a post in the host cell (they do not vote there)."
    ),
    "already_member": N_("This user is already a member of this cell."),
    "home_elsewhere": N_(
        "This user already belongs to “%(cell)s”. A user has one home cell; "
        "in any other cell they can only be hosted (tick “hosted”)."
    ),
    "secretary_exists": N_(
        "This cell already has a secretary (%(name)s). Change that membership first."
    ),
    # oversight
    "oversight_of_cell": N_("Oversight is of a committee; its cells are observed through it."),
    "oversight_exists": N_("This user already oversees this committee."),
    # CSV
    "file_too_large": N_("The file is too large (at most %(max)s bytes)."),
    "not_utf8": N_("The file is not UTF-8 from this line on. In Excel, save as “CSV UTF-8”."),
    "empty_file": N_("The file is empty."),
    "no_rows": N_("The file has a header but no member."),
    "too_many_rows": N_("Too many rows (at most %(max)s): split the file."),
    "bad_csv": N_("This line is not valid CSV (check the quotes)."),
    "unknown_column": N_("Unknown column."),
    "duplicate_column": N_("This column appears twice."),
    "missing_column": N_("This column is missing from the header."),
    "too_many_values": N_("Too many values: the header has %(expected)s columns."),
    "too_long": N_("Too long (at most %(max)s characters)."),
    "duplicate_username": N_("This username is already on line %(first)s."),
    "second_secretary_in_file": N_("Line %(first)s is already the secretary: a cell has one."),
    "name_mismatch": N_("This username belongs to %(name)s: check the username or the name."),
    "password_for_existing": N_(
        "This user exists: leave the password empty (import never changes passwords)."
    ),
}


def message(code: str, params: dict | None = None) -> str:
    """The translated message for a code, with its parameters filled in."""
    msgid = MESSAGES.get(code)
    if msgid is None:
        return _("The request is not valid.")
    return _(msgid, **(params or {}))
