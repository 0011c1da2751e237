"""The change feed as partners read it: narrowed by entity and region, bounded scans that
always make progress, and CURSOR_EXPIRED once the log was pruned past a cursor."""

from __future__ import annotations

from typing import Any

import pytest

from registry.domain.vocabulary import Role
from registry.resolvers import changes as feed
from registry.schema.pagination import encode_cursor
from tests.api.conftest import GraphQLClient

FEED = """query($after: String, $first: Int, $entities: [ChangeEntity!], $regions: [String!]) {
  changes(after: $after, first: $first, entities: $entities, regions: $regions) {
    totalCount edges { node { seq entity key region } }
    pageInfo { hasNextPage endCursor } } }"""


async def follow(client: GraphQLClient, **variables: Any) -> tuple[list[dict[str, Any]], int]:
    """Every change the feed gives, page by page, and how many pages that took."""
    seen: list[dict[str, Any]] = []
    after, pages = variables.pop("after", None), 0
    while True:
        body = await client(FEED, {**variables, "after": after}, role=Role.PARTNER)
        assert "errors" not in body, body
        page = body["data"]["changes"]
        seen += [edge["node"] for edge in page["edges"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            return seen, pages
        after = page["pageInfo"]["endCursor"]


async def test_entity_and_region_narrow_the_feed(reader: GraphQLClient) -> None:
    everything = await reader.store.get_changes(after=0, limit=100_000)
    expected = [
        c.seq
        for c in everything
        if c.entity == "Institution" and (c.region or "").startswith("2102")
    ]

    seen, _ = await follow(reader, first=5, entities=["INSTITUTION"], regions=["210200"])

    assert [c["seq"] for c in seen] == expected
    assert len(expected) > 5  # more than one page
    assert all(c["region"].startswith("2102") for c in seen)
    body = await reader(
        FEED, {"entities": ["INSTITUTION"], "regions": ["210200"]}, role=Role.PARTNER
    )
    assert body["data"]["changes"]["totalCount"] == len(expected)


async def test_a_narrow_filter_pages_through_bounded_windows(
    reader: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed, "SCAN_WINDOW", 40)
    everything = await reader.store.get_changes(after=0, limit=100_000)
    expected = [c.seq for c in everything if c.entity == "CreditRating"]

    seen, pages = await follow(reader, first=100, entities=["CREDIT_RATING"])

    assert [c["seq"] for c in seen] == expected
    assert pages >= len(everything) // 40  # each page looked at one window, some found none


@pytest.mark.parametrize("regions", [["21"], ["2102000"], ["910000"]])
async def test_a_malformed_region_is_refused(reader: GraphQLClient, regions: list[str]) -> None:
    body = await reader(FEED, {"regions": regions}, role=Role.PARTNER)

    assert body["errors"][0]["extensions"]["code"] == "INVALID_REGION"


async def test_a_cursor_before_the_kept_log_has_expired(api: GraphQLClient) -> None:
    assert await api.store.prune_changes(through=100) == 100

    expired = await api(FEED, {"after": encode_cursor("99")}, role=Role.PARTNER)
    from_scratch = await api(FEED, {}, role=Role.PARTNER)
    kept = await api(FEED, {"after": encode_cursor("100"), "first": 1}, role=Role.PARTNER)

    for body in (expired, from_scratch):
        assert body["errors"][0]["extensions"]["code"] == "CURSOR_EXPIRED"
        assert "fresh snapshot" in body["errors"][0]["message"]
    assert kept["data"]["changes"]["edges"][0]["node"]["seq"] == 101
    head = (await api.store.change_head()).seq
    assert kept["data"]["changes"]["totalCount"] == head - 100


async def test_subscriptions_are_refused_over_http_posts(reader: GraphQLClient) -> None:
    key = await reader.key(Role.PARTNER)

    response = await reader.http.post(
        "/graphql",
        json={"query": "subscription { changes { seq } }"},
        headers={"Authorization": f"Bearer {key}"},
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "USE_WEBSOCKET"
