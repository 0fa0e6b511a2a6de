"""The dashboard as CSV: UTF-8 with a byte-order mark, so Excel shows Vietnamese correctly."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from oversight.report import Report, cell_row, headers


def to_csv(report: Report) -> bytes:
    """One row per cell and period, criteria in the dashboard's columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("Cell"), _("Period"), *headers()])
    for cell in report.cells:
        for q in report.by_cell[cell.id]:
            writer.writerow([cell.name, q.period.label, *cell_row(q, report.names)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
