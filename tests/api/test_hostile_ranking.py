"""Hostile review of the ranking: its cursor is readable JSON (it is checked, not signed),
so a caller can hand back any finite sort key. A key above every score must not walk the
key index from 1e308 down in ever wider slices (hundreds of reads, then an infinite bound
the store cannot parse: INTERNAL_ERROR); it continues from the top."""

from __future__ import annotations

import base64

import orjson

from tests.api.conftest import GraphQLClient

RANKING = """query($after: String) { ranking(first: 3, after: $after) {
  edges { cursor node { uscc } } } }"""


def _forged(cursor: str, key: float) -> str:
    fields = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    fields[5] = key  # the sort key the walk continues below
    return base64.urlsafe_b64encode(orjson.dumps(fields)).decode().rstrip("=")


async def test_a_cursor_naming_a_key_above_every_score_continues_from_the_top(
    reader: GraphQLClient,
) -> None:
    first = (await reader(RANKING))["data"]["ranking"]["edges"]

    body = await reader(RANKING, {"after": _forged(first[0]["cursor"], 1e308)})

    assert "errors" not in body, body["errors"]
    found = [e["node"]["uscc"] for e in body["data"]["ranking"]["edges"]]
    assert found == [e["node"]["uscc"] for e in first]
