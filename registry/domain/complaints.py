"""The lifecycle of a complaint and its time limits, as data.

SAMR's 《市场监督管理投诉举报处理暂行办法》 (2019, Order No. 20) has the regulator decide
within seven working days of receiving a complaint whether to accept it, and end mediation
that has not succeeded within 45 working days of accepting it. Issue 14 models these as 7
calendar days to accept and 60 calendar days to handle from acceptance (docs/credit-method.md).
One place holds the transitions and the limits, so the writes, the hard rule of classified
supervision, the due dates shown and the public summary agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from graph.models import Complaint
from registry.domain.vocabulary import ComplaintStatus

__all__ = [
    "ACCEPTANCE_DAYS",
    "FINAL_STATUSES",
    "HANDLING_DAYS",
    "HANDLING_STATUSES",
    "OPEN_STATUSES",
    "TRANSITIONS",
    "OverdueCutoffs",
    "StepProblem",
    "due_by",
    "filing_due_by",
    "overdue",
    "overdue_cutoffs",
    "step_problems",
]

ACCEPTANCE_DAYS = 7  # from receipt to the decision to accept or reject
HANDLING_DAYS = 60  # from acceptance to resolving or closing

_S = ComplaintStatus
# Which status may follow which. A complaint is accepted or rejected, then investigated,
# then resolved or closed; an accepted one may also be closed at once (withdrawn, or settled
# before any investigation). Rejected, resolved and closed complaints are final.
TRANSITIONS: Mapping[ComplaintStatus, frozenset[ComplaintStatus]] = {
    _S.RECEIVED: frozenset({_S.ACCEPTED, _S.REJECTED}),
    _S.ACCEPTED: frozenset({_S.INVESTIGATING, _S.CLOSED}),
    _S.INVESTIGATING: frozenset({_S.RESOLVED, _S.CLOSED}),
    _S.REJECTED: frozenset(),
    _S.RESOLVED: frozenset(),
    _S.CLOSED: frozenset(),
}
OPEN_STATUSES = frozenset(s for s, after in TRANSITIONS.items() if after)
FINAL_STATUSES = frozenset(_S) - OPEN_STATUSES
HANDLING_STATUSES = OPEN_STATUSES - {_S.RECEIVED}  # accepted, counted from acceptance
# A finding (substantiated or not) is stated when the handling ends, and may be stated
# while investigating; a rejected complaint was never examined, so it has none.
_FINDING_REQUIRED = frozenset({_S.RESOLVED, _S.CLOSED})
_FINDING_ALLOWED = _FINDING_REQUIRED | {_S.INVESTIGATING}
_REASON_REQUIRED = frozenset({_S.REJECTED, _S.RESOLVED, _S.CLOSED})


@dataclass(frozen=True, slots=True)
class StepProblem:
    """Why a step may not be taken: a stable code, a message, the input field it concerns."""

    code: str
    message: str
    field: str


def filing_due_by(filed_on: date) -> date:
    """The last day to decide whether to accept a complaint received on ``filed_on``."""
    return filed_on + timedelta(days=ACCEPTANCE_DAYS)


def due_by(complaint: Complaint) -> date | None:
    """The day the complaint's current stage must end: acceptance while RECEIVED, handling
    once accepted (from the acceptance day; from filing for records kept without one);
    None once final."""
    status = ComplaintStatus(complaint.status)
    if status is _S.RECEIVED:
        return filing_due_by(complaint.filed_on)
    if status in OPEN_STATUSES:
        return (complaint.accepted_on or complaint.filed_on) + timedelta(days=HANDLING_DAYS)
    return None


def overdue(complaint: Complaint, *, today: date) -> bool:
    """Still open after the last day of its current stage."""
    due = due_by(complaint)
    return due is not None and due < today


@dataclass(frozen=True, slots=True)
class OverdueCutoffs:
    """``overdue`` on one day, as two dates a store can compare stored days with: a RECEIVED
    complaint filed before ``filed_before``, or an accepted one (HANDLING_STATUSES) accepted
    (else filed) before ``accepted_before``, is overdue."""

    filed_before: date
    accepted_before: date


def overdue_cutoffs(today: date) -> OverdueCutoffs:
    """due < today exactly when the stage began before today minus its limit (the
    calendar's first day when that is before it: an asOf in year one is asked, not failed)."""

    def before(days: int) -> date:
        return date.fromordinal(max(1, today.toordinal() - days))

    return OverdueCutoffs(
        filed_before=before(ACCEPTANCE_DAYS), accepted_before=before(HANDLING_DAYS)
    )


def step_problems(
    current: ComplaintStatus,
    to: ComplaintStatus,
    *,
    substantiated: bool | None,
    reason: str | None,
) -> list[StepProblem]:
    """Every reason the step from ``current`` to ``to`` is refused (empty: it is legal)."""
    if to not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "nothing: it is final"
        return [
            StepProblem(
                "INVALID_TRANSITION",
                f"a {current} complaint may become {allowed}, not {to}",
                "input.status",
            )
        ]
    problems = []
    if substantiated is None and to in _FINDING_REQUIRED:
        problems.append(
            StepProblem(
                "FINDING_REQUIRED",
                f"say whether the complaint was substantiated when it becomes {to}",
                "input.substantiated",
            )
        )
    if substantiated is not None and to not in _FINDING_ALLOWED:
        problems.append(
            StepProblem(
                "FINDING_NOT_ALLOWED",
                f"a complaint that becomes {to} has no finding yet",
                "input.substantiated",
            )
        )
    if to in _REASON_REQUIRED and not (reason or "").strip():
        problems.append(
            StepProblem("REASON_REQUIRED", f"give the reason it becomes {to}", "input.reason")
        )
    return problems
