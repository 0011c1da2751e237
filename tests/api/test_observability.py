"""What operators watch: request ids joining responses, errors and logs; Prometheus metrics
for requests, GraphQL operations and store calls."""

from __future__ import annotations

import logging

import orjson
import pytest

from registry.domain.vocabulary import Role
from registry.http.logs import JsonFormatter
from registry.http.observability import MAX_OPERATION_NAMES, Metrics
from tests.api.conftest import GraphQLClient

LOOKUP = 'query Lookup { certificate(number: "CCSC23SC0102R2") { number status } }'


async def _metrics(client: GraphQLClient) -> str:
    response = await client.http.get(
        "/metrics", headers={"Authorization": f"Bearer {await client.key(Role.ADMIN)}"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return str(response.text)


async def test_a_request_id_is_echoed_and_put_in_every_error(reader: GraphQLClient) -> None:
    offered = await reader.http.post(
        "/graphql", json={"query": "{ nothing }"}, headers={"X-Request-ID": "partner-42"}
    )
    minted = await reader.http.post("/graphql", json={"query": "{ nothing }"})
    hostile = await reader.http.post(
        "/graphql", json={"query": "{ nothing }"}, headers={"X-Request-ID": "a\\nb" * 40}
    )

    assert offered.headers["x-request-id"] == "partner-42"
    assert offered.json()["errors"][0]["extensions"]["requestId"] == "partner-42"
    assert len(minted.headers["x-request-id"]) == 32
    assert minted.json()["errors"][0]["extensions"]["requestId"] == minted.headers["x-request-id"]
    assert hostile.headers["x-request-id"] != "a\\nb" * 40  # not a sane token: replaced


async def test_metrics_count_requests_operations_and_store_calls(reader: GraphQLClient) -> None:
    await reader.http.post("/graphql", json={"query": LOOKUP})
    await reader.http.post("/graphql", json={"query": "query Broken { nothing }"})

    text = await _metrics(reader)

    assert 'registry_http_requests_total{method="POST",route="/graphql",status="200"}' in text
    assert 'registry_graphql_operations_total{operation="Lookup",outcome="ok",type="query"}' in text
    # a refused operation earns no label of its own: junk names cannot use them all up
    assert 'operation="other",outcome="GRAPHQL_VALIDATION_FAILED"' in text
    assert 'registry_graphql_operation_seconds_bucket{le="0.005",operation="Lookup"' in text
    assert 'registry_store_call_seconds_count{call="get_certificates"} 1.0' in text


@pytest.mark.parametrize("role", [None, Role.PARTNER, Role.REGULATOR])
async def test_metrics_are_for_admin_keys_only(reader: GraphQLClient, role: Role | None) -> None:
    headers = {} if role is None else {"Authorization": f"Bearer {await reader.key(role)}"}

    response = await reader.http.get("/metrics", headers=headers)

    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_AUTHORIZED"


def test_operation_names_are_bounded_labels() -> None:
    metrics = Metrics()

    labels = [metrics.operation_label(f"Op{n}") for n in range(MAX_OPERATION_NAMES + 5)]

    assert labels[:MAX_OPERATION_NAMES] == [f"Op{n}" for n in range(MAX_OPERATION_NAMES)]
    assert set(labels[MAX_OPERATION_NAMES:]) == {"other"}
    assert metrics.operation_label("Op0") == "Op0"
    assert metrics.operation_label("'; drop") == "other"
    assert metrics.operation_label(None) == "anonymous"


def test_log_lines_are_json_with_the_request_id() -> None:
    from registry.http.observability import current_request_id

    token = current_request_id.set("req-1")
    try:
        record = logging.LogRecord(
            "registry", logging.WARNING, __file__, 1, "slow %s", ("x",), None
        )
        record.fields = {"durationMs": 12.5}
        line = orjson.loads(JsonFormatter().format(record))
    finally:
        current_request_id.reset(token)

    assert line["message"] == "slow x"
    assert line["requestId"] == "req-1"
    assert line["level"] == "WARNING"
    assert line["durationMs"] == 12.5
