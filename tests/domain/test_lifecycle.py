"""Dated examples of the timeline and lifecycle rules (issue 13)."""

from __future__ import annotations

from datetime import date

from graph.models import FINAL_STATUSES
from registry.domain.lifecycle import (
    ACCREDITATION_TRANSITIONS,
    CERTIFICATE_TRANSITIONS,
    INSTITUTION_TRANSITIONS,
    add_months,
    first_bad_transition,
    suspension_overdue,
    timeline_problems,
    validity_problem,
)
from registry.domain.timeline import Step, scheduled, status_on

ISSUED = Step("VALID", date(2025, 1, 10), "2025-01-10T02:00:00.000000Z", seq=1)
TODAY = date(2026, 11, 22)


def test_a_late_recorded_earlier_suspension_does_not_override_a_later_reinstatement() -> None:
    reinstated = Step("VALID", date(2026, 5, 1), "2026-05-01T00:00:00.000000Z", seq=3)
    suspended = Step("SUSPENDED", date(2026, 3, 1), "2026-03-01T00:00:00.000000Z", seq=2)
    late = Step("SUSPENDED", date(2026, 2, 1), "2026-06-01T00:00:00.000000Z", seq=4)
    steps = [ISSUED, suspended, reinstated, late]
    assert status_on(steps, date(2026, 6, 2)) == "VALID"
    assert status_on(steps, date(2026, 2, 15)) == "SUSPENDED"
    assert status_on(steps, date(2026, 1, 31)) == "VALID"


def test_a_future_suspension_is_scheduled_not_in_force() -> None:
    future = Step("SUSPENDED", date(2027, 1, 15), "2026-12-04T00:00:00.000000Z", seq=2)
    steps = [ISSUED, future]
    assert status_on(steps, date(2026, 12, 4)) == "VALID"
    assert status_on(steps, date(2027, 1, 15)) == "SUSPENDED"
    assert scheduled(steps, date(2026, 12, 4)) == [future]


def test_as_known_at_a_moment_leaves_out_what_was_recorded_later() -> None:
    late = Step("SUSPENDED", date(2026, 2, 1), "2026-06-01T00:00:00.000000Z", seq=2)
    steps = [ISSUED, late]
    assert status_on(steps, date(2026, 3, 1), known_at="2026-05-31T23:59:59.000000Z") == "VALID"
    assert status_on(steps, date(2026, 3, 1)) == "SUSPENDED"


def test_before_the_first_change_there_is_no_status() -> None:
    assert status_on([ISSUED], date(2024, 12, 31)) is None
    assert status_on([ISSUED], date(2024, 12, 31), default="UNKNOWN") == "UNKNOWN"


def test_withdrawn_to_valid_is_refused() -> None:
    withdrawn = Step("WITHDRAWN", date(2026, 3, 1), seq=2)
    valid = Step("VALID", date(2026, 4, 1), seq=3)
    bad = first_bad_transition([ISSUED, withdrawn, valid], CERTIFICATE_TRANSITIONS)
    assert bad == (withdrawn, valid)


def test_an_out_of_order_change_is_judged_where_it_takes_effect() -> None:
    """A suspension dated before a recorded withdrawal is fine; one dated after is not."""
    withdrawn = Step("WITHDRAWN", date(2026, 3, 1), seq=2)
    before = Step("SUSPENDED", date(2026, 2, 1), seq=3)
    after = Step("SUSPENDED", date(2026, 4, 1), seq=3)
    assert first_bad_transition([ISSUED, withdrawn, before], CERTIFICATE_TRANSITIONS) is None
    assert first_bad_transition([ISSUED, withdrawn, after], CERTIFICATE_TRANSITIONS) is not None


def test_suspended_and_valid_go_both_ways_and_repeat() -> None:
    steps = [
        ISSUED,
        Step("SUSPENDED", date(2026, 1, 1), seq=2),
        Step("SUSPENDED", date(2026, 2, 1), seq=3),
        Step("VALID", date(2026, 3, 1), seq=4),
        Step("CANCELLED", date(2026, 4, 1), seq=5),
    ]
    assert first_bad_transition(steps, CERTIFICATE_TRANSITIONS) is None


def test_validity_longer_than_the_family_allows_is_refused() -> None:
    today = date(2026, 12, 4)
    problem = validity_problem("MANAGEMENT_SYSTEM", date(1990, 1, 1), date(2099, 1, 1), today=today)
    assert problem is not None
    assert problem[0] == "expiresOn"
    ok = validity_problem("MANAGEMENT_SYSTEM", date(2024, 1, 1), date(2027, 1, 1), today=today)
    assert ok is None
    assert validity_problem("PRODUCT", date(2024, 1, 1), date(2029, 1, 1), today=today) is None


def test_an_issue_date_in_the_future_is_refused() -> None:
    problem = validity_problem(
        "SERVICE", date(2026, 12, 5), date(2027, 12, 5), today=date(2026, 12, 4)
    )
    assert problem is not None
    assert problem[0] == "issuedOn"


def test_a_suspension_past_six_months_is_overdue_from_its_first_day() -> None:
    steps = [
        ISSUED,
        Step("SUSPENDED", date(2026, 1, 10), seq=2),
        Step("SUSPENDED", date(2026, 3, 1), seq=3),
    ]
    assert suspension_overdue("MANAGEMENT_SYSTEM", steps, today=date(2026, 7, 11)) == date(
        2026, 1, 10
    )
    assert suspension_overdue("MANAGEMENT_SYSTEM", steps, today=date(2026, 7, 10)) is None


