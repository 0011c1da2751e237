"""Writers bound to whom they act for (issue 12): each attack tried with a PARTNER key is
refused NOT_AUTHORIZED naming the offending field and writes nothing, and what each party
may write is still written. The data is the seed's (reference date 2026-11-22)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.models import ApiKey
from registry.auth import create_api_key, key_digest
from registry.domain.vocabulary import Role
from tests.api import seedfacts
from tests.api.conftest import DALIAN_ASSOCIATION, GraphQLClient, Snapshot
from tests.api.operations import (
    CCSC,
    CNAS,
    CQC,
    CQC_PRODUCT_GRANT,
    DALIAN_PRODUCT_INSTITUTE,
    ERROR_FIELDS,
    MUTATIONS,
    YUEZHI,
    accreditation_change_row,
    accreditation_row,
    certificate_row,
    institution_row,
    mutate,
    new_uscc,
    organization_row,
    status_change_row,
)

# CCSC's five-star service certificate of the Dalian product institute (issued 2023-12-15,
# valid until 2026-12-14): genuine and VALID on 2026-11-22.
DALIAN_CERTIFICATE = "CCSC23SC0102R2"
GUANGZHOU_HOLDER = "91440112236187836Q"  # 广州天粤家电: certified by CQC and 广东粤质 only
GUANGZHOU_CERTIFICATE = "YZC24S20811"  # 广东粤质's, to that holder, valid until 2027-01-14
GUANGZHOU_LAB = "91440112551766133P"
SHENZHEN_LAB = "91440306284504074J"
HENGAN = "91210211401294580D"  # 大连恒安检测: a member of two associations, in no group
DALIAN_GROUP = "91210204768274391C"  # the Dalian inspection and testing group
CNCA = "11110108864665640P"  # the national regulator
LIAONING_AMR = "11210000616225742K"  # grants CMAs in Liaoning
DALIAN_AMR = "11210200996939498X"  # the Dalian regulator
CNCA_APPROVAL_OF_YUEZHI = "CNCA-R-2014-212"

CREDIT_EVENTS = f"""mutation($input: [CreditEventInput!]!) {{
  recordCreditEvents(input: $input) {{ __typename {ERROR_FIELDS} }} }}"""
RATINGS = f"""mutation($input: [CreditRatingInput!]!) {{
  publishCreditRatings(input: $input) {{ __typename {ERROR_FIELDS} }} }}"""
STATE = """query($n: String!, $u: String!) {
  certificate(number: $n) { status }
  verifyCertificate(number: $n) { verdict }
  institution(uscc: $u) { supervisionClass { class } creditEvents { kind } } }"""


async def partner(
    client: GraphQLClient,
    *institutions: str,
    entities: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
) -> str:
    return await create_api_key(
        client.store,
        role=Role.PARTNER,
        institutions=institutions,
        label="partner",
        actor="test",
        entities=entities,
        regions=regions,
    )


def _registered(uscc: str) -> str:
    """A registered institution's name: its holder record carries it."""
    name: str = seedfacts.institution(uscc)["name"]
    return name


async def regulator_of(client: GraphQLClient, region: str) -> str:
    return await create_api_key(
        client.store, role=Role.REGULATOR, regions=[region], label="regulator", actor="test"
    )


async def refused(
    client: GraphQLClient, snapshot: Snapshot, document: str, rows: list[dict[str, Any]], key: str
) -> dict[str, Any]:
    """Send ``rows`` with ``key``; it must be refused NOT_AUTHORIZED and write nothing."""
    before = await snapshot()
    if document in MUTATIONS:
        payload = await mutate(client, document, rows, bearer=key)
    else:
        body = await client(document, {"input": rows}, bearer=key)
        assert "errors" not in body, body
        payload = next(iter(body["data"].values()))
    assert (payload["__typename"], payload["code"]) == ("NotAuthorized", "NOT_AUTHORIZED"), payload
    assert await snapshot() == before, "a refused write changed the store"
    return payload


def serious_violation(event_id: str, institution: str, authority: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "institution": institution,
        "kind": "SERIOUS_VIOLATION",
        "date": "2026-11-20",
        "authority": authority,
        "weight": -80,
        "description": "列入严重违法失信名单",
        "publicUntil": "2029-11-19",
    }


# the attacks of the issue, with a PARTNER key --------------------------------------------


