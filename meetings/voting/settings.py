"""The command that sets a cell's vote rules (an organisation command: authorized, logged).

What the rules are and how they are stored is `org.vote_rules`; this module only writes them.
"""

from __future__ import annotations

from core.extensions import db
from meetings.commands import Effect, OrgContext, Payload, org_command
from meetings.errors import Invalid
from org.models import CellSettings
from org.vote_rules import merge_rules, overrides_of


class CellRules(Payload):
    rules: dict  # overrides of the defaults, the shape of `overrides_of`


@org_command("set_vote_rules", permission="set_vote_rules", payload=CellRules)
def set_vote_rules(ctx: OrgContext, payload: CellRules) -> Effect:
    """Store a cell's rules (as overrides of the defaults); votes already opened keep theirs."""
    if not ctx.organization.is_cell:
        raise Invalid(field="cell_id")
    try:
        rules = merge_rules(payload.rules)
    except (ValueError, KeyError, TypeError):
        raise Invalid(field="rules") from None
    row = db.session.get(CellSettings, ctx.organization.id)
    if row is None:
        row = CellSettings(cell_id=ctx.organization.id)
        db.session.add(row)
    row.vote_rules = overrides_of(rules)
    return Effect(audit={"rules": row.vote_rules})
