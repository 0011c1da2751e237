"""Writing through the API: each mutation succeeds for a role allowed to call it, returns its
union payload, lands in the change log, and is readable afterwards."""

from __future__ import annotations

import pytest

from registry.domain.vocabulary import Role
from tests.api.conftest import GraphQLClient, Snapshot
from tests.api.operations import (
    CCSC,
    CNAS,
    CQC,
    DALIAN_GROUP,
    accreditation_row,
    certificate_row,
    institution_row,
    mutate,
    new_uscc,
    organization_row,
    status_change_row,
)
from tests.conftest import TODAY

INSTITUTION = """
query($uscc: String!) {
  institution(uscc: $uscc) {
    uscc name kinds address legalRepresentative version
    region { code } group { uscc } members { uscc }
    accreditations { number scheme scope status }
  }
}"""

CERTIFICATE = """
query($number: String!) {
  certificate(number: $number) {
    number status statusReason stars
    issuer { uscc } holder { uscc }
    history { status effectiveOn reason }
  }
}"""

VALID_CCSC_CERTIFICATE = "CCSC24SC0502R2"  # 特种设备检验研究院, valid until 2027-01-09


def assert_receipt_follows(receipt: dict[str, int], *, written: int, head: int) -> None:
    """The write took the next ``written`` consecutive places in the change log."""
    assert receipt == {"written": written, "firstSeq": head + 1, "lastSeq": head + written}


