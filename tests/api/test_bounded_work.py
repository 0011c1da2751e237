"""Bounded work for every request (issue 12, item 3): the shape of an operation is measured
in time linear in the document, each fragment once, and a document whose expansion passes
the cost limit is refused before it is validated or run; parsing and validation happen off
the event loop.

The served side (a health probe answering while such documents arrive) is in
``e2e/test_bounded_serving.py``; the times are in ``bench/bounded.py``.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from graphql import DocumentNode, FragmentDefinitionNode, SelectionSetNode, parse

import registry.schema.document_cache as document_cache
import registry.schema.guards as guards
from bench.bounded import conflicting_arguments, fan_out
from graph.cypher_store import CypherStore
from registry.http.lookups import count_lookups
from registry.resolvers.root import build_schema
from registry.schema.document_cache import DocumentCache
from registry.schema.shape import FragmentCycle, Shape, list_fields, measure
from registry.settings import Settings
from tests.api.test_security_controls import codes, connect, post, registry_app

# Two response names, without aliases (an alias in a fan-out is refused as 2^k aliases).
LOOKUPS = (
    'verifyCertificate(number: "CCSC23SC0102R2") { verdict } '
    'certificate(number: "CCSC23SC0102R2") { number }'
)


class CountedFragment(FragmentDefinitionNode):
    """A fragment that counts how often its selections are read."""

    __slots__ = ("_selection_set", "reads")

    @property  # type: ignore[override]
    def selection_set(self) -> SelectionSetNode:
        self.reads += 1
        return self._selection_set

    @selection_set.setter
    def selection_set(self, value: SelectionSetNode) -> None:
        self.reads = 0
        self._selection_set = value


def counted(document: str) -> tuple[DocumentNode, list[CountedFragment]]:
    """``document`` parsed, its fragments replaced by counting copies."""
    definitions = [
        CountedFragment(**{key: getattr(d, key) for key in d.keys})
        if isinstance(d, FragmentDefinitionNode)
        else d
        for d in parse(document).definitions
    ]
    fragments = [d for d in definitions if isinstance(d, CountedFragment)]
    return DocumentNode(definitions=tuple(definitions)), fragments


def test_each_fragment_is_read_a_fixed_number_of_times_however_often_it_is_spread() -> None:
    # Walking every spread reads the last of 12 doubling fragments 4,096 times.
    document, fragments = counted(fan_out(12))

    shape = measure(document, None, {})

    assert shape.fields == 2**12
    assert max(f.reads for f in fragments) <= 2


@pytest.mark.parametrize("levels", [30, 60])
def test_the_fan_out_is_measured_without_being_expanded(levels: int) -> None:
    shape = measure(parse(fan_out(levels)), None, {})

    assert shape == Shape(fields=2**levels, repeated=1)  # a spread merges once


def test_depth_aliases_and_cost_add_up_through_repeated_spreads() -> None:
    document = parse(
        "{ ...A ...A } fragment A on Query { x: institutions(first: 3) { edges { node {"
        " y: issuedCertificates(first: 2) { edges { node { number } } } } } } }"
    )

    shape = measure(document, None, {})

    # per A: institutions 1, edges 3, node 3, issuedCertificates 3, edges 6, node 6
    assert shape == Shape(cost=2 * 22, fields=2 * 7, depth=6, aliases=2 * 2, repeated=1)


def test_introspection_adds_no_depth() -> None:
    document = parse('{ __type(name: "Query") { ofType { ofType { ofType { name } } } } }')

    assert measure(document, None, {}).depth == 0


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{ ...A } fragment A on Query { ...A }", "Cannot spread fragment 'A' within itself."),
        (
            "{ ...A } fragment A on Query { ...B } fragment B on Query { region { ...A } }",
            "Cannot spread fragment 'A' within itself via 'B'.",
        ),
    ],
)
def test_a_fragment_that_spreads_itself_is_a_cycle(document: str, message: str) -> None:
    with pytest.raises(FragmentCycle, match=message.replace("(", r"\(")):
        measure(parse(document), None, {})


def test_lookups_are_counted_once_per_response_name_through_any_fan_out() -> None:
    document = parse(fan_out(60, leaf=LOOKUPS))

    assert count_lookups(document, None) == 2


def test_lookups_are_what_the_executor_runs_one_per_response_name() -> None:
    lookup = 'verifyCertificate(number: "CCSC23SC0102R2") { verdict }'
    document = parse(
        f"{{ ...A ...B {lookup} other: {lookup} }}"
        f" fragment A on Query {{ {lookup} }} fragment B on Query {{ ... on Query {{ {lookup} }} }}"
    )

    # The executor merges the three copies named verifyCertificate; the alias is another.
    assert count_lookups(document, None) == 2


@pytest.mark.parametrize("levels", [30, 60])
async def test_the_fan_out_is_refused_as_too_costly(
    shared_seeded_store: CypherStore, levels: int
) -> None:
    app = registry_app(shared_seeded_store)
    async with connect(app, shared_seeded_store) as client:
        response = await post(client, fan_out(levels))

    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert codes(body) == ["QUERY_TOO_COSTLY"]
    # Past 32 fragments the document is refused for them before its shape is measured.
    said = f"{2**levels:,} fields" if levels < 32 else f"{levels + 1} fragments"
    assert said in body["errors"][0]["message"]


DALIAN_GROUP = "91210204768274391C"  # six members, each of which names the group


def nested_members(levels: int) -> str:
    """A group's members' group's members ...: lists without pages, nested."""
    inner = "uscc name"
    for _ in range(levels):
        inner = f"members {{ group {{ {inner} }} }}"
    return f'{{ institution(uscc: "{DALIAN_GROUP}") {{ {inner} }} }}'


