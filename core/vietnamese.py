"""Vietnamese text helpers: normalization, alphabetical order, name sorting, accent-free search.

Pure standard library (``unicodedata``); no Flask.

Decisions
---------
* Everything is normalized to NFC first, so text typed with decomposed accents (macOS, some
  Windows IMEs) compares, sorts and searches exactly like precomposed text.
* Collation follows the Vietnamese alphabet
  ``a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y``; the foreign letters
  ``f j w z`` follow ``y`` in Latin order. Levels, compared in turn:

  1. primary: base letters (ă, â, đ, ê, ô, ơ, ư are distinct letters), case-insensitive;
  2. secondary: the tone of each word (none < huyền < hỏi < ngã < sắc < nặng). Tones are taken
     per word, not per letter, so the old and new tone placements ("hoà" / "hòa") tie here;
  3. tertiary: case, lowercase first;
  4. last: the NFC text itself, so distinct strings never compare equal and sorting is stable
     across runs.

  Other marks (ç, ü, ...) are ignored until the last level.
* Names are sorted by given name (the last word), then by family and middle names, as Party
  membership lists are.
* Invisible formatting characters are removed from every text we keep: bidirectional
  embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069, the marks U+200E/U+200F)
  and zero-width characters (U+200B–U+200D, U+2060, U+FEFF). Vietnamese needs none of them, and
  they can make a name or a line of the minutes read differently from what is stored.
* ``Ð`` (U+00D0, Icelandic eth) is read as ``Đ``: the two look identical and are confused by
  some keyboards.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import overload

__all__ = [
    "matches",
    "name_sort_key",
    "nfc",
    "search_fold",
    "split_name",
    "strip_invisible",
    "vi_collation_key",
]

# Letter order of the Vietnamese alphabet; f j w z (loan words, foreign names) go last.
_ALPHABET = (
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "g", "h", "i", "k", "l", "m", "n",
    "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "x", "y", "f", "j", "w", "z",
)  # fmt: skip
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}

_BREVE = "\u0306"
_CIRCUMFLEX = "\u0302"
_HORN = "\u031b"
# Letter diacritics that make a separate letter of the alphabet.
_MODIFIED_LETTERS = {
    ("a", _BREVE): "ă",
    ("a", _CIRCUMFLEX): "â",
    ("e", _CIRCUMFLEX): "ê",
    ("o", _CIRCUMFLEX): "ô",
    ("o", _HORN): "ơ",
    ("u", _HORN): "ư",
}
# Tone marks, in the traditional order: ngang (none) 0, huyền, hỏi, ngã, sắc, nặng.
_TONE_RANK = {
    "\u0300": 1,  # huyền (grave)
    "\u0309": 2,  # hỏi (hook above)
    "\u0303": 3,  # ngã (tilde)
    "\u0301": 4,  # sắc (acute)
    "\u0323": 5,  # nặng (dot below)
}
# đ does not decompose in Unicode; Ð (eth) is a frequent look-alike typed for Đ.
_D_STROKE = {"đ", "Đ", "Ð", "ð"}

# Primary classes: spaces sort before punctuation, digits, letters, then anything else.
_CLASS_SPACE = 0
_CLASS_PUNCT = 1
_CLASS_DIGIT = 2
_CLASS_LETTER = 3
_CLASS_OTHER = 4


_INVISIBLE = dict.fromkeys(
    [0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF]
    + list(range(0x202A, 0x202F))
    + list(range(0x2066, 0x206A))
)


def strip_invisible(text: str) -> str:
    """Remove bidirectional controls and zero-width characters (see the module's decisions)."""
    return text.translate(_INVISIBLE)


@overload
def nfc(text: str) -> str: ...
@overload
def nfc(text: None) -> None: ...
def nfc(text: str | None) -> str | None:
    """Normalize to NFC, strip the ends and collapse internal whitespace to single spaces.

    ``None`` is returned unchanged so optional form fields can be passed straight through.
    """
    if text is None:
        return None
    return " ".join(unicodedata.normalize("NFC", strip_invisible(text)).split())


def nfc_text(text: str) -> str:
    """`nfc` for a text of several paragraphs: each line as `nfc` makes it, line breaks kept
    (\r\n and \r read as \n), runs of blank lines made one, blank lines at the ends dropped."""
    lines = [nfc(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def _clusters(text: str) -> Iterator[tuple[str, frozenset[str]]]:
    """Yield (base character, combining marks) pairs of the NFD form of ``text``."""
    base: str | None = None
    marks: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        if base is not None and unicodedata.combining(ch):
            marks.append(ch)
            continue
        if base is not None:
            yield base, frozenset(marks)
        base, marks = ch, []
    if base is not None:
        yield base, frozenset(marks)


def _letter(base: str, marks: frozenset[str]) -> str:
    """The lowercase Vietnamese letter for a base character and its marks (tones ignored)."""
    if base in _D_STROKE:
        return "đ"
    lower = base.lower()
    for mark in (_BREVE, _CIRCUMFLEX, _HORN):
        if mark in marks and (lower, mark) in _MODIFIED_LETTERS:
            return _MODIFIED_LETTERS[(lower, mark)]
    return lower


def _tone(marks: frozenset[str]) -> int:
    """Rank of the tone mark among ``marks`` (0 when there is none)."""
    return max((_TONE_RANK[m] for m in marks if m in _TONE_RANK), default=0)


def vi_collation_key(text: str) -> tuple[object, ...]:
    """Sort key giving Vietnamese alphabetical order (see the module docstring for the levels).

    Use with ``sorted(items, key=vi_collation_key)``. Decomposed and precomposed input give the
    same key.
    """
    normalized = nfc(text)
    primary: list[tuple[int, int]] = []
    word_tones: list[tuple[int, ...]] = []
    current_word: list[int] = []
    in_word = False
    case: list[int] = []
    for base, marks in _clusters(normalized):
        letter = _letter(base, marks)
        if base.isalpha():
            rank = _LETTER_RANK.get(letter)
            primary.append(
                (_CLASS_LETTER, rank) if rank is not None else (_CLASS_OTHER, ord(letter[0]))
            )
            tone = _tone(marks)
            if tone:
                current_word.append(tone)
            in_word = True
            case.append(1 if base != base.lower() else 0)
            continue
        # Any non-letter ends a word; the word's tones become one secondary element.
        if in_word:
            word_tones.append(tuple(current_word))
            current_word, in_word = [], False
        if base.isspace():
            primary.append((_CLASS_SPACE, 0))
        elif base.isdigit():
            primary.append((_CLASS_DIGIT, ord(base)))
        else:
            primary.append((_CLASS_PUNCT, ord(base)))
        case.append(0)
    if in_word:
        word_tones.append(tuple(current_word))
    return (tuple(primary), tuple(word_tones), tuple(case), normalized)


def split_name(full_name: str) -> tuple[str, str]:
    """Split a Vietnamese full name into (family and middle names, given name).

    The given name is the last word: ``"Nguyễn Văn An"`` -> ``("Nguyễn Văn", "An")``.
    A one-word name gives ``("", word)``; an empty name gives ``("", "")``.
    """
    words = nfc(full_name).split(" ")
    if words == [""]:
        return ("", "")
    return (" ".join(words[:-1]), words[-1])


def name_sort_key(full_name: str) -> tuple[object, ...]:
    """Sort key for member lists: by given name first, then family and middle names."""
    rest, given = split_name(full_name)
    return (vi_collation_key(given), vi_collation_key(rest))


def search_fold(text: str) -> str:
    """Fold text for accent-insensitive search.

    Lowercases and removes tone marks and letter diacritics (ă, â -> a; đ -> d; ê -> e;
    ô, ơ -> o; ư -> u), so ``"Nguyen"`` finds ``"Nguyễn"``. Whitespace is collapsed.
    """
    out: list[str] = []
    for base, _marks in _clusters(nfc(text)):
        out.append("d" if base in _D_STROKE else base.lower())
    return "".join(out)


def matches(query: str, text: str) -> bool:
    """True when every word of the folded query is a substring of the folded text.

    An empty query matches everything (the search box was cleared).
    """
    haystack = search_fold(text)
    return all(word in haystack for word in search_fold(query).split())
