"""The administrator's CSV import of handbook fields: parsed and checked whole before anything is
saved (one bad line: nothing changes, every problem listed with its line)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from core.vietnamese import nfc
from members.forms import PHONE, normalized_email

COLUMNS = (
    "username",
    "date_of_birth",
    "admitted_on",
    "official_on",
    "card_number",
    "phone",
    "email",
)
DATE_COLUMNS = ("date_of_birth", "admitted_on", "official_on")
MAX_ROWS = 5000
CARD = re.compile(r"^[0-9A-Za-z.-]{4,20}$")


@dataclass
class Parsed:
    rows: list[dict] = field(default_factory=list)  # line, username, the fields given (None: clear)
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (line, column, code)


def _date(text: str) -> date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError(text)


def parse(data: bytes) -> Parsed:
    """Columns by header name (username required, the others optional); an empty cell clears
    the field. Problem codes: encoding, header, username, date, order, card, phone, email, rows."""
    result = Parsed()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.problems.append((0, "", "encoding"))
        return result
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    if "username" not in header or any(h not in COLUMNS for h in header):
        result.problems.append((1, ",".join(header), "header"))
        return result
    for line, raw in enumerate(reader, start=2):
        if line - 1 > MAX_ROWS:
            result.problems.append((line, "", "rows"))
            break
        row = {k: nfc((v or "").strip()) for k, v in raw.items() if k in COLUMNS}
        if not row.get("username"):
            result.problems.append((line, "username", "username"))
            continue
        out, problems = check_fields(row)
        result.problems += [(line, column, code) for column, code in problems]
        result.rows.append({"line": line, "username": row["username"], **out})
    return result


def check_fields(row: dict[str, str]) -> tuple[dict, list[tuple[str, str]]]:
    """The handbook fields given in ``row`` (text, stripped; empty clears the field), checked:
    their values, and the problems as (column, code). The CSV import and the administrator's
    form both ask here."""
    out: dict = {}
    problems: list[tuple[str, str]] = []
    for column in DATE_COLUMNS:
        if column in row:
            try:
                out[column] = _date(row[column]) if row[column] else None
            except ValueError:
                problems.append((column, "date"))
    admitted, official = out.get("admitted_on"), out.get("official_on")
    if admitted and official and official < admitted:
        problems.append(("official_on", "order"))
    if "card_number" in row:
        if row["card_number"] and not CARD.match(row["card_number"]):
            problems.append(("card_number", "card"))
        out["card_number"] = row["card_number"] or None
    if "phone" in row:
        if row["phone"] and not re.match(PHONE, row["phone"]):
            problems.append(("phone", "phone"))
        out["phone"] = row["phone"] or None
    if "email" in row:
        try:
            out["email"] = normalized_email(row["email"])
        except ValueError:
            problems.append(("email", "email"))
    return out, problems