async def test_nested_lists_without_pages_are_charged_for_what_they_hold(
    shared_seeded_store: CypherStore,
) -> None:
    """Each list counted as one object: four levels of a 36-member group's members held the
    server for 23 s for anyone, at a cost of 9. Then each list was charged 20 items, and
    three levels of a 399-member group's members (64 million objects, charged 842) held it
    past its time limit: members take a page (100 unless asked), charged item by item."""
    app = registry_app(shared_seeded_store)
    async with connect(app, shared_seeded_store) as client:
        answered = await post(client, nested_members(2))
        paged = await post(client, nested_members(3).replace("members", "members(first: 2)"))
        refused = await post(client, nested_members(3))

    assert "errors" not in answered.json(), answered.json()
    assert len(answered.json()["data"]["institution"]["members"]) == 6
    assert len(paged.json()["data"]["institution"]["members"]) == 2, paged.json()
    body = refused.json()
    assert (body["data"], codes(body)) == (None, ["QUERY_TOO_COSTLY"])
    assert "could return 2,030,302 objects" in body["errors"][0]["message"]


PAYLOAD_MEMBERS = """mutation($i: [InstitutionInput!]!) { upsertInstitutions(input: $i) {
  ... on UpsertInstitutionsSuccess { institutions { uscc group { members(first: 1000) {
  uscc name } } } } } }"""


def test_the_lists_a_mutation_answers_are_charged_a_batch() -> None:
    """A 1,000-row upsert answered each row's group's 1,000 members: a million objects and
    53 MB in 10 s, with /healthz held 8.7 s, charged 20,062 (each answer list as 20)."""
    lists = list_fields(build_schema(Settings())._schema)
    spread = (
        "mutation($i: [InstitutionInput!]!) { upsertInstitutions(input: $i) { ...P } }"
        " fragment P on UpsertInstitutionsSuccess { institutions { uscc } }"
    )
    # 2^40 spreads at the answer's level, each fragment measured once for it
    chain = " ".join(
        f"fragment R{i} on UpsertInstitutionsSuccess {{ ...R{i + 1} ...R{i + 1} }}"
        for i in range(40)
    )
    fanned = (
        "mutation($i: [InstitutionInput!]!) { upsertInstitutions(input: $i) { ...R0 } } "
        + chain
        + " fragment R40 on UpsertInstitutionsSuccess { institutions { uscc } }"
    )

    # the answer 1, its rows 1,000 each with a group 1 and 1,000 members
    assert measure(parse(PAYLOAD_MEMBERS), None, {}, lists).cost == 1 + 1 + 1000 * (
        1 + 1 + (1 + 1000)
    )
    assert measure(parse(spread), None, {}, lists).cost == 1 + 1 + 1000
    assert measure(parse(fanned), None, {}, lists).cost == 1 + 2**40 * (1 + 1000)


