"""The change feed as partners read it: narrowed by entity and region, bounded scans that
always make progress, and CURSOR_EXPIRED once the log was pruned past a cursor."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import asdict
from typing import Any

import orjson
import pytest
from graphql import ExecutionResult

from graph.cypher_store import CypherStore
from graph.log_models import ChangeFilter
from registry.auth import authenticate, create_api_key
from registry.context import Context
from registry.domain.vocabulary import ChangeEntity, Role, change_entity
from registry.loaders import Loaders
from registry.resolvers import changes as feed
from registry.resolvers.root import build_schema
from registry.schema.changes import ChangeEntityName
from registry.schema.pagination import encode_cursor
from tests.api.conftest import TODAY, GraphQLClient
from tests.api.conftest import test_settings as settings_of_tests
from tests.api.operations import feed_seqs

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

    seen, _ = await follow(reader, first=5, entities=["Institution"], regions=["210200"])

    assert [c["seq"] for c in seen] == expected
    assert len(expected) > 5  # more than one page
    assert all(c["region"].startswith("2102") for c in seen)
    body = await reader(
        FEED, {"entities": ["Institution"], "regions": ["210200"]}, role=Role.PARTNER
    )
    assert body["data"]["changes"]["totalCount"] == len(expected)


async def test_a_narrow_filter_pages_through_bounded_windows(
    reader: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed, "SCAN_WINDOW", 40)
    everything = await reader.store.get_changes(after=0, limit=100_000)
    expected = [c.seq for c in everything if c.entity == "CreditRating"]

    seen, pages = await follow(reader, first=100, entities=["CreditRating"])

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
    shown = await feed_seqs(api.store, after=100, role=Role.PARTNER)
    assert kept["data"]["changes"]["totalCount"] == len(shown)


async def test_subscriptions_are_refused_over_http_posts(reader: GraphQLClient) -> None:
    key = await reader.key(Role.PARTNER)

    response = await reader.http.post(
        "/graphql",
        json={"query": "subscription { changes { seq } }"},
        headers={"Authorization": f"Bearer {key}"},
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "USE_WEBSOCKET"


async def _scoped_key(client: GraphQLClient, **scope: Any) -> str:
    return await create_api_key(
        client.store, role=Role.PARTNER, label="scoped", actor="test", **scope
    )


async def _feed_as(client: GraphQLClient, key: str, **variables: Any) -> dict[str, Any]:
    response = await client.http.post(
        "/graphql",
        json={"query": FEED, "variables": {"first": 100, **variables}},
        headers={"Authorization": f"Bearer {key}"},
    )
    body: dict[str, Any] = response.json()
    return body


async def test_a_scoped_partner_key_sees_only_its_scope(reader: GraphQLClient) -> None:
    key = await _scoped_key(reader, entities=["Certificate"], regions=["210000"])

    everything = await _feed_as(reader, key)
    dalian = await _feed_as(reader, key, regions=["210200"])
    too_wide = await _feed_as(reader, key, regions=["440000"])
    other_entity = await _feed_as(reader, key, entities=["Institution"])

    seen = [edge["node"] for edge in everything["data"]["changes"]["edges"]]
    assert seen
    assert {node["entity"] for node in seen} == {"Certificate"}
    assert all(node["region"].startswith("21") for node in seen)
    assert "errors" not in dalian
    for refused in (too_wide, other_entity):
        assert refused["errors"][0]["extensions"]["code"] == "OUT_OF_SCOPE"


async def test_a_key_scoped_to_what_its_role_never_reads_is_refused_not_silent(
    reader: GraphQLClient,
) -> None:
    """A partner key scoped to complaints got an empty feed that read as "no changes"
    (twenty-fifth session's read-through)."""
    key = await _scoped_key(reader, entities=["Complaint"])

    feed = await _feed_as(reader, key)

    assert feed["errors"][0]["extensions"]["code"] == "OUT_OF_SCOPE", feed


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.ADMIN, {"entities": ["Certificate"]}),
        (Role.PARTNER, {"entities": ["Nothing"]}),
        (Role.PARTNER, {"regions": ["990000"]}),
    ],
)
async def test_scopes_are_for_partner_keys_and_name_known_things(
    reader: GraphQLClient, role: Role, scope: dict[str, list[str]]
) -> None:
    with pytest.raises(ValueError, match=r"."):
        await create_api_key(reader.store, role=role, label="x", actor="test", **scope)


async def test_entities_are_spelled_as_the_types_are_named_and_the_old_spelling_still_works(
    reader: GraphQLClient,
) -> None:
    key = await reader.key(Role.PARTNER)

    named, _ = await follow(reader, first=1000, entities=["CreditRating"])
    old, _ = await follow(reader, first=1000, entities=["CREDIT_RATING"])
    streamed = await _export(reader, key, "?entities=CreditRating")
    streamed_old = await _export(reader, key, "?entities=CREDIT_RATING")

    assert named
    assert {change["entity"] for change in named} == {"CreditRating"}
    assert old == named
    assert streamed_old.status_code == 200
    assert streamed_old.content == streamed.content
    assert [orjson.loads(line)["seq"] for line in streamed.content.splitlines()] == [
        change["seq"] for change in named
    ]


