"""Networks for regulators over GraphQL: neighbourhoods, shortest chains, anomalies."""

from __future__ import annotations

from typing import Any

import pytest

import registry.resolvers.network as network_resolvers
from registry.auth import create_api_key
from registry.domain.vocabulary import Role
from tests.api.conftest import GraphQLClient

GUANGDONG_BODY = "91440106732910130L"  # shares 陈志强 with the Shenzhen lab
SHENZHEN_LAB = "91440306284504074J"
SHENYANG_CENTRE = "12210102123480606B"  # shares an address with the Heping station
HEPING_STATION = "1221010232988047XL"
BOILER_INSTITUTE = "12210204586216617X"
SPECIAL_EQUIPMENT = "12210204501548234X"
DALIAN_GROUP = "91210204768274391C"
JIANGSU_BODY = "91320102479587631B"
CCSC = "91110101940807760M"

NETWORK = """
query ($uscc: String!, $depth: Int!, $relations: [NetworkRelation!]) {
  institution(uscc: $uscc) {
    network(depth: $depth, relations: $relations) {
      truncated
      nodes { id kind label depth }
      edges { kind from to count }
    }
  }
}
"""
CONNECTION = """
query ($from: String!, $to: String!, $maxDepth: Int!) {
  connection(from: $from, to: $to, maxDepth: $maxDepth) {
    length
    nodes { id kind label }
    edges { kind from to }
  }
}
"""
ANOMALIES = """
query ($region: String) {
  anomalies(region: $region) {
    scanned truncated
    certificates { kind certificate { number issuer { uscc } } }
    clusters { kind label institutions { uscc } }
  }
}
"""


async def _network(
    reader: GraphQLClient, uscc: str, depth: int, relations: list[str] | None = None
) -> dict[str, Any]:
    body = await reader(
        NETWORK,
        {"uscc": uscc, "depth": depth, "relations": relations},
        role=Role.REGULATOR,
    )
    assert "errors" not in body, body
    network: dict[str, Any] = body["data"]["institution"]["network"]
    return network


async def test_regulator_sees_the_seeded_shared_representative(reader: GraphQLClient) -> None:
    network = await _network(reader, GUANGDONG_BODY, 1, ["SHARED_PERSON"])

    nodes = {n["id"]: n for n in network["nodes"]}
    person = next(n for n in network["nodes"] if n["kind"] == "PERSON")
    assert set(nodes) == {GUANGDONG_BODY, SHENZHEN_LAB, person["id"]}
    assert person["label"] == "陈志强"
    assert {(e["kind"], e["from"]) for e in network["edges"]} == {
        ("REPRESENTED_BY", GUANGDONG_BODY),
        ("REPRESENTED_BY", SHENZHEN_LAB),
    }


async def test_a_regulator_sees_complaints_only_within_its_jurisdiction(
    api: GraphQLClient,
) -> None:
    """Shenzhen's regulator explores past Shenzhen (the Guangzhou body shares 陈志强 with the
    Shenzhen lab), but the complaint against the Guangzhou body is not its to read there,
    so it is not in the network either (a key for Guangdong sees it)."""
    shenzhen = await create_api_key(
        api.store, role=Role.REGULATOR, regions=["440300"], label="shenzhen", actor="test"
    )
    query = {"uscc": SHENZHEN_LAB, "depth": 2, "relations": ["SHARED_PERSON", "COMPLAINTS"]}

    body = await api(NETWORK, query, bearer=shenzhen)
    nodes = {n["id"]: n for n in body["data"]["institution"]["network"]["nodes"]}
    wider = await api(NETWORK, query, role=Role.REGULATOR)
    every = {n["id"] for n in wider["data"]["institution"]["network"]["nodes"]}

    assert {GUANGDONG_BODY, "complaint:CMP-2026-0006", "complaint:CMP-2026-0005"} <= every
    assert GUANGDONG_BODY in nodes
    assert "complaint:CMP-2026-0006" in nodes  # against the Shenzhen lab
    assert "complaint:CMP-2026-0005" not in nodes  # against the Guangzhou body
    person = next(n for n in nodes.values() if n["kind"] == "PERSON")
    assert person["label"] == "陈志强"  # he represents the Shenzhen lab too


async def test_regulator_sees_the_seeded_shared_address(reader: GraphQLClient) -> None:
    network = await _network(reader, SHENYANG_CENTRE, 1, ["SHARED_ADDRESS"])

    kinds = {n["id"]: n["kind"] for n in network["nodes"]}
    assert HEPING_STATION in kinds
    assert sorted(kinds.values()) == ["ADDRESS", "INSTITUTION", "INSTITUTION"]


async def test_depth_bounds_the_group_network(reader: GraphQLClient) -> None:
    one = await _network(reader, BOILER_INSTITUTE, 1, ["GROUP"])
    two = await _network(reader, BOILER_INSTITUTE, 2, ["GROUP"])

    assert {n["id"] for n in one["nodes"]} == {BOILER_INSTITUTE, DALIAN_GROUP}
    assert len(two["nodes"]) == 7  # the group and its six institutes
    assert {n["depth"] for n in two["nodes"]} == {0, 1, 2}


