"""The DB2101/T 0050-2022 request process as data: transitions, working-day time limits,
and the compliance a station's tally gives."""

from __future__ import annotations

from datetime import date

import pytest

from registry.domain.stations import (
    ANSWER_DAYS,
    DEFAULT_COMPLETION_DAYS,
    TERMINAL,
    TRANSITIONS,
    StageTally,
    add_working_days,
    due_by,
    illegal_transition,
    is_overdue,
)
from registry.domain.vocabulary import ServiceRequestStatus as S

FRIDAY = date(2026, 11, 27)


def test_the_process_runs_from_demand_to_done_or_a_filed_refusal() -> None:
    assert illegal_transition(S.SUBMITTED, S.MATCHED) is None
    assert illegal_transition(S.MATCHED, S.MATCHED) is None  # a new match (§6.2.3)
    assert illegal_transition(S.MATCHED, S.IN_SERVICE) is None
    assert illegal_transition(S.IN_SERVICE, S.DONE) is None
    assert illegal_transition(S.SUBMITTED, S.REJECTED) is None
    assert TERMINAL == {S.DONE, S.REJECTED}
    assert set(TRANSITIONS) == set(S)


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (S.SUBMITTED, S.DONE),
        (S.SUBMITTED, S.IN_SERVICE),
        (S.IN_SERVICE, S.REJECTED),
        (S.DONE, S.MATCHED),
        (S.REJECTED, S.MATCHED),
    ],
)
def test_a_skipped_or_reopened_step_is_refused_saying_what_may_follow(
    current: S, wanted: S
) -> None:
    problem = illegal_transition(current, wanted)

    assert problem is not None
    assert wanted.value in problem


def test_working_days_skip_the_weekend() -> None:
    assert add_working_days(FRIDAY, 1) == date(2026, 11, 30)  # Monday
    assert add_working_days(FRIDAY, 5) == date(2026, 12, 4)
    assert add_working_days(date(2026, 11, 28), 1) == date(2026, 11, 30)  # from a Saturday


def test_each_open_stage_has_its_last_day_and_a_closed_request_none() -> None:
    assert due_by(S.SUBMITTED, FRIDAY, None) == add_working_days(FRIDAY, ANSWER_DAYS)
    assert due_by(S.IN_SERVICE, FRIDAY, None) == add_working_days(FRIDAY, DEFAULT_COMPLETION_DAYS)
    assert due_by(S.IN_SERVICE, FRIDAY, 3) == date(2026, 12, 2)  # the station's commitment
    assert due_by(S.DONE, FRIDAY, 3) is None


def test_a_stage_is_overdue_only_after_its_last_day() -> None:
    assert not is_overdue(FRIDAY, FRIDAY)
    assert is_overdue(FRIDAY, date(2026, 11, 28))
    assert not is_overdue(None, date(2030, 1, 1))


def test_compliance_counts_open_stages_past_their_limit_as_missed() -> None:
    assert StageTally().compliance is None
    assert StageTally(requests=2, met=3, late=1, overdue=0).compliance == 75.0
    assert StageTally(requests=2, met=2, late=0, overdue=1).compliance == 66.7
