"""Times are stored in UTC and shown in Vietnam time (Asia/Ho_Chi_Minh)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

from core.config import TIME_ZONE

VIETNAM = ZoneInfo(TIME_ZONE)


def utcnow() -> datetime:
    return datetime.now(UTC)


def vietnam_today() -> date:
    """Today's date in Vietnam: what deadlines and "overdue" are measured against."""
    return utcnow().astimezone(VIETNAM).date()


def vietnam_date(moment: datetime | None) -> date | None:
    return None if moment is None else moment.astimezone(VIETNAM).date()


def to_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive input is taken as Vietnam time (what users type).

    Raises ValueError for a moment UTC cannot hold (0001-01-01 in Vietnam, 9999-12-31 at
    -12:00): it is invalid input, like any other unparsable date."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VIETNAM)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{moment.isoformat()} is out of range") from None


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, for JSON payloads."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class UTCDateTime(TypeDecorator):
    """Stores naive UTC (portable across SQLite and PostgreSQL), returns aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)