async def test_issued_links_carry_certificate_counts(reader: GraphQLClient) -> None:
    network = await _network(reader, JIANGSU_BODY, 1, ["ISSUED"])

    issued = [e for e in network["edges"] if e["kind"] == "ISSUED"]
    assert issued
    assert all(e["from"] == JIANGSU_BODY and e["count"] >= 1 for e in issued)


@pytest.mark.parametrize("depth", [0, 4])
async def test_depth_outside_one_to_three_is_refused(reader: GraphQLClient, depth: int) -> None:
    body = await reader(
        NETWORK, {"uscc": GUANGDONG_BODY, "depth": depth, "relations": None}, role=Role.REGULATOR
    )
    assert body["errors"][0]["extensions"]["code"] == "OUT_OF_RANGE"


@pytest.mark.parametrize("role", [Role.PUBLIC, Role.CERTIFICATION_BODY, Role.PARTNER])
async def test_networks_are_for_regulators_only(reader: GraphQLClient, role: Role) -> None:
    institution = GUANGDONG_BODY if role is Role.CERTIFICATION_BODY else None
    for query, variables in (
        (NETWORK, {"uscc": GUANGDONG_BODY, "depth": 1, "relations": None}),
        (CONNECTION, {"from": GUANGDONG_BODY, "to": SHENZHEN_LAB, "maxDepth": 2}),
        (ANOMALIES, {"region": None}),
    ):
        body = await reader(query, variables, role=role, institution=institution)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_AUTHORIZED"]
        assert "陈志强" not in str(body)


async def test_admin_may_explore_networks(reader: GraphQLClient) -> None:
    body = await reader(
        CONNECTION, {"from": GUANGDONG_BODY, "to": SHENZHEN_LAB, "maxDepth": 1}, role=Role.ADMIN
    )
    assert body["data"]["connection"]["length"] == 1


async def test_shortest_path_between_group_members_has_length_two(
    reader: GraphQLClient,
) -> None:
    body = await reader(
        CONNECTION,
        {"from": BOILER_INSTITUTE, "to": "1221020363493880XJ", "maxDepth": 6},
        role=Role.REGULATOR,
    )
    path = body["data"]["connection"]
    assert path["length"] == 2
    middle = {n["id"] for n in path["nodes"]} - {BOILER_INSTITUTE, "1221020363493880XJ"}
    assert middle <= {DALIAN_GROUP, CCSC}  # both institutes: one group, one certifier


async def test_no_connection_beyond_max_depth(reader: GraphQLClient) -> None:
    body = await reader(
        CONNECTION,
        {"from": BOILER_INSTITUTE, "to": "1221020363493880XJ", "maxDepth": 1},
        role=Role.REGULATOR,
    )
    assert body == {"data": {"connection": None}}


async def test_max_depth_over_six_is_refused(reader: GraphQLClient) -> None:
    body = await reader(
        CONNECTION,
        {"from": BOILER_INSTITUTE, "to": DALIAN_GROUP, "maxDepth": 7},
        role=Role.REGULATOR,
    )
    assert body["errors"][0]["extensions"]["code"] == "OUT_OF_RANGE"


async def test_malformed_uscc_is_refused(reader: GraphQLClient) -> None:
    body = await reader(
        CONNECTION, {"from": "nope", "to": DALIAN_GROUP, "maxDepth": 2}, role=Role.REGULATOR
    )
    assert body["errors"][0]["extensions"]["code"] == "INVALID_USCC"


async def test_anomalies_find_the_planted_certificates_and_clusters(
    reader: GraphQLClient,
) -> None:
    body = await reader(ANOMALIES, {"region": None}, role=Role.REGULATOR)

    report = body["data"]["anomalies"]
    kinds = {a["certificate"]["number"]: a["kind"] for a in report["certificates"]}
    assert kinds["HXC-25-S0163"] == "OUTSIDE_ACCREDITED_SCOPE"
    assert kinds["YZC26GP00042"] == "ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE"
    clusters = {
        (c["kind"], tuple(sorted(i["uscc"] for i in c["institutions"]))) for c in report["clusters"]
    }
    assert ("PERSON", tuple(sorted([GUANGDONG_BODY, SHENZHEN_LAB]))) in clusters
    assert ("ADDRESS", tuple(sorted([SHENYANG_CENTRE, HEPING_STATION]))) in clusters
    assert ("ADDRESS", tuple(sorted([BOILER_INSTITUTE, SPECIAL_EQUIPMENT]))) in clusters
    assert report["scanned"] == 89
    assert not report["truncated"]


