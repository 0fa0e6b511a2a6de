"""Reading a cell's member list from a CSV file, and the value rules the admin forms share.

Pure standard library: no Flask, no database. Problems are returned as :class:`RowError` with a
stable ``code`` (and ``params``); the admin pages turn codes into translated messages, the tests
compare codes.

Decisions
---------
* Line numbers are *record* numbers counting the header as line 1, which is the row number a
  spreadsheet shows; a quoted value spanning two physical lines is still one row. Blank rows are
  skipped but keep their number, so the numbers match the spreadsheet.
* The file must be UTF-8 (a BOM is accepted: Excel's "CSV UTF-8" writes one). The delimiter is
  read from the header: Excel in a Vietnamese locale writes ``;``, others ``,``; a tab also works.
* Values are read accent- and case-insensitively (``"Chính thức"``, ``"chinh thuc"``,
  ``"official"``), so a list typed in Vietnamese or English imports the same.
* Every row is checked and *all* problems are collected; the caller imports nothing when there
  is one.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from dataclasses import dataclass, field

from core.config import MIN_PASSWORD_LENGTH
from core.vietnamese import nfc, search_fold

MAX_BYTES = 1_000_000
MAX_ROWS = 2_000
MAX_NAME_LENGTH = 200
USERNAME_RE = re.compile(r"[a-z0-9_.-]{2,64}")

PARTY_STATUSES = ("official", "probationary")
CELL_ROLES = ("secretary", "deputy", "committee", "member")

# Folded spelling -> stored value. Folding drops accents, so "chi uỷ viên" (old tone placement)
# and "chi uy vien" (typed without accents) are read alike.
PARTY_STATUS_WORDS = {
    "official": "official",
    "chinh thuc": "official",
    "probationary": "probationary",
    "du bi": "probationary",
}
CELL_ROLE_WORDS = {
    "secretary": "secretary",
    "bi thu": "secretary",
    "deputy": "deputy",
    "deputy secretary": "deputy",
    "pho bi thu": "deputy",
    "committee": "committee",
    "chi uy vien": "committee",
    "uy vien": "committee",
    "member": "member",
    "dang vien": "member",
}
TRUE_WORDS = frozenset({"yes", "y", "1", "x", "true", "co"})
FALSE_WORDS = frozenset({"no", "n", "0", "false", "khong", ""})

# Canonical column -> accepted folded header spellings.
COLUMNS = {
    "username": ("username", "ten dang nhap"),
    "full_name": ("full_name", "full name", "ho va ten", "ho ten"),
    "party_status": ("party_status", "party status", "dang tich", "trang thai"),
    "cell_role": ("cell_role", "cell role", "chuc vu", "vai tro"),
    "exempted": ("exempted", "mien sinh hoat"),
    "hosted": ("hosted", "sinh hoat tam thoi"),
    "transferred": ("transferred", "transferred_out", "tam chuyen di"),
    "password": ("password", "mat khau"),
}
REQUIRED_COLUMNS = ("username", "full_name", "party_status", "cell_role")
_HEADER_WORDS = {spelling: column for column, names in COLUMNS.items() for spelling in names}

# Letters that are easy to read aloud and to type on a phone: no 0/O, 1/l/I.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 (an alphabet)


@dataclass(frozen=True)
class RowError:
    """One problem: ``line`` counts the header as 1 (0 = the whole file); ``column`` may be ''."""

    line: int
    column: str
    code: str
    params: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class MemberRow:
    """A valid row: the values as they will be stored."""

    line: int
    username: str
    full_name: str
    party_status: str
    cell_role: str
    exempted: bool
    hosted: bool
    transferred: bool
    password: str | None


@dataclass
class ParseResult:
    rows: list[MemberRow]
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors


# ---- value rules (also used by the admin forms) ----


def clean_username(raw: str | None) -> str:
    """Usernames are stored lowercase and trimmed (the login form lowercases too)."""
    return nfc(raw or "").lower()


def username_ok(username: str) -> bool:
    """2–64 characters from ``a-z 0-9 _ . -`` (ASCII, so it can be typed on any keyboard)."""
    return bool(USERNAME_RE.fullmatch(username))


def generate_password() -> str:
    """A random password: 12 letters and digits (about 59 bits), grouped: ``abcd-efgh-jkmn``."""
    groups = ("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def read_choice(value: str | None, words: dict[str, str]) -> str | None:
    """The stored value for a spelling in ``words`` (accent/case-insensitive), or None."""
    return words.get(search_fold(value or ""))


def read_flag(value: str | None) -> bool | None:
    """yes/no/1/0/x/có/không/true/false; empty means no; None when unreadable."""
    folded = search_fold(value or "")
    if folded in TRUE_WORDS:
        return True
    if folded in FALSE_WORDS:
        return False
    return None


def role_problem(party_status: str, cell_role: str, hosted: bool) -> str | None:
    """Code of the reason a member cannot hold ``cell_role``, or None.

    Cell posts are elected; probationary members cannot stand, nor can a hosted member at the
    host cell (no vote there: docs/voting.md, eligible voters).
    """
    if cell_role == "member":
        return None
    if party_status != "official":
        return "post_needs_official"
    if hosted:
        return "post_not_hosted"
    return None


# ---- the file ----


def _decode(data: bytes) -> tuple[str | None, RowError | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, RowError(line, "", "not_utf8")


def _delimiter(text: str) -> str:
    """The delimiter the header uses: the most frequent of ``;`` ``,`` tab (``,`` on a tie)."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _header(cells: list[str]) -> tuple[list[str | None], list[RowError]]:
    errors: list[RowError] = []
    columns: list[str | None] = []
    for cell in cells:
        folded = search_fold(cell)
        column = _HEADER_WORDS.get(folded) or _HEADER_WORDS.get(folded.replace(" ", "_"))
        if column is None:
            if folded:
                errors.append(RowError(1, nfc(cell), "unknown_column"))
        elif column in columns:
            errors.append(RowError(1, column, "duplicate_column"))
        columns.append(column)
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            errors.append(RowError(1, column, "missing_column"))
    return columns, errors


