"""The explainable credit score through the API: stored when its inputs change, read as stored."""

from __future__ import annotations

from typing import Any

from graph.cypher_store import CypherStore
from graph.models import StoredCredit
from registry.domain.vocabulary import Role
from tests.api.conftest import DALIAN_ASSOCIATION, GraphQLClient
from tests.api.operations import DALIAN_PRODUCT_INSTITUTE
from tests.api.test_credit_file import GUANGZHOU_LAB, call, event_row, rating_row

CREDIT = """query($u: String!) { institution(uscc: $u) {
  credit { score grade methodVersion computedOn
           factors { name value weight contribution evidence } }
  supervisionClass { class reasons } } }"""


async def credit_of(client: GraphQLClient, uscc: str) -> dict[str, Any]:
    body = await client(CREDIT, {"u": uscc})
    assert "errors" not in body, body
    institution: dict[str, Any] = body["data"]["institution"]
    return institution


def assert_explained(credit: dict[str, Any]) -> None:
    total = sum(f["contribution"] for f in credit["factors"])
    assert round(total, 1) == credit["score"]
    assert credit["methodVersion"] == "2026.1"
    assert {f["name"] for f in credit["factors"]} >= {"association_rating", "credit_events"}


async def test_a_published_rating_changes_the_stored_score(api: GraphQLClient) -> None:
    store = api.store
    before = await credit_of(api, DALIAN_PRODUCT_INSTITUTE)
    [seeded] = await store.get_stored_credit([DALIAN_PRODUCT_INSTITUTE])  # seeding scores too

    await call(
        api,
        "publishCreditRatings",
        [rating_row("DLJC-2026-LOW", grade="D", score=20, publishedOn="2026-11-01")],
        role=Role.ASSOCIATION,
        institution=DALIAN_ASSOCIATION,
    )

    [stored] = await store.get_stored_credit([DALIAN_PRODUCT_INSTITUTE])
    assert stored != seeded
    after = await credit_of(api, DALIAN_PRODUCT_INSTITUTE)
    assert after["credit"]["score"] == stored.score
    assert after["credit"]["score"] < before["credit"]["score"]
    rating = next(f for f in after["credit"]["factors"] if f["name"] == "association_rating")
    assert rating["value"] == 20
    assert "grade D" in rating["evidence"]
    assert_explained(after["credit"])
    assert after["supervisionClass"]["class"] in {"A", "B", "C", "D"}


async def test_reading_twice_does_not_write(api: GraphQLClient) -> None:
    head = await api.store.change_head()

    first = await credit_of(api, GUANGZHOU_LAB)
    second = await credit_of(api, GUANGZHOU_LAB)

    assert first == second
    assert await api.store.change_head() == head
    assert_explained(first["credit"])


async def test_a_serious_violation_forces_class_d_and_is_logged(api: GraphQLClient) -> None:
    head = await api.store.change_head()
    await call(
        api,
        "recordCreditEvents",
        [event_row("GZ-SV-1", kind="SERIOUS_VIOLATION", weight=-80, date="2026-11-01")],
        role=Role.REGULATOR,
    )

    seen = await credit_of(api, GUANGZHOU_LAB)
    assert seen["supervisionClass"]["class"] == "D"
    assert seen["supervisionClass"]["reasons"] == ["on the serious-violation list"]
    changes = await api.store.get_changes(after=head.seq, limit=100_000)
    assert [c.key for c in changes if c.op == "CREDIT"] == [GUANGZHOU_LAB]


async def test_an_unchanged_assessment_is_not_written_again(seeded_store: CypherStore) -> None:
    from registry.operations.credit import recompute_credit
    from tests.conftest import TODAY

    [seeded] = await seeded_store.get_stored_credit([GUANGZHOU_LAB])
    stale = StoredCredit(GUANGZHOU_LAB, 1.0, "D", "[]", TODAY, "2026.1")
    await seeded_store.store_credit([stale], actor="test")

    assert await recompute_credit(seeded_store, [GUANGZHOU_LAB], TODAY) == 1
    assert await seeded_store.get_stored_credit([GUANGZHOU_LAB]) == [seeded]
    assert await recompute_credit(seeded_store, [GUANGZHOU_LAB], TODAY) == 0
