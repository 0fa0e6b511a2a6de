"""Leaders' attendance assignments, written through the organisation command path (authorized by
the permission table, logged): a committee's leader or an administrator assigns and removes."""

from __future__ import annotations

from pydantic import Field, StrictInt
from sqlalchemy import select

from core.extensions import db
from meetings.commands import Effect, OrgContext, Payload, org_command
from meetings.errors import Invalid, NotFound
from org.models import Oversight
from oversight.models import Assignment
from oversight.queries import cells_under


class Assign(Payload):
    leader_id: StrictInt
    cell_id: StrictInt
    target_per_year: StrictInt = Field(ge=1, le=24)


class AssignmentRef(Payload):
    assignment_id: StrictInt


@org_command("assign_leader", permission="assign_leaders", payload=Assign)
def assign_leader(ctx: OrgContext, payload: Assign) -> Effect:
    """Assign one of the committee's leaders to a cell below it (or change the yearly target)."""
    committee = ctx.organization
    leads = db.session.scalar(
        select(Oversight.id).where(
            Oversight.user_id == payload.leader_id, Oversight.organization_id == committee.id
        )
    )
    if leads is None:
        raise Invalid(field="leader_id")
    if payload.cell_id not in {c.id for c in cells_under(committee)}:
        raise Invalid(field="cell_id")
    assignment = db.session.scalar(
        select(Assignment).where(
            Assignment.leader_id == payload.leader_id, Assignment.cell_id == payload.cell_id
        )
    )
    if assignment is None:
        assignment = Assignment(
            leader_id=payload.leader_id,
            cell_id=payload.cell_id,
            committee_id=committee.id,
            assigned_by_id=ctx.actor.id,
        )
        db.session.add(assignment)
    assignment.target_per_year = payload.target_per_year
    db.session.flush()
    return Effect(
        result={"assignment_id": assignment.id},
        audit=payload.model_dump() | {"assignment_id": assignment.id},
    )


@org_command("remove_assignment", permission="assign_leaders", payload=AssignmentRef)
def remove_assignment(ctx: OrgContext, payload: AssignmentRef) -> Effect:
    assignment = db.session.get(Assignment, payload.assignment_id)
    if assignment is None or assignment.committee_id != ctx.organization.id:
        raise NotFound(field="assignment_id")
    audit = {
        "assignment_id": assignment.id,
        "leader_id": assignment.leader_id,
        "cell_id": assignment.cell_id,
    }
    db.session.delete(assignment)
    return Effect(audit=audit)
