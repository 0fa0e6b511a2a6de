"""The document's Vietnamese wording (pure; no Flask).

A Party record has one official language: the minutes' own wording is Vietnamese whatever the
reader's interface language, so the sealed document reads the same for everyone. The screens
around it (buttons, verification page) are translated as usual.
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from core.timeutil import VIETNAM

CATEGORY_LABELS = {
    "official": "chính thức",
    "probationary": "dự bị",
    "exempted": "miễn sinh hoạt",
    "hosted": "sinh hoạt tạm thời",
    "transferred": "tạm chuyển đi",
    "suspended": "bị đình chỉ sinh hoạt",
}
ATTENDANCE_WORDS = {
    "present": "có mặt",
    "late": "đến muộn",
    "absent_excused": "vắng có lý do",
    "absent_unexcused": "vắng không có lý do",
    "unknown": "vắng",
}
ROLE_LABELS = {
    "secretary": "Bí thư chi bộ",
    "deputy": "Phó Bí thư chi bộ",
    "committee": "Chi ủy viên",
}


def local(moment: datetime | str | None) -> datetime | None:
    """A stored UTC time (or its ISO text) in Vietnam time."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return moment.astimezone(VIETNAM)


def _day(d: int) -> str:
    # Document format rule (HD 36): days below 10 and the months 1 and 2 take a leading zero.
    return f"{d:02d}"


def _month(m: int) -> str:
    return f"{m:02d}" if m < 3 else str(m)


def place_date_line(place: str | None, moment: datetime | str | None) -> str:
    """ "Vĩnh Yên, ngày 26 tháng 11 năm 2026" (the italic line under the national title)."""
    when = local(moment)
    if when is None:
        return ""
    date = f"ngày {_day(when.day)} tháng {_month(when.month)} năm {when.year}"
    return f"{place}, {date}" if place else date.capitalize()


def clock(moment: datetime | str | None) -> str:
    """ "19 giờ 30 phút"."""
    when = local(moment)
    return "" if when is None else f"{when.hour} giờ {when.minute:02d} phút"


def short_date(moment: datetime | str | None) -> str:
    when = local(moment)
    return "" if when is None else when.strftime("%d/%m/%Y")


def moment_line(moment: datetime | str | None) -> str:
    """ "19 giờ 30 phút, ngày 26/11/2026"."""
    when = local(moment)
    return "" if when is None else f"{clock(when)}, ngày {short_date(when)}"


def subtitle(kind: str, title: str, moment: datetime | str | None) -> str:
    """The line under "BIÊN BẢN", by kind of meeting."""
    when = local(moment)
    month = f"tháng {when.month} năm {when.year}" if when else ""
    if kind == "regular":
        return f"Sinh hoạt chi bộ định kỳ {month}".strip()
    if kind == "year_review":
        return f"Kiểm điểm, đánh giá, xếp loại chất lượng năm {when.year if when else ''}".strip()
    if kind == "thematic":
        return f"Sinh hoạt chi bộ chuyên đề {month}: {title}".strip()
    return f"Họp chi bộ bất thường: {title}"


def upper_caps(name: str | None) -> str:
    """Committee names in capitals ("Đảng bộ Phường Liên Bảo" -> "ĐẢNG BỘ PHƯỜNG LIÊN BẢO")."""
    return (name or "").upper()


def percent_vi(fraction: Fraction | float | None) -> str:
    """A fraction of one as "85,7%" (Vietnamese decimal comma, one decimal)."""
    if fraction is None:
        return "—"
    return f"{float(fraction) * 100:.1f}".replace(".", ",") + "%"


def category_breakdown(counts: dict[str, int]) -> str:
    """ "chính thức: 12; dự bị: 2" — only the categories that have members."""
    parts = [
        f"{label}: {counts.get(key, 0)}"
        for key, label in CATEGORY_LABELS.items()
        if counts.get(key)
    ]
    return "; ".join(parts)


def channels_phrase(channels: dict) -> str:
    """How the ballots of a hybrid vote were cast, e.g. "trong đó 3 phiếu giấy tại hội trường";
    empty when everyone voted online (the minutes then say nothing more)."""
    parts = []
    if channels.get("paper"):
        parts.append(f"{channels['paper']} phiếu giấy tại hội trường")
    if channels.get("hall_hands"):
        parts.append(f"{channels['hall_hands']} biểu quyết giơ tay tại hội trường")
    text = f"trong đó {', '.join(parts)}" if parts else ""
    if channels.get("spoiled"):
        spoiled = f"{channels['spoiled']} phiếu giấy không hợp lệ"
        text = f"{text}; {spoiled}" if text else spoiled
    return text