def test_months_are_added_by_the_calendar() -> None:
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_a_new_step_that_breaks_the_timeline_is_named_with_its_field() -> None:
    withdrawn = Step("WITHDRAWN", date(2026, 3, 1), seq=2)
    reinstated = Step("VALID", date(2026, 4, 1), seq=99)
    problems = timeline_problems(
        [ISSUED, withdrawn], [reinstated], CERTIFICATE_TRANSITIONS, today=TODAY
    )
    assert [(p.step, p.field) for p in problems] == [(reinstated, "status")]
    assert "WITHDRAWN" in problems[0].message


def test_a_late_withdrawal_dated_before_a_recorded_reinstatement_is_refused() -> None:
    """Recorded last but effective in between: VALID on 2026-05-01 would follow it."""
    suspended = Step("SUSPENDED", date(2026, 3, 1), seq=2)
    reinstated = Step("VALID", date(2026, 5, 1), seq=3)
    withdrawn = Step("WITHDRAWN", date(2026, 4, 1), seq=99)
    problems = timeline_problems(
        [ISSUED, suspended, reinstated], [withdrawn], CERTIFICATE_TRANSITIONS, today=TODAY
    )
    assert [p.step for p in problems] == [withdrawn]


def test_a_final_step_supersedes_what_was_scheduled_after_it() -> None:
    """A suspension scheduled for 2099 does not bar a withdrawal today, and never takes effect
    once the certificate is withdrawn: the timeline ends at its first final step."""
    suspension = Step("SUSPENDED", date(2099, 1, 1), seq=2)
    withdrawn = Step("WITHDRAWN", TODAY, seq=99)
    assert (
        timeline_problems([ISSUED, suspension], [withdrawn], CERTIFICATE_TRANSITIONS, today=TODAY)
        == []
    )
    steps = [ISSUED, suspension, withdrawn]
    assert status_on(steps, date(2099, 6, 1)) == "WITHDRAWN"
    assert scheduled(steps, TODAY) == []
    assert status_on([ISSUED, suspension], date(2099, 6, 1)) == "SUSPENDED"
    # A withdrawal scheduled by oversight is a decision: no other final step replaces it.
    ordered_out = Step("WITHDRAWN", date(2026, 12, 20), seq=3)
    cancelled = Step("CANCELLED", TODAY, seq=99)
    problems = timeline_problems(
        [ISSUED, ordered_out], [cancelled], CERTIFICATE_TRANSITIONS, today=TODAY
    )
    assert [(p.step, p.field) for p in problems] == [(cancelled, "status")]
    after = Step("VALID", date(2100, 1, 1), seq=100)
    problems = timeline_problems(steps, [after], CERTIFICATE_TRANSITIONS, today=TODAY)
    assert [(p.step, p.field) for p in problems] == [(after, "status")]
    assert "WITHDRAWN" in problems[0].message


def test_a_step_before_the_record_began_is_refused_on_its_date() -> None:
    early = Step("SUSPENDED", date(2024, 12, 1), seq=99)
    problems = timeline_problems([ISSUED], [early], CERTIFICATE_TRANSITIONS, today=TODAY)
    assert [(p.step, p.field) for p in problems] == [(early, "effectiveOn")]


def test_an_inconsistent_history_does_not_block_an_unrelated_change() -> None:
    """Histories recorded before the rules may already hold WITHDRAWN → VALID."""
    legacy = [
        ISSUED,
        Step("WITHDRAWN", date(2025, 3, 1), seq=2),
        Step("VALID", date(2025, 4, 1), seq=3),
    ]
    later = Step("SUSPENDED", date(2026, 1, 1), seq=99)
    assert timeline_problems(legacy, [later], CERTIFICATE_TRANSITIONS, today=TODAY) == []


def test_institutions_may_be_suspended_and_restored_but_not_revived_once_revoked() -> None:
    active = Step("ACTIVE", date(2010, 1, 1), seq=1)
    revoked = Step("REVOKED", date(2026, 1, 1), seq=2)
    assert (
        timeline_problems(
            [active],
            [Step("SUSPENDED", date(2025, 1, 1), seq=3)],
            INSTITUTION_TRANSITIONS,
            today=TODAY,
        )
        == []
    )
    again = Step("ACTIVE", date(2026, 6, 1), seq=3)
    assert [
        p.step
        for p in timeline_problems([active, revoked], [again], INSTITUTION_TRANSITIONS, today=TODAY)
    ] == [again]


def test_accreditations_withdrawn_stay_withdrawn() -> None:
    granted = Step("VALID", date(2020, 1, 1), seq=1)
    withdrawn = Step("WITHDRAWN", date(2026, 1, 1), seq=2)
    back = Step("VALID", date(2026, 2, 1), seq=3)
    assert timeline_problems([granted, withdrawn], [back], ACCREDITATION_TRANSITIONS, today=TODAY)


def test_the_final_statuses_are_those_no_step_may_follow() -> None:
    """The read paths (``ordered``, the stored step lists) and the write rules agree on them."""
    maps = (CERTIFICATE_TRANSITIONS, ACCREDITATION_TRANSITIONS, INSTITUTION_TRANSITIONS)
    ends = {status for transitions in maps for status, then in transitions.items() if not then}
    assert ends == FINAL_STATUSES
