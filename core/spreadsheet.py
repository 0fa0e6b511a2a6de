"""Cells of a CSV export made safe for spreadsheets: one rule for every export.

A cell starting with = + - @ tab or carriage return gets a leading apostrophe, as OWASP advises
against formula injection: a spreadsheet shows it as text instead of running it (a cell or member
named "=HYPERLINK(...)" would otherwise be a live formula). Numbers stay numbers.
"""

from __future__ import annotations

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


def safe_row(row) -> list:
    return [spreadsheet_safe(value) for value in row]
