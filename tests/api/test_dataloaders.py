"""Nested edges go through per-request DataLoaders: the store calls a page costs do not grow
with the size of the page."""

from __future__ import annotations

from typing import Any

import pytest

from graph.cypher_store import CypherStore
from registry.domain.vocabulary import Role
from tests.api import seedfacts
from tests.api.conftest import GraphQLClient
from tests.api.operations import CCSC, CQC, YUEZHI, certificate_row, mutate

CERTIFICATE_PAGE = """
query($first: Int!) {
  certificates(first: $first) {
    edges { node {
      number
      issuer { name }
      holder { name }
      history { status effectiveOn }
    } }
  }
}"""

INSTITUTION_PAGE = """
query($first: Int!) {
  institutions(first: $first) {
    edges { node {
      uscc
      region { name parent { name } }
      group { name }
      members { name }
      accreditations { number body { name } }
      creditRatings { grade }
      creditEvents { kind }
    } }
  }
}"""

MAX_STORE_CALLS = 7


async def store_calls(client: GraphQLClient, document: str, first: int, field: str) -> int:
    """How many store calls one request for a page of ``first`` costs."""
    store = client.store
    assert isinstance(store, CypherStore)
    before = sum(store.calls.values())
    body = await client(document, {"first": first}, role=Role.REGULATOR)
    after = sum(store.calls.values())
    assert "errors" not in body, body
    edges: list[dict[str, Any]] = body["data"][field]["edges"]
    assert len(edges) == first
    return after - before


@pytest.fixture
async def many_certificates(api: GraphQLClient) -> GraphQLClient:
    """The seed plus 120 certificates from four issuers to the seeded holders."""
    issuers = [CCSC, CQC, YUEZHI, "91320102479587631B"]
    holders = [row["uscc"] for row in seedfacts.seed("organizations")]
    rows = [
        certificate_row(
            f"BULK26Q{n:05d}", issuer=issuers[n % len(issuers)], holder=holders[n % len(holders)]
        )
        for n in range(120)
    ]
    payload = await mutate(api, "issueCertificates", rows, role=Role.ADMIN)
    assert payload["__typename"] == "IssueCertificatesSuccess", payload
    await used_once(api)
    return api


async def used_once(client: GraphQLClient) -> None:
    """Make the regulator's key and use it: a key's first use in a minute is recorded (one
    write), which is not a cost of the pages measured."""
    await client('{ region(code: "210000") { name } }', role=Role.REGULATOR)


async def test_page_of_certificates_costs_the_same_store_calls_at_any_size(
    many_certificates: GraphQLClient,
) -> None:
    small = await store_calls(many_certificates, CERTIFICATE_PAGE, 10, "certificates")
    large = await store_calls(many_certificates, CERTIFICATE_PAGE, 100, "certificates")

    assert large == small
    # the key, its region tree (a regulator's jurisdiction), the page, issuers, holders,
    # histories
    assert large <= MAX_STORE_CALLS


async def test_page_of_institutions_with_nested_edges_costs_a_bounded_number_of_calls(
    reader: GraphQLClient,
) -> None:
    await used_once(reader)

    small = await store_calls(reader, INSTITUTION_PAGE, 3, "institutions")
    large = await store_calls(reader, INSTITUTION_PAGE, 30, "institutions")

    # One call per edge kind and nesting level (regions are loaded at two levels), plus the
    # regulator's region tree, never one per node: thirty institutions cost no more than three.
    assert small <= 10
    assert large <= 10
