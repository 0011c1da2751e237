"""`region(code) { statistics { yearOverYear { … } } }` (issue 14, item 7) over the seeds:
the tallies kept on write agree with today's scan, year by year up to the day asked about."""

from __future__ import annotations

import itertools

import pytest

from tests.api.conftest import GraphQLClient
from tests.conftest import TODAY

TRENDS = """
query Trends($code: String!) {
  region(code: $code) {
    statistics {
      validCertificates
      yearOverYear {
        year institutions validCertificates certificatesIssued growth institutionGrowth
      }
    }
  }
}"""


@pytest.mark.parametrize("code", ["210000", "210200", "440000", "320000"])
async def test_this_years_row_agrees_with_todays_count(reader: GraphQLClient, code: str) -> None:
    body = await reader(TRENDS, {"code": code})

    assert "errors" not in body, body
    statistics = body["data"]["region"]["statistics"]
    rows = statistics["yearOverYear"]
    assert rows, "the seeds hold dated certificates in every region asked about"
    assert rows[-1]["year"] == TODAY.year
    assert [r["year"] for r in rows] == list(range(rows[0]["year"], TODAY.year + 1))
    assert rows[-1]["validCertificates"] == statistics["validCertificates"]


async def test_growth_is_null_first_then_the_change_of_valid_certificates(
    reader: GraphQLClient,
) -> None:
    body = await reader(TRENDS, {"code": "210000"})

    rows = body["data"]["region"]["statistics"]["yearOverYear"]
    assert rows[0]["growth"] is None
    assert rows[0]["institutionGrowth"] is None
    for before, row in itertools.pairwise(rows):
        if before["validCertificates"]:
            expected = (row["validCertificates"] - before["validCertificates"]) / before[
                "validCertificates"
            ]
            assert row["growth"] == pytest.approx(expected, abs=1e-6)
        else:
            assert row["growth"] is None
