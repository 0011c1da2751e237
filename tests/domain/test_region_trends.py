"""Year-end figures from monthly tallies: stocks add up their events to each year's end (to
the day asked about in the current year), flows are the year's own."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from graph.tallies import (
    DAYS,
    RegionMonth,
    bucket_rows,
    certificate_contribution,
    institution_contribution,
    stored_contribution,
)
from registry.domain.region_trends import growth, year_over_year


def _days(**on: int) -> tuple[int, ...]:
    days = [0] * DAYS
    for day, delta in on.items():
        days[int(day[1:]) - 1] = delta
    return tuple(days)


def test_a_stock_is_the_sum_of_its_events_to_each_years_end() -> None:
    months = [
        RegionMonth("2023-04", issued=2, valid=2, institutions=1),
        RegionMonth("2024-09", issued=1, valid=1, institutions=0),
        RegionMonth("2025-02", issued=0, valid=-2, institutions=0),
    ]
    rows = year_over_year(months, date(2026, 6, 1))

    assert [
        (r.year, r.institutions, r.valid_certificates, r.certificates_issued) for r in rows
    ] == [
        (2023, 1, 2, 2),
        (2024, 1, 3, 1),
        (2025, 1, 1, 0),
        (2026, 1, 1, 0),
    ]
    assert [r.growth for r in rows] == [None, 0.5, round(-2 / 3, 6), 0.0]


def test_the_current_month_counts_only_the_days_up_to_today() -> None:
    months = [
        RegionMonth("2026-05", issued=3, valid=3, institutions=0),
        RegionMonth(
            "2026-06",
            issued=1,
            valid=-2,
            institutions=0,
            issued_days=_days(d2=1),
            valid_days=_days(d2=1, d20=-3),
            institution_days=_days(),
        ),
    ]
    assert year_over_year(months, date(2026, 6, 19))[-1].valid_certificates == 4
    assert year_over_year(months, date(2026, 6, 20))[-1].valid_certificates == 1


def test_growth_from_nothing_is_undefined() -> None:
    assert growth(None, 5) is None
    assert growth(0, 5) is None
    assert growth(200, 230) == 0.15


def test_a_certificate_suspended_across_a_year_end_is_not_valid_on_it() -> None:
    counted = certificate_contribution(
        region="210204",
        issued_on="2024-07-01",
        expires_on="2027-06-30",
        step_on=["2024-07-01", "2025-03-10", "2026-02-01"],
        step_seq=[1, 2, 3],
        step_status=["VALID", "SUSPENDED", "VALID"],
    )
    assert counted.events == (
        ("2024-07-01", "issued", 1),
        ("2024-07-01", "valid", 1),
        ("2025-03-10", "valid", -1),
        ("2026-02-01", "valid", 1),
        ("2027-07-01", "valid", -1),
    )


def test_steps_of_one_day_take_effect_in_recording_order() -> None:
    counted = certificate_contribution(
        region="210204",
        issued_on="2024-01-01",
        expires_on="2026-12-31",
        step_on=["2024-01-01", "2025-05-01", "2025-05-01"],
        step_seq=[1, 3, 2],  # recorded VALID (seq 2) then WITHDRAWN (seq 3)
        step_status=["VALID", "WITHDRAWN", "VALID"],
    )
    assert [e for e in counted.events if e[1] == "valid"] == [
        ("2024-01-01", "valid", 1),
        ("2025-05-01", "valid", -1),
    ]


def test_an_institution_counts_from_its_founding_until_it_closes() -> None:
    counted = institution_contribution(
        region="210204",
        founded="2019-03-01",
        step_on=["2019-03-01", "2026-07-01"],
        step_seq=[4, 9],
        step_status=["ACTIVE", "CLOSED"],
    )
    assert counted.events == (
        ("2019-03-01", "institutions", 1),
        ("2026-07-01", "institutions", -1),
    )


def test_a_rewrite_adds_only_the_difference() -> None:
    old = institution_contribution(
        region="210204", founded="2019-03-01", step_on=["2019-03-01"], step_seq=[1],
        step_status=["ACTIVE"],
    )  # fmt: skip
    new = institution_contribution(
        region="440000", founded="2019-03-01", step_on=["2019-03-01"], step_seq=[1],
        step_status=["ACTIVE"],
    )  # fmt: skip
    rows = {str(r["key"]): r["institutions"] for r in bucket_rows([(old, new)])}
    assert rows == {"210204|2019-03": -1, "440000|2019-03": 1}
    assert bucket_rows([(new, new)]) == []


@given(
    issued=st.dates(date(2000, 1, 1), date(2030, 12, 31)),
    years=st.integers(-1, 8),
    since=st.dates(date(1999, 1, 1), date(2031, 12, 31)),
    status=st.sampled_from(["VALID", "SUSPENDED", "WITHDRAWN", "CANCELLED"]),
)
def test_a_one_step_timeline_counts_as_the_general_rule_does(
    issued: date, years: int, since: date, status: str
) -> None:
    """The one-step shortcut (most certificates) against the general walk, which a second
    step of the same day and status leaves where one step would."""
    expires = issued.replace(year=issued.year + years) if issued.month != 2 else issued
    common = {
        "region": "210200",
        "issued_on": issued.isoformat(),
        "expires_on": expires.isoformat(),
    }
    one = certificate_contribution(
        **common, step_on=[since.isoformat()], step_seq=[1], step_status=[status]
    )
    walked = certificate_contribution(
        **common, step_on=[since.isoformat()] * 2, step_seq=[1, 2], step_status=[status] * 2
    )
    assert one == walked
    assert one.encoded() is not None
    assert stored_contribution(one.encoded()) == one
