"""Reading the registry: lookups, filtered listings, pages, statistics and the change feed.

Expected answers are worked out from the seed files (``seedfacts``), not from the registry.
"""

from __future__ import annotations

from typing import Any

import pytest

from registry.domain.vocabulary import Role
from tests.api import seedfacts
from tests.api.conftest import GraphQLClient
from tests.api.operations import (
    CCSC,
    CQC,
    DALIAN_GROUP,
    DALIAN_PRODUCT_INSTITUTE,
    YUEZHI,
    error_code,
    feed_seqs,
    new_uscc,
)
from tests.conftest import TODAY

INSTITUTION = """
query Institution($uscc: String!) {
  institution(uscc: $uscc) {
    uscc name kinds
    region { code name }
    group { uscc name }
    members { uscc name }
    accreditations { number scheme scope validFrom validUntil status }
  }
}"""

INSTITUTIONS = """
query Institutions($filter: InstitutionFilter, $first: Int!, $after: String) {
  institutions(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node { uscc } }
    pageInfo { hasNextPage endCursor }
  }
}"""

CERTIFICATE = """
query Certificate($number: String!) {
  certificate(number: $number) {
    number family standard scope stars issuedOn expiresOn status statusReason
    issuer { uscc name }
    holder { uscc name }
    history { status effectiveOn recordedAt reason }
  }
}"""

CERTIFICATES = """
query Certificates($filter: CertificateFilter, $first: Int!, $after: String) {
  certificates(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { node { number status } }
    pageInfo { hasNextPage endCursor }
  }
}"""

CHANGES = """
query Changes($first: Int!, $after: String) {
  changes(first: $first, after: $after) {
    totalCount
    edges { cursor node { seq entity key op at actor hash } }
    pageInfo { hasNextPage endCursor }
  }
}"""

STATISTICS = """
query Statistics($code: String!) {
  region(code: $code) {
    code name
    statistics { institutions validCertificates certifiedOrganizations }
  }
}"""

# The suspended-then-reinstated and suspended-then-withdrawn certificates of the seed.
REINSTATED = "CCSC25Q10417R1"
SUSPENDED_THEN_WITHDRAWN = "CQC24FW0588"