async def test_a_truncated_anomaly_report_goes_on_after_its_last_certificate(
    reader: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report reads a bounded number of certificates by number, and a district holding
    more was never read past them (twenty-fifth session's read-through): ``lastScanned``
    goes back as ``after``, and the pages together find what one whole report finds."""
    whole = (await reader(ANOMALIES, {"region": None}, role=Role.REGULATOR))["data"]
    monkeypatch.setattr(network_resolvers, "MAX_ANOMALY_SCAN", 40)
    monkeypatch.setattr(network_resolvers, "_SCAN_PAGE", 40)
    paged = """query ($after: String) { anomalies(after: $after) {
      scanned truncated lastScanned certificates { certificate { number } } } }"""
    found, scans, after = [], [], None
    for _ in range(5):
        report = (await reader(paged, {"after": after}, role=Role.REGULATOR))["data"]
        report = report["anomalies"]
        found += [a["certificate"]["number"] for a in report["certificates"]]
        scans.append((report["scanned"], report["truncated"]))
        after = report["lastScanned"]
        if not report["truncated"]:
            break

    assert scans == [(40, True), (40, True), (9, False)]
    assert after is None
    assert found == [a["certificate"]["number"] for a in whole["anomalies"]["certificates"]]


async def test_anomalies_by_region_keep_to_the_region(reader: GraphQLClient) -> None:
    body = await reader(ANOMALIES, {"region": "320000"}, role=Role.REGULATOR)

    report = body["data"]["anomalies"]
    numbers = {a["certificate"]["number"] for a in report["certificates"]}
    assert "HXC-25-S0163" in numbers
    assert "YZC26GP00042" not in numbers
    assert report["clusters"] == []


async def test_regulator_gets_the_network_picture(reader: GraphQLClient) -> None:
    key = await reader.key(Role.REGULATOR)
    response = await reader.http.get(
        f"/institutions/{GUANGDONG_BODY}/network.svg?depth=1",
        headers={"Authorization": f"Bearer {key}"},
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.text.startswith("<svg")
    assert "深圳市鹏安检测技术有限公司" in response.text
    assert 'fill="#ff7f0e"' in response.text  # the shared person
    assert f"{GUANGDONG_BODY}, supervision class " in response.text
    assert 'stroke-width="4"' in response.text  # institutions ringed by their class
    # Confidential, for this key alone: no cache keeps it (it had none of the pages' headers).
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")


@pytest.mark.parametrize("depth", ["0", "4", "\u00b2", "\uff12", "1" * 5000, "-1", ""])
async def test_a_network_depth_out_of_range_is_a_coded_400(
    reader: GraphQLClient, depth: str
) -> None:
    """ "²" passed isdigit() and failed int(), 5,000 digits passed Python's digit limit:
    both were a bare 500 (twenty-fourth session's review)."""
    key = await reader.key(Role.REGULATOR)
    response = await reader.http.get(
        f"/institutions/{GUANGDONG_BODY}/network.svg",
        params={"depth": depth},
        headers={"Authorization": f"Bearer {key}"},
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


@pytest.mark.parametrize(("role", "status"), [(Role.PUBLIC, 403), (Role.PARTNER, 403)])
async def test_network_picture_is_for_regulators_only(
    reader: GraphQLClient, role: Role, status: int
) -> None:
    headers = {} if role is Role.PUBLIC else {"Authorization": f"Bearer {await reader.key(role)}"}
    response = await reader.http.get(f"/institutions/{GUANGDONG_BODY}/network.svg", headers=headers)
    assert response.status_code == status
    assert "陈志强" not in response.text


async def test_network_picture_escapes_labels() -> None:
    from graph.network_models import Network, NetworkNode
    from registry.web.network_svg import network_svg

    picture = network_svg(
        Network((NetworkNode("x", "PERSON", "<script>alert(1)</script>", 0),), (), False)
    )
    assert "<script>" not in picture
    assert "&lt;script&gt;" in picture


async def test_an_anomaly_report_is_charged_what_it_reads(reader: GraphQLClient) -> None:
    """Its selection looks cheap, but it scans up to 20,000 certificates: one fits a query's
    budget, two aliased do not (fifteen held the store for the request's whole time)."""
    one = await reader("{ anomalies { scanned } }", {}, role=Role.ADMIN)
    two = await reader("{ a: anomalies { scanned } b: anomalies { scanned } }", {}, role=Role.ADMIN)

    assert one["data"]["anomalies"]["scanned"] == 89
    assert two["data"] is None
    assert two["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


async def test_a_holders_network_picture_keeps_to_the_jurisdiction(reader: GraphQLClient) -> None:
    """The picture judged its centre's region only when it was an institution: centred on a
    Shenzhen holder, a Dalian regulator's key drew the holder's whole network."""
    dalian = await create_api_key(
        reader.store, role=Role.REGULATOR, regions=["210200"], label="dl", actor="test"
    )
    holder = "914403067145304096"  # a certified Shenzhen company, not an institution
    headers = {"Authorization": f"Bearer {dalian}"}

    outside = await reader.http.get(f"/institutions/{holder}/network.svg", headers=headers)
    national = await reader.http.get(
        f"/institutions/{holder}/network.svg",
        headers={"Authorization": f"Bearer {await reader.key(Role.REGULATOR)}"},
    )

    assert outside.status_code == 403, outside.text
    assert outside.json()["errors"][0]["extensions"]["code"] == "OUT_OF_SCOPE"
    assert national.status_code == 200, national.text
