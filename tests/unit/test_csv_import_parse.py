"""The pure reading of a member list (org.csv_import): no Flask, no database."""

from __future__ import annotations

import unicodedata

import pytest

from org.csv_import import (
    MAX_BYTES,
    MAX_ROWS,
    RowError,
    generate_password,
    parse_members_csv,
    read_flag,
    username_ok,
)

HEADER = "username,full_name,party_status,cell_role,exempted,hosted,transferred,password\n"


def parse(text: str, encoding: str = "utf-8"):
    return parse_members_csv(text.encode(encoding))


def codes(result) -> list[tuple[int, str, str]]:
    return [(e.line, e.column, e.code) for e in result.errors]


def test_good_file_reads_every_row_with_stored_values():
    result = parse(
        HEADER + "an.nv,Nguyễn Văn An,official,secretary,,,,\n"
        "binh,Trần Thị Bình,dự bị,đảng viên,no,0,không,\n"
        "cuong,Lê Văn Cường,Chính thức,Chi ủy viên,x,,,mat-khau-dai-10\n"
    )
    assert result.ok, result.errors
    assert [(r.line, r.username, r.party_status, r.cell_role) for r in result.rows] == [
        (2, "an.nv", "official", "secretary"),
        (3, "binh", "probationary", "member"),
        (4, "cuong", "official", "committee"),
    ]
    assert result.rows[2].exempted is True and result.rows[2].password == "mat-khau-dai-10"
    assert result.rows[0].password is None


def test_bom_and_semicolon_as_excel_writes_them():
    text = "username;full_name;party_status;cell_role\r\nan;Nguyễn Văn An;official;member\r\n"
    result = parse_members_csv("\ufeff".encode() + text.encode())
    assert result.ok, result.errors
    assert result.rows[0].full_name == "Nguyễn Văn An"


def test_decomposed_names_are_normalized_to_nfc():
    name = unicodedata.normalize("NFD", "Phạm Thị Hương")
    result = parse(f"username,full_name,party_status,cell_role\nhuong,{name},official,member\n")
    assert result.rows[0].full_name == unicodedata.normalize("NFC", "Phạm Thị Hương")


def test_every_bad_row_is_reported_by_line_and_nothing_is_returned():
    result = parse(
        HEADER + "ok1,Nguyễn Văn An,official,member,,,,\n"
        "Bad Name!,Trần Bình,official,member,,,,\n"  # line 3
        "ok2,Lê Cường,official,member,,,,\n"
        ",Vũ Lan,maybe,boss,perhaps,,,short\n"  # line 5
        "ok1,Đỗ Đức,official,member,,,,\n"  # line 6: duplicate of line 2
    )
    assert not result.ok and result.rows == []
    assert codes(result) == [
        (3, "username", "bad_username"),
        (5, "username", "required"),
        (5, "party_status", "bad_party_status"),
        (5, "cell_role", "bad_cell_role"),
        (5, "exempted", "bad_flag"),
        (5, "password", "password_too_short"),
        (6, "username", "duplicate_username"),
    ]
    assert result.errors[-1].params == {"first": 2}


def test_blank_rows_are_skipped_but_keep_their_number():
    result = parse(HEADER + "\n,,,,,,,\nx1,Ngô Hà,official,member,,,,\n")
    assert result.ok and result.rows[0].line == 4


def test_line_numbers_are_spreadsheet_rows_even_with_a_multiline_value():
    result = parse(
        'username,full_name,party_status,cell_role\na1,"Nguyễn\nVăn An",official,member\n'
        "a2,Trần Bình,bogus,member\n"
    )
    assert codes(result) == [(3, "party_status", "bad_party_status")]


@pytest.mark.parametrize(
    "header, expected",
    [
        ("username,full_name,party_status\n", [(1, "cell_role", "missing_column")]),
        ("username,full_name,party_status,cell_role,colour\n", [(1, "colour", "unknown_column")]),
        (
            "username,username,full_name,party_status,cell_role\n",
            [(1, "username", "duplicate_column")],
        ),
    ],
)
def test_header_problems_stop_at_line_1(header, expected):
    assert codes(parse(header + "a,b,c,d,e\n")) == expected


def test_vietnamese_headers_are_accepted():
    result = parse("Tên đăng nhập,Họ và tên,Đảng tịch,Chức vụ\nan,Nguyễn An,chính thức,bí thư\n")
    assert result.ok, result.errors
    assert result.rows[0].cell_role == "secretary"


def test_domain_rules_inside_the_file():
    result = parse(
        HEADER + "s1,Nguyễn An,official,secretary,,,,\n"
        "s2,Trần Bình,official,secretary,,,,\n"
        "p1,Lê Cường,probationary,deputy,,,,\n"
        "h1,Vũ Lan,official,committee,,yes,,\n"
        "h2,Đỗ Đức,official,member,,yes,yes,\n"
    )
    assert codes(result) == [
        (3, "cell_role", "second_secretary_in_file"),
        (4, "cell_role", "post_needs_official"),
        (5, "cell_role", "post_not_hosted"),
        (6, "transferred", "hosted_and_transferred"),
    ]


def test_not_utf8_reports_the_line():
    # Windows-1252 (Excel's "CSV" in a Western locale) writes "é" as one byte, not UTF-8.
    data = (HEADER + "a1,An,official,member,,,,\n").encode() + "b2,Bé,official,member\n".encode(
        "cp1252"
    )
    assert parse_members_csv(data).errors == [RowError(3, "", "not_utf8")]


def test_too_many_values_on_a_row():
    result = parse("username,full_name,party_status,cell_role\na,An,official,member,extra\n")
    assert codes(result) == [(2, "", "too_many_values")]


def test_size_limits():
    assert parse_members_csv(b"x" * (MAX_BYTES + 1)).errors[0].code == "file_too_large"
    body = "".join(f"u{i},Tên {i},official,member\n" for i in range(MAX_ROWS + 1))
    result = parse("username,full_name,party_status,cell_role\n" + body)
    assert result.errors[0].code == "too_many_rows"
    assert parse("").errors[0].code == "empty_file"
    assert parse("username,full_name,party_status,cell_role\n").errors[0].code == "no_rows"


@pytest.mark.parametrize(
    "value, expected",
    [("yes", True), ("X", True), ("1", True), ("Có", True), ("", False), ("không", False),
     ("0", False), ("No", False), ("maybe", None)],
)  # fmt: skip
def test_flags(value, expected):
    assert read_flag(value) is expected


def test_usernames_and_generated_passwords():
    assert username_ok("nguyen.van-an_2")
    assert not username_ok("Nguyen") and not username_ok("nguyễn") and not username_ok("a")
    password = generate_password()
    assert len(password) == 14 and password != generate_password()