def test_a_page_size_sent_as_a_whole_float_is_charged_as_the_page_it_is() -> None:
    """1000.0 is coerced to the Int 1000, so it is charged 1,000, not the default page."""
    document = parse("query($n: Int) { changes(first: $n) { edges { node { seq } } } }")

    as_float = measure(document, None, {"n": 1000.0})

    assert as_float == measure(document, None, {"n": 1000})
    assert as_float.cost == 1 + 1000 * 2


async def test_a_fan_out_of_lookups_is_refused_and_counted_as_its_response_names(
    shared_seeded_store: CypherStore,
) -> None:
    app = registry_app(shared_seeded_store, public_lookups_per_minute=4)
    async with connect(app, shared_seeded_store, "198.51.100.30") as client:
        refused = [await post(client, fan_out(30, leaf=LOOKUPS)) for _ in range(2)]
        over = await post(client, fan_out(30, leaf=LOOKUPS))

    assert [codes(r.json()) for r in refused] == [["QUERY_TOO_COSTLY"]] * 2
    assert over.status_code == 429


async def test_documents_are_parsed_and_validated_off_the_event_loop(
    shared_seeded_store: CypherStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []

    def recorded(work: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            threads.append(threading.current_thread().name)
            return work(*args, **kwargs)

        return run

    monkeypatch.setattr(document_cache, "parse", recorded(document_cache.parse))
    monkeypatch.setattr(
        document_cache, "validate_document", recorded(document_cache.validate_document)
    )
    app = registry_app(shared_seeded_store)
    async with connect(app, shared_seeded_store) as client:
        body = (await post(client, conflicting_arguments(20))).json()

    assert codes(body)[0] == "GRAPHQL_VALIDATION_FAILED"
    assert len(threads) == 2  # parsed once (the gate and GraphQL share it), validated once
    assert threading.main_thread().name not in threads


async def test_the_document_cache_is_bounded_in_bytes() -> None:
    cache = DocumentCache(max_tokens=2000, max_bytes=2_000_000)

    for n in range(200):
        await cache.parsed(conflicting_arguments(100, code=n))

    assert 0 < cache.weight <= 2_000_000
    assert len(cache) < 200


PAGED = "query P($n: Int) { institutions(first: $n) { edges { node { name } } } }"


async def test_a_cached_document_is_walked_once_and_held_to_each_request_s_page_size(
    shared_seeded_store: CypherStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    walks: list[str] = []
    literal_check = guards._bad_literal

    def recorded(document: DocumentNode) -> bool:
        walks.append("walked")
        return literal_check(document)

    monkeypatch.setattr(guards, "_bad_literal", recorded)
    app = registry_app(shared_seeded_store)
    async with connect(app, shared_seeded_store) as client:
        answers = [
            (await client.http.post("/graphql", json={"query": PAGED, "variables": {"n": n}}))
            for n in (5, 10**9, 5, 10**9)
        ]

    refused = [codes(a.json()) if "errors" in a.json() else [] for a in answers]
    assert refused == [[], ["QUERY_TOO_COSTLY"], [], ["QUERY_TOO_COSTLY"]]
    assert walks == ["walked"]  # the document's own checks ran once, on the first request


async def test_a_cached_document_with_bad_text_is_refused_every_time(
    shared_seeded_store: CypherStore,
) -> None:
    app = registry_app(shared_seeded_store)
    document = '{ verifyCertificate(number: "CCSC\\u0000") { verdict } }'
    async with connect(app, shared_seeded_store) as client:
        bodies = [(await post(client, document)).json() for _ in range(3)]

    assert [codes(b) for b in bodies] == [["INVALID_TEXT"]] * 3
