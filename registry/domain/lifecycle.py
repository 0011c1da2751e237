"""Lifecycle rules for certificates and accreditations, checked against the timeline as it
will be once a change is in (not the order changes arrive in).

The limits are data (``LIMITS``); their sources are in docs/lifecycle.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from registry.domain.timeline import Step, in_effect, ordered
from registry.domain.vocabulary import AccreditationStatus, CertificateFamily, CertificateStatus

__all__ = [
    "ACCREDITATION_TRANSITIONS",
    "CERTIFICATE_TRANSITIONS",
    "LIMITS",
    "FamilyLimits",
    "add_months",
    "first_bad_transition",
    "suspension_overdue",
    "validity_problem",
]

_C = CertificateStatus
_A = AccreditationStatus

CERTIFICATE_TRANSITIONS: Mapping[str, frozenset[str]] = {
    _C.VALID: frozenset({_C.VALID, _C.SUSPENDED, _C.WITHDRAWN, _C.CANCELLED}),
    _C.SUSPENDED: frozenset({_C.SUSPENDED, _C.VALID, _C.WITHDRAWN, _C.CANCELLED}),
    _C.WITHDRAWN: frozenset(),  # terminal: a withdrawn certificate is never valid again
    _C.CANCELLED: frozenset(),
}
ACCREDITATION_TRANSITIONS: Mapping[str, frozenset[str]] = {
    _A.VALID: frozenset({_A.VALID, _A.SUSPENDED, _A.WITHDRAWN}),
    _A.SUSPENDED: frozenset({_A.SUSPENDED, _A.VALID, _A.WITHDRAWN}),
    _A.WITHDRAWN: frozenset(),
}


@dataclass(frozen=True, slots=True)
class FamilyLimits:
    max_validity_years: int
    max_suspension_months: int
    needs_accreditation: bool  # issuing needs an accreditation whose scope covers the standard


LIMITS: Mapping[str, FamilyLimits] = {
    CertificateFamily.MANAGEMENT_SYSTEM: FamilyLimits(3, 6, needs_accreditation=True),
    CertificateFamily.SERVICE: FamilyLimits(3, 6, needs_accreditation=True),
    # Product certificates (CCC: 5 years) are issued under CNCA designation as well as CNAS
    # accreditation, so the scope check applies only where the issuer holds an accreditation.
    CertificateFamily.PRODUCT: FamilyLimits(5, 6, needs_accreditation=False),
}


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(f"no day {day.day} in {year}-{month}")


def first_bad_transition(
    steps: Iterable[Step], transitions: Mapping[str, frozenset[str]]
) -> tuple[Step, Step] | None:
    """The first change the timeline cannot take, as (from, to), or None when all hold."""
    timeline = ordered(steps)
    for before, after in pairwise(timeline):
        if after.status not in transitions.get(before.status, frozenset()):
            return before, after
    return None


def validity_problem(
    family: str, issued_on: date, expires_on: date, *, today: date
) -> tuple[str, str] | None:
    """(field, message) when the dates break the family's rules, else None."""
    if issued_on > today:
        return "issuedOn", f"issue date {issued_on} is in the future"
    if expires_on <= issued_on:
        return "expiresOn", "the expiry date must come after the issue date"
    limit = LIMITS[family].max_validity_years
    if expires_on > add_months(issued_on, 12 * limit):
        return "expiresOn", f"{family} certificates are valid for at most {limit} years"
    return None


def suspension_overdue(family: str, steps: Iterable[Step], *, today: date) -> date | None:
    """When a suspension in force today began, if it has lasted past the family's limit."""
    timeline = ordered(steps)
    current = in_effect(timeline, today)
    if current is None or current.status != CertificateStatus.SUSPENDED:
        return None
    began = current.effective_on
    for step in reversed([s for s in timeline if s.effective_on <= current.effective_on]):
        if step.status != CertificateStatus.SUSPENDED:
            break
        began = step.effective_on
    limit = LIMITS[family].max_suspension_months
    return began if add_months(began, limit) < today else None
