"""The dashboard as CSV: UTF-8 with a byte-order mark, so Excel shows Vietnamese correctly.

Every cell is escaped against formula injection (`core.spreadsheet`)."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from core.spreadsheet import safe_row
from meetings.tasks.strings import status_label
from oversight.report import Report, cell_row, headers


def to_csv(report: Report) -> bytes:
    """One row per cell and period, criteria in the dashboard's columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("Cell"), _("Period"), *headers()])
    for cell in report.cells:
        for q in report.by_cell[cell.id]:
            row = [cell.name, q.period.label, *cell_row(q, report.names)]
            writer.writerow(safe_row(row))
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
                safe_row(
                    [
                        cell.name,
                        task.text,
                        ", ".join(owners),
                        task.due_on.strftime("%d/%m/%Y"),
                        status_label(task.status),
                    ]
                )
            )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
