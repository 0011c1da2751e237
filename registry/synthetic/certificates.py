"""Certificates and the status changes that later befall some of them; any batch can be
rebuilt alone, which benchmarks use to know which numbers exist.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from graph.models import Certificate, StatusChange
from registry.domain.vocabulary import CertificateFamily, CertificateStatus
from registry.synthetic.catalogue import INDUSTRIES, PRODUCT, SERVICE, STANDARDS
from registry.synthetic.common import BATCH, BRAND_SYLLABLES, random_stream, years_later
from registry.synthetic.roster import Roster

__all__ = [
    "CertificateBatch",
    "certificate_batch",
    "certificate_batch_count",
    "iter_certificate_batches",
]

_FIRST_ISSUE_DAY: Final = date(2015, 1, 1)
_CERTIFICATE_YEARS: Final = 3
_STATUS_CHANGE_RATE: Final = 0.03
_STANDARD_BY_CODE: Final = {standard.code: standard for standard in STANDARDS}
_STAR_CUM_WEIGHTS: Final = tuple(itertools.accumulate((2, 5, 25, 38, 30)))
_FAMILY_VALUES: Final = {family: family.value for family in CertificateFamily}
_CHANGE_REASONS: Final = {
    CertificateStatus.SUSPENDED.value: (
        "未按期接受监督审核", "监督审核发现不符合项未在规定期限内整改", "获证组织申请暂停",
    ),
    CertificateStatus.WITHDRAWN.value: (
        "监督抽查产品不合格", "获证组织发生重大质量事故", "暂停期满未整改",
    ),
    CertificateStatus.CANCELLED.value: ("获证组织申请注销", "获证组织已注销营业执照"),
}  # fmt: skip
_CHANGE_STATUSES: Final = tuple(_CHANGE_REASONS)
_CHANGE_CUM_WEIGHTS: Final = (50, 75, 100)


@dataclass(frozen=True, slots=True)
class CertificateBatch:
    """Certificates to issue together, and the status changes to apply once they exist."""

    certificates: list[Certificate]
    status_changes: list[StatusChange]


def iter_certificate_batches(roster: Roster) -> Iterator[CertificateBatch]:
    """Certificates in batches, each with the ~3% status changes that later befall them."""
    for number in range(certificate_batch_count(roster)):
        yield certificate_batch(roster, number)


def certificate_batch_count(roster: Roster) -> int:
    return -(-roster.certificates // BATCH)


def certificate_batch(roster: Roster, number: int) -> CertificateBatch:
    """Batch ``number`` (from 0) exactly as :func:`iter_certificate_batches` yields it, built
    alone: benchmarks use it to know which certificates exist without reading them all."""
    if not 0 <= number < certificate_batch_count(roster):
        raise IndexError(f"no certificate batch {number}")
    start = number * BATCH
    stop = min(start + BATCH, roster.certificates)
    rng = random_stream(roster.seed, "certificates", number)
    unit = rng.random  # picks index with int(unit() * n): several times faster than choice()
    today = roster.today.toordinal()
    span = today - _FIRST_ISSUE_DAY.toordinal()
    holders, industries = roster.organization_usccs, roster.organization_industries
    bodies = rng.choices(
        roster.certification_bodies, cum_weights=roster.body_cum_weights, k=stop - start
    )
    certificates: list[Certificate] = []
    changes: list[StatusChange] = []
    for index, body in zip(range(start, stop), bodies, strict=True):
        holder = int(unit() * len(holders))
        industry = INDUSTRIES[industries[holder]]
        family = body.families[int(unit() * len(body.families))]
        codes = body.standards[family]
        standard = _STANDARD_BY_CODE[codes[int(unit() * len(codes))]]
        # Recent years weigh more: certification keeps growing.
        issued = date.fromordinal(today - int(span * unit() ** 1.4))
        expires = years_later(issued, _CERTIFICATE_YEARS)
        scope = standard.scopes[int(unit() * len(standard.scopes))]
        stars: int | None = None
        if family is PRODUCT:
            code = f"{issued.year}{body.ordinal:04d}{index:08d}"
            brand = BRAND_SYLLABLES[int(unit() * len(BRAND_SYLLABLES))]
            scope = f"{scope}（型号：{brand}X-{int(unit() * 9000) + 100}）"
        elif family is SERVICE:
            code = f"FW{body.ordinal:04d}{issued.year % 100:02d}{index:08d}"
            scope = scope.format(product=industry.product)
            stars = bisect.bisect(_STAR_CUM_WEIGHTS, unit() * _STAR_CUM_WEIGHTS[-1]) + 1
        else:
            code = f"{body.ordinal:04d}{issued.year % 100:02d}{standard.tag}{index:08d}R0M"
            scope = scope.format(activity=industry.activity)
        certificates.append(
            Certificate(
                number=code,
                family=_FAMILY_VALUES[family],
                standard=standard.code,
                scope=scope,
                issued_on=issued,
                expires_on=expires,
                issuer=body.uscc,
                holder=holders[holder],
                stars=stars,
            )
        )
        if unit() < _STATUS_CHANGE_RATE:
            changes.append(_status_change(rng, code, issued=issued, expires=expires, today=today))
    return CertificateBatch(certificates, changes)


def _status_change(
    rng: random.Random, number: str, *, issued: date, expires: date, today: int
) -> StatusChange:
    window = min(expires.toordinal(), today) - issued.toordinal()
    status = _CHANGE_STATUSES[bisect.bisect(_CHANGE_CUM_WEIGHTS, rng.randrange(100))]
    return StatusChange(
        number=number,
        status=status,
        reason=rng.choice(_CHANGE_REASONS[status]),
        effective_on=issued + timedelta(days=rng.randrange(window) + 1 if window > 0 else 0),
        recorded_at="",  # the store stamps when and by whom
        actor="",
    )
