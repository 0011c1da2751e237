"""The registry's clock and calendar: one clock for every stamp and day the store writes
(tests set it), and China's day, by which statuses take effect and certificates expire."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

__all__ = ["REGISTRY_TIMEZONE", "day_of", "now", "registry_today"]

REGISTRY_TIMEZONE = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """The moment, timezone-aware."""
    return datetime.now(UTC)


def registry_today(moment: datetime | None = None) -> date:
    """The day in China at ``moment`` (now by default), whatever the server's zone: between
    16:00 and 24:00 UTC it is the day after the UTC date."""
    return (moment or now()).astimezone(REGISTRY_TIMEZONE).date()


def day_of(stamp: str) -> str:
    """The registry's day (ISO) at ``stamp``, a timestamp in the registry's format."""
    return registry_today(datetime.fromisoformat(stamp)).isoformat()
