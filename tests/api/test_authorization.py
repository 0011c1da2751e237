"""Who may do what: roles per mutation, certification bodies acting only for themselves, and
fields that only oversight roles see."""

from __future__ import annotations

from typing import Any

import pytest

from registry.domain.vocabulary import Role
from tests.api import seedfacts
from tests.api.conftest import GraphQLClient, Snapshot
from tests.api.operations import (
    CCSC,
    CNAS,
    CQC,
    DALIAN_PRODUCT_INSTITUTE,
    YUEZHI,
    accreditation_change_row,
    accreditation_row,
    assessment_row,
    certificate_row,
    institution_row,
    institution_status_row,
    mutate,
    new_uscc,
    organization_row,
    status_change_row,
)

CCSC_CERTIFICATE = "CCSC24SC0502R2"
STATUS = "query($n: String!) { certificate(number: $n) { status history { actor } } }"
CQC_CERTIFICATE = "CQC24FW1127"

# The role table the registry promises (registry/domain/permissions.py implements it).
ALLOWED: dict[str, set[Role]] = {
    "upsertInstitutions": {Role.ADMIN, Role.PARTNER, Role.REGULATOR},
    "upsertOrganizations": {Role.ADMIN, Role.PARTNER, Role.REGULATOR, Role.CERTIFICATION_BODY},
    "upsertAccreditations": {Role.ADMIN, Role.PARTNER, Role.REGULATOR},
    "issueCertificates": {Role.ADMIN, Role.PARTNER, Role.CERTIFICATION_BODY},
    "changeCertificateStatus": {
        Role.ADMIN,
        Role.PARTNER,
        Role.CERTIFICATION_BODY,
        Role.REGULATOR,
    },
    "changeAccreditationStatus": {
        Role.ADMIN,
        Role.ACCREDITATION_BODY,
        Role.PARTNER,
        Role.REGULATOR,
    },
    "changeInstitutionStatus": {Role.ADMIN, Role.REGULATOR},
    "recordServiceAssessments": {Role.ADMIN, Role.PARTNER, Role.CERTIFICATION_BODY},
}

# One valid row per mutation; a certification body acts for CCSC, so the rows are CCSC's.
VALID_ROWS: dict[str, list[dict[str, Any]]] = {
    "upsertInstitutions": [  # renamed; its region and memberships are its regulator's call
        institution_row(
            DALIAN_PRODUCT_INSTITUTE,
            **{
                k: seedfacts.institution(DALIAN_PRODUCT_INSTITUTE)[k]
                for k in ("region", "group", "associations")
            },
        )
    ],
    "upsertOrganizations": [organization_row(new_uscc(32))],
    "upsertAccreditations": [accreditation_row("CNAS-L9903", DALIAN_PRODUCT_INSTITUTE)],
    "issueCertificates": [certificate_row("CCSC26Q10031")],
    "changeCertificateStatus": [status_change_row(CCSC_CERTIFICATE, "SUSPENDED")],
    "changeAccreditationStatus": [accreditation_change_row("CNAS-C001-M", "SUSPENDED")],
    "changeInstitutionStatus": [institution_status_row(YUEZHI, "SUSPENDED")],
    "recordServiceAssessments": [assessment_row("CCSC20SC0101R1")],
}

# Rows a role writes in place of the mutation's valid row: a regulator writes the grants of
# regulators (a CMA by the Liaoning AMR), not CNAS's.
LIAONING_AMR = "11210000616225742K"
ROLE_ROWS: dict[tuple[str, Role], list[dict[str, Any]]] = {
    ("upsertAccreditations", Role.REGULATOR): [
        accreditation_row("232112439903", DALIAN_PRODUCT_INSTITUTE, scheme="CMA", body=LIAONING_AMR)
    ],
    ("changeAccreditationStatus", Role.REGULATOR): [  # the Liaoning AMR's CMA of a lab
        accreditation_change_row("202112726090", "SUSPENDED")
    ],
}

ROLE_TABLE = [
    pytest.param(mutation, role, id=f"{mutation}-{role.value}")
    for mutation in ALLOWED
    for role in Role
]


# In whose name each valid row is written: a partner's key names that party.
PARTNER_PARTIES = {
    "upsertInstitutions": DALIAN_PRODUCT_INSTITUTE,
    "upsertAccreditations": CNAS,
    "changeAccreditationStatus": CNAS,
}


def caller(role: Role, mutation: str | None = None) -> dict[str, Any]:
    """How a client of ``role`` calls: certification bodies hold a key bound to CCSC,
    accreditation bodies one bound to CNAS, a partner one naming the party the mutation's
    valid row is written for."""
    if role is Role.CERTIFICATION_BODY:
        return {"role": role, "institution": CCSC}
    if role is Role.ACCREDITATION_BODY:
        return {"role": role, "institution": CNAS}
    if role is Role.PARTNER:
        return {"role": role, "institution": PARTNER_PARTIES.get(mutation or "", CCSC)}
    return {"role": role, "institution": None}


