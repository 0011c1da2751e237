"""Hostile review of the ranking: its cursor carries the walk's state (the sort key, the
position and the rank it continues from), which are the registry's word, so it is signed.
A client's change to any field is refused INVALID_CURSOR (a forged position -10 ranked real
institutions -9 and -8, and a forged uscc with NUL or a huge seq answered INTERNAL_ERROR).
And a key above every score, were one ever signed, continues from the top rather than walk
the key index from 1e308 down in ever wider slices."""

from __future__ import annotations

import pytest

from tests.api.conftest import GraphQLClient
from tests.api.operations import ranking_cursor_with

RANKING = """query($after: String) { ranking(first: 3, after: $after) {
  edges { cursor rank node { uscc } } } }"""


async def test_a_cursor_naming_a_key_above_every_score_continues_from_the_top(
    reader: GraphQLClient,
) -> None:
    first = (await reader(RANKING))["data"]["ranking"]["edges"]

    body = await reader(
        RANKING, {"after": ranking_cursor_with(first[0]["cursor"], 5, 1e308, signed=True)}
    )

    assert "errors" not in body, body["errors"]
    found = [e["node"]["uscc"] for e in body["data"]["ranking"]["edges"]]
    assert found == [e["node"]["uscc"] for e in first]


@pytest.mark.parametrize(
    ("field", "value"),
    [(6, -10), (7, -9), (6, 10**30), (1, -(10**30)), (4, "9\u0000"), (5, 1e308)],
)
async def test_a_cursor_changed_by_its_client_is_refused(
    reader: GraphQLClient, field: int, value: object
) -> None:
    first = (await reader(RANKING))["data"]["ranking"]["edges"]

    forged = ranking_cursor_with(first[-1]["cursor"], field, value, signed=False)
    body = await reader(RANKING, {"after": forged})

    assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR", body
