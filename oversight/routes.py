"""Pages for upper-level leaders: the home sections, the quality dashboard, assignments."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from core.extensions import db
from core.i18n import format_percent
from core.timeutil import VIETNAM
from meetings.commands import run_org
from meetings.errors import CommandError
from meetings.permissions import ORG_PERMISSIONS, allowed, organization_roles
from org.models import Organization, Oversight
from oversight import queries, report
from oversight.charts import bars
from oversight.export import overdue_csv, to_csv
from oversight.forms import AssignmentForm, DeleteForm
from oversight.models import Assignment
from oversight.quality import ATTENDANCE_TARGET

TARGET_TEXT = f"{round(ATTENDANCE_TARGET * 100)}%"

bp = Blueprint("oversight", __name__)


# ---- the leader's home (sections included by home.html) -------------------------------------
@bp.app_template_global("oversight_home")
def oversight_home() -> dict | None:
    """What a leader's home adds: live meetings below them, today's and upcoming meetings,
    the committee tree, their assigned cells. None for a user who leads nothing."""
    if not current_user.is_authenticated:
        return None
    roots = queries.led_committees(current_user)
    assigned = queries.assignments_of(current_user)
    if not roots and not assigned:
        return None
    cells = {c.id: c for r in roots for c in queries.cells_under(r)}
    cells.update({a.cell_id: a.cell for a in assigned})
    cell_ids = sorted(cells)
    year = datetime.now(VIETNAM).year
    progress = {
        (row.leader_id, row.cell_id): row
        for row in report.leader_rows([a.cell for a in assigned], year)
    }
    next_by_cell = queries.next_meeting_by_cell([a.cell_id for a in assigned])
    today = datetime.now(VIETNAM).date()
    scheduled = queries.scheduled_meetings(cell_ids)
    return {
        "live": queries.live_meetings(cell_ids),
        "today": [m for m in scheduled if m.scheduled_at.astimezone(VIETNAM).date() == today],
        "upcoming": [m for m in scheduled if m.scheduled_at.astimezone(VIETNAM).date() > today][
            :10
        ],
        "tree": queries.tree(roots),
        "assigned": [
            {
                "assignment": a,
                "next": next_by_cell.get(a.cell_id),
                "attended": progress.get((a.leader_id, a.cell_id)),
            }
            for a in sorted(assigned, key=lambda a: a.cell.name)
        ],
        "year": year,
    }


@bp.app_template_global("can_see_quality")
def can_see_quality() -> bool:
    """Whether the navigation offers the dashboard (the page checks again)."""
    return current_user.is_authenticated and bool(queries.quality_units(current_user))


# ---- the dashboard ----------------------------------------------------------------------------
def _params():
    units = queries.quality_units(current_user)
    if not units:
        abort(403)
    unit_id = request.args.get("unit", type=int) or units[0].id
    unit = db.session.get(Organization, unit_id)
    if unit is None:
        abort(404)
    if not queries.can_view_quality(current_user, unit):
        abort(403)
    now = datetime.now(VIETNAM)
    year = request.args.get("year", type=int) or now.year
    if not 2000 <= year <= now.year + 1:
        abort(400)
    by = request.args.get("by", "quarter")
    if by not in ("month", "quarter"):
        abort(400)
    return units, unit, year, by


def _charts(rep: report.Report) -> list:
    labels = [(str(p.number) if rep.by == "month" else f"Q{p.number}") for p in rep.periods]
    rate = [t.attendance_rate for t in rep.totals]
    charts = [
        bars(
            _("Attendance rate"),
            labels,
            rate,
            1.0,
            format_percent,
            target=float(ATTENDANCE_TARGET),
            target_text=TARGET_TEXT,
            good_at_least=float(ATTENDANCE_TARGET),
        ),
        bars(
            _("Meetings held"),
            labels,
            [t.meetings_held for t in rep.totals],
            max([t.meetings_held for t in rep.totals] + [1]),
            str,
        ),
    ]
    if len(rep.cells) > 1:
        period = _selected_period(rep)
        charts.append(
            bars(
                _("Attendance rate by cell, %(period)s", period=rep.periods[period].label),
                [c.name.removeprefix("Chi bộ ") for c in rep.cells],
                [rep.by_cell[c.id][period].attendance_rate for c in rep.cells],
                1.0,
                format_percent,
                target=float(ATTENDANCE_TARGET),
                target_text=TARGET_TEXT,
                good_at_least=float(ATTENDANCE_TARGET),
            )
        )
    return charts


def _selected_period(rep: report.Report) -> int:
    chosen = request.args.get("period", type=int)
    if chosen is not None and 0 <= chosen < len(rep.periods):
        return chosen
    now = datetime.now(VIETNAM)
    for i, p in enumerate(rep.periods):
        if p.contains(now):
            return i
    return len(rep.periods) - 1


@bp.route("/quality")
@login_required
def dashboard():
    units, unit, year, by = _params()
    rep = report.build(unit, year, by)
    period = _selected_period(rep)
    return render_template(
        "oversight/dashboard.html",
        units=units,
        rep=rep,
        period=period,
        headers=report.headers(),
        total_headers=report.total_headers(),
        cell_row=report.cell_row,
        total_row=report.total_row,
        charts=_charts(rep),
        leaders=report.leader_rows(rep.cells, year),
        years=list(range(datetime.now(VIETNAM).year, datetime.now(VIETNAM).year - 4, -1)),
    )


@bp.route("/quality.csv")
@login_required
def dashboard_csv():
    _units, unit, year, by = _params()
    rep = report.build(unit, year, by)
    if request.args.get("list") == "overdue":  # the overdue tasks, one per row
        name = f"chibo-overdue-tasks-{unit.id}.csv"
        data = overdue_csv(rep)
    else:
        name = f"chibo-quality-{unit.id}-{year}-{by}.csv"
        data = to_csv(rep)
    return Response(
        data,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# ---- assignments -----------------------------------------------------------------------------
def _committee_or_404(committee_id: int) -> Organization:
    committee = db.session.get(Organization, committee_id)
    if committee is None or committee.is_cell:
        abort(404)
    if not allowed(organization_roles(current_user, committee), "assign_leaders", ORG_PERMISSIONS):
        abort(403)
    return committee


def _assignment_command(committee: Organization, name: str, payload: dict, done: str) -> bool:
    """Run an assignment command for the form; a refusal is flashed and False returned."""
    try:
        run_org(current_user._get_current_object(), committee.id, name, payload)
    except CommandError as exc:
        flash(str(exc.message), "error")
        return False
    flash(done, "info")
    return True


@bp.route("/committees/<int:committee_id>/assignments", methods=["GET", "POST"])
@login_required
def assignments(committee_id: int):
    committee = _committee_or_404(committee_id)
    cells = queries.cells_under(committee)
    leaders = db.session.scalars(
        select(Oversight).where(Oversight.organization_id == committee.id)
    ).all()
    form = AssignmentForm()
    form.leader_id.choices = [(o.user_id, f"{o.user.full_name} — {o.office}") for o in leaders]
    form.cell_id.choices = [(c.id, c.name) for c in cells]
    if form.validate_on_submit():
        payload = {
            "leader_id": form.leader_id.data,
            "cell_id": form.cell_id.data,
            "target_per_year": form.target_per_year.data,
        }
        if _assignment_command(committee, "assign_leader", payload, _("The assignment is saved.")):
            return redirect(url_for("oversight.assignments", committee_id=committee.id))
    year = datetime.now(VIETNAM).year
    rows = queries.assignments_for_cells([c.id for c in cells])
    progress = {(r.leader_id, r.cell_id): r for r in report.leader_rows(cells, year)}
    return render_template(
        "oversight/assignments.html",
        committee=committee,
        form=form,
        rows=sorted(rows, key=lambda a: (a.leader.full_name, a.cell.name)),
        progress=progress,
        year=year,
        delete_form=DeleteForm(),
    )


@bp.route("/assignments/<int:assignment_id>/delete", methods=["POST"])
@login_required
def delete_assignment(assignment_id: int):
    assignment = db.get_or_404(Assignment, assignment_id)
    committee = _committee_or_404(assignment.committee_id)
    if not DeleteForm().validate_on_submit():
        abort(400)
    payload = {"assignment_id": assignment.id}
    _assignment_command(committee, "remove_assignment", payload, _("The assignment is removed."))
    return redirect(url_for("oversight.assignments", committee_id=committee.id))