async def test_upsert_institutions_creates_a_group_member_with_a_legal_representative(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    uscc = new_uscc(1)
    row = institution_row(
        uscc,
        address="沙河口区兴工街20号",
        group=DALIAN_GROUP,
        legalRepresentative={"name": "李建国", "idNumber": "210204197001011234"},
    )
    await api.key(Role.ADMIN)
    head = (await snapshot())["seq"]

    payload = await mutate(api, "upsertInstitutions", [row], role=Role.ADMIN)

    assert payload["__typename"] == "UpsertInstitutionsSuccess"
    assert_receipt_follows(payload["receipt"], written=1, head=head)
    assert payload["institutions"] == [
        {
            "uscc": uscc,
            "name": row["name"],
            "kinds": ["INSPECTION_TESTING"],
            "region": {"code": "210204"},
            "group": {"uscc": DALIAN_GROUP},
            "version": 1,
        }
    ]
    stored = (await api(INSTITUTION, {"uscc": uscc}, role=Role.REGULATOR))["data"]["institution"]
    assert stored["legalRepresentative"] == "李建国"
    assert stored["address"] == "沙河口区兴工街20号"
    group = (await api(INSTITUTION, {"uscc": DALIAN_GROUP}))["data"]["institution"]
    assert uscc in {member["uscc"] for member in group["members"]}
    assert len(group["members"]) == 7


async def test_upsert_institutions_updates_an_existing_institution(api: GraphQLClient) -> None:
    uscc = new_uscc(2)
    await mutate(api, "upsertInstitutions", [institution_row(uscc)], role=Role.ADMIN)

    payload = await mutate(
        api,
        "upsertInstitutions",
        [institution_row(uscc, name="大连新建计量检测有限公司", kinds=["METROLOGY"])],
        role=Role.REGULATOR,
    )

    assert payload["__typename"] == "UpsertInstitutionsSuccess"
    stored = (await api(INSTITUTION, {"uscc": uscc}))["data"]["institution"]
    assert (stored["name"], stored["kinds"], stored["version"]) == (
        "大连新建计量检测有限公司",
        ["METROLOGY"],
        2,
    )


async def test_upsert_institutions_can_create_a_group_and_its_member_in_one_batch(
    api: GraphQLClient,
) -> None:
    group, member = new_uscc(3), new_uscc(4)
    rows = [
        institution_row(member, group=group),
        institution_row(group, name="辽宁新建检测集团有限公司", kinds=["GROUP"]),
    ]

    # New institutions are registered by their regulator: a partner writes only for
    # institutions its key names, which exist already.
    payload = await mutate(api, "upsertInstitutions", rows, role=Role.REGULATOR)

    assert payload["__typename"] == "UpsertInstitutionsSuccess"
    assert payload["receipt"]["written"] == 2
    stored = (await api(INSTITUTION, {"uscc": group}))["data"]["institution"]
    assert stored["members"] == [{"uscc": member}]
    assert stored["name"] == "辽宁新建检测集团有限公司"


async def test_upsert_organizations_registers_a_holder(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    uscc = new_uscc(5)
    await api.key(Role.ADMIN)
    head = (await snapshot())["seq"]

    payload = await mutate(api, "upsertOrganizations", [organization_row(uscc)], role=Role.ADMIN)

    assert payload["__typename"] == "UpsertOrganizationsSuccess"
    assert_receipt_follows(payload["receipt"], written=1, head=head)
    body = await api(
        "query($u: String!) { organization(uscc: $u) { uscc name region { code } } }", {"u": uscc}
    )
    assert body["data"]["organization"] == {
        "uscc": uscc,
        "name": organization_row(uscc)["name"],
        "region": {"code": "210213"},
    }


async def test_upsert_accreditations_adds_to_the_holders_accreditations(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    holder = new_uscc(6)
    await mutate(api, "upsertInstitutions", [institution_row(holder)], role=Role.ADMIN)
    head = (await snapshot())["seq"]

    payload = await mutate(
        api, "upsertAccreditations", [accreditation_row("CNAS-L9901", holder)], role=Role.ADMIN
    )

    assert payload["__typename"] == "UpsertAccreditationsSuccess"
    assert_receipt_follows(payload["receipt"], written=1, head=head)
    assert payload["accreditations"][0]["body"] == {"uscc": CNAS}
    assert payload["accreditations"][0]["holder"] == {"uscc": holder}
    stored = (await api(INSTITUTION, {"uscc": holder}))["data"]["institution"]
    assert stored["accreditations"] == [
        {
            "number": "CNAS-L9901",
            "scheme": "CNAS_LAB_17025",
            "scope": ["GB/T 2951.11-2008"],
            "status": "VALID",
        }
    ]
    listed = await api(
        """{ institutions(first: 100,
                          filter: {accreditationScheme: CNAS_LAB_17025, region: "210204"})
             { edges { node { uscc } } } }"""
    )
    assert holder in {e["node"]["uscc"] for e in listed["data"]["institutions"]["edges"]}


async def test_issue_certificates_makes_them_verifiable(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    rows = [
        certificate_row("CCSC26Q10990"),
        certificate_row(
            "CCSC26SC0990",
            family="SERVICE",
            standard="GB/T 27922-2011",
            stars=4,
            holder="122102044044617942",
        ),
    ]
    await api.key(Role.ADMIN)
    before = await snapshot()

    payload = await mutate(api, "issueCertificates", rows, role=Role.ADMIN)

    assert payload["__typename"] == "IssueCertificatesSuccess"
    assert_receipt_follows(payload["receipt"], written=2, head=before["seq"])
    assert [c["number"] for c in payload["certificates"]] == ["CCSC26Q10990", "CCSC26SC0990"]
    assert (await snapshot())["certificates"] == before["certificates"] + 2
    found = (await api(CERTIFICATE, {"number": "CCSC26SC0990"}))["data"]["certificate"]
    assert found == {
        "number": "CCSC26SC0990",
        "status": "VALID",
        "statusReason": None,
        "stars": 4,
        "issuer": {"uscc": CCSC},
        "holder": {"uscc": "122102044044617942"},
        "history": [{"status": "VALID", "effectiveOn": "2026-11-02", "reason": "issued"}],
    }


async def test_issued_certificate_counts_in_its_regions_statistics(api: GraphQLClient) -> None:
    query = '{ region(code: "210200") { statistics { validCertificates } } }'
    before = (await api(query))["data"]["region"]["statistics"]["validCertificates"]

    await mutate(api, "issueCertificates", [certificate_row("CCSC26Q10991")], role=Role.ADMIN)

    after = (await api(query))["data"]["region"]["statistics"]["validCertificates"]
    assert after == before + 1


@pytest.mark.parametrize(
    ("expires_on", "status"), [("2026-11-22", "VALID"), ("2026-11-21", "EXPIRED")]
)
async def test_certificate_is_valid_through_its_expiry_date(
    api: GraphQLClient, expires_on: str, status: str
) -> None:
    row = certificate_row("CCSC23Q10992", issuedOn="2023-11-22", expiresOn=expires_on)
    await mutate(api, "issueCertificates", [row], role=Role.ADMIN)

    found = (await api(CERTIFICATE, {"number": "CCSC23Q10992"}))["data"]["certificate"]
    listed = await api(
        "query($s: CertificateStatus) { certificates(first: 100, filter: {status: $s}) "
        "{ edges { node { number } } } }",
        {"s": status},
        role=Role.REGULATOR,
    )

    assert found["status"] == status
    assert "CCSC23Q10992" in {e["node"]["number"] for e in listed["data"]["certificates"]["edges"]}


async def test_issue_certificate_with_a_status_records_it_as_the_first_step(
    api: GraphQLClient,
) -> None:
    row = certificate_row(
        "CCSC26Q10993", status="SUSPENDED", statusReason="颁证后即暂停 (suspended on issue)"
    )

    payload = await mutate(api, "issueCertificates", [row], role=Role.ADMIN)

    issued = payload["certificates"][0]
    assert issued["status"] == "SUSPENDED"
    assert [s["status"] for s in issued["history"]] == ["SUSPENDED"]


async def test_change_certificate_status_suspends_and_the_history_grows(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    await api.key(Role.REGULATOR)
    head = (await snapshot())["seq"]
    change = status_change_row(VALID_CCSC_CERTIFICATE, "SUSPENDED", effectiveOn="2026-11-20")

    payload = await mutate(api, "changeCertificateStatus", [change], role=Role.REGULATOR)

    assert payload["__typename"] == "ChangeCertificateStatusSuccess"
    assert_receipt_follows(payload["receipt"], written=1, head=head)
    found = (await api(CERTIFICATE, {"number": VALID_CCSC_CERTIFICATE}))["data"]["certificate"]
    assert found["status"] == "SUSPENDED"
    assert found["statusReason"] == change["reason"]
    assert [(s["status"], s["effectiveOn"]) for s in found["history"]] == [
        ("VALID", "2024-01-10"),
        ("SUSPENDED", "2026-11-20"),
    ]


async def test_suspended_certificate_can_be_reinstated(api: GraphQLClient) -> None:
    number = VALID_CCSC_CERTIFICATE
    await mutate(
        api, "changeCertificateStatus", [status_change_row(number, "SUSPENDED")], role=Role.ADMIN
    )

    payload = await mutate(
        api,
        "changeCertificateStatus",
        [status_change_row(number, "VALID", reason="整改完成 (corrected)")],
        role=Role.ADMIN,
    )

    certificate = payload["certificates"][0]
    assert certificate["status"] == "VALID"
    assert [s["status"] for s in certificate["history"]] == ["VALID", "SUSPENDED", "VALID"]
    assert certificate["history"][-1]["reason"] == "整改完成 (corrected)"


async def test_status_change_without_a_date_takes_effect_today(api: GraphQLClient) -> None:
    change = status_change_row(VALID_CCSC_CERTIFICATE, "CANCELLED")
    del change["effectiveOn"]

    payload = await mutate(api, "changeCertificateStatus", [change], role=Role.ADMIN)

    assert payload["certificates"][0]["status"] == "CANCELLED"
    assert payload["certificates"][0]["history"][-1]["effectiveOn"] == TODAY.isoformat()


async def test_status_changes_in_one_batch_take_consecutive_places_in_the_log(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    numbers = [VALID_CCSC_CERTIFICATE, "CCSC24SC0402R2", "CQC25FW0341R1"]
    await api.key(Role.ADMIN)
    head = (await snapshot())["seq"]

    payload = await mutate(
        api,
        "changeCertificateStatus",
        [status_change_row(n, "WITHDRAWN") for n in numbers],
        role=Role.ADMIN,
    )

    assert_receipt_follows(payload["receipt"], written=3, head=head)
    assert [(c["number"], c["status"]) for c in payload["certificates"]] == [
        (n, "WITHDRAWN") for n in numbers
    ]


async def test_writes_appear_at_the_end_of_the_change_feed(api: GraphQLClient) -> None:
    payload = await mutate(
        api, "issueCertificates", [certificate_row("CCSC26Q10994")], role=Role.ADMIN
    )

    nodes: list[dict[str, object]] = []
    after = None
    while True:
        body = await api(
            """query($after: String) { changes(first: 100, after: $after) {
                 edges { node { seq entity key op actor } }
                 pageInfo { hasNextPage endCursor } } }""",
            {"after": after},
            role=Role.ADMIN,
        )
        page = body["data"]["changes"]
        nodes.extend(edge["node"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    # Only the credit scores it changed are recomputed after it (CREDIT changes).
    first = payload["receipt"]["firstSeq"]
    written = next(n for n in nodes if n["seq"] == first)
    assert {n["op"] for n in nodes if int(str(n["seq"])) > first} <= {"CREDIT"}
    assert (written["entity"], written["key"], written["op"]) == (
        "Certificate",
        "CCSC26Q10994",
        "ISSUE",
    )
    assert str(written["actor"]).startswith("admin:")


async def test_issuing_again_with_the_same_parties_updates_the_certificate(
    api: GraphQLClient,
) -> None:
    await mutate(api, "issueCertificates", [certificate_row("CCSC26Q10995")], role=Role.ADMIN)

    payload = await mutate(
        api,
        "issueCertificates",
        [certificate_row("CCSC26Q10995", scope="检验检测服务;计量校准")],
        role=Role.ADMIN,
    )

    assert payload["__typename"] == "IssueCertificatesSuccess"
    body = await api('{ certificate(number: "CCSC26Q10995") { scope version } }')
    assert body["data"]["certificate"] == {"scope": "检验检测服务;计量校准", "version": 2}


async def test_issuing_again_does_not_silently_reinstate_a_suspended_certificate(
    api: GraphQLClient,
) -> None:
    number = VALID_CCSC_CERTIFICATE
    await mutate(
        api, "changeCertificateStatus", [status_change_row(number, "SUSPENDED")], role=Role.ADMIN
    )
    row = certificate_row(
        number,
        family="SERVICE",
        standard="CCSC-SC-JYJC-2017",
        stars=5,
        issuedOn="2024-01-10",
        expiresOn="2027-01-09",
        holder="12210204501548234X",
    )

    payload = await mutate(api, "issueCertificates", [row], role=Role.ADMIN)

    found = (await api(CERTIFICATE, {"number": number}))["data"]["certificate"]
    assert payload["__typename"] == "IssueCertificatesSuccess"
    assert found["status"] == found["history"][-1]["status"], found


async def test_certification_body_registers_the_holder_it_certifies(api: GraphQLClient) -> None:
    holder = new_uscc(7)

    registered = await mutate(
        api,
        "upsertOrganizations",
        [organization_row(holder)],
        role=Role.CERTIFICATION_BODY,
        institution=CQC,
    )
    issued = await mutate(
        api,
        "issueCertificates",
        [certificate_row("00126Q39001R0M", issuer=CQC, holder=holder)],
        role=Role.CERTIFICATION_BODY,
        institution=CQC,
    )

    assert registered["__typename"] == "UpsertOrganizationsSuccess"
    assert issued["__typename"] == "IssueCertificatesSuccess"
    assert issued["certificates"][0]["holder"]["uscc"] == holder


async def test_reissuing_a_number_cannot_start_it_after_its_recorded_steps(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """Its past stays as recorded: a later issuedOn made the certificate vanish from the
    days it was recorded SUSPENDED (asOf answered null, verification NOT_FOUND)."""
    admin = {"role": Role.ADMIN}
    issued = await mutate(api, "issueCertificates", [certificate_row("RS-PAST-1")], **admin)
    step = status_change_row("RS-PAST-1", "SUSPENDED", effectiveOn="2026-11-10")
    suspended = await mutate(api, "changeCertificateStatus", [step], **admin)
    before = await snapshot()

    later = certificate_row("RS-PAST-1", issuedOn="2026-11-15")
    refused = await mutate(api, "issueCertificates", [later], **admin)
    unchanged = await snapshot()
    corrected = certificate_row("RS-PAST-1", scope="检验检测")
    reissued = await mutate(api, "issueCertificates", [corrected], **admin)

    assert issued["__typename"] == "IssueCertificatesSuccess", issued
    assert suspended["__typename"] == "ChangeCertificateStatusSuccess", suspended
    assert (refused["code"], refused["field"]) == ("INVALID_VALUE", "input[0].issuedOn"), refused
    assert unchanged == before
    assert reissued["__typename"] == "IssueCertificatesSuccess", reissued


async def test_reissuing_a_number_cannot_start_it_before_its_recorded_issue(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """Nor earlier: the first step stayed on the recorded issue date, so the days between
    answered VALID with no step behind them, and a past NOT_FOUND turned VALID."""
    admin = {"role": Role.ADMIN}
    issued = await mutate(api, "issueCertificates", [certificate_row("RS-PAST-2")], **admin)
    assert issued["__typename"] == "IssueCertificatesSuccess", issued
    before = await snapshot()

    earlier = certificate_row("RS-PAST-2", issuedOn="2025-06-01", expiresOn="2028-05-31")
    refused = await mutate(api, "issueCertificates", [earlier], **admin)

    assert (refused["code"], refused["field"]) == ("INVALID_VALUE", "input[0].issuedOn"), refused
    assert await snapshot() == before
