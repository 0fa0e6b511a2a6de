"""The dashboard as CSV: UTF-8 with a byte-order mark, so Excel shows Vietnamese correctly.

Every text cell is escaped against formula injection as OWASP advises: a cell starting with
= + - @ tab or carriage return gets a leading apostrophe, so a spreadsheet shows it as text
instead of running it (a cell named "=HYPERLINK(...)" would otherwise be a live formula)."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from meetings.tasks.strings import status_label
from oversight.report import Report, cell_row, headers

FORMULA_STARTERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """The value as a spreadsheet will read it as text (numbers stay numbers)."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTERS):
        return value
    try:
        float(value)
        return value  # "-3" or "+2.5": a number, not a formula
    except ValueError:
        return "'" + value


def to_csv(report: Report) -> bytes:
    """One row per cell and period, criteria in the dashboard's columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("Cell"), _("Period"), *headers()])
    for cell in report.cells:
        for q in report.by_cell[cell.id]:
            row = [cell.name, q.period.label, *cell_row(q, report.names)]
            writer.writerow([spreadsheet_safe(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def overdue_csv(report: Report) -> bytes:
    """The overdue tasks of every cell (a second file: the criteria table stays rectangular)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("Cell"), _("Task"), _("Owners"), _("Deadline"), _("Status")])
    for cell in report.cells:
        for task in report.overdue.get(cell.id, []):
            owners = [o.user.full_name for o in task.owners]
            if task.owner_committee:
                owners.insert(0, _("The cell committee"))
            writer.writerow(
                [
                    cell.name,
                    task.text,
                    ", ".join(owners),
                    task.due_on.strftime("%d/%m/%Y"),
                    status_label(task.status),
                ]
            )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
