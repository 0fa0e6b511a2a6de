"""Pure parts of the minutes: wording, sanitizing, canonical JSON and codes."""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import UTC, datetime
from fractions import Fraction

import pytest

from meetings.minutes import sealing, wording
from meetings.minutes.sanitize import clean_html


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 12:30 UTC is 19:30 in Vietnam; HD 36: leading zero for days < 10 and months 1, 2.
        (datetime(2026, 11, 26, 12, 30, tzinfo=UTC), "Vĩnh Yên, ngày 26 tháng 11 năm 2026"),
        (datetime(2026, 2, 5, 12, 30, tzinfo=UTC), "Vĩnh Yên, ngày 05 tháng 02 năm 2026"),
        (datetime(2026, 3, 9, 12, 30, tzinfo=UTC), "Vĩnh Yên, ngày 09 tháng 3 năm 2026"),
        # 18:00 UTC on the 31st is already the 1st in Vietnam.
        (datetime(2026, 12, 31, 18, 0, tzinfo=UTC), "Vĩnh Yên, ngày 01 tháng 01 năm 2027"),
    ],
)
def test_place_date_line(moment, expected):
    assert wording.place_date_line("Vĩnh Yên", moment) == expected


def test_times_and_subtitles():
    moment = "2026-11-26T12:30:00Z"
    assert wording.clock(moment) == "19 giờ 30 phút"
    assert wording.moment_line(moment) == "19 giờ 30 phút, ngày 26/11/2026"
    assert wording.subtitle("regular", "x", moment) == "Sinh hoạt chi bộ định kỳ tháng 11 năm 2026"
    assert wording.subtitle("extraordinary", "Kết nạp", moment) == "Họp chi bộ bất thường: Kết nạp"
    assert wording.upper_caps("Đảng bộ Phường Liên Bảo") == "ĐẢNG BỘ PHƯỜNG LIÊN BẢO"
    assert wording.percent_vi(Fraction(12, 14)) == "85,7%"
    assert wording.category_breakdown({"official": 12, "probationary": 0, "hosted": 1}) == (
        "chính thức: 12; sinh hoạt tạm thời: 1"
    )


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("<p>a</p>", "<p>a</p>"),
        ("<b>đậm</b> <i>nghiêng</i>", "<strong>đậm</strong> <em>nghiêng</em>"),
        ("<div>một</div><div>hai</div>", "<p>một</p><p>hai</p>"),
        ('<p style="color:red" onclick="x()">a</p>', "<p>a</p>"),
        ("<script>alert(1)</script>ok", "ok"),
        ('<img src=x onerror="alert(1)">', ""),
        ('<a href="javascript:alert(1)">bấm</a>', "bấm"),
        (
            "<ul><li>một</li></ul><ol><li>hai</li></ol>",
            "<ul><li>một</li></ul><ol><li>hai</li></ol>",
        ),
        ("<p><br></p>", ""),
        ("a<br>b", "a<br>b"),
    ],
)
def test_clean_html(raw, clean):
    assert clean_html(raw) == clean


def test_clean_html_normalizes_decomposed_vietnamese():
    decomposed = unicodedata.normalize("NFD", "<p>Nguyễn Thị Ngọc Ánh, Đỗ Minh Đức</p>")
    assert decomposed != "<p>Nguyễn Thị Ngọc Ánh, Đỗ Minh Đức</p>"
    assert clean_html(decomposed) == "<p>Nguyễn Thị Ngọc Ánh, Đỗ Minh Đức</p>"


def test_canonical_json_is_stable_and_fingerprinted():
    a = {"b": [1, "Đảng"], "a": {"y": None, "x": True}}
    b = {"a": {"x": True, "y": None}, "b": [1, "Đảng"]}
    assert sealing.canonical_json(a) == sealing.canonical_json(b)
    assert sealing.canonical_json(a) == '{"a":{"x":true,"y":null},"b":[1,"Đảng"]}'.encode()
    assert sealing.fingerprint(a) == hashlib.sha256(sealing.canonical_json(a)).hexdigest()
    assert sealing.fingerprint(a) != sealing.fingerprint({**a, "c": 1})


def test_codes():
    fp = "0e084a6e55a2d3c6" + "0" * 48
    assert sealing.short_code(fp) == "0E08-4A6E-55A2-D3C6"
    assert sealing.parse_code("0e08 4a6e-55A2-d3c6") == "0e084a6e55a2d3c6"
    assert sealing.parse_code(fp) == fp
    assert sealing.parse_code("0E08-4A6E") is None  # too short to identify anything
    assert sealing.parse_code("not a code at all!") is None
    assert sealing.parse_code(None) is None
