"""The handbook CSV's parsing: dates in two forms, clearing, problems by line and column."""

from datetime import date

from members.profile_csv import parse


def test_rows_and_problems():
    parsed = parse(
        "\ufeffusername;date_of_birth;admitted_on;official_on;phone\n"
        "a;01/02/1970;2000-01-01;1999-12-31;0912 345 678\n"
        ";;;;\n"
        "b;;;;<b>\n".encode()
    )
    assert parsed.rows[0]["date_of_birth"] == date(1970, 2, 1)
    assert parsed.rows[1] == {
        "line": 4,
        "username": "b",
        "date_of_birth": None,
        "admitted_on": None,
        "official_on": None,
        "phone": "<b>",
    }
    assert parsed.problems == [
        (2, "official_on", "order"),
        (3, "username", "username"),
        (4, "phone", "phone"),
    ]


def test_bad_header_and_encoding():
    assert parse(b"name,email\nx,y\n").problems[0][2] == "header"
    assert parse("username,email\n".encode("utf-16")).problems[0][2] == "encoding"
