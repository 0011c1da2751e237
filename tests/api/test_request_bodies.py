"""Whatever a client sends is answered with a coded error, never a bare 500 or plain text
(issue 12, item 5): bodies that are not one JSON object, and cursors this API never issued.
"""

from __future__ import annotations

import base64

import orjson
import pytest

from registry.domain.vocabulary import Role
from registry.schema.guards import variables_refusal
from tests.api.conftest import GraphQLClient

TYPENAME = b'{"query": "{ __typename }"'


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"null", "INVALID_REQUEST"),
        (b"12345", "INVALID_REQUEST"),
        (b'"a string"', "INVALID_REQUEST"),
        (b"[]", "BATCHING_DISABLED"),
        (b"[" * 3000 + b"]" * 3000, "INVALID_JSON"),
        (b"", "INVALID_JSON"),
        (b"{", "INVALID_JSON"),
        (TYPENAME, "INVALID_JSON"),
        (b'{"query": "{ __typename \xff }"}', "INVALID_JSON"),
        (b'\xef\xbb\xbf{"query": "{ __typename }"}', "INVALID_JSON"),
        (TYPENAME + b', "operationName": "\\ud800"}', "INVALID_JSON"),
        (TYPENAME + b', "operationName": "\\udc00x"}', "INVALID_JSON"),
        (b'{"query": 5}', "INVALID_REQUEST"),
        (b"{}", "INVALID_REQUEST"),
        (b'{"query": ""}', "INVALID_REQUEST"),
        (TYPENAME + b', "operationName": "Other"}', "OPERATION_NOT_FOUND"),
        (b'{"query": "fragment F on Query { __typename }"}', "OPERATION_NOT_FOUND"),
        (TYPENAME + b', "variables": []}', "INVALID_REQUEST"),
        (TYPENAME + b', "operationName": 7}', "INVALID_REQUEST"),
        (TYPENAME + b', "extensions": "x"}', "INVALID_REQUEST"),
        # orjson reads 1,024 levels but writes 255: the body the view reads is re-encoded.
        (TYPENAME + b', "variables": {"v": ' + b"[" * 600 + b"]" * 600 + b"}}", "INVALID_REQUEST"),
    ],
    ids=[
        "null",
        "number",
        "string",
        "empty-array",
        "array-3000-deep",
        "empty",
        "unclosed",
        "truncated",
        "invalid-utf8",
        "byte-order-mark",
        "lone-high-surrogate",
        "lone-low-surrogate",
        "query-not-text",
        "no-query",
        "empty-query",
        "unknown-operation-name",
        "no-operation",
        "variables-not-object",
        "operation-name-not-text",
        "extensions-not-object",
        "variables-600-deep",
    ],
)
async def test_a_body_that_is_not_one_graphql_request_gets_a_coded_400(
    reader: GraphQLClient, body: bytes, code: str
) -> None:
    response = await reader.http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == code
    assert error["message"]


def forged(key: object) -> str:
    """A cursor of the API's own form around ``key``."""
    return base64.urlsafe_b64encode(orjson.dumps(["k", key])).decode().rstrip("=")


# No connection takes these: not of the API's form, or a key no store can be sent.
FOREIGN = {
    "nul-inside": forged("CCSC\x00"),
    "lone-surrogate": base64.urlsafe_b64encode(b'["k","\\ud800"]').decode(),
    "5000-digits": forged("1" * 5000),
    "bad-base64": "!!!",
    "not-json": base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    "deep-json": base64.urlsafe_b64encode(b"[" * 3000).decode(),
    "no-key": forged(None),
    "very-long": "A" * 100_000,
}
CONNECTIONS = {
    "certificates": "certificates(first: 1, after: $after) { edges { node { number } } }",
    "institutions": "institutions(first: 1, after: $after) { edges { node { uscc } } }",
    "changes": "changes(first: 1, after: $after) { edges { node { seq } } }",
    "ranking": "ranking(first: 1, after: $after) { edges { rank } }",
}
# Keys of the API's form that one connection cannot take (the others page after them).
WRONG_FOR = {
    "superscript-digit": ("changes", forged("²")),
    "non-ascii-digits": ("changes", forged("١٢")),
    "19-digits": ("changes", forged("1" * 19)),
    "infinite-score": ("ranking", forged("1e999|91110101940807760M")),
    "nan-score": ("ranking", forged("nan|91110101940807760M")),
}


