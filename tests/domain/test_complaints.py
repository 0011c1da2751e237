"""The lifecycle of a complaint and its time limits, on small dated fixtures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from graph.models import Complaint
from registry.domain.complaints import (
    ACCEPTANCE_DAYS,
    FINAL_STATUSES,
    HANDLING_DAYS,
    OPEN_STATUSES,
    TRANSITIONS,
    due_by,
    overdue,
    overdue_cutoffs,
    step_problems,
)
from registry.domain.vocabulary import ComplaintStatus as S

FILED = date(2026, 3, 2)


def _complaint(status: S, *, accepted_on: date | None = None) -> Complaint:
    return Complaint(
        id="CMP-T-1",
        against="12210211760664248H",
        channel="ONLINE",
        category="报告延误",
        status=status.value,
        filed_on=FILED,
        details="confidential",
        accepted_on=accepted_on,
    )


def test_the_limits_follow_the_samr_rules_as_issue_14_models_them() -> None:
    assert (ACCEPTANCE_DAYS, HANDLING_DAYS) == (7, 60)


def test_the_transitions_table() -> None:
    assert TRANSITIONS == {
        S.RECEIVED: {S.ACCEPTED, S.REJECTED},
        S.ACCEPTED: {S.INVESTIGATING, S.CLOSED},
        S.INVESTIGATING: {S.RESOLVED, S.CLOSED},
        S.REJECTED: set(),
        S.RESOLVED: set(),
        S.CLOSED: set(),
    }
    assert OPEN_STATUSES == {S.RECEIVED, S.ACCEPTED, S.INVESTIGATING}
    assert FINAL_STATUSES == {S.REJECTED, S.RESOLVED, S.CLOSED}


def test_a_received_complaint_is_due_for_acceptance_seven_days_after_filing() -> None:
    received = _complaint(S.RECEIVED)

    assert due_by(received) == date(2026, 3, 9)
    assert not overdue(received, today=date(2026, 3, 9))
    assert overdue(received, today=date(2026, 3, 10))


@pytest.mark.parametrize("status", [S.ACCEPTED, S.INVESTIGATING])
def test_an_accepted_complaint_is_due_sixty_days_after_acceptance(status: S) -> None:
    accepted = _complaint(status, accepted_on=date(2026, 3, 6))

    assert due_by(accepted) == date(2026, 5, 5)
    assert not overdue(accepted, today=date(2026, 5, 5))
    assert overdue(accepted, today=date(2026, 5, 6))


def test_a_record_kept_without_its_acceptance_day_counts_from_filing() -> None:
    assert due_by(_complaint(S.INVESTIGATING)) == date(2026, 5, 1)


@pytest.mark.parametrize("status", [S.REJECTED, S.RESOLVED, S.CLOSED])
def test_a_final_complaint_is_never_due_nor_overdue(status: S) -> None:
    final = _complaint(status, accepted_on=FILED)

    assert due_by(final) is None
    assert not overdue(final, today=date(2030, 1, 1))


@pytest.mark.parametrize(
    "complaint",
    [
        _complaint(S.RECEIVED),
        _complaint(S.ACCEPTED, accepted_on=date(2026, 3, 6)),
        _complaint(S.INVESTIGATING, accepted_on=date(2026, 3, 6)),
        _complaint(S.INVESTIGATING),
    ],
    ids=["received", "accepted", "investigating", "imported-without-acceptance"],
)
def test_the_cutoffs_a_store_compares_with_say_what_overdue_says(complaint: Complaint) -> None:
    for offset in range(120):
        today = FILED + timedelta(days=offset)
        cutoffs = overdue_cutoffs(today)
        if complaint.status == S.RECEIVED:
            late = complaint.filed_on < cutoffs.filed_before
        else:
            late = (complaint.accepted_on or complaint.filed_on) < cutoffs.accepted_before
        assert late is overdue(complaint, today=today), today


@pytest.mark.parametrize(
    ("current", "to"),
    [
        (S.RECEIVED, S.RESOLVED),
        (S.RECEIVED, S.INVESTIGATING),
        (S.ACCEPTED, S.REJECTED),
        (S.INVESTIGATING, S.ACCEPTED),
        (S.RESOLVED, S.CLOSED),
        (S.REJECTED, S.ACCEPTED),
        (S.RECEIVED, S.RECEIVED),
    ],
)
def test_an_illegal_step_is_refused_as_invalid_transition(current: S, to: S) -> None:
    [problem] = step_problems(current, to, substantiated=True, reason="because")

    assert (problem.code, problem.field) == ("INVALID_TRANSITION", "input.status")


@pytest.mark.parametrize(
    ("current", "to", "substantiated", "reason"),
    [
        (S.RECEIVED, S.ACCEPTED, None, None),
        (S.RECEIVED, S.REJECTED, None, "outside the regulator's remit"),
        (S.ACCEPTED, S.INVESTIGATING, None, None),
        (S.ACCEPTED, S.INVESTIGATING, True, "the delay is confirmed"),
        (S.ACCEPTED, S.CLOSED, False, "withdrawn by the complainant"),
        (S.INVESTIGATING, S.RESOLVED, True, "refund made"),
        (S.INVESTIGATING, S.CLOSED, False, "no agreement within the limit"),
    ],
)
def test_a_legal_step_with_what_it_needs_is_taken(
    current: S, to: S, substantiated: bool | None, reason: str | None
) -> None:
    assert step_problems(current, to, substantiated=substantiated, reason=reason) == []


def test_ending_the_handling_needs_a_finding_and_a_reason() -> None:
    problems = step_problems(S.INVESTIGATING, S.RESOLVED, substantiated=None, reason=" ")

    assert [(p.code, p.field) for p in problems] == [
        ("FINDING_REQUIRED", "input.substantiated"),
        ("REASON_REQUIRED", "input.reason"),
    ]


def test_a_rejection_needs_a_reason_and_states_no_finding() -> None:
    problems = step_problems(S.RECEIVED, S.REJECTED, substantiated=False, reason=None)

    assert [p.code for p in problems] == ["FINDING_NOT_ALLOWED", "REASON_REQUIRED"]
