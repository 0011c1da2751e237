"""Hostile review: a day asked for at the edge of the calendar (asOf 0001-01-01) is an odd
input, not an internal error. The windows the new features count back from that day
(complaints' overdue cutoffs, the data-quality and hard-rule findings window, a station's
performance window) start at the calendar's first day instead of before it."""

from __future__ import annotations

import pytest

from registry.domain.vocabulary import Role
from tests.api.conftest import GraphQLClient

HENGAN = "91210211401294580D"  # a Dalian lab with a complaint in the seeds
CCSC = "91110101940807760M"  # an issuer: it has a data-quality score
INSTITUTION = """query($u: String!, $d: Date) { institution(uscc: $u, asOf: $d) {
  complaintSummary { received open overdue substantiated }
  dataQuality { score }
  supervisionClass { class }
} }"""
PERFORMANCE = """query($d: Date, $n: Int!) { stations(region: "210000") { uscc
  performance(asOf: $d, days: $n) { firstDay lastDay requests } } }"""


@pytest.mark.parametrize("day", ["0001-01-01", "0001-12-31", "0003-06-30"])
@pytest.mark.parametrize("uscc", [HENGAN, CCSC])
async def test_an_institution_asked_about_year_one_is_answered_not_failed(
    reader: GraphQLClient, day: str, uscc: str
) -> None:
    body = await reader(INSTITUTION, {"u": uscc, "d": day}, role=Role.ADMIN)

    assert "errors" not in body, body["errors"]
    summary = body["data"]["institution"]["complaintSummary"]
    assert summary == {"received": 0, "open": 0, "overdue": 0, "substantiated": 0}


@pytest.mark.parametrize("day", ["0001-01-01", "0002-12-31"])
async def test_a_station_performance_window_reaching_before_year_one_is_answered(
    reader: GraphQLClient, day: str
) -> None:
    body = await reader(PERFORMANCE, {"d": day, "n": 1096})

    assert "errors" not in body, body["errors"]
    for station in body["data"]["stations"]:
        assert station["performance"]["firstDay"] == "0001-01-01"
        assert (station["performance"]["lastDay"], station["performance"]["requests"]) == (day, 0)