def _row(line: int, values: dict[str, str]) -> tuple[MemberRow | None, list[RowError]]:
    errors: list[RowError] = []

    def problem(column: str, code: str, **params) -> None:
        errors.append(RowError(line, column, code, params))

    username = clean_username(values.get("username"))
    if not username:
        problem("username", "required")
    elif not username_ok(username):
        problem("username", "bad_username")
    full_name = nfc(values.get("full_name") or "")
    if not full_name:
        problem("full_name", "required")
    elif len(full_name) > MAX_NAME_LENGTH:
        problem("full_name", "too_long", max=MAX_NAME_LENGTH)
    status = read_choice(values.get("party_status"), PARTY_STATUS_WORDS)
    if not nfc(values.get("party_status") or ""):
        problem("party_status", "required")
    elif status is None:
        problem("party_status", "bad_party_status", value=nfc(values["party_status"]))
    role = read_choice(values.get("cell_role"), CELL_ROLE_WORDS)
    if not nfc(values.get("cell_role") or ""):
        problem("cell_role", "required")
    elif role is None:
        problem("cell_role", "bad_cell_role", value=nfc(values["cell_role"]))
    flags = {}
    for column in ("exempted", "hosted", "transferred"):
        flags[column] = read_flag(values.get(column))
        if flags[column] is None:
            problem(column, "bad_flag", value=nfc(values[column]))
    password = values.get("password") or ""
    password = password.strip() or None
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        problem("password", "password_too_short", min=MIN_PASSWORD_LENGTH)
    if flags["hosted"] and flags["transferred"]:
        problem("transferred", "hosted_and_transferred")
    if status and role and flags["hosted"] is not None:
        code = role_problem(status, role, bool(flags["hosted"]))
        if code:
            problem("cell_role", code)
    if errors:
        return None, errors
    return (
        MemberRow(
            line=line,
            username=username,
            full_name=full_name,
            party_status=status,
            cell_role=role,
            exempted=bool(flags["exempted"]),
            hosted=bool(flags["hosted"]),
            transferred=bool(flags["transferred"]),
            password=password,
        ),
        [],
    )


def parse_members_csv(data: bytes) -> ParseResult:
    """Read and check every row of a member list; see the module docstring for the format.

    Checks that need no database: required values, allowed values, posts only for official
    non-hosted members, one secretary, no username twice in the file. The caller still checks
    the rows against the database (existing users and memberships).
    """
    if len(data) > MAX_BYTES:
        return ParseResult([], [RowError(0, "", "file_too_large", {"max": MAX_BYTES})])
    text, error = _decode(data)
    if error:
        return ParseResult([], [error])
    assert text is not None
    if not text.strip():
        return ParseResult([], [RowError(0, "", "empty_file")])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    try:
        records = list(reader)
    except csv.Error:
        return ParseResult([], [RowError(reader.line_num, "", "bad_csv")])
    columns, errors = _header(records[0])
    if errors:
        return ParseResult([], errors)
    data_rows = [(n, r) for n, r in enumerate(records[1:], start=2) if any(c.strip() for c in r)]
    if not data_rows:
        return ParseResult([], [RowError(0, "", "no_rows")])
    if len(data_rows) > MAX_ROWS:
        return ParseResult([], [RowError(0, "", "too_many_rows", {"max": MAX_ROWS})])
    rows: list[MemberRow] = []
    first_line: dict[str, int] = {}
    secretary_line: int | None = None
    for line, record in data_rows:
        if len(record) > len(columns) and any(v.strip() for v in record[len(columns) :]):
            errors.append(RowError(line, "", "too_many_values", {"expected": len(columns)}))
            continue
        values = {c: v for c, v in zip(columns, record, strict=False) if c is not None}
        row, row_errors = _row(line, values)
        errors.extend(row_errors)
        username = clean_username(values.get("username"))
        if username and username in first_line:
            errors.append(
                RowError(line, "username", "duplicate_username", {"first": first_line[username]})
            )
        elif username:
            first_line[username] = line
        if row is not None and row.cell_role == "secretary":
            if secretary_line is not None:
                errors.append(
                    RowError(
                        line, "cell_role", "second_secretary_in_file", {"first": secretary_line}
                    )
                )
            else:
                secretary_line = line
        if row is not None:
            rows.append(row)
    return ParseResult(rows if not errors else [], errors)
