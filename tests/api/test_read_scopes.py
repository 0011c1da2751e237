"""A key's scope on every read path (issue 12): lists and nested connections, fields that
are not public, networks, the change feed and its NDJSON stream, and the snapshots. Answers
are checked against the seed files (tests/api/seedfacts.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
import pytest

from graph.cypher.exports import EXPORTED
from registry.auth import create_api_key
from registry.domain.vocabulary import Role
from tests.api import seedfacts
from tests.api.conftest import GraphQLClient
from tests.api.operations import CCSC, CQC, DALIAN_PRODUCT_INSTITUTE, error_code

GUANGDONG = "440000"
GUANGDONG_BODY = "91440106732910130L"  # 广东粤质认证, represented by 陈志强
GUANGZHOU_HOLDER = "91440112236187836Q"
DALIAN_CERTIFICATE = "CCSC23SC0102R2"
GUANGZHOU_CERTIFICATE = "YZC24S20811"

CERTIFICATES = """query($filter: CertificateFilter) {
  certificates(first: 100, filter: $filter) { totalCount edges { node { number } } } }"""
INSTITUTIONS = """query($region: String) {
  institutions(first: 100, filter: {region: $region}) { totalCount edges { node { uscc } } } }"""
HELD = """query($u: String!) { organization(uscc: $u) { certificates(first: 100) {
  totalCount edges { node { number } } } } }"""
ISSUED = """query($u: String!) { institution(uscc: $u) { issuedCertificates(first: 100) {
  totalCount } } }"""
ACTORS = """query($n: String!) { certificate(number: $n) { history { actor } } }"""
CONFIDENTIAL = """query($u: String!) { institution(uscc: $u) {
  legalRepresentative complaints { id details } } }"""
ANOMALIES = """query($region: String) { anomalies(region: $region) {
  certificates { certificate { number } } scanned } }"""
NETWORK = (
    """query($u: String!) { institution(uscc: $u) { network(depth: 1) { nodes { label } } } }"""
)
CONNECTION = """query($from: String!, $to: String!) {
  connection(from: $from, to: $to, maxDepth: 2) { length } }"""


async def scoped_partner(
    client: GraphQLClient,
    *,
    entities: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
) -> str:
    return await create_api_key(
        client.store,
        role=Role.PARTNER,
        label="scoped",
        actor="test",
        entities=entities,
        regions=regions,
    )


def numbers(body: dict[str, Any], *path: str) -> set[str]:
    assert "errors" not in body, body
    found: Any = body["data"]
    for name in path:
        found = found[name]
    return {edge["node"]["number"] for edge in found["edges"]}


def in_guangdong(row: dict[str, Any]) -> bool:
    """A certificate's region is its holder's (recorded on the certificate when issued)."""
    return seedfacts.holder_region(row) in seedfacts.region_subtree(GUANGDONG)


# lists -----------------------------------------------------------------------------------


async def test_a_partner_scoped_to_guangdong_lists_only_its_certificates(
    reader: GraphQLClient,
) -> None:
    key = await scoped_partner(reader, entities=["Certificate"], regions=[GUANGDONG])

    listed = await reader(CERTIFICATES, bearer=key)

    expected = seedfacts.certificates(in_guangdong)
    assert numbers(listed, "certificates") == expected
    assert listed["data"]["certificates"]["totalCount"] == len(expected) == 19
    assert DALIAN_CERTIFICATE not in numbers(listed, "certificates")


async def test_a_scoped_partner_asking_beyond_its_scope_is_refused(
    reader: GraphQLClient,
) -> None:
    key = await scoped_partner(reader, entities=["Certificate"], regions=[GUANGDONG])

    dalian = await reader(CERTIFICATES, {"filter": {"region": "210200"}}, bearer=key)
    institutions = await reader(INSTITUTIONS, bearer=key)

    assert error_code(dalian) == "OUT_OF_SCOPE"
    assert error_code(institutions) == "OUT_OF_SCOPE"  # institutions are not in its entities


async def test_nested_certificate_connections_keep_to_the_scope(reader: GraphQLClient) -> None:
    key = await scoped_partner(reader, regions=[GUANGDONG])

    dalian = await reader(HELD, {"u": DALIAN_PRODUCT_INSTITUTE}, bearer=key)
    guangzhou = await reader(HELD, {"u": GUANGZHOU_HOLDER}, bearer=key)

    assert numbers(dalian, "organization", "certificates") == set()
    assert numbers(guangzhou, "organization", "certificates") == seedfacts.certificates(
        lambda row: row["holder"] == GUANGZHOU_HOLDER
    )


async def test_a_partner_scoped_to_institutions_lists_those_of_its_regions(
    reader: GraphQLClient,
) -> None:
    key = await scoped_partner(reader, entities=["Institution"], regions=[GUANGDONG])

    listed = await reader(INSTITUTIONS, bearer=key)

    uscc = {edge["node"]["uscc"] for edge in listed["data"]["institutions"]["edges"]}
    assert uscc == seedfacts.usccs_of_institutions(
        lambda row: row["region"] in seedfacts.region_subtree(GUANGDONG)
    )


async def test_a_certification_body_lists_its_own_certificates_only(
    reader: GraphQLClient,
) -> None:
    own = await reader(CERTIFICATES, role=Role.CERTIFICATION_BODY, institution=CCSC)
    cqc = await reader(
        CERTIFICATES, {"filter": {"issuer": CQC}}, role=Role.CERTIFICATION_BODY, institution=CCSC
    )
    issued = await reader(ISSUED, {"u": CQC}, role=Role.CERTIFICATION_BODY, institution=CCSC)
    held = await reader(
        HELD, {"u": GUANGZHOU_HOLDER}, role=Role.CERTIFICATION_BODY, institution=CCSC
    )

    assert numbers(own, "certificates") == seedfacts.certificates(lambda r: r["issuer"] == CCSC)
    assert error_code(cqc) == "OUT_OF_SCOPE"
    assert error_code(issued) == "OUT_OF_SCOPE"
    assert numbers(held, "organization", "certificates") == set()  # CQC's and 粤质's only


async def test_an_association_lists_no_certificates(reader: GraphQLClient) -> None:
    body = await reader(CERTIFICATES, role=Role.ASSOCIATION)

    assert error_code(body) == "NOT_AUTHORIZED"


@pytest.mark.parametrize("role", [Role.STATION, Role.ACCREDITATION_BODY])
async def test_stations_and_accreditation_bodies_list_no_certificates(
    reader: GraphQLClient, role: Role
) -> None:
    """Both listed every certificate in the country (89 of them): a list is what a harvester
    wants, and neither role needs one. They look certificates up by number."""
    listed = await reader(CERTIFICATES, role=role)
    nested = await reader(
        """{ institution(uscc: "121101064193791361") {
          issuedCertificates(first: 3) { totalCount } } }""",
        role=role,
    )
    one = await reader('{ certificate(number: "CCSC23SC0102R2") { number } }', role=role)

    assert error_code(listed) == "NOT_AUTHORIZED"
    assert error_code(nested) == "NOT_AUTHORIZED"
    assert one["data"]["certificate"]["number"] == "CCSC23SC0102R2"


# fields that are not public ----------------------------------------------------------------


async def test_a_partner_sees_who_recorded_a_status_change_only_within_its_scope(
    reader: GraphQLClient,
) -> None:
    key = await scoped_partner(reader, regions=[GUANGDONG])

    dalian = await reader(ACTORS, {"n": DALIAN_CERTIFICATE}, bearer=key)
    guangzhou = await reader(ACTORS, {"n": GUANGZHOU_CERTIFICATE}, bearer=key)

    assert {step["actor"] for step in dalian["data"]["certificate"]["history"]} == {None}
    assert all(step["actor"] for step in guangzhou["data"]["certificate"]["history"])


async def test_a_regulator_sees_confidential_fields_only_in_its_region(
    reader: GraphQLClient,
) -> None:
    dalian = await create_api_key(
        reader.store, role=Role.REGULATOR, regions=["210200"], label="dl", actor="test"
    )

    own = await reader(CONFIDENTIAL, {"u": DALIAN_PRODUCT_INSTITUTE}, bearer=dalian)
    other = await reader(CONFIDENTIAL, {"u": GUANGDONG_BODY}, bearer=dalian)

    assert "errors" not in own, own
    seeded = [c for c in seedfacts.seed("complaints") if c["against"] == DALIAN_PRODUCT_INSTITUTE]
    assert {c["id"] for c in own["data"]["institution"]["complaints"]} == {c["id"] for c in seeded}
    assert other["data"]["institution"] == {"legalRepresentative": None, "complaints": None}
    assert {e["extensions"]["code"] for e in other["errors"]} == {"NOT_AUTHORIZED"}
    assert "陈志强" not in str(other)


async def test_a_regulator_sees_records_past_their_publicity_only_in_its_region(
    reader: GraphQLClient,
) -> None:
    dalian = await create_api_key(
        reader.store, role=Role.REGULATOR, regions=["210200"], label="dl", actor="test"
    )
    events = "query($u: String!) { institution(uscc: $u) { creditEvents { id } } }"

    own = await reader(events, {"u": "91210211401294580D"}, bearer=dalian)
    other = await reader(events, {"u": "91440306284504074J"}, bearer=dalian)

    # Both rectification orders left their publicity period (2026-08-20, 2026-07-15).
    assert "CE-2026-0016" in {e["id"] for e in own["data"]["institution"]["creditEvents"]}
    assert "CE-2026-0007" not in {e["id"] for e in other["data"]["institution"]["creditEvents"]}


async def test_a_regulator_explores_networks_only_in_its_region(reader: GraphQLClient) -> None:
    dalian = await create_api_key(
        reader.store, role=Role.REGULATOR, regions=["210200"], label="dl", actor="test"
    )

    elsewhere = await reader(ANOMALIES, {"region": GUANGDONG}, bearer=dalian)
    own = await reader(ANOMALIES, {"region": None}, bearer=dalian)
    network = await reader(NETWORK, {"u": GUANGDONG_BODY}, bearer=dalian)
    chain = await reader(
        CONNECTION, {"from": GUANGDONG_BODY, "to": DALIAN_PRODUCT_INSTITUTE}, bearer=dalian
    )
    picture = await reader.http.get(
        f"/institutions/{GUANGDONG_BODY}/network.svg", headers={"Authorization": f"Bearer {dalian}"}
    )

    assert error_code(elsewhere) == "OUT_OF_SCOPE"
    assert error_code(network) == "NOT_AUTHORIZED"
    assert error_code(chain) == "OUT_OF_SCOPE"
    assert "陈志强" not in str(network) + str(chain)
    dalian_certificates = seedfacts.certificates(
        lambda row: seedfacts.holder_region(row) in seedfacts.region_subtree("210200")
    )
    assert own["data"]["anomalies"]["scanned"] == len(dalian_certificates)
    assert picture.status_code == 403
    assert "陈志强" not in picture.text


# the feed, its stream, the snapshots --------------------------------------------------------

FEED = """query($after: String) { changes(first: 1000, after: $after) {
  edges { node { entity data } } pageInfo { hasNextPage endCursor } } }"""


async def feed_entities(client: GraphQLClient, key: str) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        body = await client(FEED, {"after": after}, bearer=key)
        assert "errors" not in body, body
        page = body["data"]["changes"]
        seen += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


async def test_the_partner_feed_carries_no_keys_and_no_complaints(reader: GraphQLClient) -> None:
    key = await scoped_partner(reader)
    admin = await reader.key(Role.ADMIN)

    partner_feed = await feed_entities(reader, key)
    admin_feed = await feed_entities(reader, admin)
    stream = await reader.http.get(
        "/export/changes.ndjson", headers={"Authorization": f"Bearer {key}"}
    )

    assert {c["entity"] for c in partner_feed} >= {"Certificate", "Institution"}
    assert not {"ApiKey", "Complaint"} & {c["entity"] for c in partner_feed}
    streamed = [orjson.loads(line) for line in stream.content.splitlines()]
    assert not {"ApiKey", "Complaint"} & {line["entity"] for line in streamed}
    assert len(streamed) == len(partner_feed)
    entities = {c["entity"] for c in admin_feed}
    assert "Complaint" in entities  # operators may read complaints
    assert "ApiKey" not in entities  # nobody syncs credentials
    for complaint in seedfacts.seed("complaints"):
        assert complaint["id"] not in stream.text


async def test_snapshots_carry_no_keys_and_no_complaint_data(reader: GraphQLClient) -> None:
    key = await scoped_partner(reader)
    complaints = seedfacts.seed("complaints")

    for entity in EXPORTED:
        response = await reader.http.get(
            f"/export/{entity}.ndjson", headers={"Authorization": f"Bearer {key}"}
        )
        assert response.status_code == 200, (entity, response.text)
        assert "digest" not in response.text
        for complaint in complaints:
            assert complaint["id"] not in response.text
            assert complaint["details"] not in response.text
    for hidden in ("ApiKey", "Complaint"):
        response = await reader.http.get(
            f"/export/{hidden}.ndjson", headers={"Authorization": f"Bearer {key}"}
        )
        assert response.status_code == 404