async def walk(
    client: GraphQLClient,
    document: str,
    field: str,
    variables: dict[str, Any],
    *,
    role: Role = Role.PUBLIC,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Follow ``endCursor`` until the last page; returns the nodes and every page seen."""
    nodes: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    after = None
    while True:
        body = await client(document, {**variables, "after": after}, role=role)
        assert "errors" not in body, body
        page = body["data"][field]
        pages.append(page)
        nodes.extend(edge["node"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return nodes, pages
        after = page["pageInfo"]["endCursor"]
        assert len(pages) < 200, "paging does not end"


async def listed_institutions(reader: GraphQLClient, filter: dict[str, Any]) -> set[str]:
    body = await reader(INSTITUTIONS, {"filter": filter, "first": 100})
    assert "errors" not in body, body
    connection = body["data"]["institutions"]
    usccs = {edge["node"]["uscc"] for edge in connection["edges"]}
    assert connection["totalCount"] == len(usccs)
    return usccs


async def listed_certificates(reader: GraphQLClient, filter: dict[str, Any]) -> dict[str, str]:
    nodes, pages = await walk(
        reader, CERTIFICATES, "certificates", {"filter": filter, "first": 100}, role=Role.REGULATOR
    )
    assert pages[0]["totalCount"] == len(nodes)
    return {node["number"]: node["status"] for node in nodes}


# institution(uscc) -------------------------------------------------------------------------


async def test_institution_shows_its_region_group_and_accreditations(reader: GraphQLClient) -> None:
    body = await reader(INSTITUTION, {"uscc": DALIAN_PRODUCT_INSTITUTE})

    assert "errors" not in body, body
    found = body["data"]["institution"]
    seeded = seedfacts.institution(DALIAN_PRODUCT_INSTITUTE)
    assert found["name"] == seeded["name"]
    assert found["kinds"] == seeded["kinds"]
    assert found["region"] == {"code": "210211", "name": "甘井子区"}
    assert found["group"]["uscc"] == DALIAN_GROUP
    assert found["members"] == []
    assert found["accreditations"] == [
        {
            key: row[key]
            for key in ("number", "scheme", "scope", "validFrom", "validUntil", "status")
        }
        for row in seedfacts.accreditations_of(DALIAN_PRODUCT_INSTITUTE)
    ]


async def test_dalian_group_lists_its_six_member_institutes(reader: GraphQLClient) -> None:
    body = await reader(INSTITUTION, {"uscc": DALIAN_GROUP})

    group = body["data"]["institution"]
    members = {member["uscc"] for member in group["members"]}
    assert len(members) == 6
    assert members == seedfacts.usccs_of_institutions(lambda row: row.get("group") == DALIAN_GROUP)
    assert group["group"] is None
    assert "GROUP" in group["kinds"]


async def test_unknown_institution_is_null_without_error(reader: GraphQLClient) -> None:
    body = await reader(INSTITUTION, {"uscc": new_uscc(1)})

    assert body == {"data": {"institution": None}}


async def test_malformed_uscc_is_an_invalid_uscc_error(reader: GraphQLClient) -> None:
    wrong_check_digit = DALIAN_PRODUCT_INSTITUTE[:-1] + "J"

    body = await reader(INSTITUTION, {"uscc": wrong_check_digit})

    assert error_code(body) == "INVALID_USCC"
    assert body["data"] == {"institution": None}


async def test_organization_is_found_by_uscc(reader: GraphQLClient) -> None:
    holder = "91210211950301560F"
    body = await reader(
        "query($u: String!) { organization(uscc: $u) { uscc name region { code } } }", {"u": holder}
    )

    seeded = seedfacts.organization(holder)
    assert body == {
        "data": {
            "organization": {
                "uscc": holder,
                "name": seeded["name"],
                "region": {"code": seeded["region"]},
            }
        }
    }


# institutions(filter, first, after) --------------------------------------------------------


async def test_region_filter_includes_sub_regions(reader: GraphQLClient) -> None:
    liaoning = seedfacts.region_subtree("210000")

    listed = await listed_institutions(reader, {"region": "210000"})

    assert listed == seedfacts.usccs_of_institutions(lambda row: row["region"] in liaoning)
    assert DALIAN_PRODUCT_INSTITUTE in listed  # in 210211, a district of Dalian (210200)
    assert CCSC not in listed  # Beijing


async def test_kind_filter_lists_institutions_of_that_kind(reader: GraphQLClient) -> None:
    listed = await listed_institutions(reader, {"kind": "CERTIFICATION_BODY"})

    assert listed == seedfacts.usccs_of_institutions(
        lambda row: "CERTIFICATION_BODY" in row["kinds"]
    )
    assert {CCSC, CQC} <= listed


async def test_group_filter_lists_every_member_the_members_page_holds(
    reader: GraphQLClient,
) -> None:
    group = "91210204768274391C"
    listed = await listed_institutions(reader, {"group": group})
    body = await reader(f'{{ institution(uscc: "{group}") {{ members(first: 4) {{ uscc }} }} }}')

    assert listed == seedfacts.usccs_of_institutions(lambda row: row.get("group") == group)
    assert len(listed) == 6
    page = [m["uscc"] for m in body["data"]["institution"]["members"]]
    assert page == sorted(listed)[:4]


async def test_name_contains_filter_matches_part_of_the_name(reader: GraphQLClient) -> None:
    listed = await listed_institutions(reader, {"nameContains": "检验检测研究院"})

    assert listed == seedfacts.usccs_of_institutions(lambda row: "检验检测研究院" in row["name"])
    assert len(listed) == 2


async def test_accreditation_scheme_filter_needs_a_valid_accreditation(
    reader: GraphQLClient,
) -> None:
    day = TODAY.isoformat()
    holders = {
        row["holder"]
        for row in seedfacts.seed("accreditations")
        if row["scheme"] == "CNAS_LAB_17025"
        and row["status"] == "VALID"
        and row["validFrom"] <= day <= row["validUntil"]
    }

    listed = await listed_institutions(reader, {"accreditationScheme": "CNAS_LAB_17025"})

    assert listed == holders
    assert "91210211401294580D" not in listed  # 大连恒安: its CNAS-L6632 expired on 2025-06-30


async def test_filters_combine(reader: GraphQLClient) -> None:
    dalian = seedfacts.region_subtree("210200")

    listed = await listed_institutions(reader, {"region": "210200", "kind": "INSPECTION_TESTING"})

    assert listed == seedfacts.usccs_of_institutions(
        lambda row: row["region"] in dalian and "INSPECTION_TESTING" in row["kinds"]
    )


async def test_pages_of_two_walk_every_institution_once_in_uscc_order(
    reader: GraphQLClient,
) -> None:
    nodes, pages = await walk(reader, INSTITUTIONS, "institutions", {"first": 2})

    usccs = [node["uscc"] for node in nodes]
    assert len(usccs) == len(set(usccs))
    assert usccs == sorted(usccs)
    assert set(usccs) == seedfacts.usccs_of_institutions(lambda _: True)
    assert all(page["totalCount"] == len(usccs) for page in pages)
    assert all(len(page["edges"]) == 2 for page in pages[:-1])
    assert all(page["pageInfo"]["hasNextPage"] for page in pages[:-1])
    assert pages[-1]["pageInfo"]["hasNextPage"] is False


async def test_end_cursor_is_the_cursor_of_the_last_edge(reader: GraphQLClient) -> None:
    body = await reader(INSTITUTIONS, {"first": 3})

    connection = body["data"]["institutions"]
    assert connection["pageInfo"]["endCursor"] == connection["edges"][-1]["cursor"]
    assert connection["pageInfo"]["hasNextPage"] is True


@pytest.mark.parametrize("first", [101, 0, -1])
async def test_page_size_outside_one_to_one_hundred_is_refused(
    reader: GraphQLClient, first: int
) -> None:
    body = await reader(INSTITUTIONS, {"first": first})

    assert error_code(body) == "PAGE_SIZE_EXCEEDED"


async def test_page_of_one_hundred_is_allowed(reader: GraphQLClient) -> None:
    body = await reader(INSTITUTIONS, {"first": 100})

    assert "errors" not in body, body
    assert body["data"]["institutions"]["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize("cursor", ["garbage", "", "W10", "eyJrIjogMX0"])
async def test_cursor_not_issued_by_the_api_is_refused(reader: GraphQLClient, cursor: str) -> None:
    body = await reader(INSTITUTIONS, {"first": 2, "after": cursor})

    assert error_code(body) == "INVALID_CURSOR"


async def test_malformed_region_filter_is_refused_with_a_code(reader: GraphQLClient) -> None:
    body = await reader(INSTITUTIONS, {"first": 2, "filter": {"region": "Dalian"}})

    assert error_code(body) == "INVALID_FORMAT"
    assert "filter.region" in body["errors"][0]["message"]


# certificate(number) -----------------------------------------------------------------------


async def test_certificate_shows_issuer_holder_and_history(reader: GraphQLClient) -> None:
    number = "CCSC24SC0502R2"  # 特种设备检验研究院, five-star, valid until 2027-01-09
    seeded = seedfacts.certificate(number)

    body = await reader(CERTIFICATE, {"number": number})

    assert "errors" not in body, body
    found = body["data"]["certificate"]
    assert found["issuer"] == {"uscc": CCSC, "name": seedfacts.institution(CCSC)["name"]}
    assert found["holder"] == {
        "uscc": seeded["holder"],
        "name": seedfacts.organization(seeded["holder"])["name"],
    }
    assert (found["family"], found["stars"], found["status"]) == ("SERVICE", 5, "VALID")
    assert (found["issuedOn"], found["expiresOn"]) == (seeded["issuedOn"], seeded["expiresOn"])
    assert [step["status"] for step in found["history"]] == ["VALID"]
    assert found["history"][0]["effectiveOn"] == seeded["issuedOn"]
    assert found["history"][0]["recordedAt"]


async def test_certificate_past_its_expiry_date_is_reported_expired(
    reader: GraphQLClient,
) -> None:
    body = await reader(CERTIFICATE, {"number": "CCSC17SC0100"})  # expired 2020-12-25

    found = body["data"]["certificate"]
    assert found["status"] == "EXPIRED"
    assert [step["status"] for step in found["history"]] == ["VALID"]


async def test_suspended_then_reinstated_certificate_shows_each_step_in_order(
    reader: GraphQLClient,
) -> None:
    body = await reader(CERTIFICATE, {"number": REINSTATED})

    found = body["data"]["certificate"]
    seeded = seedfacts.history(REINSTATED)
    assert found["status"] == "VALID"
    assert [(s["status"], s["effectiveOn"], s["reason"]) for s in found["history"][1:]] == [
        (row["status"], row["effectiveOn"], row["reason"]) for row in seeded
    ]
    assert [s["status"] for s in found["history"]] == ["VALID", "SUSPENDED", "VALID"]
    recorded = [s["recordedAt"] for s in found["history"]]
    assert recorded == sorted(recorded)


async def test_suspended_then_withdrawn_certificate_is_reported_withdrawn(
    reader: GraphQLClient,
) -> None:
    body = await reader(CERTIFICATE, {"number": SUSPENDED_THEN_WITHDRAWN})

    found = body["data"]["certificate"]
    assert found["status"] == "WITHDRAWN"
    assert found["statusReason"] == seedfacts.history(SUSPENDED_THEN_WITHDRAWN)[-1]["reason"]
    assert [s["status"] for s in found["history"]] == ["VALID", "SUSPENDED", "WITHDRAWN"]


async def test_unknown_certificate_is_null(reader: GraphQLClient) -> None:
    body = await reader(CERTIFICATE, {"number": "CCSC99SC9999"})

    assert body == {"data": {"certificate": None}}


async def test_malformed_certificate_number_is_refused(reader: GraphQLClient) -> None:
    body = await reader(CERTIFICATE, {"number": "ccsc 17"})

    assert error_code(body) == "INVALID_FORMAT"


# certificates(filter) ----------------------------------------------------------------------

HOLDER = "9121011245231262XN"  # 沈阳北方电梯: one valid, one withdrawn certificate

CERTIFICATE_FILTERS: dict[str, tuple[dict[str, Any], Any]] = {
    "holder": ({"holder": HOLDER}, lambda row: row["holder"] == HOLDER),
    "issuer": ({"issuer": YUEZHI}, lambda row: row["issuer"] == YUEZHI),
    "family": ({"family": "PRODUCT"}, lambda row: row["family"] == "PRODUCT"),
    "standard": (
        {"standard": "GB/T 27922-2011"},
        lambda row: row["standard"] == "GB/T 27922-2011",
    ),
    "region": (
        {"region": "210200"},
        lambda row: seedfacts.holder_region(row) in seedfacts.region_subtree("210200"),
    ),
    "issuer and family": (
        {"issuer": CQC, "family": "SERVICE"},
        lambda row: row["issuer"] == CQC and row["family"] == "SERVICE",
    ),
}


@pytest.mark.parametrize("name", list(CERTIFICATE_FILTERS))
async def test_certificates_filter(reader: GraphQLClient, name: str) -> None:
    given, expected = CERTIFICATE_FILTERS[name]

    listed = await listed_certificates(reader, given)

    assert set(listed) == seedfacts.certificates(expected)
    assert listed  # the filter is not vacuous


@pytest.mark.parametrize("status", ["VALID", "EXPIRED", "SUSPENDED", "WITHDRAWN", "CANCELLED"])
async def test_certificates_filter_by_todays_status(reader: GraphQLClient, status: str) -> None:
    listed = await listed_certificates(reader, {"status": status})

    assert set(listed) == seedfacts.certificates(
        lambda row: seedfacts.effective_status(row) == status
    )
    assert set(listed.values()) == {status}


async def test_public_caller_cannot_list_certificates(reader: GraphQLClient) -> None:
    body = await reader(CERTIFICATES, {"first": 10})

    assert error_code(body) == "NOT_AUTHORIZED"
    assert body["data"] is None


async def test_certificate_pages_walk_every_certificate_once(reader: GraphQLClient) -> None:
    nodes, pages = await walk(
        reader, CERTIFICATES, "certificates", {"first": 30}, role=Role.REGULATOR
    )

    numbers = [node["number"] for node in nodes]
    assert numbers == sorted(set(numbers))
    assert set(numbers) == seedfacts.certificates()
    assert pages[0]["totalCount"] == len(numbers)


async def test_issued_certificates_of_an_institution(reader: GraphQLClient) -> None:
    body = await reader(
        """query($u: String!) { institution(uscc: $u) {
             issuedCertificates(first: 100) { totalCount edges { node { number } } } } }""",
        {"u": CCSC},
        role=Role.REGULATOR,
    )

    issued = body["data"]["institution"]["issuedCertificates"]
    numbers = {edge["node"]["number"] for edge in issued["edges"]}
    assert numbers == seedfacts.certificates(lambda row: row["issuer"] == CCSC)
    assert issued["totalCount"] == len(numbers)


# region(code) { statistics } ---------------------------------------------------------------


@pytest.mark.parametrize(
    "code", ["210000", "210200", "210100", "440000", "320000", "370600", "430100", "110000"]
)
async def test_region_statistics_count_the_region_and_its_sub_regions(
    reader: GraphQLClient, code: str
) -> None:
    body = await reader(STATISTICS, {"code": code})

    assert "errors" not in body, body
    assert body["data"]["region"]["code"] == code
    assert body["data"]["region"]["statistics"] == seedfacts.region_statistics(code)


async def test_statistics_of_a_district_with_certified_institutes(reader: GraphQLClient) -> None:
    body = await reader(STATISTICS, {"code": "210204"})  # 沙河口区

    statistics = body["data"]["region"]["statistics"]
    assert statistics == seedfacts.region_statistics("210204")
    assert statistics["validCertificates"] > 0


async def test_unknown_region_is_null(reader: GraphQLClient) -> None:
    body = await reader(STATISTICS, {"code": "650000"})

    assert body == {"data": {"region": None}}


# changes(first, after) ---------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PARTNER])
async def test_change_feed_pages_through_every_change_in_seq_order(
    reader: GraphQLClient, role: Role
) -> None:
    await reader.key(role)  # creating the key is itself a change; make it before reading

    nodes, pages = await walk(reader, CHANGES, "changes", {"first": 100}, role=role)

    seqs = [node["seq"] for node in nodes]
    assert seqs == await feed_seqs(reader.store, after=0, role=role)
    assert pages[0]["totalCount"] == len(seqs)
    assert len({node["hash"] for node in nodes}) == len(nodes)
    assert {"Region", "Institution", "Certificate"} <= {node["entity"] for node in nodes}


async def test_change_feed_resumes_after_a_cursor(reader: GraphQLClient) -> None:
    first = await reader(CHANGES, {"first": 5}, role=Role.ADMIN)
    cursor = first["data"]["changes"]["pageInfo"]["endCursor"]

    second = await reader(CHANGES, {"first": 5, "after": cursor}, role=Role.ADMIN)

    assert [e["node"]["seq"] for e in first["data"]["changes"]["edges"]] == [1, 2, 3, 4, 5]
    assert [e["node"]["seq"] for e in second["data"]["changes"]["edges"]] == [6, 7, 8, 9, 10]


async def test_change_feed_refuses_a_cursor_from_another_listing(reader: GraphQLClient) -> None:
    listing = await reader(INSTITUTIONS, {"first": 1})
    cursor = listing["data"]["institutions"]["pageInfo"]["endCursor"]

    body = await reader(CHANGES, {"first": 5, "after": cursor}, role=Role.ADMIN)

    assert error_code(body) == "INVALID_CURSOR"


@pytest.mark.parametrize(
    "role", [Role.PUBLIC, Role.REGULATOR, Role.ASSOCIATION, Role.CERTIFICATION_BODY]
)
async def test_change_feed_is_for_partners_and_operators_only(
    reader: GraphQLClient, role: Role
) -> None:
    institution = CCSC if role is Role.CERTIFICATION_BODY else None

    body = await reader(CHANGES, {"first": 5}, role=role, institution=institution)

    assert error_code(body) == "NOT_AUTHORIZED"
    assert body["data"] is None


async def test_change_feed_total_count_is_the_same_on_every_page(reader: GraphQLClient) -> None:
    await reader.key(Role.ADMIN)

    _, pages = await walk(reader, CHANGES, "changes", {"first": 100}, role=Role.ADMIN)

    assert len(pages) > 1
    assert len({page["totalCount"] for page in pages}) == 1