def test_the_graphql_enum_names_every_entity_in_both_spellings() -> None:
    documented = {entity.value for entity in ChangeEntity}
    old = {entity.name for entity in ChangeEntity}

    assert {member.value for member in ChangeEntityName} == documented | old
    assert all(change_entity(name) is not None for name in documented | old)


async def test_feed_pages_go_up_to_a_thousand(reader: GraphQLClient) -> None:
    allowed = await reader(FEED, {"first": 1000}, role=Role.PARTNER)
    too_many = await reader(FEED, {"first": 1001}, role=Role.PARTNER)

    assert "errors" not in allowed
    assert too_many["errors"][0]["extensions"]["code"] == "PAGE_SIZE_EXCEEDED"


async def _export(client: GraphQLClient, key: str | None, query: str = "") -> Any:
    headers = {} if key is None else {"Authorization": f"Bearer {key}"}
    return await client.http.get(f"/export/changes.ndjson{query}", headers=headers)


async def test_the_delta_stream_is_the_log_as_ndjson(reader: GraphQLClient) -> None:
    key = await reader.key(Role.PARTNER)

    response = await _export(reader, key, "?after=10")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = [orjson.loads(line) for line in response.content.splitlines()]
    head = int(response.headers["x-registry-head-seq"])
    shown = await feed_seqs(reader.store, after=10, role=Role.PARTNER)
    assert [line["seq"] for line in lines] == [seq for seq in shown if seq <= head]
    stored = await reader.store.get_changes(after=10, limit=5)
    assert lines[:5] == [asdict(change) for change in stored]


async def test_the_delta_stream_obeys_scope_and_filters(reader: GraphQLClient) -> None:
    key = await _scoped_key(reader, entities=["Certificate"], regions=["210000"])

    scoped = await _export(reader, key)
    narrowed = await _export(reader, await reader.key(Role.PARTNER), "?entities=CreditRating")
    wider = await _export(reader, key, "?regions=440000")

    entities = {orjson.loads(line)["entity"] for line in scoped.content.splitlines()}
    assert entities == {"Certificate"}
    assert {orjson.loads(line)["entity"] for line in narrowed.content.splitlines()} == {
        "CreditRating"
    }
    assert wider.status_code == 403
    assert wider.json()["errors"][0]["extensions"]["code"] == "OUT_OF_SCOPE"


@pytest.mark.parametrize(
    ("role", "query", "status", "code"),
    [
        (None, "", 403, "NOT_AUTHORIZED"),
        (Role.REGULATOR, "", 403, "NOT_AUTHORIZED"),
        (Role.PARTNER, "?after=-1", 400, "INVALID_CURSOR"),
        (Role.PARTNER, "?entities=Nothing", 400, "INVALID_ENTITY"),
        # Asked for nothing, or for what the key's feed never carries: refused, not an empty
        # stream that reads as "no changes" (twenty-fifth session's review).
        (Role.PARTNER, "?entities=", 400, "INVALID_ENTITY"),
        (Role.PARTNER, "?regions=,", 400, "INVALID_REGION"),
        (Role.PARTNER, "?entities=Complaint", 403, "OUT_OF_SCOPE"),
        (Role.ADMIN, "?entities=ApiKey", 403, "OUT_OF_SCOPE"),
    ],
)
async def test_the_delta_stream_refuses_clearly(
    reader: GraphQLClient, role: Role | None, query: str, status: int, code: str
) -> None:
    key = None if role is None else await reader.key(role)

    response = await _export(reader, key, query)

    assert response.status_code == status
    assert response.json()["errors"][0]["extensions"]["code"] == code


async def test_the_delta_stream_says_when_a_cursor_expired(api: GraphQLClient) -> None:
    await api.store.prune_changes(through=50)

    response = await _export(api, await api.key(Role.PARTNER), "?after=20")

    assert response.status_code == 410
    assert response.json()["errors"][0]["extensions"]["code"] == "CURSOR_EXPIRED"


