"""Statistics over time: a region's figures at the end of each year, from its monthly
tallies (graph.tallies), and their growth on the year before."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

__all__ = ["MonthTally", "YearFigures", "growth", "year_over_year"]


class MonthTally(Protocol):
    """A month of counted events (``graph.tallies.RegionMonth``)."""

    @property
    def month(self) -> str: ...  # YYYY-MM
    @property
    def issued(self) -> int: ...
    @property
    def valid(self) -> int: ...
    @property
    def institutions(self) -> int: ...
    @property
    def issued_days(self) -> tuple[int, ...]: ...
    @property
    def valid_days(self) -> tuple[int, ...]: ...
    @property
    def institution_days(self) -> tuple[int, ...]: ...


@dataclass(frozen=True, slots=True)
class YearFigures:
    """One calendar year of a region: institutions registered and certificates valid at its
    end (on ``today`` for the current year), certificates issued in it, and the relative
    change of each stock on the year before (None for the first year, or from zero)."""

    year: int
    institutions: int
    valid_certificates: int
    certificates_issued: int
    growth: float | None
    institution_growth: float | None


def growth(before: int | None, now: int) -> float | None:
    """The relative change from ``before`` to ``now`` (0.153 is +15.3 %); None without a
    year before or from nothing."""
    if before is None or before == 0:
        return None
    return round((now - before) / before, 6)


def year_over_year(months: Sequence[MonthTally], today: date) -> list[YearFigures]:
    """A row per calendar year from the first with counted data to ``today``'s year.
    ``months`` are the region's months up to ``today``'s (each kind's monthly sum, and per
    day for ``today``'s month): a stock is the sum of its events up to the day."""
    current = f"{today.year:04d}-{today.month:02d}"
    per_year: dict[int, list[int]] = {}  # year -> [issued, valid change, institutions change]
    for month in months:
        if month.month > current:
            continue
        if month.month == current:
            days = (month.issued_days, month.valid_days, month.institution_days)
            sums = [sum(d[: today.day]) for d in days]
        else:
            sums = [month.issued, month.valid, month.institutions]
        into = per_year.setdefault(int(month.month[:4]), [0, 0, 0])
        for index, value in enumerate(sums):
            into[index] += value
    busy = [year for year, sums in per_year.items() if any(sums)]
    if not busy:
        return []
    rows: list[YearFigures] = []
    valid = institutions = 0
    before: YearFigures | None = None
    for year in range(min(busy), today.year + 1):
        issued, valid_change, institution_change = per_year.get(year, [0, 0, 0])
        valid += valid_change
        institutions += institution_change
        row = YearFigures(
            year=year,
            institutions=institutions,
            valid_certificates=valid,
            certificates_issued=issued,
            growth=None if before is None else growth(before.valid_certificates, valid),
            institution_growth=None
            if before is None
            else growth(before.institutions, institutions),
        )
        rows.append(row)
        before = row
    return rows