async def call_refused(
    api: GraphQLClient,
    snapshot: Snapshot,
    mutation: str,
    rows: list[dict[str, Any]],
    **who: Any,
) -> dict[str, Any]:
    if who["role"] is not Role.PUBLIC:
        await api.key(who["role"], who.get("institution"))
    before = await snapshot()

    payload = await mutate(api, mutation, rows, **who)

    assert await snapshot() == before, "a refused write changed the store"
    return payload


@pytest.mark.parametrize("mutation", list(ALLOWED))
async def test_public_caller_cannot_call_any_mutation(
    api: GraphQLClient, snapshot: Snapshot, mutation: str
) -> None:
    payload = await call_refused(api, snapshot, mutation, VALID_ROWS[mutation], role=Role.PUBLIC)

    assert (payload["__typename"], payload["code"]) == ("NotAuthorized", "NOT_AUTHORIZED")
    assert payload["field"] == "input"


@pytest.mark.parametrize(("mutation", "role"), ROLE_TABLE)
async def test_role_table_is_enforced_for_every_mutation(
    api: GraphQLClient, snapshot: Snapshot, mutation: str, role: Role
) -> None:
    if role in ALLOWED[mutation]:
        rows = ROLE_ROWS.get((mutation, role), VALID_ROWS[mutation])
        payload = await mutate(api, mutation, rows, **caller(role, mutation))
        assert payload["__typename"] == mutation[0].upper() + mutation[1:] + "Success", payload
    else:
        rows = VALID_ROWS[mutation]
        payload = await call_refused(api, snapshot, mutation, rows, **caller(role, mutation))
        assert (payload["__typename"], payload["code"]) == ("NotAuthorized", "NOT_AUTHORIZED")
        assert role.value in payload["message"]


async def test_association_cannot_issue_certificates(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    payload = await call_refused(
        api,
        snapshot,
        "issueCertificates",
        [certificate_row("CCSC26Q10032")],
        role=Role.ASSOCIATION,
    )

    assert payload["__typename"] == "NotAuthorized"


# A certification body acts only for itself ---------------------------------------------------


async def test_certification_body_issues_certificates_in_its_own_name(api: GraphQLClient) -> None:
    payload = await mutate(
        api,
        "issueCertificates",
        [certificate_row("CCSC26Q10033")],
        role=Role.CERTIFICATION_BODY,
        institution=CCSC,
    )

    assert payload["__typename"] == "IssueCertificatesSuccess"
    assert payload["certificates"][0]["issuer"]["uscc"] == CCSC


async def test_certification_body_cannot_issue_in_another_bodys_name(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    rows = [certificate_row("CCSC26Q10034"), certificate_row("00126Q39034R0M", issuer=CQC)]

    payload = await call_refused(
        api, snapshot, "issueCertificates", rows, role=Role.CERTIFICATION_BODY, institution=CCSC
    )

    assert (payload["__typename"], payload["code"], payload["field"]) == (
        "NotAuthorized",
        "NOT_AUTHORIZED",
        "input[1].issuer",
    )
    assert [p["field"] for p in payload["problems"]] == ["input[1].issuer"]


async def test_certification_body_changes_the_status_of_its_own_certificate(
    api: GraphQLClient,
) -> None:
    payload = await mutate(
        api,
        "changeCertificateStatus",
        [status_change_row(CCSC_CERTIFICATE, "SUSPENDED")],
        role=Role.CERTIFICATION_BODY,
        institution=CCSC,
    )

    assert payload["__typename"] == "ChangeCertificateStatusSuccess"
    assert payload["certificates"][0]["status"] == "SUSPENDED"


async def test_certification_body_cannot_change_another_bodys_certificate(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    rows = [status_change_row(CQC_CERTIFICATE, "WITHDRAWN")]

    payload = await call_refused(
        api,
        snapshot,
        "changeCertificateStatus",
        rows,
        role=Role.CERTIFICATION_BODY,
        institution=CCSC,
    )

    assert (payload["__typename"], payload["code"], payload["field"]) == (
        "NotAuthorized",
        "NOT_AUTHORIZED",
        "input[0].number",
    )
    body = await api(STATUS, {"n": CQC_CERTIFICATE})
    assert body["data"]["certificate"]["status"] == "VALID"


async def test_certification_body_cannot_take_over_another_bodys_certificate_number(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    rows = [certificate_row(CQC_CERTIFICATE, holder="912102038820958727")]

    payload = await call_refused(
        api, snapshot, "issueCertificates", rows, role=Role.CERTIFICATION_BODY, institution=CCSC
    )

    # The number is CQC's: re-issuing it would write in CQC's name. (The store refuses to
    # move a certificate to another issuer as well: graph/test_contract.py.)
    assert (payload["__typename"], payload["field"]) == ("NotAuthorized", "input[0].issuer")


# Fields only oversight roles see -----------------------------------------------------------

LEGAL_REPRESENTATIVE = f'{{ institution(uscc: "{CCSC}") {{ name legalRepresentative }} }}'
COMPLAINTS = """query($u: String!) {
  institution(uscc: $u) { name complaints { id category status details resolution } } }"""
COMPLAINED_ABOUT = DALIAN_PRODUCT_INSTITUTE  # CMP-2026-0001: a report delay


@pytest.mark.parametrize(
    "role", [Role.PUBLIC, Role.ASSOCIATION, Role.PARTNER, Role.CERTIFICATION_BODY]
)
async def test_legal_representative_is_withheld_with_an_error(
    reader: GraphQLClient, role: Role
) -> None:
    body = await reader(LEGAL_REPRESENTATIVE, **caller(role))

    assert body["data"]["institution"] == {
        "name": seedfacts.institution(CCSC)["name"],
        "legalRepresentative": None,
    }
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["institution", "legalRepresentative"], "NOT_AUTHORIZED")
    ]


@pytest.mark.parametrize("role", [Role.REGULATOR, Role.ADMIN])
async def test_oversight_roles_see_the_legal_representative(
    reader: GraphQLClient, role: Role
) -> None:
    body = await reader(LEGAL_REPRESENTATIVE, role=role)

    assert "errors" not in body, body
    expected = seedfacts.institution(CCSC)["legalRepresentative"]["name"]
    assert body["data"]["institution"]["legalRepresentative"] == expected


async def test_id_numbers_of_legal_representatives_are_never_exposed(
    reader: GraphQLClient,
) -> None:
    id_number = seedfacts.institution(CCSC)["legalRepresentative"]["idNumber"]

    response = await reader.post(
        f'{{ institution(uscc: "{CCSC}") {{ legalRepresentative name address }} }}',
        role=Role.REGULATOR,
    )

    assert id_number not in response.text


@pytest.mark.parametrize(
    "role", [Role.PUBLIC, Role.ASSOCIATION, Role.PARTNER, Role.CERTIFICATION_BODY]
)
async def test_complaints_are_withheld_with_an_error(reader: GraphQLClient, role: Role) -> None:
    response = await reader.post(COMPLAINTS, {"u": COMPLAINED_ABOUT}, **caller(role))

    body = response.json()
    assert body["data"]["institution"]["complaints"] is None
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["institution", "complaints"], "NOT_AUTHORIZED")
    ]
    for complaint in seedfacts.seed("complaints"):
        assert complaint["details"] not in response.text