async def test_a_prune_during_the_stream_ends_it_with_cursor_expired(
    api: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from registry.http import exports

    monkeypatch.setattr(exports, "EXPORT_PAGE", 10)
    head = (await api.store.change_head()).seq

    async def every(found: list[Any]) -> list[Any]:
        return found

    stream = exports._lines(api.store, 0, head, ChangeFilter(), every)

    first = await anext(stream)
    await api.store.prune_changes(through=50)
    rest = [chunk async for chunk in stream]

    assert [orjson.loads(line)["seq"] for line in first.splitlines()] == list(range(1, 11))
    last = orjson.loads(rest[-1])
    assert last["error"]["extensions"]["code"] == "CURSOR_EXPIRED"
    seen = [orjson.loads(line)["seq"] for chunk in rest[:-1] for line in chunk.splitlines()]
    assert seen == list(range(11, 11 + len(seen)))  # no gap before the error


async def test_filters_take_at_most_fifty_items(reader: GraphQLClient) -> None:
    body = await reader(FEED, {"regions": ["210000"] * 51}, role=Role.PARTNER)

    assert body["errors"][0]["extensions"]["code"] == "TOO_MANY"


def test_cursors_keep_the_spelling_partners_have_stored() -> None:
    """Cursors are kept by partners to resume: URL-safe base64 of ``["k", key]``, unpadded."""
    assert encode_cursor("100") == "WyJrIiwiMTAwIl0"
    assert encode_cursor("~~~") == "WyJrIiwifn5-Il0"  # URL-safe: - and _, not + and /
    assert encode_cursor("???") == "WyJrIiwiPz8_Il0"


async def test_a_credit_event_no_longer_public_is_left_out_for_a_partner_on_every_path(
    reader: GraphQLClient,
) -> None:
    """CE-2026-0007 was public until 2026-07-15: GraphQL hides it from a partner, and so must
    the feed, its NDJSON stream and the snapshot (oversight still sees it)."""
    lapsed = "CE-2026-0007"
    partner = await reader.key(Role.PARTNER)
    admin = await reader.key(Role.ADMIN)
    query = {"entities": ["CreditEvent"], "first": 1000}

    page = await reader(FEED, query, role=Role.PARTNER)
    overseen = await reader(FEED, query, role=Role.ADMIN)
    stream = await _export(reader, partner, "?entities=CreditEvent")
    shared = await reader.http.get(
        "/export/CreditEvent.ndjson", headers={"Authorization": f"Bearer {partner}"}
    )
    full = await reader.http.get(
        "/export/CreditEvent.ndjson", headers={"Authorization": f"Bearer {admin}"}
    )

    keys = [e["node"]["key"] for e in page["data"]["changes"]["edges"]]
    assert keys
    assert lapsed not in keys
    assert lapsed in [e["node"]["key"] for e in overseen["data"]["changes"]["edges"]]
    assert lapsed not in stream.text
    assert "CE-2026-0001" in stream.text
    assert lapsed not in shared.text
    assert "CE-2026-0001" in shared.text
    assert lapsed in full.text


async def test_a_credit_event_repaired_since_is_left_out_of_its_earlier_entries_too(
    api: GraphQLClient,
) -> None:
    """CE-T-8001 was public when recorded and repaired (信用修复) later: a partner reading the
    log afterwards finds neither entry, nor the snapshot before the repair; oversight both."""
    from tests.api.test_credit_file import call, event_row

    first = await call(api, "recordCreditEvents", [event_row("CE-T-8001")], role=Role.ADMIN)
    assert first["__typename"] == "RecordCreditEventsSuccess", first
    before_repair = (await api.store.change_head()).seq
    repaired = event_row("CE-T-8001", repairedOn="2026-11-15", repairNote="已整改并通过复查")
    again = await call(api, "recordCreditEvents", [repaired], role=Role.ADMIN)
    assert again["__typename"] == "RecordCreditEventsSuccess", again
    partner = await api.key(Role.PARTNER)
    admin = await api.key(Role.ADMIN)
    query = {"entities": ["CreditEvent"], "first": 1000}

    page = await api(FEED, query, role=Role.PARTNER)
    overseen = await api(FEED, query, role=Role.ADMIN)
    stream = await _export(api, partner, "?entities=CreditEvent")
    then = await api.http.get(
        f"/export/CreditEvent.ndjson?asOf={before_repair}",
        headers={"Authorization": f"Bearer {partner}"},
    )
    then_overseen = await api.http.get(
        f"/export/CreditEvent.ndjson?asOf={before_repair}",
        headers={"Authorization": f"Bearer {admin}"},
    )

    assert "CE-T-8001" not in [e["node"]["key"] for e in page["data"]["changes"]["edges"]]
    assert [e["node"]["key"] for e in overseen["data"]["changes"]["edges"]].count("CE-T-8001") == 2
    assert "CE-T-8001" not in stream.text
    assert "CE-2026-0001" in stream.text
    assert "CE-T-8001" not in then.text
    assert "CE-T-8001" in then_overseen.text


async def test_a_subscription_catching_up_lets_other_clients_run_between_its_changes(
    seeded_store: CypherStore,
) -> None:
    """A few subscriptions catching up from the start held every other client over a
    second: a batch of 500 changes went out without the event loop taking a turn
    (twenty-fourth session's review). Between two changes, another task runs."""
    key = await create_api_key(seeded_store, role=Role.PARTNER, label="follow", actor="test")
    header = f"Bearer {key}"
    context = Context(
        store=seeded_store,
        settings=settings_of_tests(),
        principal=await authenticate(seeded_store, header),
        loaders=Loaders.for_request(seeded_store, TODAY),
        request_id="follow",
        today=TODAY,
        connection_params={"Authorization": header},
    )
    turns = 0

    async def other_client() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    other = asyncio.create_task(other_client())
    schema = build_schema(settings_of_tests())
    followed = await schema.subscribe("subscription { changes { seq } }", context_value=context)
    assert not isinstance(followed, ExecutionResult), followed
    seen: list[int] = []
    async for result in followed:
        assert result.errors is None, result.errors
        seen.append(turns)
        if len(seen) == 60:
            break
    other.cancel()

    assert all(later > earlier for earlier, later in itertools.pairwise(seen)), seen