async def _codes(reader: GraphQLClient, connection: str, cursor: str) -> list[str]:
    query = f"query($after: String) {{ {CONNECTIONS[connection]} }}"
    body = await reader(query, {"after": cursor}, role=Role.ADMIN)
    return [e["extensions"]["code"] for e in body.get("errors", [])]


@pytest.mark.parametrize("connection", CONNECTIONS)
@pytest.mark.parametrize("cursor", FOREIGN.values(), ids=FOREIGN.keys())
async def test_a_forged_cursor_is_invalid_on_every_connection(
    reader: GraphQLClient, connection: str, cursor: str
) -> None:
    assert await _codes(reader, connection, cursor) == ["INVALID_CURSOR"]


@pytest.mark.parametrize(("connection", "cursor"), WRONG_FOR.values(), ids=WRONG_FOR.keys())
async def test_a_key_its_connection_cannot_take_is_an_invalid_cursor(
    reader: GraphQLClient, connection: str, cursor: str
) -> None:
    assert await _codes(reader, connection, cursor) == ["INVALID_CURSOR"]


@pytest.mark.parametrize("connection", CONNECTIONS)
@pytest.mark.parametrize("cursor", [c for _, c in WRONG_FOR.values()], ids=WRONG_FOR.keys())
async def test_no_cursor_is_an_internal_error(
    reader: GraphQLClient, connection: str, cursor: str
) -> None:
    assert set(await _codes(reader, connection, cursor)) <= {"INVALID_CURSOR"}


@pytest.mark.parametrize(
    "after",
    ["1" * 5000, "²", "١٢", "-1", "1e3", "12345678901234567890"],
    ids=["5000-digits", "superscript", "non-ascii-digits", "negative", "exponent", "20-digits"],
)
async def test_a_forged_export_position_is_invalid(reader: GraphQLClient, after: str) -> None:
    headers = {"Authorization": f"Bearer {await reader.key(Role.ADMIN)}"}
    response = await reader.http.get(
        "/export/changes.ndjson", params={"after": after}, headers=headers
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


@pytest.mark.parametrize("text", ["\x00", "\ud800", "x\udfff"], ids=["nul", "high", "low"])
def test_text_no_store_can_carry_is_found_at_any_depth(text: str) -> None:
    """What a WebSocket message (read by a JSON parser that takes lone surrogates) brings."""
    nested: object = [text]
    for _ in range(5_000):  # deeper than Python's recursion limit
        nested = {"v": [nested]}

    refusal = variables_refusal({"deep": nested}, anonymous=False)
    assert refusal is not None
    assert refusal.extensions == {"code": "INVALID_TEXT"}
    assert variables_refusal({"deep": [[["大连"]]]}, anonymous=False) is None


CHANGES_OF = "query($e: [ChangeEntity!]) { changes(entities: $e, first: 1) { totalCount } }"


async def test_variables_too_many_to_coerce_are_refused_before_they_are(
    reader: GraphQLClient,
) -> None:
    """Variables are coerced on the event loop before any resolver can refuse them: a
    130,000-item list held it 0.75 s a request, for anyone, and a walk of 990,000 numbers to
    refuse them 0.87 s. The walk stops at the first limit passed: no list of ten batches, no
    10,000 values without a key, no 300,000 with one."""
    long = await reader(CHANGES_OF, {"e": ["CERTIFICATE"] * 130_000}, role=Role.ADMIN)
    batch = await reader(CHANGES_OF, {"e": ["CERTIFICATE"] * 1_000}, role=Role.ADMIN)
    spread = {f"v{n}": ["x"] * 1_000 for n in range(11)}
    public = await reader("{ __typename }", spread)
    keyed = await reader("{ __typename }", spread, role=Role.ADMIN)
    wide = {f"v{n}": [0] * 10_000 for n in range(31)}
    too_wide = await reader("{ __typename }", wide, role=Role.ADMIN)
    lookup = "query($n: String!) { verifyCertificate(number: $n) { verdict } }"
    direct = await reader(lookup, {"n": "CCSC23SC0102R2", **spread})  # the direct plan's path

    for body, said in (
        (long, "holds 130,000 items; at most 10,000"),
        (public, "more than 10,000 values without an API key"),
        (too_wide, "more than 300,000 values"),
        (direct, "more than 10,000 values without an API key"),
    ):
        assert body["errors"][0]["extensions"]["code"] == "TOO_MANY", body
        assert said in body["errors"][0]["message"]
    assert batch["errors"][0]["extensions"]["code"] == "TOO_MANY"  # the resolver's own limit
    assert "at most 50" in batch["errors"][0]["message"]
    assert keyed["data"] == {"__typename": "Query"}, keyed
