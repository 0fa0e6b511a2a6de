"""Table-driven tests of Vietnamese normalization, collation, name sorting and search folding."""

from __future__ import annotations

import unicodedata

import pytest

from core.vietnamese import (
    matches,
    name_sort_key,
    nfc,
    nfc_text,
    search_fold,
    split_name,
    vi_collation_key,
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Nguye\u0302\u0303n", "Nguyễn", id="decomposed-e-circumflex-tilde"),
        pytest.param(nfd("Phạm Đức Đạt"), "Phạm Đức Đạt", id="decomposed-full-name"),
        pytest.param("  Trần \t Thị\n Ánh  ", "Trần Thị Ánh", id="whitespace-collapsed"),
        pytest.param("Lê\u00a0Văn", "Lê Văn", id="no-break-space"),
        pytest.param("", "", id="empty"),
        pytest.param("   ", "", id="blank"),
        pytest.param(None, None, id="none"),
    ],
)
def test_nfc(raw: str | None, expected: str | None) -> None:
    assert nfc(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(nfd("Một.\nHai."), "Một.\nHai.", id="decomposed-two-lines"),
        pytest.param("Một.\r\nHai.\rBa.", "Một.\nHai.\nBa.", id="crlf-and-cr"),
        pytest.param("  Một  \t câu \n  hai ", "Một câu\nhai", id="each-line-collapsed"),
        pytest.param("Một.\n\n\n \nHai.", "Một.\n\nHai.", id="blank-lines-made-one"),
        pytest.param("\n\n Một. \n\n", "Một.", id="blank-ends-dropped"),
        pytest.param("Một\u200b.\u2028Hai", "Một. Hai", id="invisible-and-line-separator"),
        pytest.param("", "", id="empty"),
        pytest.param(" \n\t\n ", "", id="blank"),
    ],
)
def test_nfc_text_keeps_paragraphs(raw: str, expected: str) -> None:
    assert nfc_text(raw) == expected


ALPHABET = "a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y f j w z".split()


@pytest.mark.parametrize(
    ("before", "after"),
    list(zip(ALPHABET, ALPHABET[1:], strict=False)),
    ids=[f"{a}<{b}" for a, b in zip(ALPHABET, ALPHABET[1:], strict=False)],
)
def test_alphabet_order(before: str, after: str) -> None:
    assert vi_collation_key(before) < vi_collation_key(after)
    assert vi_collation_key(before.upper()) < vi_collation_key(after.upper())


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("An", "Ánh", id="An<Ánh-primary-first"),
        pytest.param("Anh", "Ăn", id="a-before-ă-whatever-follows"),
        pytest.param("Ba", "Bà", id="no-tone<huyền"),
        pytest.param("Bà", "Bả", id="huyền<hỏi"),
        pytest.param("Bả", "Bã", id="hỏi<ngã"),
        pytest.param("Bã", "Bá", id="ngã<sắc"),
        pytest.param("Bá", "Bạ", id="sắc<nặng"),
        pytest.param("Bạ", "Bac", id="letters-before-tones"),
        pytest.param("ba", "Ba", id="lowercase-first"),
        pytest.param("Ba", "bà", id="tone-before-case"),
        pytest.param("Dung", "Đạt", id="d<đ"),
        pytest.param("Ô", "Ơn", id="ô<ơ"),
        pytest.param("Uy", "Ước", id="u<ư"),
        pytest.param("Ắt", "Ân", id="ă-with-tone<â"),
        pytest.param("Thu Hà", "Thu Hằng", id="two-words"),
        pytest.param("Ba Bà", "Bà Ba", id="tone-of-first-word-first"),
        pytest.param("An", "An Bình", id="prefix-first"),
        pytest.param("Yến", "Farida", id="f-after-y"),
    ],
)
def test_collation_pairs(before: str, after: str) -> None:
    assert vi_collation_key(before) < vi_collation_key(after)
    assert vi_collation_key(nfd(before)) < vi_collation_key(nfd(after))


def test_tone_order_full_sequence() -> None:
    words = ["Bac", "Bạ", "Bá", "Bã", "Bả", "Bà", "Ba"]
    assert sorted(words, key=vi_collation_key) == ["Ba", "Bà", "Bả", "Bã", "Bá", "Bạ", "Bac"]


@pytest.mark.parametrize(
    "text",
    ["Nguyễn", "Phạm Đức Đạt", "Ước", "Hoàng Thị Dung", "ĐỖ THỊ ƠN"],
)
def test_decomposed_key_equals_precomposed(text: str) -> None:
    assert nfd(text) != text
    assert vi_collation_key(nfd(text)) == vi_collation_key(text)


