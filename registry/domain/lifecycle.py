"""Lifecycle rules for certificates, accreditations and institutions, checked against the
timeline as it will be once a change is in (not the order changes arrive in).

The limits are data (``LIMITS``); their sources are in docs/lifecycle.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import TypeVar

from graph.models import FINAL_STATUSES
from registry.domain.timeline import Dated, in_effect, ordered
from registry.domain.vocabulary import (
    AccreditationStatus,
    CertificateFamily,
    CertificateStatus,
    InstitutionStatus,
)

__all__ = [
    "ACCREDITATION_TRANSITIONS",
    "CERTIFICATE_TRANSITIONS",
    "INSTITUTION_TRANSITIONS",
    "LIMITS",
    "FamilyLimits",
    "TimelineProblem",
    "add_months",
    "first_bad_transition",
    "suspension_overdue",
    "timeline_problems",
    "validity_problem",
]

S = TypeVar("S", bound=Dated)
_C = CertificateStatus
_A = AccreditationStatus
_I = InstitutionStatus

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
# An institution's own standing: a suspension is lifted or ends in revocation; revoked and
# closed are final (a revoked body applies afresh, under a new record).
INSTITUTION_TRANSITIONS: Mapping[str, frozenset[str]] = {
    _I.ACTIVE: frozenset({_I.ACTIVE, _I.SUSPENDED, _I.REVOKED, _I.CLOSED}),
    _I.SUSPENDED: frozenset({_I.SUSPENDED, _I.ACTIVE, _I.REVOKED, _I.CLOSED}),
    _I.REVOKED: frozenset(),
    _I.CLOSED: frozenset(),
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
    steps: Iterable[S], transitions: Mapping[str, frozenset[str]]
) -> tuple[S, S] | None:
    """The first change the timeline cannot take, as (from, to), or None when all hold."""
    timeline = ordered(steps)
    for before, after in pairwise(timeline):
        if after.status not in transitions.get(before.status, frozenset()):
            return before, after
    return None


@dataclass(frozen=True, slots=True)
class TimelineProblem:
    """Why a new step cannot join a timeline: the input field to fix and words for people."""

    step: object  # the new step at fault (one of those passed in)
    field: str
    message: str


def timeline_problems(
    existing: Sequence[S],
    new: Sequence[S],
    transitions: Mapping[str, frozenset[str]],
    *,
    today: date,
) -> list[TimelineProblem]:
    """Each new step the timeline as it will be cannot take, judged where it takes effect
    (whatever the order of recording). A new final step supersedes the steps scheduled
    after it (``ordered``), but only those not in force on ``today``: before a step already
    in force it would rewrite days already answered. A history that was already
    inconsistent before these rules only blocks the new steps that touch it."""
    added = {id(step) for step in new}
    problems: dict[int, TimelineProblem] = {}

    def blame(step: S, field: str, message: str) -> None:
        problems.setdefault(id(step), TimelineProblem(step, field, message))

    if existing:
        began = min(step.effective_on for step in existing)
        for step in new:
            if step.effective_on < began:
                blame(
                    step, "effectiveOn", f"{step.effective_on} is before the record began ({began})"
                )
    timeline = ordered([*existing, *new])
    for final in (s for s in new if s.status in FINAL_STATUSES):
        lost = [s for s in existing if final.effective_on < s.effective_on <= today]
        if lost:
            blame(
                final,
                "effectiveOn",
                f"{final.status} on {final.effective_on} would come before {lost[0].status} "
                f"on {lost[0].effective_on}, already in force: a final step supersedes only "
                "steps not yet in force",
            )
    for before, after in pairwise(timeline):
        if after.status in transitions.get(before.status, frozenset()):
            continue
        culprit = after if id(after) in added else before if id(before) in added else None
        if culprit is not None:
            blame(
                culprit,
                "status",
                f"{before.status} on {before.effective_on} cannot become {after.status} "
                f"on {after.effective_on}",
            )
    return [problems[id(step)] for step in new if id(step) in problems]


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


def suspension_overdue(family: str, steps: Iterable[Dated], *, today: date) -> date | None:
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