async def test_a_partner_naming_no_institution_cannot_issue_in_a_bodys_name(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    key = await partner(api)

    payload = await refused(
        api, snapshot, "issueCertificates", [certificate_row("CCSC26Q10901")], key
    )

    assert payload["field"] == "input[0].issuer"


async def test_a_partner_cannot_issue_in_another_bodys_name(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    key = await partner(api, CCSC)
    rows = [certificate_row("CCSC26Q10902"), certificate_row("00126Q39902R0M", issuer=CQC)]

    payload = await refused(api, snapshot, "issueCertificates", rows, key)

    assert [p["field"] for p in payload["problems"]] == ["input[1].issuer"]
    assert CQC in payload["message"]


async def test_an_institution_cannot_rename_nor_claim_another_institutions_representative(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """A person with an ID number is one record wherever they represent: naming CCSC's
    representative under another name renamed him for CCSC, with no change of CCSC's, and
    naming him under his own linked him to 大连恒安 (a shared person is what regulators look
    for). Both are refused alike, so the answer tells nothing of which name goes with the ID
    number; an institution re-sending a representative it shares keeps them; a store write
    renaming a shared person is a CONFLICT for any key."""
    key = await partner(api, HENGAN)
    seeded = seedfacts.institution(HENGAN)
    row = {k: seeded[k] for k in ("uscc", "name", "kinds", "region", "associations")}
    ccsc_id = "110101197003254586"  # CCSC's 郭振宇
    for name in ("冒名顶替", "郭振宇"):
        claimed = {**row, "legalRepresentative": {"name": name, "idNumber": ccsc_id}}
        payload = await refused(api, snapshot, "upsertInstitutions", [claimed], key)
        assert payload["field"] == "input[0].legalRepresentative", name
    admin = await mutate(
        api,
        "upsertInstitutions",
        [{**row, "legalRepresentative": {"name": "冒名顶替", "idNumber": ccsc_id}}],
        role=Role.ADMIN,
    )
    assert (admin["__typename"], admin["code"]) == ("Conflict", "CONFLICT"), admin
    body = await api(
        'query { institution(uscc: "91110101940807760M") { legalRepresentative } }',
        role=Role.ADMIN,
    )
    assert body["data"]["institution"]["legalRepresentative"] == "郭振宇"
    shenzhen = seedfacts.institution(SHENZHEN_LAB)  # shares 陈志强 with 广东粤质
    fields = ("uscc", "name", "kinds", "region", "legalRepresentative")
    kept = await mutate(
        api,
        "upsertInstitutions",
        [{k: shenzhen[k] for k in fields}],
        bearer=await partner(api, SHENZHEN_LAB),
    )
    assert kept["__typename"] == "UpsertInstitutionsSuccess", kept


async def test_a_lab_cannot_issue_certificates_that_verify(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """Only certification bodies certify (DOMAIN.md): a key acting for 大连恒安, a testing
    lab, issued a product certificate in its name, and it verified VALID."""
    key = await partner(api, HENGAN)
    row = certificate_row(
        "RVLAB2026002",
        family="PRODUCT",  # a family issued under designation too: no accreditation is asked
        standard="GB 4706.1-2005",
        issuer=HENGAN,
    )
    before = await snapshot()

    payload = await mutate(api, "issueCertificates", [row], bearer=key)

    assert (payload["__typename"], payload["code"], payload["field"]) == (
        "InvalidInput",
        "NOT_AN_ISSUER",
        "input[0].issuer",
    ), payload
    assert await snapshot() == before


async def test_a_partner_cannot_withdraw_a_genuine_certificate(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    withdraw = [status_change_row(DALIAN_CERTIFICATE, "WITHDRAWN")]

    for key in (await partner(api), await partner(api, CQC)):
        payload = await refused(api, snapshot, "changeCertificateStatus", withdraw, key)
        assert payload["field"] == "input[0].number"

    state = await api(STATE, {"n": DALIAN_CERTIFICATE, "u": DALIAN_PRODUCT_INSTITUTE})
    assert state["data"]["certificate"]["status"] == "VALID"
    assert state["data"]["verifyCertificate"]["verdict"] == "VALID"


async def test_a_partner_cannot_publish_a_grade_in_an_associations_name(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    grade = {
        "id": "DLJC-2026-H2-666",
        "association": DALIAN_ASSOCIATION,
        "institution": DALIAN_PRODUCT_INSTITUTE,
        "grade": "D",
        "score": 12,
        "period": "2026-H2",
        "publishedOn": "2026-11-20",
        "validUntil": "2027-11-19",
        "method": "大连市检验检测机构信用等级评价",
    }

    for key in (await partner(api), await partner(api, CCSC)):
        payload = await refused(api, snapshot, RATINGS, [grade], key)
        assert payload["field"] == "input[0].association"


async def test_a_partner_cannot_record_a_serious_violation_by_the_national_regulator(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    before = await api(STATE, {"n": DALIAN_CERTIFICATE, "u": DALIAN_PRODUCT_INSTITUTE})
    violation = serious_violation("CE-T-9001", DALIAN_PRODUCT_INSTITUTE, "国家市场监督管理总局")

    for key in (await partner(api), await partner(api, DALIAN_PRODUCT_INSTITUTE, CNCA)):
        payload = await refused(api, snapshot, CREDIT_EVENTS, [violation], key)
        assert payload["field"] == "input"

    after = await api(STATE, {"n": DALIAN_CERTIFICATE, "u": DALIAN_PRODUCT_INSTITUTE})
    assert after == before
    assert after["data"]["institution"]["supervisionClass"]["class"] != "D"


async def test_a_scoped_partner_cannot_change_a_dalian_certificate(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    key = await partner(api, CCSC, entities=["Certificate"], regions=["440000"])

    changed = await refused(
        api,
        snapshot,
        "changeCertificateStatus",
        [status_change_row(DALIAN_CERTIFICATE, "SUSPENDED")],
        key,
    )
    issued = await refused(
        api, snapshot, "issueCertificates", [certificate_row("CCSC26Q10903")], key
    )
    organization = await refused(
        api,
        snapshot,
        "upsertOrganizations",
        [organization_row(new_uscc(40, region="440106"), region="440106")],
        key,
    )

    assert (changed["field"], issued["field"]) == ("input[0].number", "input[0].holder")
    assert "210211" in changed["message"]
    assert organization["field"] == "input"  # an Organization is outside its entities
    in_scope = certificate_row("CCSC26Q10904", holder=GUANGZHOU_HOLDER)
    payload = await mutate(api, "issueCertificates", [in_scope], bearer=key)
    assert payload["__typename"] == "IssueCertificatesSuccess", payload


# what parties may still write -------------------------------------------------------------


async def test_a_partner_writes_for_every_institution_it_names(api: GraphQLClient) -> None:
    key = await partner(api, CCSC, YUEZHI)
    rows = [
        certificate_row("CCSC26Q10905"),
        certificate_row("YZC26Q10905", issuer=YUEZHI, holder=GUANGZHOU_HOLDER),
    ]

    issued = await mutate(api, "issueCertificates", rows, bearer=key)
    changed = await mutate(
        api,
        "changeCertificateStatus",
        [status_change_row(GUANGZHOU_CERTIFICATE, "SUSPENDED")],
        bearer=key,
    )

    assert issued["__typename"] == "IssueCertificatesSuccess", issued
    assert changed["certificates"][0]["status"] == "SUSPENDED"


async def test_a_partner_updates_its_institutions_record_but_not_its_status(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    key = await partner(api, YUEZHI)
    seeded = seedfacts.institution(YUEZHI)
    row = {k: seeded[k] for k in ("uscc", "name", "kinds", "region")}

    closed = await refused(api, snapshot, "upsertInstitutions", [{**row, "status": "CLOSED"}], key)
    moved = await mutate(
        api, "upsertInstitutions", [{**row, "address": "天河区新址1号"}], bearer=key
    )

    assert closed["field"] == "input[0].status"
    assert moved["__typename"] == "UpsertInstitutionsSuccess", moved


async def test_a_body_registers_its_clients_but_cannot_rename_another_bodys(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    body = await create_api_key(
        api.store, role=Role.CERTIFICATION_BODY, institutions=[CCSC], label="ccsc", actor="test"
    )
    theirs = organization_row(GUANGZHOU_HOLDER, region="440112")

    payload = await refused(api, snapshot, "upsertOrganizations", [theirs], body)
    own_client = organization_row(
        DALIAN_PRODUCT_INSTITUTE, name=_registered(DALIAN_PRODUCT_INSTITUTE), region="210211"
    )
    new_client = organization_row(new_uscc(41))
    written = await mutate(api, "upsertOrganizations", [own_client, new_client], bearer=body)

    assert payload["field"] == "input[0].uscc"
    assert written["__typename"] == "UpsertOrganizationsSuccess", written


async def test_a_body_cannot_rename_another_bodys_client_by_certifying_it_too(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """Issuing is open to any body, so issuing a throwaway certificate must not make a
    body the keeper of another body's client: once two bodies have certified a holder,
    neither renames or moves it (the holder itself, its regulator or ADMIN do)."""
    cqc = await create_api_key(
        api.store, role=Role.CERTIFICATION_BODY, institutions=[CQC], label="cqc", actor="test"
    )
    ccsc = await create_api_key(
        api.store, role=Role.CERTIFICATION_BODY, institutions=[CCSC], label="ccsc", actor="test"
    )
    forged = organization_row(DALIAN_PRODUCT_INSTITUTE, name="FORGED NAME", region="440106")
    await refused(api, snapshot, "upsertOrganizations", [forged], cqc)

    throwaway = certificate_row("CQC26Q0000X1", issuer=CQC)
    issued = await mutate(api, "issueCertificates", [throwaway], bearer=cqc)
    assert issued["__typename"] == "IssueCertificatesSuccess", issued

    payload = await refused(api, snapshot, "upsertOrganizations", [forged], cqc)
    await refused(api, snapshot, "upsertOrganizations", [forged], ccsc)
    assert payload["field"] == "input[0].uscc"


async def test_a_partner_cannot_take_over_another_bodys_accreditation(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    key = await partner(api, CNAS)
    takeover = {
        "number": CNCA_APPROVAL_OF_YUEZHI,
        "scheme": "CNCA_APPROVAL",
        "body": CNAS,
        "holder": YUEZHI,
        "scope": ["GB/T 27922-2011"],
        "validFrom": "2014-06-01",
        "validUntil": "2030-05-31",
    }

    payload = await refused(api, snapshot, "upsertAccreditations", [takeover], key)

    assert payload["field"] == "input[0].body"
    assert CNCA in payload["message"]


async def test_a_partner_cannot_grant_an_accreditation_in_a_certification_bodys_name(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """A partner acting for two certification bodies may not make one accredit the other:
    only accreditation bodies and regulators grant (else CCSC's organic certificates would
    verify as accredited), and it may not make its body an accreditation body first."""
    key = await partner(api, CCSC, CQC)
    seeded = seedfacts.institution(CQC)
    row = {k: seeded[k] for k in ("uscc", "name", "kinds", "region")}
    promoted = {**row, "kinds": [*row["kinds"], "ACCREDITATION_BODY"]}
    payload = await refused(api, snapshot, "upsertInstitutions", [promoted], key)
    assert payload["field"] == "input[0].kinds"
    forged = {
        "number": "CQC-ACC-001",
        "scheme": "CNAS_PRODUCT_17065",
        "body": CQC,
        "holder": CCSC,
        "scope": ["GB/T 19630-2019"],
        "validFrom": "2026-11-02",
        "validUntil": "2030-01-01",
    }
    before = await snapshot()

    payload = await mutate(api, "upsertAccreditations", [forged], bearer=key)

    assert (payload["__typename"], payload["code"], payload["field"]) == (
        "InvalidInput",
        "NOT_A_GRANTOR",
        "input[0].body",
    ), payload
    assert await snapshot() == before


async def test_an_institution_cannot_change_its_memberships_or_region_by_itself(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """Memberships are two-sided: 大连恒安 leaving the Dalian association would stop the
    association grading it, and claiming the inspection group would borrow the group's name
    and keep the group's inspectors away. Moved to Guangzhou, Dalian's regulator could no
    longer suspend it. Its regulator may change them."""
    key = await partner(api, HENGAN)
    seeded = seedfacts.institution(HENGAN)
    row = {k: seeded[k] for k in ("uscc", "name", "kinds", "region", "associations")}
    assert DALIAN_ASSOCIATION in row["associations"]
    left = {**row, "associations": [a for a in row["associations"] if a != DALIAN_ASSOCIATION]}
    grouped = {**row, "group": DALIAN_GROUP}

    assert (await refused(api, snapshot, "upsertInstitutions", [left], key))["field"] == (
        "input[0].associations"
    )
    assert (await refused(api, snapshot, "upsertInstitutions", [grouped], key))["field"] == (
        "input[0].group"
    )
    moved_away = {**row, "region": "440106"}
    assert (await refused(api, snapshot, "upsertInstitutions", [moved_away], key))["field"] == (
        "input[0].region"
    )
    renamed = await mutate(api, "upsertInstitutions", [{**row, "name": "大连恒安检测"}], bearer=key)
    assert renamed["__typename"] == "UpsertInstitutionsSuccess", renamed
    dalian = await regulator_of(api, "210200")
    moved = await mutate(api, "upsertInstitutions", [left], bearer=dalian)
    assert moved["__typename"] == "UpsertInstitutionsSuccess", moved


# regulators: their region tree -------------------------------------------------------------


async def test_a_regulator_records_credit_events_only_in_its_region(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    dalian = await regulator_of(api, "210200")
    here = serious_violation("CE-T-9002", HENGAN, "大连市市场监督管理局")
    there = serious_violation("CE-T-9003", GUANGZHOU_LAB, "大连市市场监督管理局")

    payload = await refused(api, snapshot, CREDIT_EVENTS, [here, there], dalian)
    body = await api(CREDIT_EVENTS, {"input": [here]}, bearer=dalian)

    assert [p["field"] for p in payload["problems"]] == ["input[1].institution"]
    assert body["data"]["recordCreditEvents"]["__typename"] == "RecordCreditEventsSuccess"


async def test_a_holder_becoming_an_institution_concerns_its_holders_region(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """A Jiangsu regulator registered a Dalian holder as a Jiangsu institution: Liaoning's
    regulator could then neither record its credit events nor confirm its stars, and the
    Jiangsu one gave it a public D (twenty-third session's review)."""
    holder = "91210211950301560F"  # seeded holder record in Dalian (210211), no institution
    jiangsu = await regulator_of(api, "320000")
    row = institution_row(holder, name="大连华晟重工机械有限公司", region="320106")

    await refused(api, snapshot, "upsertInstitutions", [row], jiangsu)
    dalian = await regulator_of(api, "210200")
    here = await mutate(api, "upsertInstitutions", [{**row, "region": "210211"}], bearer=dalian)

    assert here["__typename"] == "UpsertInstitutionsSuccess", here


async def test_a_regulator_changes_statuses_and_records_only_in_its_region(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    dalian = await regulator_of(api, "210200")

    status = await refused(
        api,
        snapshot,
        "changeCertificateStatus",
        [status_change_row(GUANGZHOU_CERTIFICATE, "SUSPENDED")],
        dalian,
    )
    moved = await refused(
        api,
        snapshot,
        "upsertInstitutions",
        [institution_row(DALIAN_PRODUCT_INSTITUTE, region="440106")],
        dalian,
    )
    suspended = await mutate(
        api,
        "changeCertificateStatus",
        [status_change_row(DALIAN_CERTIFICATE, "SUSPENDED")],
        bearer=dalian,
    )

    assert status["field"] == "input[0].number"
    assert moved["field"] == "input[0].region"
    assert suspended["certificates"][0]["status"] == "SUSPENDED"


async def test_a_regulator_draws_plans_only_for_its_region(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    from tests.api.test_supervision_plan import DRAW, plan_input

    dalian = await regulator_of(api, "210200")
    before = await snapshot()

    body = await api(DRAW, {"input": plan_input(region="210000")}, bearer=dalian)

    payload = body["data"]["drawSupervisionPlan"]
    assert (payload["__typename"], payload["field"]) == ("NotAuthorized", "input.region")
    assert await snapshot() == before
    today = plan_input(region="210200", seed=None, date="2026-11-22")  # the registry's seed
    drawn = await api(DRAW, {"input": today}, bearer=dalian)
    assert drawn["data"]["drawSupervisionPlan"]["__typename"] == "DrawSupervisionPlanSuccess"


async def test_a_regulator_key_from_before_jurisdictions_writes_nothing(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    secret = "qr_a-regulator-key-made-before-keys-named-their-region"
    legacy = ApiKey(key_digest(secret), "REGULATOR", (), "old", "2026-01-01T00:00:00.000000Z")
    await api.store.save_api_key(legacy, actor="test")
    event = serious_violation("CE-T-9004", HENGAN, "大连市市场监督管理局")

    payload = await refused(api, snapshot, CREDIT_EVENTS, [event], secret)

    assert payload["field"] == "input"
    assert "--region" in payload["message"]


async def test_a_body_lifts_neither_its_regulators_suspension_nor_anything_while_suspended(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """A regulator suspended a CCSC certificate; CCSC's own system set it VALID again the
    same day, and did so even while CCSC itself stood REVOKED. The regulator's sanction is
    lifted by the regulator; a body not ACTIVE today restores nothing."""
    ccsc = {"role": Role.CERTIFICATION_BODY, "institution": CCSC}
    suspend = [status_change_row(DALIAN_CERTIFICATE, "SUSPENDED")]
    lift = [status_change_row(DALIAN_CERTIFICATE, "VALID", reason="整改完成 (rectified)")]
    by_regulator = await mutate(api, "changeCertificateStatus", suspend, role=Role.REGULATOR)
    assert by_regulator["__typename"] == "ChangeCertificateStatusSuccess", by_regulator
    await api.key(Role.CERTIFICATION_BODY, CCSC)  # a key is a logged write of its own
    before = await snapshot()

    undone = await mutate(api, "changeCertificateStatus", lift, **ccsc)

    assert (undone["code"], undone["field"]) == ("NOT_AUTHORIZED", "input[0].status"), undone
    assert await snapshot() == before
    # Nor by suspending it itself on top, then lifting its own suspension.
    on_top = [status_change_row(DALIAN_CERTIFICATE, "SUSPENDED", reason="本机构暂停")]
    assert (await mutate(api, "changeCertificateStatus", on_top, **ccsc))[
        "__typename"
    ] == "ChangeCertificateStatusSuccess"
    undone = await mutate(api, "changeCertificateStatus", lift, **ccsc)
    assert (undone["code"], undone["field"]) == ("NOT_AUTHORIZED", "input[0].status"), undone
    lifted = await mutate(api, "changeCertificateStatus", lift, role=Role.REGULATOR)
    assert lifted["__typename"] == "ChangeCertificateStatusSuccess", lifted

    own = await mutate(api, "changeCertificateStatus", suspend, **ccsc)
    assert own["__typename"] == "ChangeCertificateStatusSuccess", own
    revoke = {
        "uscc": CCSC,
        "status": "REVOKED",
        "reason": "撤销批准 (approval revoked)",
        "effectiveOn": "2026-11-22",
    }
    revoked = await mutate(api, "changeInstitutionStatus", [revoke], role=Role.ADMIN)
    assert revoked["__typename"] == "ChangeInstitutionStatusSuccess", revoked
    restored = await mutate(api, "changeCertificateStatus", lift, **ccsc)
    assert (restored["code"], restored["field"]) == ("ISSUER_NOT_ACTIVE", "input[0].status")


async def test_a_body_cancels_no_certificate_its_regulator_suspended(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """A body turned its regulator's suspension into a voluntary cancellation, where the
    regulator would have the certificate withdrawn, which counts against the body
    (twenty-fourth session's review). It may still withdraw the certificate itself."""
    ccsc = {"role": Role.CERTIFICATION_BODY, "institution": CCSC}
    suspend = [status_change_row(DALIAN_CERTIFICATE, "SUSPENDED")]
    by_regulator = await mutate(api, "changeCertificateStatus", suspend, role=Role.REGULATOR)
    assert by_regulator["__typename"] == "ChangeCertificateStatusSuccess", by_regulator
    await api.key(Role.CERTIFICATION_BODY, CCSC)  # a key is a logged write of its own
    before = await snapshot()

    cancel = [status_change_row(DALIAN_CERTIFICATE, "CANCELLED", reason="持证人申请注销")]
    cancelled = await mutate(api, "changeCertificateStatus", cancel, **ccsc)

    assert (cancelled["code"], cancelled["field"]) == ("NOT_AUTHORIZED", "input[0].status")
    assert await snapshot() == before
    withdraw = [status_change_row(DALIAN_CERTIFICATE, "WITHDRAWN", reason="逾期未整改")]
    withdrawn = await mutate(api, "changeCertificateStatus", withdraw, **ccsc)
    assert withdrawn["__typename"] == "ChangeCertificateStatusSuccess", withdrawn


async def test_a_body_ends_no_suspension_by_cancelling_ahead_or_shortening_validity(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """A body cancelled ahead of the suspension its regulator scheduled, which the final
    step then superseded, and sent a suspended certificate again to expire tomorrow, so
    the sanction ended as a lapse, and issued the holder the same certificate again under a
    new number (twenty-fourth session's reviews)."""
    ccsc = {"role": Role.CERTIFICATION_BODY, "institution": CCSC}
    scheduled, now = certificate_row("CCSC26Q55001"), certificate_row("CCSC26Q55002")
    issued = await mutate(api, "issueCertificates", [scheduled, now], **ccsc)
    assert issued["__typename"] == "IssueCertificatesSuccess", issued
    steps = [
        status_change_row("CCSC26Q55001", "SUSPENDED", effectiveOn="2026-12-01"),
        status_change_row("CCSC26Q55002", "SUSPENDED"),
    ]
    suspended = await mutate(api, "changeCertificateStatus", steps, role=Role.REGULATOR)
    assert suspended["__typename"] == "ChangeCertificateStatusSuccess", suspended
    before = await snapshot()

    cancel = [status_change_row("CCSC26Q55001", "CANCELLED", reason="客户申请")]
    cancelled = await mutate(api, "changeCertificateStatus", cancel, **ccsc)
    shortened = [
        await mutate(api, "issueCertificates", [{**row, "expiresOn": "2026-11-25"}], **ccsc)
        for row in (scheduled, now)
    ]
    renumbered = await mutate(api, "issueCertificates", [{**now, "number": "CCSC26Q55003"}], **ccsc)

    assert (cancelled["code"], cancelled["field"]) == ("NOT_AUTHORIZED", "input[0].status")
    for refused in shortened:
        assert (refused["code"], refused["field"]) == ("NOT_AUTHORIZED", "input[0].expiresOn")
    assert (renumbered["code"], renumbered["field"]) == ("NOT_AUTHORIZED", "input[0].standard")
    assert await snapshot() == before
    # Withdrawing the suspended one first frees nothing while it would still run (review).
    withdraw = [status_change_row("CCSC26Q55002", "WITHDRAWN", reason="逾期未整改")]
    withdrawn = await mutate(api, "changeCertificateStatus", withdraw, **ccsc)
    assert withdrawn["__typename"] == "ChangeCertificateStatusSuccess", withdrawn
    again = await mutate(api, "issueCertificates", [{**now, "number": "CCSC26Q55004"}], **ccsc)
    assert (again["code"], again["field"]) == ("NOT_AUTHORIZED", "input[0].standard")
    # A city regulator cancels no certificate its province suspended.
    dalian = await regulator_of(api, "210200")
    cancel_it = [status_change_row("CCSC26Q55001", "CANCELLED", effectiveOn="2026-12-02")]
    city = await mutate(api, "changeCertificateStatus", cancel_it, bearer=dalian)
    assert (city["code"], city["field"]) == ("NOT_AUTHORIZED", "input[0].status"), city
    assert "wider authority" in city["message"], city


async def test_a_body_ends_no_suspension_of_its_grant_by_shortening_or_granting_again(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """ADMIN suspended CNAS's product accreditation of CQC; CNAS's key re-sent it to end the
    next day, and granted CQC the same scheme under a new number, which read VALID
    (twenty-fourth session's review)."""
    grant = CQC_PRODUCT_GRANT
    suspend = [accreditation_change_row("CNAS-C001-P", "SUSPENDED")]
    suspended = await mutate(api, "changeAccreditationStatus", suspend, role=Role.ADMIN)
    assert suspended["__typename"] == "ChangeAccreditationStatusSuccess", suspended
    cnas = await partner(api, CNAS)
    before = await snapshot()

    shortened = await mutate(
        api, "upsertAccreditations", [{**grant, "validUntil": "2026-11-23"}], bearer=cnas
    )
    regranted = await mutate(
        api,
        "upsertAccreditations",
        [
            {
                **grant,
                "number": "CNAS-C001-P2",
                "validFrom": "2026-11-22",
                "validUntil": "2031-11-21",
            }
        ],
        bearer=cnas,
    )

    assert (shortened["code"], shortened["field"]) == ("NOT_AUTHORIZED", "input[0].validUntil")
    assert (regranted["code"], regranted["field"]) == ("NOT_AUTHORIZED", "input[0].scheme")
    assert await snapshot() == before


async def test_a_body_grants_no_scheme_again_ahead_of_a_suspension_scheduled(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """ADMIN scheduled a suspension of CNAS's grant to CQC for next week; CNAS's key granted
    the scheme again under a new number before it took effect (twenty-fifth session's
    read-through: certificates were checked ahead, grants were not)."""
    ahead = [accreditation_change_row("CNAS-C001-P", "SUSPENDED", effectiveOn="2026-11-29")]
    scheduled = await mutate(api, "changeAccreditationStatus", ahead, role=Role.ADMIN)
    assert scheduled["__typename"] == "ChangeAccreditationStatusSuccess", scheduled
    cnas = await partner(api, CNAS)
    again = {**CQC_PRODUCT_GRANT, "number": "CNAS-C001-P3", "validFrom": "2026-11-22"}

    payload = await refused(api, snapshot, "upsertAccreditations", [again], cnas)

    assert payload["field"] == "input[0].scheme", payload


async def test_a_body_cannot_move_its_client_out_of_its_regulators_reach(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """CCSC alone certified the Dalian product institute, so it keeps the holder's record;
    moving it to Guangzhou took its certificates out of the Dalian regulator's reach. A
    holder's region is its regulator's call; the regulator may move it."""
    ccsc = await create_api_key(
        api.store, role=Role.CERTIFICATION_BODY, institutions=[CCSC], label="ccsc", actor="test"
    )
    moved = organization_row(
        DALIAN_PRODUCT_INSTITUTE, name=_registered(DALIAN_PRODUCT_INSTITUTE), region="440106"
    )

    # Nor by registering an institution as a "new" holder somewhere else.
    elsewhere = organization_row(HENGAN, name=_registered(HENGAN), region="440106")

    payload = await refused(api, snapshot, "upsertOrganizations", [moved], ccsc)
    institution = await refused(api, snapshot, "upsertOrganizations", [elsewhere], ccsc)
    by_regulator = await mutate(api, "upsertOrganizations", [moved], role=Role.REGULATOR)
    at_home = await mutate(
        api,
        "upsertOrganizations",
        [organization_row(HENGAN, name=_registered(HENGAN), region="210211")],
        bearer=ccsc,
    )

    assert payload["field"] == "input[0].region", payload
    assert institution["field"] == "input[0].region", institution
    assert by_regulator["__typename"] == "UpsertOrganizationsSuccess", by_regulator
    assert at_home["__typename"] == "UpsertOrganizationsSuccess", at_home


async def test_a_regulator_writes_only_the_grants_of_regulators_in_its_jurisdiction(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """The Dalian regulator revived an expired CNAS accreditation with a scope CNAS never
    granted, and made itself the body of the Liaoning AMR's CMA: its reach was a region. It
    writes the accreditations regulators in its jurisdiction grant, its own city's."""
    dalian = await create_api_key(
        api.store, role=Role.REGULATOR, regions=["210200"], label="dl", actor="test"
    )
    cnas = accreditation_row("CNAS-L6632", HENGAN, validFrom="2019-07-01")
    taken = accreditation_row(
        "232112437909", DALIAN_PRODUCT_INSTITUTE, scheme="CMA", body=DALIAN_AMR
    )
    provincial = accreditation_row("232112439904", HENGAN, scheme="CMA", body=LIAONING_AMR)
    own = accreditation_row("232112439905", HENGAN, scheme="CMA", body=DALIAN_AMR)

    refusals = [
        await refused(api, snapshot, "upsertAccreditations", [row], dalian)
        for row in (cnas, taken, provincial)
    ]
    written = await mutate(api, "upsertAccreditations", [own], bearer=dalian)
    # Nor does it grant a CNAS scheme in its own name, standing in for CNAS.
    stand_in = accreditation_row("CNAS-L99001", HENGAN, body=DALIAN_AMR)
    before = await snapshot()
    not_a_grantor = await mutate(api, "upsertAccreditations", [stand_in], bearer=dalian)
    assert (not_a_grantor["code"], not_a_grantor["field"]) == ("NOT_A_GRANTOR", "input[0].body")
    assert await snapshot() == before
    # Nor by making itself an accreditation body first: who grants is ADMIN's to set.
    promoted = institution_row(
        DALIAN_AMR,
        name="大连市市场监督管理局",
        region="210200",
        kinds=["REGULATOR", "ACCREDITATION_BODY"],
    )
    payload = await refused(api, snapshot, "upsertInstitutions", [promoted], dalian)
    assert payload["field"] == "input[0].kinds", payload
    # Nor renames itself the national regulator to record in that name: ADMIN renames it.
    renamed = {**promoted, "name": "国家市场监督管理总局", "kinds": ["REGULATOR"]}
    renaming = await refused(api, snapshot, "upsertInstitutions", [renamed], dalian)
    assert (renaming["code"], renaming["field"]) == ("NOT_AUTHORIZED", "input[0].name")
    kept = await mutate(
        api, "upsertInstitutions", [{**promoted, "kinds": ["REGULATOR"]}], bearer=dalian
    )
    assert kept["__typename"] == "UpsertInstitutionsSuccess", kept

    assert [r["field"] for r in refusals] == ["input[0].body"] * 3, refusals
    assert LIAONING_AMR in refusals[1]["message"]  # the stored body, though it names itself
    assert written["__typename"] == "UpsertAccreditationsSuccess", written


async def test_a_registered_institutions_holder_record_carries_its_registered_name(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """A body that had never served the Dalian lab gave it a holder record under a name of
    its own, and the lab's real certificates then failed verification by its name
    (HOLDER_MISMATCH; twenty-fourth session's review)."""
    yuezhi = await partner(api, YUEZHI)
    registered = _registered(HENGAN)
    before = await snapshot()

    renamed = await mutate(
        api,
        "upsertOrganizations",
        [organization_row(HENGAN, name="HACKED by a stranger", region="210211")],
        bearer=yuezhi,
    )
    invisible = registered[:2] + "\u200b" + registered[2:]  # the search form drops it
    hidden = await mutate(
        api,
        "upsertOrganizations",
        [organization_row(HENGAN, name=invisible, region="210211")],
        bearer=yuezhi,
    )
    unchanged = await snapshot()
    spaced = " ".join(registered)  # spacing aside, the registered name
    kept = await mutate(
        api,
        "upsertOrganizations",
        [organization_row(HENGAN, name=spaced, region="210211")],
        bearer=yuezhi,
    )

    assert (renamed["code"], renamed["field"]) == ("NOT_REGISTERED_NAME", "input[0].name")
    assert (hidden["code"], hidden["field"]) == ("NOT_REGISTERED_NAME", "input[0].name")
    assert unchanged == before, "a refused holder record was written"
    assert kept["__typename"] == "UpsertOrganizationsSuccess", kept


async def test_an_institution_registers_under_the_name_its_holder_record_carries(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """A body wrote the holder record of a Guangzhou lab not yet registered, under a false
    name; the lab registered later kept it, and its certificates failed verification by
    its real name (twenty-fourth session's review). Its regulator corrects the record
    first; a renamed institution's record then follows its new name."""
    lab = new_uscc(77)
    yuezhi = await partner(api, YUEZHI)
    squatted = await mutate(
        api,
        "upsertOrganizations",
        [organization_row(lab, name="广州李鬼检测有限公司", region="440106")],
        bearer=yuezhi,
    )
    assert squatted["__typename"] == "UpsertOrganizationsSuccess", squatted
    guangdong = await regulator_of(api, "440000")
    real = institution_row(lab, name="广州真实检测技术有限公司", region="440106")
    before = await snapshot()

    kept_false = await mutate(api, "upsertInstitutions", [real], bearer=guangdong)
    unchanged = await snapshot()
    corrected = await mutate(
        api,
        "upsertOrganizations",
        [organization_row(lab, name=real["name"], region="440106")],
        bearer=guangdong,
    )
    registered = await mutate(api, "upsertInstitutions", [real], bearer=guangdong)
    renamed = {**real, "name": "广州真实检测集团有限公司"}
    moved_on = await mutate(api, "upsertInstitutions", [renamed], bearer=guangdong)
    follows = await mutate(
        api,
        "upsertOrganizations",
        [organization_row(lab, name=renamed["name"], region="440106")],
        bearer=guangdong,
    )

    assert (kept_false["code"], kept_false["field"]) == ("HOLDER_NAME_DIFFERS", "input[0].name")
    assert unchanged == before
    for done in (corrected, registered, moved_on, follows):
        assert done["__typename"].endswith("Success"), done
