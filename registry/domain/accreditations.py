"""An accreditation and an institution on a given day: status and scope from their timelines.

A record stored before histories were kept has none: it is read as a one-step timeline, its
status in force from the day it began (an accreditation's ``valid_from``, an institution's
founding). Before its first step a record has the status of that step: nothing earlier is
known.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from graph.models import Accreditation, Institution, StatusChange
from registry.domain.timeline import in_effect, known, ordered
from registry.domain.vocabulary import AccreditationStatus, InstitutionStatus

__all__ = [
    "AccreditationOn",
    "accreditation_on",
    "accreditation_timeline",
    "institution_status_on",
    "institution_timeline",
    "scope_on",
]


def _one_step(number: str, status: str, since: date) -> tuple[StatusChange, ...]:
    return (StatusChange(number, status, None, since, recorded_at="", actor=""),)


def accreditation_timeline(accreditation: Accreditation) -> tuple[StatusChange, ...]:
    return accreditation.history or _one_step(
        accreditation.number, accreditation.status, accreditation.valid_from
    )


def institution_timeline(institution: Institution) -> tuple[StatusChange, ...]:
    return institution.history or _one_step(
        institution.uscc, institution.status, institution.founded or date.min
    )


def _step_on(steps: Sequence[StatusChange], day: date, known_at: str | None) -> StatusChange | None:
    seen = known(steps, known_at)
    return in_effect(seen, day) or (ordered(seen)[0] if seen else None)


def scope_on(
    granted: Sequence[str], steps: Sequence[StatusChange], day: date, *, known_at: str | None = None
) -> tuple[str, ...]:
    """The scope as granted, extended and reduced by every step in force on ``day``, in the
    order they take effect (an item follows the latest step that names it)."""
    scope = list(granted)
    for step in ordered(known(steps, known_at)):
        if step.effective_on > day:
            break
        scope = [item for item in scope if item not in step.scope_removed]
        scope += [item for item in step.scope_added if item not in scope]
    return tuple(scope)


@dataclass(frozen=True, slots=True)
class AccreditationOn:
    """An accreditation as it stood on one day."""

    accreditation: Accreditation
    day: date
    status: AccreditationStatus
    scope: tuple[str, ...]
    since: date | None  # when the status in force took effect

    @property
    def in_force(self) -> bool:
        """Granted for the day, and neither suspended nor withdrawn on it."""
        a = self.accreditation
        return (
            a.valid_from <= self.day <= a.valid_until and self.status is AccreditationStatus.VALID
        )

    @property
    def interrupted(self) -> bool:
        return self.status in (AccreditationStatus.SUSPENDED, AccreditationStatus.WITHDRAWN)


def _as_recorded(status: str) -> AccreditationStatus:
    """A recorded status; EXPIRED, which older stores and seeds recorded as granted, is
    VALID until ``validUntil`` says otherwise (else it read EXPIRED from ``validFrom``)."""
    recorded = AccreditationStatus(status)
    return AccreditationStatus.VALID if recorded is AccreditationStatus.EXPIRED else recorded


def _expired(accreditation: Accreditation) -> date:
    """The day an accreditation is EXPIRED from: the day after its last (asked only once it
    has passed, so never past the last day there is)."""
    return accreditation.valid_until + timedelta(days=1)


def accreditation_on(
    accreditation: Accreditation, day: date, *, known_at: str | None = None
) -> AccreditationOn:
    if not accreditation.history:  # one step: the record itself (the verifier's common case)
        status = _as_recorded(accreditation.status)
        since: date | None = accreditation.valid_from
        if status is AccreditationStatus.VALID and day > accreditation.valid_until:
            status, since = AccreditationStatus.EXPIRED, _expired(accreditation)
        return AccreditationOn(accreditation, day, status, accreditation.scope, since)
    steps = accreditation.history
    step = _step_on(steps, day, known_at)
    status = _as_recorded(step.status if step else accreditation.status)
    since = step.effective_on if step else None
    if status is AccreditationStatus.VALID and day > accreditation.valid_until:
        status, since = AccreditationStatus.EXPIRED, _expired(accreditation)
    return AccreditationOn(
        accreditation=accreditation,
        day=day,
        status=status,
        scope=scope_on(accreditation.scope, steps, day, known_at=known_at),
        since=since,
    )


def institution_status_on(
    institution: Institution, day: date, *, known_at: str | None = None
) -> tuple[InstitutionStatus, StatusChange | None]:
    """The institution's own status on ``day`` and the step that set it."""
    step = _step_on(institution_timeline(institution), day, known_at)
    return InstitutionStatus(step.status if step else institution.status), step