async def test_regulator_sees_the_details_of_seeded_complaints(reader: GraphQLClient) -> None:
    body = await reader(COMPLAINTS, {"u": COMPLAINED_ABOUT}, role=Role.REGULATOR)

    assert "errors" not in body, body
    seeded = [c for c in seedfacts.seed("complaints") if c["against"] == COMPLAINED_ABOUT]
    assert seeded
    shown = body["data"]["institution"]["complaints"]
    assert sorted((c["id"], c["details"], c["resolution"]) for c in shown) == sorted(
        (c["id"], c["details"], c.get("resolution")) for c in seeded
    )


STATUS_ACTOR = '{ certificate(number: "CCSC25Q10417R1") { history { status actor } } }'


async def test_public_does_not_see_who_recorded_a_status_change(reader: GraphQLClient) -> None:
    body = await reader(STATUS_ACTOR)

    assert "errors" not in body, body
    history = body["data"]["certificate"]["history"]
    assert len(history) == 3
    assert {step["actor"] for step in history} == {None}


@pytest.mark.parametrize("role", [Role.REGULATOR, Role.PARTNER, Role.ADMIN])
async def test_oversight_and_partners_see_who_recorded_a_status_change(
    reader: GraphQLClient, role: Role
) -> None:
    body = await reader(STATUS_ACTOR, role=role)

    history = body["data"]["certificate"]["history"]
    assert all(step["actor"] for step in history)


async def test_status_change_names_the_key_that_recorded_it(api: GraphQLClient) -> None:
    await mutate(
        api,
        "changeCertificateStatus",
        [status_change_row(CCSC_CERTIFICATE, "SUSPENDED")],
        role=Role.CERTIFICATION_BODY,
        institution=CCSC,
    )

    body = await api(STATUS, {"n": CCSC_CERTIFICATE}, role=Role.REGULATOR)

    assert body["data"]["certificate"]["history"][-1]["actor"].startswith("certification_body:")


async def test_public_cannot_list_the_certificates_an_institution_issued(
    reader: GraphQLClient,
) -> None:
    body = await reader(
        "query($u: String!) { institution(uscc: $u) { issuedCertificates { totalCount } } }",
        {"u": CCSC},
    )

    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHORIZED"
