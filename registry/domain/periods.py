"""Reporting periods: a year, a half-year or a quarter, as ratings and satisfaction use them."""

from __future__ import annotations

import re
from datetime import date

__all__ = ["PERIOD_PATTERN", "period_bounds"]

PERIOD_PATTERN = r"^\d{4}(-(H[12]|Q[1-4]))?$"
_FIRST_MONTH = {"H1": 1, "H2": 7, "Q1": 1, "Q2": 4, "Q3": 7, "Q4": 10}
_MONTHS = {"H": 6, "Q": 3}


def period_bounds(period: str) -> tuple[date, date]:
    """The first and last day of ``period`` ("2026", "2026-H2", "2026-Q3")."""
    if not re.fullmatch(PERIOD_PATTERN, period) or period.startswith("0000"):
        # Not echoed: 100 KB of it came back in the error (twenty-fourth session's review).
        raise ValueError("not a period like 2026, 2026-H2 or 2026-Q3")
    year = int(period[:4])
    if len(period) == 4:
        return date(year, 1, 1), date(year, 12, 31)
    part = period[5:]
    first = _FIRST_MONTH[part]
    following = first + _MONTHS[part[0]]
    end = date(year + 1, 1, 1) if following > 12 else date(year, following, 1)
    return date(year, first, 1), date.fromordinal(end.toordinal() - 1)