def test_old_and_new_tone_placement_tie_before_the_last_level() -> None:
    # "Hoà" (old style) and "Hòa" (new style) are the same name.
    assert vi_collation_key("Hoà")[:3] == vi_collation_key("Hòa")[:3]
    assert vi_collation_key("Hoà") != vi_collation_key("Hòa")


@pytest.mark.parametrize(
    ("full", "expected"),
    [
        pytest.param("Nguyễn Văn An", ("Nguyễn Văn", "An"), id="three-words"),
        pytest.param("Tôn Nữ Thị Ngọc Hân", ("Tôn Nữ Thị Ngọc", "Hân"), id="five-words"),
        pytest.param("  Lê   Bình ", ("Lê", "Bình"), id="extra-spaces"),
        pytest.param("An", ("", "An"), id="one-word"),
        pytest.param("", ("", ""), id="empty"),
        pytest.param(nfd("Vũ Văn Ước"), ("Vũ Văn", "Ước"), id="decomposed-normalized"),
    ],
)
def test_split_name(full: str, expected: tuple[str, str]) -> None:
    assert split_name(full) == expected


NAMES = [
    "Nguyễn Văn An",
    "Trần Thị Ánh",
    "Lê Văn Bình",
    "Phạm Đức Đạt",
    "Hoàng Thị Dung",
    "Vũ Văn Ước",
    "Đỗ Thị Ơn",
    "Bùi Văn Ô",
    "Đặng Thị An",
    "Dương Văn An",
    "Lê Thị Ăn",
    "Ngô Văn Uy",
]
NAMES_SORTED = [
    "Dương Văn An",  # given name An; then family names Dương < Đặng < Nguyễn (d < đ < n)
    "Đặng Thị An",
    "Nguyễn Văn An",
    "Trần Thị Ánh",  # "anh": a < ă, so before Ăn
    "Lê Thị Ăn",
    "Lê Văn Bình",
    "Hoàng Thị Dung",
    "Phạm Đức Đạt",
    "Bùi Văn Ô",
    "Đỗ Thị Ơn",
    "Ngô Văn Uy",
    "Vũ Văn Ước",
]


@pytest.mark.parametrize(
    "names",
    [
        pytest.param(NAMES, id="precomposed"),
        pytest.param(list(reversed(NAMES)), id="reversed-input"),
        pytest.param([nfd(n) for n in NAMES], id="decomposed"),
    ],
)
def test_name_list_order(names: list[str]) -> None:
    result = sorted(names, key=name_sort_key)
    assert [nfc(n) for n in result] == NAMES_SORTED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Nguyễn Văn Ước", "nguyen van uoc", id="tones-and-horn"),
        pytest.param("ĐẶNG THỊ ÂN", "dang thi an", id="uppercase-đ-â"),
        pytest.param("Ăn Ơn Ê Ô", "an on e o", id="letter-diacritics"),
        pytest.param(nfd("Phạm Đức Đạt"), "pham duc dat", id="decomposed"),
        pytest.param("  Hoà   Bình ", "hoa binh", id="whitespace"),
        pytest.param("Ðỗ", "do", id="eth-lookalike"),
        pytest.param("", "", id="empty"),
    ],
)
def test_search_fold(text: str, expected: str) -> None:
    assert search_fold(text) == expected


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        pytest.param("nguyen an", "Nguyễn Văn An", True, id="words-any-order-subset"),
        pytest.param("an nguyen", "Nguyễn Văn An", True, id="order-free"),
        pytest.param("Đạt", "Phạm Đức Đạt", True, id="accented-query"),
        pytest.param("dat", "Phạm Đức Đạt", True, id="plain-query"),
        pytest.param("ĐỨC", "pham duc dat", True, id="accented-query-plain-text"),
        pytest.param("uoc", "Vũ Văn Ước", True, id="horn-folded"),
        pytest.param("tran", "Nguyễn Văn An", False, id="missing-word"),
        pytest.param("nguyen binh", "Nguyễn Văn An", False, id="one-word-missing"),
        pytest.param("ngu", "Nguyễn Văn An", True, id="prefix-substring"),
        pytest.param("", "Nguyễn Văn An", True, id="empty-query-matches-all"),
        pytest.param("   ", "", True, id="blank-query-empty-text"),
        pytest.param("a", "", False, id="empty-text"),
    ],
)
def test_matches(query: str, text: str, expected: bool) -> None:
    assert matches(query, text) is expected
