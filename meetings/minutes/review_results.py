"""The year-end review's result list as the upper committee expects it: CSV, and a PDF in the
Party's document format (rendered like the minutes). Read only."""

from __future__ import annotations

import csv
import io
import re
import unicodedata

from flask import Blueprint, abort, make_response, render_template
from flask_babel import force_locale
from flask_login import current_user, login_required

from core.extensions import db
from core.spreadsheet import safe_row
from meetings.minutes import pdf, wording
from meetings.models import Meeting
from meetings.permissions import can
from meetings.review import queries, records

bp = Blueprint("review_results", __name__)


def _review_meeting(meeting_id: int, action: str) -> Meeting:
    meeting = db.get_or_404(Meeting, meeting_id)
    if not can(current_user, action, meeting):
        abort(403)
    if not queries.is_review(meeting):
        abort(404)
    return meeting


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = ascii_text.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _filename(meeting: Meeting, data: dict, ext: str) -> str:
    return f"xep-loai-{_slug(meeting.cell.name)}-{data['review_year']}.{ext}"


@bp.route("/meetings/<int:meeting_id>/review/results.csv")
@login_required
def results_csv(meeting_id: int):
    meeting = _review_meeting(meeting_id, "view_minutes")
    data = records.results(meeting)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    with force_locale("vi"):
        writer.writerow(
            [
                "STT",
                "Họ và tên",
                "Tự chấm điểm",
                "Tự xếp loại",
                "Chi bộ đề xuất xếp loại",
                "Tán thành",
                "Không tán thành",
                "Không biểu quyết",
                "Căn cứ tính biểu quyết",
            ]
        )
        for row in data["review_results"]:
            writer.writerow(
                safe_row(
                    [
                        row["number"],
                        row["name"],
                        row["self_score"] if row["self_score"] is not None else "",
                        row["self_grade"],
                        row["grade"],
                        row["agree"],
                        row["disagree"],
                        row["abstain"],
                        row["base"] if row["base"] is not None else "",
                    ]
                )
            )
        cell, report = data["review_cell"], data["review_report"]
        if cell is not None or report is not None:
            cell = cell or {k: "" for k in ("grade", "agree", "disagree", "abstain", "base")}
            writer.writerow(
                safe_row(
                    [
                        "",
                        meeting.cell.name,
                        report["score"] if report else "",
                        report["grade"] if report else "",
                        cell["grade"],
                        cell["agree"],
                        cell["disagree"],
                        cell["abstain"],
                        cell["base"],
                    ]
                )
            )
    response = make_response(("\ufeff" + out.getvalue()).encode("utf-8"))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_filename(meeting, data, "csv")}"'
    )
    return response


@bp.route("/meetings/<int:meeting_id>/review/results.pdf")
@login_required
def results_pdf(meeting_id: int):
    meeting = _review_meeting(meeting_id, "view_minutes")
    data = records.results(meeting)
    when = meeting.started_at or meeting.scheduled_at
    data["review_header"] = {
        "upper": wording.upper_caps(meeting.cell.parent.name if meeting.cell.parent else ""),
        "cell": wording.upper_caps(meeting.cell.name),
        "place_date": wording.place_date_line(meeting.cell.place, when),
    }
    top, bottom, left, right = pdf.margins()
    with force_locale("vi"):
        html = render_template(
            "review/results_print.html",
            data=data,
            meeting=meeting,
            margins=f"{top}mm {right}mm {bottom}mm {left}mm",
        )
    response = make_response(pdf.render_pdf(html))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_filename(meeting, data, "pdf")}"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
