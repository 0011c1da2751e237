"""The credit file: associations' credit ratings and the regulators' credit events."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Final

from graph.models import CreditEvent, CreditRating
from registry.domain.vocabulary import CreditEventKind, CreditGrade, RectificationOutcome
from registry.synthetic.catalogue import ASSOCIATION, RATED
from registry.synthetic.common import BATCH, random_stream, years_later
from registry.synthetic.places import PLACE_BY_CODE
from registry.synthetic.roster import Roster

__all__ = ["iter_credit_event_batches", "iter_credit_rating_batches"]


def iter_credit_rating_batches(roster: Roster) -> Iterator[list[CreditRating]]:
    """One rating per two institutions, published by associations for past periods."""
    associations = roster.indices_of(frozenset({ASSOCIATION}))
    rated = roster.indices_of(RATED)
    periods = _rating_periods(roster.today)
    total = roster.institutions // 2
    for number, start in enumerate(range(0, total, BATCH)):
        rng = random_stream(roster.seed, "credit-ratings", number)
        batch: list[CreditRating] = []
        for index in range(start, min(start + BATCH, total)):
            period, period_end = rng.choice(periods)
            published = min(roster.today, period_end + timedelta(days=rng.randint(15, 90)))
            score = round(min(99.5, max(35.0, rng.gauss(84.0, 8.0))), 1)
            batch.append(
                CreditRating(
                    id=f"CR-{index:08d}",
                    association=roster.institution_usccs[rng.choice(associations)],
                    institution=roster.institution_usccs[rng.choice(rated)],
                    grade=_grade(score),
                    score=score,
                    period=period,
                    published_on=published,
                    valid_until=published + timedelta(days=365),
                    method="检验检测机构诚信等级评价办法",
                    evidence=rng.choice((None, "现场评审、客户满意度调查与监督抽查结果")),
                )
            )
        yield batch


def _rating_periods(today: date) -> list[tuple[str, date]]:
    periods: list[tuple[str, date]] = []
    for year in range(today.year - 5, today.year + 1):
        candidates = [(f"{year}-H1", date(year, 6, 30)), (str(year), date(year, 12, 31))]
        periods += [(name, end) for name, end in candidates if end + timedelta(days=15) <= today]
    return periods


def _grade(score: float) -> str:
    if score >= 90:
        return CreditGrade.A.value
    if score >= 80:
        return CreditGrade.B.value
    return (CreditGrade.C if score >= 65 else CreditGrade.D).value


_EVENT_KINDS: Final = (
    (CreditEventKind.SPOT_CHECK, 35, "监督抽查", 2.0),
    (CreditEventKind.SATISFACTION_SURVEY, 15, "客户满意度调查", 3.0),
    (CreditEventKind.ADMINISTRATIVE_PENALTY, 15, "出具不实检验检测报告，予以行政处罚", -20.0),
    (CreditEventKind.RECTIFICATION_ORDER, 15, "责令限期整改", -5.0),
    (CreditEventKind.COMMENDATION, 10, "获评年度诚信示范单位", 10.0),
    (CreditEventKind.ABNORMAL_OPERATION, 7, "列入经营异常名录", -15.0),
    (CreditEventKind.SERIOUS_VIOLATION, 3, "列入严重违法失信名单", -60.0),
)
_EVENT_CUM_WEIGHTS: Final = tuple(itertools.accumulate(kind[1] for kind in _EVENT_KINDS))
_PUBLIC_YEARS: Final = {
    CreditEventKind.ADMINISTRATIVE_PENALTY: 3,
    CreditEventKind.ABNORMAL_OPERATION: 3,
    CreditEventKind.SERIOUS_VIOLATION: 3,  # publicity lasts at most three years
}
_RECTIFICATION_DAYS: Final = 30


def iter_credit_event_batches(roster: Roster) -> Iterator[list[CreditEvent]]:
    """One credit-file event per five institutions, recorded by the local regulator."""
    rated = roster.indices_of(RATED)
    first = date(2018, 1, 1).toordinal()
    total = roster.institutions // 5
    for number, start in enumerate(range(0, total, BATCH)):
        rng = random_stream(roster.seed, "credit-events", number)
        batch: list[CreditEvent] = []
        for index in range(start, min(start + BATCH, total)):
            institution = rng.choice(rated)
            kind, _, description, weight = _EVENT_KINDS[
                bisect.bisect(_EVENT_CUM_WEIGHTS, rng.randrange(_EVENT_CUM_WEIGHTS[-1]))
            ]
            if kind is CreditEventKind.SPOT_CHECK and rng.random() < 0.2:
                description, weight = "监督抽查不合格", -10.0
            day = date.fromordinal(rng.randint(first, roster.today.toordinal()))
            years = _PUBLIC_YEARS.get(kind, 1 if weight < 0 else None)
            deadline = (
                day + timedelta(days=_RECTIFICATION_DAYS)
                if kind is CreditEventKind.RECTIFICATION_ORDER
                else None
            )
            place = PLACE_BY_CODE[roster.institution_regions[institution]]
            batch.append(
                CreditEvent(
                    id=f"CE-{index:08d}",
                    institution=roster.institution_usccs[institution],
                    kind=kind.value,
                    date=day,
                    authority=f"{place.locality}市场监督管理局",
                    weight=round(weight * rng.uniform(0.5, 1.5), 1),
                    description=description,
                    public_until=None if years is None else years_later(day, years),
                    deadline=deadline,
                    outcome=None
                    if deadline is None
                    else (
                        RectificationOutcome.RECTIFIED
                        if deadline < roster.today
                        else RectificationOutcome.PENDING
                    ).value,
                )
            )
        yield batch
