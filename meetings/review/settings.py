"""The review's settings per deployment: score bands and the cap on the top grade.

A new regulation changes these in the environment, not in code. Defaults: today's values.
  CHIBO_REVIEW_BANDS            "90,70,50": the lowest score of excellent, good, complete
  CHIBO_REVIEW_TOP_CAP_PERCENT  20: excellent ≤ this % of those graded good or better; 0 = no cap
"""

from __future__ import annotations

from flask import current_app

from meetings.review.rules import Bands

DEFAULT_BANDS = "90,70,50"
DEFAULT_TOP_CAP_PERCENT = 20


def parse_bands(text: str) -> Bands:
    parts = [int(p) for p in text.replace(" ", "").split(",")]
    if len(parts) != 3:
        raise ValueError("CHIBO_REVIEW_BANDS needs three scores, e.g. 90,70,50")
    return Bands(*parts)


def bands() -> Bands:
    return parse_bands(str(current_app.config.get("CHIBO_REVIEW_BANDS") or DEFAULT_BANDS))


def top_cap_percent() -> int:
    value = current_app.config.get("CHIBO_REVIEW_TOP_CAP_PERCENT")
    percent = DEFAULT_TOP_CAP_PERCENT if value is None else int(value)
    if not 0 <= percent <= 100:
        raise ValueError("CHIBO_REVIEW_TOP_CAP_PERCENT must be between 0 and 100")
    return percent
