"""Python's `gql`, a client nobody here wrote, against `registry serve` as a process: queries
and a keyed mutation over HTTP, and the live feed over WebSocket (graphql-transport-ws)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from gql import Client, GraphQLRequest, gql
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport

from tests.input_methods import full_width

pytestmark = pytest.mark.slow

DALIAN_CERTIFICATE = "CCSC23SC0102R2"
VERIFY = gql("""query($n: String!) { verifyCertificate(number: $n) {
  verdict certificate { number holderName } } }""")
SUSPEND = gql("""mutation($n: String!) { changeCertificateStatus(input:
  [{number: $n, status: SUSPENDED, reason: "监督审核发现问题"}]) {
  __typename ... on ChangeCertificateStatusSuccess {
    certificates { number status } receipt { firstSeq } } } }""")
SUSPEND_DALIAN = GraphQLRequest(SUSPEND, variable_values={"n": DALIAN_CERTIFICATE})
FOLLOW = gql("""subscription { changes(entities: [Certificate]) { seq entity key op cursor } }""")


def _http(base: str, key: str | None = None) -> Client:
    """gql over HTTP, checking every document against the schema it introspected."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    transport = HTTPXAsyncTransport(url=f"{base}/graphql", headers=headers, timeout=10)
    return Client(transport=transport, fetch_schema_from_transport=True)


def test_gql_queries_and_writes_over_http(served_with_keys: tuple[str, dict[str, str]]) -> None:
    base, keys = served_with_keys

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        async with _http(base) as public:
            found = await public.execute(
                GraphQLRequest(VERIFY, variable_values={"n": full_width(DALIAN_CERTIFICATE)})
            )
        async with _http(base, keys["ADMIN"]) as admin:
            written = await admin.execute(SUSPEND_DALIAN)
        return found, written

    found, written = asyncio.run(scenario())

    assert found["verifyCertificate"]["certificate"]["number"] == DALIAN_CERTIFICATE
    payload = written["changeCertificateStatus"]
    assert payload["__typename"] == "ChangeCertificateStatusSuccess", payload
    assert payload["certificates"] == [{"number": DALIAN_CERTIFICATE, "status": "SUSPENDED"}]
    assert payload["receipt"]["firstSeq"] > 0


def test_gql_follows_the_feed_over_websocket_and_sees_a_write(
    served_with_keys: tuple[str, dict[str, str]],
) -> None:
    base, keys = served_with_keys

    async def scenario() -> tuple[list[dict[str, Any]], int]:
        # made inside the running loop: made outside, it would make an event loop of its own
        socket = WebsocketsTransport(
            url=base.replace("http", "ws", 1) + "/graphql",
            init_payload={"Authorization": f"Bearer {keys['PARTNER']}"},
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],  # graphql-transport-ws
        )
        seen: list[dict[str, Any]] = []
        writing: asyncio.Task[dict[str, Any]] | None = None
        async with Client(transport=socket) as live, _http(base, keys["ADMIN"]) as admin:
            async for event in live.subscribe(FOLLOW):
                seen.append(event["changes"])
                if writing is None:  # subscribed and catching up: now write
                    writing = asyncio.create_task(admin.execute(SUSPEND_DALIAN))
                if seen[-1]["key"] == DALIAN_CERTIFICATE and seen[-1]["op"] == "STATUS":
                    written = await writing  # its receipt says which seq the write took
                    first_seq: int = written["changeCertificateStatus"]["receipt"]["firstSeq"]
                    if seen[-1]["seq"] >= first_seq:
                        return seen, first_seq
        raise AssertionError("the subscription ended before the write was seen")

    seen, first_seq = asyncio.run(asyncio.wait_for(scenario(), 60))

    assert seen[-1]["seq"] == first_seq
    assert seen[-1]["entity"] == "Certificate"
    assert [change["seq"] for change in seen] == sorted({change["seq"] for change in seen})
