"""The security controls of docs/security.md that no other file proves, and the checks
graphql-cop runs against a production endpoint.

docs/security.md maps every control to its tests.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query, parse
from starlette.applications import Starlette

from graph.changelog import GENESIS_HASH, ChangeDraft, chain_changes, first_broken_link
from graph.cypher_store import CypherStore
from graph.falkordb_store import FalkorDBStore
from graph.log_models import ChangeHead
from registry.app import create_app
from registry.auth import create_api_key
from registry.domain.permissions import MUTATION_ROLES
from registry.domain.vocabulary import Role
from registry.operations.document_audit import check_documents
from registry.schema.shape import DEFAULT_PAGE, query_cost
from registry.settings import Settings
from tests.api.conftest import CCSC, CNAS, CORRUPTED_CERTIFICATE, GraphQLClient, Snapshot
from tests.api.operations import new_uscc, organization_row
from tests.conftest import SECRET, TODAY

REGION = '{ region(code: "210200") { name } }'
LOOKUP = '{ verifyCertificate(number: "CCSC23SC0102R2") { verdict } }'
VERIFY = "query($n: String!) { verifyCertificate(number: $n) { verdict } }"
VALID_NUMBER = "CCSC23SC0102R2"
PRODUCTION_SECRET = "a-production-secret-of-at-least-32-bytes"
CORRUPTED_QUERY = f'{{ certificate(number: "{CORRUPTED_CERTIFICATE}") {{ number expiresOn }} }}'
INTERNALS = ("Traceback", "Exception", "stacktrace", 'File "', "FalkorDB", "redis", "socket")


def registry_app(store: CypherStore, **overrides: Any) -> Starlette:
    settings: dict[str, Any] = {
        "env": "test",
        "secret_key": SECRET.decode(),
        "load_seeds_when_empty": False,
        **overrides,
    }
    return create_app(Settings(**settings), store, today=lambda: TODAY)


@contextlib.asynccontextmanager
async def connect(
    app: Starlette, store: CypherStore, address: str = "192.0.2.10"
) -> AsyncIterator[GraphQLClient]:
    """A client of ``app`` calling from ``address`` (rate limits count per address)."""
    transport = httpx.ASGITransport(app=app, client=(address, 4711))
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as http:
        yield GraphQLClient(http, store)


@pytest.fixture
async def production(
    shared_seeded_store: CypherStore, tmp_path: Path
) -> AsyncIterator[GraphQLClient]:
    """The seeded app as it runs in production (``REGISTRY_ENV=production``)."""
    app = registry_app(
        shared_seeded_store,
        env="production",
        secret_key=PRODUCTION_SECRET,
        signing_keys_dir=tmp_path / "keys",
    )
    async with connect(app, shared_seeded_store) as client:
        yield client


async def post(client: GraphQLClient, query: str, key: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return await client.http.post("/graphql", json={"query": query}, headers=headers)


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body["errors"]]


# 3 Body-size cap -----------------------------------------------------------------------------


@pytest.mark.parametrize("declared", ["2000001", "lots"])
async def test_a_declared_length_over_the_cap_is_refused_before_the_body_is_read(
    reader: GraphQLClient, declared: str
) -> None:
    response = await reader.http.post(
        "/graphql",
        content=b'{"query": "{ __typename }"}',
        headers={"content-type": "application/json", "content-length": declared},
    )

    assert response.status_code == 413
    assert codes(response.json()) == ["BODY_TOO_LARGE"]


# 4 Query cost --------------------------------------------------------------------------------


async def test_a_query_whose_page_sizes_multiply_past_any_budget_is_refused(
    reader: GraphQLClient,
) -> None:
    # 15 x 100 x 100 x 100 certificates could come back; no institution matches, so the
    # refusal has to come from the shape of the query, not from the data.
    lookup = (
        'institutions(first: 100, filter: {nameContains: "没有这个名字"}) { edges { node {'
        " issuedCertificates(first: 100) { edges { node { issuer {"
        " issuedCertificates(first: 100) { edges { node { number } } } } } } } } } }"
    )
    query = "{ " + " ".join(f"i{n}: {lookup}" for n in range(15)) + " }"

    body = await reader(query, role=Role.ADMIN)

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


def test_the_cost_counts_objects_through_pages_variables_and_fragments() -> None:
    query = parse(
        "query Q($n: Int) { institutions(first: $n) { edges { node { uscc ...F } } } }"
        " fragment F on Institution { issuedCertificates(first: 10) { edges { node { number } } } }"
    )

    # institutions 1, edges n, node n, issuedCertificates n, edges 10 n, node 10 n
    assert query_cost(query, None, {"n": 5}) == 1 + 5 + 5 + 5 + 50 + 50
    assert query_cost(query, None, {}) == 1 + 3 * DEFAULT_PAGE + 20 * DEFAULT_PAGE
    hidden = parse(
        "{ institutions { ... on InstitutionConnection { edges { node {"
        " issuedCertificates { ...C } } } } } }"
        " fragment C on CertificateConnection { edges { node { number } } }"
    )
    # connections found through fragments still count at their default page
    assert query_cost(hidden, None, {}) == 1 + 3 * DEFAULT_PAGE + 2 * DEFAULT_PAGE**2


async def test_a_page_size_left_to_its_default_in_the_document_is_charged_at_it(
    reader: GraphQLClient,
) -> None:
    """A variable left out is its default as the operation writes it: charged 100 instead,
    ``query($n: Int = 1000)`` nested two pages of a 1,000-member group's members and held
    the server four minutes (twenty-fourth session's review)."""
    lookup = (
        'institution(uscc: "91210204768274391C") { members(first: $n) { uscc'
        " group { members(first: $n) { uscc } } } }"
    )
    written = f"query($n: Int! = 1000) {{ a: {lookup} b: {lookup} }}"

    for variables in ({}, {"n": 1000}):
        body = await reader(written, variables)
        assert body["data"] is None, variables
        assert codes(body) == ["QUERY_TOO_COSTLY"], body
    small = await reader(written.replace("= 1000", "= 5"))
    assert "errors" not in small, small
    assert query_cost(parse(written), None, {"n": 5}) == query_cost(
        parse(written.replace("= 1000", "= 5")), None, {}
    )


async def test_a_page_of_a_hundred_institutions_with_their_certificates_is_allowed(
    reader: GraphQLClient,
) -> None:
    query = (
        "{ institutions(first: 100) { edges { node { uscc issuedCertificates(first: 100) {"
        " edges { node { number } } } } } } }"
    )

    body = await reader(query, role=Role.ADMIN)

    assert "errors" not in body


# 6 Per-request timeout -------------------------------------------------------------------------


async def test_a_request_past_the_time_limit_is_stopped_with_503(
    shared_seeded_store: CypherStore,
) -> None:
    app = registry_app(shared_seeded_store, request_timeout_seconds=0.000_001)
    async with connect(app, shared_seeded_store) as client:
        response = await post(client, '{ certificate(number: "CCSC23SC0102R2") { number } }')

    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TIMEOUT"


async def test_a_write_applied_before_time_ran_out_is_never_said_to_be_stopped(
    seeded_store: CypherStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer of an applied write ran past the limit and was answered 'stopped': a
    client without an idempotency key would send it again. Its receipt is sent instead."""
    app = registry_app(seeded_store, request_timeout_seconds=0.5)
    read_institutions = seeded_store.get_institutions
    head = 1 << 62  # set once the key is made

    async def slow_after_the_write(usccs: Any) -> Any:  # reads once the write has landed
        if (await seeded_store.change_head()).seq > head:
            await asyncio.sleep(2.0)  # past the time limit and the second one a write gets
        return await read_institutions(usccs)

    mutation = """mutation { upsertInstitutions(input: [{uscc: "91210200000090018Y",
      name: "测试检测有限公司", kinds: [INSPECTION_TESTING], region: "210200"}]) {
      __typename ... on UpsertInstitutionsSuccess { institutions { uscc } } } }"""
    async with connect(app, seeded_store) as client:
        key = await client.key(Role.ADMIN)
        head = (await seeded_store.change_head()).seq
        monkeypatch.setattr(seeded_store, "get_institutions", slow_after_the_write)
        response = await post(client, mutation, key)

    body = response.json()
    assert (response.status_code, codes(body)) == (200, ["ANSWER_TIMED_OUT"]), body
    receipt, *after = body["errors"][0]["extensions"]["receipts"]  # then its rescore's
    assert (receipt["firstSeq"], receipt["written"]) == (head + 1, 1)
    [change] = await seeded_store.get_changes(after=head, limit=1)
    assert (change.entity, change.op) == ("Institution", "UPSERT")
    assert all(later["firstSeq"] > receipt["lastSeq"] for later in after)


async def test_a_write_on_the_wire_when_time_runs_out_lands_reported_and_audited(
    seeded_store: CypherStore,
) -> None:
    """Cancelled while its statement was on the wire, a write landed all the same: it was
    answered 'stopped' (503), and the digest kept after it was never written, so the audit
    could not tell it from a tampered record. A started write now runs to its end."""
    if not isinstance(seeded_store, FalkorDBStore):
        pytest.skip("the server's own pause (CLIENT PAUSE) is FalkorDB's")
    app = registry_app(seeded_store, request_timeout_seconds=0.5)
    mutation = f"""mutation {{ upsertInstitutions(input: [{{uscc: "{new_uscc(26, region="210200")}",
      name: "在途检测有限公司", kinds: [INSPECTION_TESTING], region: "210200"}}]) {{
      __typename ... on UpsertInstitutionsSuccess {{ institutions {{ uscc }} }} }} }}"""
    async with connect(app, seeded_store) as client:
        key = await client.key(Role.ADMIN)
        assert (await post(client, "{ __typename }", key)).status_code == 200  # key stamped
        head = (await seeded_store.change_head()).seq
        # The server holds every write command for 1.5 s: the statement goes out, and time
        # runs out while it waits for its reply.
        await seeded_store._command("CLIENT", "PAUSE", "1500", "WRITE")
        response = await post(client, mutation, key)

    body = response.json()
    assert (response.status_code, codes(body)) == (200, ["ANSWER_TIMED_OUT"]), body
    [receipt] = body["errors"][0]["extensions"]["receipts"]
    assert (receipt["firstSeq"], receipt["written"]) == (head + 1, 1)
    report = await check_documents(seeded_store)
    assert (report.altered, report.unverifiable) == (None, 0), report


async def test_a_request_that_started_writing_finishes_what_it_began(
    seeded_store: CypherStore,
) -> None:
    """A demand to a station is two writes (the request, then the station's rescore), and
    its token is shown once, in the answer. Cut at the time limit between the two, it was
    answered 'applied' with the token lost, so the request could never be evaluated. A
    request that has started writing now gets one more time limit to finish and answer."""
    if not isinstance(seeded_store, FalkorDBStore):
        pytest.skip("the server's own pause (CLIENT PAUSE) is FalkorDB's")
    # Seconds, not tenths: at 0.3 s and a 400 ms pause the second write had 0.2 s to land,
    # which a loaded CI machine once missed (twenty-fourth session's fresh-clone run).
    app = registry_app(seeded_store, request_timeout_seconds=1.0)
    mutation = """mutation { submitServiceRequest(input: {station: "1221010232988047XL",
      category: INSPECTION_TESTING, demand: "出口电机能效检测", enterprise: "沈阳恒达电机有限公司",
      contact: "张经理 13800000000"}) {
      __typename ... on SubmitServiceRequestSuccess { token request { id } } } }"""
    async with connect(app, seeded_store) as client:
        # The first write waits past the time limit, the second lands inside the next one.
        await seeded_store._command("CLIENT", "PAUSE", "1200", "WRITE")
        response = await post(client, mutation)

    body = response.json()
    assert response.status_code == 200, body
    answer = body["data"]["submitServiceRequest"]
    assert answer["token"].startswith("srt_"), body


# 5 Batching ----------------------------------------------------------------------------------


async def test_a_batch_of_ten_operations_is_refused(production: GraphQLClient) -> None:
    batch = [{"query": "query cop { __typename }"} for _ in range(10)]

    response = await production.http.post("/graphql", json=batch)

    assert response.status_code == 400
    assert "Batching is not enabled" in response.text
    assert "__typename" not in response.text


# 11 Rate limits per client and per credential ------------------------------------------------


async def test_each_client_address_has_its_own_lookup_allowance(
    shared_seeded_store: CypherStore,
) -> None:
    app = registry_app(shared_seeded_store, public_lookups_per_minute=2)
    async with (
        connect(app, shared_seeded_store, "198.51.100.1") as harvester,
        connect(app, shared_seeded_store, "198.51.100.2") as neighbour,
    ):
        for _ in range(2):
            assert (await post(harvester, LOOKUP)).status_code == 200
        refused = await post(harvester, LOOKUP)
        other = await post(neighbour, LOOKUP)

    assert refused.status_code == 429
    assert codes(refused.json()) == ["RATE_LIMITED"]
    assert other.status_code == 200


async def test_each_credential_has_its_own_request_allowance(
    shared_seeded_store: CypherStore,
) -> None:
    app = registry_app(shared_seeded_store, requests_per_minute=3)
    first, second = [
        await create_api_key(shared_seeded_store, role=Role.PARTNER, label="rate", actor="test")
        for _ in range(2)
    ]
    async with connect(app, shared_seeded_store) as client:
        for _ in range(3):
            assert (await post(client, REGION, first)).status_code == 200
        refused = await post(client, REGION, first)
        other_key = await post(client, REGION, second)
        anonymous = await post(client, REGION)

    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert (other_key.status_code, anonymous.status_code) == (200, 200)


async def test_an_anonymous_client_is_limited_by_its_address(
    shared_seeded_store: CypherStore,
) -> None:
    app = registry_app(shared_seeded_store, requests_per_minute=3)
    async with (
        connect(app, shared_seeded_store, "198.51.100.3") as busy,
        connect(app, shared_seeded_store, "198.51.100.4") as quiet,
    ):
        for _ in range(3):
            assert (await post(busy, REGION)).status_code == 200
        refused = await post(busy, REGION)
        other = await post(quiet, REGION)

    assert refused.status_code == 429
    assert other.status_code == 200


# 14 Function-level authorization on every mutation -------------------------------------------

MUTATION_FIELDS = """{ __type(name: "Mutation") {
  fields { name args { name type { kind ofType { kind } } } } } }"""
# Inputs that can never be written: an empty batch, or a plan without inspectors. The role is
# checked before the input, so a refused role says NotAuthorized and an allowed one
# InvalidInput; nothing is written either way.
EMPTY_LIST = "[]"
UNWRITABLE_INPUTS = {
    "resolveDispute": '{id: "nope", outcome: REJECTED, answer: "no"}',
    "disputeRecord": '{entity: CERTIFICATE, key: "?", field: "status", claim: "c", contact: "c"}',
    "advanceComplaint": '{id: "!", status: ACCEPTED}',
    "fileComplaint": '{against: "not-a-uscc", category: "c", details: "d"}',
    "drawSupervisionPlan": '{region: "210200", date: "2026-11-01", seed: 1, inspectors: []}',
    "submitServiceRequest": (
        '{station: "", category: METROLOGY, demand: "", enterprise: "", contact: ""}'
    ),
    "advanceServiceRequest": '{id: "", status: DONE}',
    "evaluateServiceRequest": '{id: "", token: "", answers: []}',
    "confirmServiceEvaluation": '{id: "", confirmation: CALL_BACK}',
    "confirmServiceRequest": '{id: "", confirmation: CALL_BACK}',
    "confirmServiceAssessment": '{certificate: "", confirmation: CALL_BACK}',
    "designateBenchmark": '{uscc: "", category: METROLOGY, year: 0, criteria: ""}',
}
# Mutations anyone may call: a complaint, a dispute, the demand to a station, and its
# evaluation by token.
PUBLIC_MUTATIONS = {
    "fileComplaint",
    "disputeRecord",
    "submitServiceRequest",
    "evaluateServiceRequest",
}


def unwritable_call(mutation: dict[str, Any]) -> str:
    [argument] = [a for a in mutation["args"] if a["name"] == "input"]
    shape = argument["type"]["ofType"]["kind"]
    value = EMPTY_LIST if shape == "LIST" else UNWRITABLE_INPUTS[mutation["name"]]
    return (
        f"mutation {{ {mutation['name']}(input: {value}) {{ __typename"
        " ... on MutationError { code field } } }"
    )


def caller(role: Role) -> dict[str, Any]:
    bound = {Role.CERTIFICATION_BODY: CCSC, Role.ACCREDITATION_BODY: CNAS}
    return {"role": role, "institution": bound.get(role)}


async def test_every_mutation_checks_the_callers_role_first(reader: GraphQLClient) -> None:
    schema = await reader(MUTATION_FIELDS, role=Role.ADMIN)
    mutations = schema["data"]["__type"]["fields"]
    assert {m["name"] for m in mutations} == set(MUTATION_ROLES)
    assert {name for name, roles in MUTATION_ROLES.items() if Role.PUBLIC in roles} == (
        PUBLIC_MUTATIONS
    )

    outcomes = {}
    for mutation in mutations:
        for role in Role:
            body = await reader(unwritable_call(mutation), **caller(role))
            assert "errors" not in body, body
            payload = body["data"][mutation["name"]]
            outcomes[mutation["name"], role] = (payload["__typename"], payload["code"])

    expected = {
        (name, role): ("InvalidInput", outcomes[name, role][1])
        if role in MUTATION_ROLES[name]
        else ("NotAuthorized", "NOT_AUTHORIZED")
        for name, role in outcomes
    }
    assert outcomes == expected


# 16 Cypher parameters only -------------------------------------------------------------------

HOSTILE = (
    '") MATCH (n) DETACH DELETE n //',
    "' OR 1=1 WITH 1 AS x MATCH (n) DETACH DELETE n //",
    '\\"}) RETURN 1 AS value //',
    "$value } RETURN 1 //",
    "CYPHER value=1 MATCH (n) RETURN n",
)
SEARCH = "query($h: String!) { searchCertificates(query: $h) { edges { node { number } } } }"
NAMED = """query($f: InstitutionFilter) { institutions(filter: $f, first: 5) { totalCount } }"""
ORGANIZATION = "query($u: String!) { organization(uscc: $u) { name } }"
UPSERT = """mutation($input: [OrganizationInput!]!) { upsertOrganizations(input: $input) {
  __typename ... on MutationError { code message } } }"""


@pytest.mark.neo4j_needs("full_text")
async def test_hostile_text_is_matched_and_stored_as_text_never_run_as_cypher(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    before = await snapshot()
    for text in HOSTILE:
        search = await api(SEARCH, {"h": text})
        verify = await api(VERIFY, {"n": text})
        named = await api(NAMED, {"f": {"nameContains": text}})
        assert search == {"data": {"searchCertificates": {"edges": []}}}
        assert verify == {"data": {"verifyCertificate": {"verdict": "NOT_FOUND"}}}
        assert named == {"data": {"institutions": {"totalCount": 0}}}
    assert await snapshot() == before

    rows = [organization_row(new_uscc(900 + n), name=text) for n, text in enumerate(HOSTILE)]
    written = await api(UPSERT, {"input": rows}, role=Role.ADMIN)
    assert written["data"]["upsertOrganizations"]["__typename"] == "UpsertOrganizationsSuccess"
    for row in rows:
        stored = await api(ORGANIZATION, {"u": row["uscc"]})
        assert stored == {"data": {"organization": {"name": row["name"]}}}
    after = await snapshot()
    assert after["institutions"] == before["institutions"]
    assert after["certificates"] == before["certificates"]


# 20 Read-your-writes -------------------------------------------------------------------------


async def test_a_public_read_after_a_write_sees_it_however_slowly_the_cache_refreshes(
    seeded_store: CypherStore,
) -> None:
    app = registry_app(seeded_store, response_cache_refresh_seconds=3600)
    async with connect(app, seeded_store) as client:
        for _ in range(2):  # the second answer comes from the response cache
            before = await client(VERIFY, {"n": VALID_NUMBER})
            assert before["data"]["verifyCertificate"]["verdict"] == "VALID"
        suspended = await client(
            "mutation($n: String!) { changeCertificateStatus(input: [{number: $n, status: "
            'SUSPENDED, reason: "监督审核不合格"}]) { __typename } }',
            {"n": VALID_NUMBER},
            role=Role.ADMIN,
        )
        after = await client(VERIFY, {"n": VALID_NUMBER})

    assert suspended["data"]["changeCertificateStatus"]["__typename"] == (
        "ChangeCertificateStatusSuccess"
    )
    assert after["data"]["verifyCertificate"]["verdict"] == "NOT_VALID"


# 24 Hash-chained changes ---------------------------------------------------------------------


def test_an_entry_forged_with_a_fresh_hash_of_its_own_breaks_the_next_link() -> None:
    at = "2026-11-22T08:00:00Z"
    drafts = [
        ChangeDraft("Certificate", f"CCSC26Q1000{n}", "UPSERT", {"status": "VALID"})
        for n in range(4)
    ]
    changes = chain_changes(ChangeHead(0, GENESIS_HASH), drafts, actor="partner:1", at=at)
    withdrawn = ChangeDraft("Certificate", "CCSC26Q10002", "UPSERT", {"status": "WITHDRAWN"})
    [forged] = chain_changes(ChangeHead(2, changes[1].hash), [withdrawn], actor="partner:1", at=at)

    assert forged.seq == 3
    assert first_broken_link([*changes[:2], forged, *changes[3:]]) == 4


# graphql-cop: what it sends a production endpoint --------------------------------------------


async def test_alias_overloading_with_101_aliases_is_refused(production: GraphQLClient) -> None:
    aliases = " ".join(f"alias{n}: __typename" for n in range(101))

    body = await production(f"query cop {{ {aliases} }}")

    assert body["data"] is None
    assert codes(body) == ["TOO_MANY_ALIASES"]


async def test_field_duplication_of_500_typenames_is_refused_before_validation(
    production: GraphQLClient,
) -> None:
    # Validation compares fields of one name pairwise: 490 such fields held the one thread
    # that validates every new document for 0.9 s, and sixty such requests, sent and
    # abandoned, kept every other client's new queries waiting 30 s.
    body = await production("query cop { " + "__typename \n" * 500 + "}")

    assert body["data"] is None
    assert codes(body) == ["QUERY_TOO_COSTLY"]
    assert "merge 500 fields of one name" in body["errors"][0]["message"]


ALIKE = (
    "region { code name level parent { code name level parent { code name level parent { "
    "code name level parent { code name } } } } } history { status effectiveOn reason actor } "
    "credit { score grade explanation computedOn factors { name value evidence } }"
)


@pytest.mark.parametrize(
    "selection",
    [
        # Seven of one name in each of seven in each of seven: 343 merged, 0.7 s to validate.
        "{ __schema { "
        + " ".join(
            "types { " + " ".join("fields { " + "type { name } " * 7 + "}" for _ in range(7)) + " }"
            for _ in range(7)
        )
        + " } }",
        # The same name through fragments spread side by side (each once, as validation
        # collects them) and through inline fragments.
        "{ "
        + " ".join(f"...F{n}" for n in range(40))
        + " } "
        + " ".join(f"fragment F{n} on Query {{ __typename }}" for n in range(40)),
        "{ " + "... on Query { serviceStandards { code } } " * 40 + "}",
        # Under 32 merged of any name, but each pair compared with all beneath it: 32 alike
        # fragments of ~30 fields took validation 0.1-0.8 s (twenty-third session's review).
        '{ institution(uscc: "X1") { '
        + " ".join(f"...F{n}" for n in range(32))
        + " } } "
        + " ".join(f"fragment F{n} on Institution {{ {ALIKE} }}" for n in range(32)),
        '{ institution(uscc: "X1") { ' + f"... on Institution {{ {ALIKE} }} " * 32 + "} }",
    ],
    ids=["nested-7x7x7", "forty-fragments", "forty-inline", "alike-fragments", "alike-inline"],
)
async def test_fields_validation_would_compare_pairwise_are_bounded_through_fragments(
    api: GraphQLClient, selection: str
) -> None:
    body = await api(selection, role=Role.ADMIN)

    assert body["data"] is None
    assert codes(body) == ["QUERY_TOO_COSTLY"], body


async def test_what_does_not_run_is_bounded_as_validation_reads_it(api: GraphQLClient) -> None:
    """Validation checks every operation and fragment of a document: a second operation,
    or a fragment never spread, each with 220 fields of one name, held the validating
    thread 0.2-0.4 s a request while the operation that ran was tiny (twenty-third
    session's review)."""
    heavy = " ".join(f'institution(uscc: "X{n}") {{ uscc }}' for n in range(40))
    second = {"query": f"query A {{ __typename }} query B {{ {heavy} }}", "operationName": "A"}
    unused = {"query": f"{{ __typename }} fragment U on Query {{ {heavy} }}"}

    for request in (second, unused):
        response = await api.http.post("/graphql", json=request)
        body = response.json()
        assert body["data"] is None, body
        assert codes(body) == ["QUERY_TOO_COSTLY"], body
        assert "merge 40 fields of one name" in body["errors"][0]["message"]


async def test_a_document_of_many_fragments_is_refused_before_validation(
    api: GraphQLClient,
) -> None:
    """Fragments spread side by side are compared pairwise by validation: 220 of one field
    each, no name merged more than 25 times, took 0.17-0.25 s a request anonymously
    (twenty-third session's review)."""
    names = "uscc name kinds address founded ownership status statusSince version".split()
    fragments = " ".join(
        f"fragment F{n} on Institution {{ {names[n % len(names)]} }}" for n in range(100)
    )
    spreads = " ".join(f"...F{n}" for n in range(100))

    body = await api(f'{{ institution(uscc: "X1") {{ {spreads} }} }} {fragments}')

    assert body["data"] is None
    assert codes(body) == ["QUERY_TOO_COSTLY"], body
    assert "100 fragments" in body["errors"][0]["message"]


async def test_fragments_that_share_a_field_as_clients_write_them_are_answered(
    api: GraphQLClient,
) -> None:
    # Eight fragments on one type, each naming the same field: a component library's query.
    fragments = " ".join(f"fragment F{n} on Region {{ code name }}" for n in range(8))
    spreads = " ".join(f"...F{n}" for n in range(8))

    body = await api(f'{{ region(code: "210200") {{ {spreads} }} }} {fragments}')

    assert body["data"]["region"]["code"] == "210200", body


async def test_field_duplication_of_500_data_fields_is_refused_by_the_token_limit(
    production: GraphQLClient,
) -> None:
    body = await production("query cop { " + 'region(code: "210200") { name } ' * 500 + "}")

    assert body["data"] is None
    assert codes(body) == ["TOO_MANY_TOKENS"]


@pytest.mark.parametrize(
    "directives",
    ["@aa" * 10, "@include(if: true) " * 50],
    ids=["ten-unknown", "fifty-repeated"],
)
async def test_directive_overloading_is_refused_before_execution(
    production: GraphQLClient, directives: str
) -> None:
    body = await production(f"query cop {{ __typename {directives} }}")

    assert body["data"] is None
    assert set(codes(body)) == {"GRAPHQL_VALIDATION_FAILED"}


async def test_directive_overloading_past_the_token_limit_is_one_error(
    production: GraphQLClient,
) -> None:
    body = await production("query cop { __typename " + "@aa " * 1000 + "}")

    assert body["data"] is None
    assert codes(body) == ["TOO_MANY_TOKENS"]


async def test_circular_fragments_are_refused(production: GraphQLClient) -> None:
    # A lookup inside the cycle: the gate counts lookups before GraphQL validates.
    query = (
        "query cop { ...A } "
        f'fragment A on Query {{ certificate(number: "{VALID_NUMBER}") {{ number }} ...B }} '
        "fragment B on Query { ...A }"
    )

    response = await post(production, query)

    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert "Cannot spread fragment 'A' within itself" in body["errors"][0]["message"]


CYCLE = "fields { type { " * 4 + "name" + " } }" * 4


@pytest.mark.parametrize(
    "query",
    [
        f"query cop {{ __schema {{ types {{ {CYCLE} }} }} }}",
        f'query cop {{ __type(name: "Query") {{ {CYCLE} }} }}',
    ],
    ids=["schema", "type"],
)
@pytest.mark.parametrize(
    ("role", "code"),
    [
        # Anonymous callers may not introspect at all; that guard answers before validation.
        (Role.PUBLIC, "INTROSPECTION_DISABLED"),
        (Role.REGULATOR, "GRAPHQL_VALIDATION_FAILED"),
    ],
)
async def test_circular_introspection_is_refused(
    production: GraphQLClient, query: str, role: Role, code: str
) -> None:
    body = await production(query, role=role)

    assert body["data"] is None
    assert set(codes(body)) == {code}


@pytest.mark.parametrize(
    "query",
    [
        "query cop { __schema { queryType { name } } }",
        'query cop { __type(name: "Query") { name } }',
        "query cop { ... on Query { __schema { types { name } } } }",
        "query cop { ...F } fragment F on Query { ... on Query { __schema { types { name } } } }",
    ],
    ids=["schema", "type", "inline-fragment", "nested-fragments"],
)
async def test_introspection_is_refused_to_anonymous_callers_in_production(
    production: GraphQLClient, query: str
) -> None:
    body = await production(query)

    assert body.get("data") is None
    assert body["errors"]


async def test_introspection_stays_open_to_credentialed_callers_in_production(
    production: GraphQLClient,
) -> None:
    body = await production(get_introspection_query(), role=Role.PARTNER)

    assert "errors" not in body
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"
    assert (await production("query cop { __typename }"))["data"] == {"__typename": "Query"}


@pytest.mark.parametrize("accept", ["text/html", "text/html,application/xhtml+xml,*/*"])
async def test_no_ide_is_served_in_production(production: GraphQLClient, accept: str) -> None:
    response = await production.http.get("/graphql", headers={"accept": accept})

    assert response.status_code == 405
    assert codes(response.json()) == ["METHOD_NOT_ALLOWED"]
    assert "graphiql" not in response.text.lower()
    assert (await production.http.get("/graphiql/boot.js")).status_code == 404


async def test_a_misspelt_field_gets_no_suggestion(production: GraphQLClient) -> None:
    body = await production('query cop { regon(code: "210200") { nme } }')

    assert body["data"] is None
    assert "Did you mean" not in str(body)
    assert "region" not in str(body)


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ('query cop { region(cod: "210200") { name } }', {}),
        ("query cop { ...F } fragment F on Regio { name }", {}),
        (
            "query cop($k: InstitutionKind) { institutions(filter: {kind: $k}) { totalCount } }",
            {"k": "INSPECTON_TESTING"},
        ),
    ],
    ids=["argument", "type", "enum-variable"],
)
async def test_other_misspellings_get_no_suggestion(
    production: GraphQLClient, query: str, variables: dict[str, Any]
) -> None:
    body = await production(query, variables)

    assert body["data"] is None
    assert "Did you mean" not in str(body)


async def test_unexpected_errors_are_masked_in_production(
    corrupted_store: CypherStore, tmp_path: Path
) -> None:
    app = registry_app(
        corrupted_store,
        env="production",
        secret_key=PRODUCTION_SECRET,
        signing_keys_dir=tmp_path / "keys",
    )
    async with connect(app, corrupted_store) as client:
        response = await post(client, CORRUPTED_QUERY)

    body = response.json()
    assert body["data"] == {"certificate": None}
    assert [error["message"] for error in body["errors"]] == ["Unexpected error."]
    assert codes(body) == ["INTERNAL_ERROR"]
    for internal in (*INTERNALS, "Error", "isoformat"):
        assert internal not in response.text


async def test_a_malformed_query_shows_no_internals(production: GraphQLClient) -> None:
    response = await post(production, "query cop { __typename {}")

    assert codes(response.json()) == ["GRAPHQL_PARSE_FAILED"]
    for internal in INTERNALS:
        assert internal not in response.text


@pytest.mark.parametrize(
    "query", ["query cop { __typename }", "mutation cop { __typename }"], ids=["query", "mutation"]
)
@pytest.mark.parametrize("accept", ["application/json", "text/html"])
async def test_get_operations_are_refused_in_production(
    production: GraphQLClient, query: str, accept: str
) -> None:
    response = await production.http.get(
        "/graphql", params={"query": query}, headers={"accept": accept}
    )

    assert response.status_code == 405
    assert codes(response.json()) == ["METHOD_NOT_ALLOWED"]


async def test_a_get_mutation_with_a_key_writes_nothing(production: GraphQLClient) -> None:
    key = await production.key(Role.ADMIN)
    head = await production.store.change_head()
    mutation = (
        "mutation { upsertOrganizations(input: [{uscc: "
        f'"{new_uscc(950)}", name: "GET 写入", region: "210213"}}]) {{ __typename }} }}'
    )

    response = await production.http.get(
        "/graphql", params={"query": mutation}, headers={"authorization": f"Bearer {key}"}
    )

    assert response.status_code == 405
    assert codes(response.json()) == ["METHOD_NOT_ALLOWED"]
    assert await production.store.change_head() == head


@pytest.mark.parametrize(
    "query", ["query cop { __typename }", "mutation cop { __typename }"], ids=["query", "mutation"]
)
async def test_urlencoded_posts_are_refused_in_production(
    production: GraphQLClient, query: str
) -> None:
    response = await production.http.post("/graphql", data={"query": query})

    assert response.status_code == 415
    assert codes(response.json()) == ["UNSUPPORTED_MEDIA_TYPE"]
