"""Languages: Vietnamese first, English second; dates, times and numbers in the user's language."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import format_datetime, format_decimal, get_locale

from core.config import ROOT
from core.timeutil import vietnam_date, vietnam_today

TRANSLATIONS = ROOT / "translations"


def compile_catalogs(directory: Path = TRANSLATIONS) -> None:
    """Compile each .po to .mo when the .mo is missing or older: `python app.py` just works."""
    for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp.replace(mo_path)  # atomic: several processes may start at once


def format_when(moment: datetime | str | None, style: str = "short") -> str:
    """dd/mm/yyyy HH:MM in Vietnam time (24-hour in both languages); an ISO 8601 string (the
    JSON form of a moment, e.g. a signature's time in the assembled minutes) is read first."""
    if not moment:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if style == "date":
        return format_datetime(moment, "dd/MM/yyyy")
    if style == "time":
        return format_datetime(moment, "HH:mm")
    return format_datetime(moment, "dd/MM/yyyy HH:mm")


def format_percent(fraction) -> str:
    """85,7% in Vietnamese, 85.7% in English."""
    if fraction is None:
        return "—"
    return format_decimal(float(fraction) * 100, format="#,##0.0") + "%"


def is_today_in_vietnam(moment: datetime | None) -> bool:
    """`{% if m.scheduled_at is today %}`: the day as people in Vietnam count it, not UTC's
    (at 06:30 in Hà Nội it is still yesterday in UTC)."""
    return moment is not None and vietnam_date(moment) == vietnam_today()


def install_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["when"] = format_when
    app.jinja_env.tests["today"] = is_today_in_vietnam
    app.jinja_env.filters["percent"] = format_percent

    @app.context_processor
    def language():
        return {"current_language": str(get_locale() or "vi")}
