"""Time helpers: store UTC, show Europe/Amsterdam."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date as the users in the Netherlands see it."""
    return datetime.now(AMSTERDAM).date()


def as_utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes; treat them as the UTC they were stored in."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
