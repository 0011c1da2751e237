"""Every validation rule at the edge: a stable code, the field to fix, and nothing written.

A refused batch writes nothing at all, not even its good rows: each test compares the change
head and the entity counts before and after the call.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.domain.uscc import USCC_ALPHABET, uscc_check_character
from registry.domain.vocabulary import Role
from tests.api.conftest import GraphQLClient, Snapshot
from tests.api.operations import (
    CCSC,
    CQC,
    DALIAN_PRODUCT_INSTITUTE,
    accreditation_row,
    certificate_row,
    institution_row,
    mutate,
    new_uscc,
    organization_row,
    status_change_row,
)

UNKNOWN_CERTIFICATE = "CCSC99Q99999"


async def refused(
    api: GraphQLClient,
    snapshot: Snapshot,
    mutation: str,
    rows: list[dict[str, Any]],
    *,
    role: Role = Role.ADMIN,
) -> dict[str, Any]:
    """Call ``mutation`` (as an ADMIN, who may call everything) and prove it wrote nothing."""
    await api.key(role)  # creating a key is itself a change: do it before the snapshot
    before = await snapshot()

    payload = await mutate(api, mutation, rows, role=role)

    assert await snapshot() == before, "a refused write changed the store"
    assert payload["__typename"] != mutation[0].upper() + mutation[1:] + "Success", payload
    return payload


def problem(payload: dict[str, Any]) -> tuple[str, str, str]:
    """The payload's type, code and field (the first problem's, by contract)."""
    return payload["__typename"], payload["code"], payload["field"]


def problems(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["code"], p["field"]) for p in payload["problems"]]


# Identifiers --------------------------------------------------------------------------------


async def test_uscc_with_a_wrong_check_digit_is_refused_and_the_batch_writes_nothing(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    good, bad = new_uscc(11), new_uscc(12)
    wrong = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    rows = [institution_row(good), institution_row(wrong), institution_row(new_uscc(13))]

    payload = await refused(api, snapshot, "upsertInstitutions", rows)

    assert problem(payload) == ("InvalidInput", "INVALID_USCC", "input[1].uscc")
    assert problems(payload) == [("INVALID_USCC", "input[1].uscc")]
    lookup = await api("query($u: String!) { institution(uscc: $u) { uscc } }", {"u": good})
    assert lookup["data"] == {"institution": None}


@pytest.mark.parametrize(
    ("uscc", "code"),
    [
        (DALIAN_PRODUCT_INSTITUTE[:-1], "INVALID_USCC"),
        (DALIAN_PRODUCT_INSTITUTE + "0", "INVALID_USCC"),
    ],
)
async def test_uscc_of_the_wrong_length_is_refused(
    api: GraphQLClient, snapshot: Snapshot, uscc: str, code: str
) -> None:
    payload = await refused(api, snapshot, "upsertOrganizations", [organization_row(uscc)])

    assert problem(payload) == ("InvalidInput", code, "input[0].uscc")


async def test_uscc_with_letters_outside_the_alphabet_is_refused(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    uscc = "91210204768274391" + "I"  # I, O, S, V and Z are not USCC symbols

    payload = await refused(api, snapshot, "upsertOrganizations", [organization_row(uscc)])

    assert problem(payload) == ("InvalidInput", "INVALID_USCC", "input[0].uscc")


WRONG_CHECK_DIGIT = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17).flatmap(
    lambda body: (
        st.sampled_from(USCC_ALPHABET)
        .filter(lambda check: check != uscc_check_character(body))
        .map(lambda check: body + check)
    )
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(uscc=WRONG_CHECK_DIGIT)
async def test_any_uscc_with_a_wrong_check_digit_is_refused(
    api: GraphQLClient, snapshot: Snapshot, uscc: str
) -> None:
    # The examples share one store: each of them must leave it exactly as it was.
    payload = await refused(api, snapshot, "upsertOrganizations", [organization_row(uscc)])

    assert problem(payload) == ("InvalidInput", "INVALID_USCC", "input[0].uscc")


# Regions ------------------------------------------------------------------------------------


@pytest.mark.parametrize("region", ["21020", "2102000", "Dalian", "910000", "021000"])
async def test_malformed_region_code_is_refused(
    api: GraphQLClient, snapshot: Snapshot, region: str
) -> None:
    rows = [institution_row(new_uscc(14)), institution_row(new_uscc(15), region=region)]

    payload = await refused(api, snapshot, "upsertInstitutions", rows)

    assert problem(payload) == ("InvalidInput", "INVALID_FORMAT", "input[1].region")


async def test_region_code_outside_the_region_tree_is_an_unknown_region(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    rows = [
        institution_row(new_uscc(16)),
        institution_row(new_uscc(17), region="650000"),  # Xinjiang: well-formed, not in the tree
    ]

    payload = await refused(api, snapshot, "upsertInstitutions", rows)

    assert problem(payload) == ("InvalidInput", "UNKNOWN_REGION", "input[1].region")


async def test_organization_in_an_unknown_region_is_refused(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    rows = [organization_row(new_uscc(18), region="210299")]

    payload = await refused(api, snapshot, "upsertOrganizations", rows)

    assert problem(payload) == ("InvalidInput", "UNKNOWN_REGION", "input[0].region")


# Certificates -------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["CCSC_26Q1", "CCSC 26Q1", "AB12", "-CCSC26Q10001", "X" * 41])
async def test_certificate_number_must_match_the_pattern(
    api: GraphQLClient, snapshot: Snapshot, number: str
) -> None:
    rows = [certificate_row("CCSC26Q10001"), certificate_row(number)]

    payload = await refused(api, snapshot, "issueCertificates", rows)

    assert problem(payload) == ("InvalidInput", "INVALID_FORMAT", "input[1].number")


@pytest.mark.parametrize("expires_on", ["2026-10-07", "2026-10-08"])
async def test_certificate_must_expire_after_it_is_issued(
    api: GraphQLClient, snapshot: Snapshot, expires_on: str
) -> None:
    rows = [certificate_row("CCSC26Q10002", issuedOn="2026-10-08", expiresOn=expires_on)]

    payload = await refused(api, snapshot, "issueCertificates", rows)

    assert problem(payload) == ("InvalidInput", "INVALID_DATE_RANGE", "input[0].expiresOn")


@pytest.mark.parametrize("family", ["PRODUCT", "MANAGEMENT_SYSTEM"])
async def test_only_service_certificates_carry_stars(
    api: GraphQLClient, snapshot: Snapshot, family: str
) -> None:
    rows = [certificate_row("CCSC26Q10003", family=family, stars=5)]

    payload = await refused(api, snapshot, "issueCertificates", rows)

    assert problem(payload) == ("InvalidInput", "INVALID_VALUE", "input[0].stars")


@pytest.mark.parametrize("stars", [0, 6])
async def test_stars_range_from_one_to_five(
    api: GraphQLClient, snapshot: Snapshot, stars: int
) -> None:
    rows = [certificate_row("CCSC26SC0004", family="SERVICE", stars=stars)]

    payload = await refused(api, snapshot, "issueCertificates", rows)

    assert problem(payload) == ("InvalidInput", "OUT_OF_RANGE", "input[0].stars")


async def test_expired_cannot_be_issued_as_a_status(api: GraphQLClient, snapshot: Snapshot) -> None:
    rows = [certificate_row("CCSC26Q10005", status="EXPIRED", statusReason="过期")]

    payload = await refused(api, snapshot, "issueCertificates", rows)

    assert problem(payload) == ("InvalidInput", "INVALID_VALUE", "input[0].status")


async def test_expired_cannot_be_set_by_a_status_change(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    rows = [status_change_row("CCSC24SC0502R2", "EXPIRED")]

    payload = await refused(api, snapshot, "changeCertificateStatus", rows)

    assert problem(payload) == ("InvalidInput", "INVALID_VALUE", "input[0].status")


async def test_issuing_with_a_status_other_than_valid_needs_a_reason(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    rows = [certificate_row("CCSC26Q10006", status="SUSPENDED")]

    payload = await refused(api, snapshot, "issueCertificates", rows)

    assert problem(payload) == ("InvalidInput", "REQUIRED", "input[0].statusReason")


async def test_status_change_needs_a_reason(api: GraphQLClient, snapshot: Snapshot) -> None:
    rows = [status_change_row("CCSC24SC0502R2", "SUSPENDED", reason="")]

    payload = await refused(api, snapshot, "changeCertificateStatus", rows)

    assert problem(payload) == ("InvalidInput", "TOO_SHORT", "input[0].reason")


# Lengths and list sizes ---------------------------------------------------------------------


async def test_name_longer_than_two_hundred_characters_is_too_long(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    rows = [institution_row(new_uscc(19), name="检" * 201)]

    payload = await refused(api, snapshot, "upsertInstitutions", rows)

    assert problem(payload) == ("InvalidInput", "TOO_LONG", "input[0].name")


async def test_more_than_eight_kinds_are_too_many(api: GraphQLClient, snapshot: Snapshot) -> None:
    kinds = [
        "INSPECTION_TESTING",
        "CERTIFICATION_BODY",
        "ACCREDITATION_BODY",
        "METROLOGY",
        "STANDARDIZATION",
        "QUALITY_SERVICE_STATION",
        "ASSOCIATION",
        "REGULATOR",
        "GROUP",
    ]
    rows = [institution_row(new_uscc(20), kinds=kinds)]

    payload = await refused(api, snapshot, "upsertInstitutions", rows)

    assert problem(payload) == ("InvalidInput", "TOO_MANY", "input[0].kinds")


async def test_an_institution_needs_at_least_one_kind(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    payload = await refused(
        api, snapshot, "upsertInstitutions", [institution_row(new_uscc(21), kinds=[])]
    )

    assert problem(payload) == ("InvalidInput", "TOO_FEW", "input[0].kinds")


async def test_same_key_twice_in_one_batch_is_refused(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    uscc = new_uscc(22)
    rows = [organization_row(new_uscc(23)), organization_row(uscc), organization_row(uscc)]

    payload = await refused(api, snapshot, "upsertOrganizations", rows)

    assert problem(payload) == ("InvalidInput", "DUPLICATE_IN_BATCH", "input[2]")
    assert "input[1]" in payload["message"]


async def test_more_than_one_thousand_rows_are_too_many(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    rows = [organization_row(new_uscc(100 + n)) for n in range(1001)]

    payload = await refused(api, snapshot, "upsertOrganizations", rows)

    assert problem(payload) == ("InvalidInput", "TOO_MANY", "input")


async def test_one_thousand_rows_are_accepted(api: GraphQLClient) -> None:
    rows = [organization_row(new_uscc(2000 + n)) for n in range(1000)]

    payload = await mutate(api, "upsertOrganizations", rows, role=Role.ADMIN)

    assert payload["__typename"] == "UpsertOrganizationsSuccess"
    assert payload["receipt"]["written"] == 1000


async def test_an_empty_batch_is_refused(api: GraphQLClient, snapshot: Snapshot) -> None:
    payload = await refused(api, snapshot, "upsertOrganizations", [])

    assert problem(payload) == ("InvalidInput", "TOO_FEW", "input")


async def test_every_problem_of_the_batch_is_reported(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    rows = [
        certificate_row("CCSC26Q10007", expiresOn="2020-01-01"),
        certificate_row("CCSC26Q10008"),
        certificate_row("CCSC26Q10009", holder=DALIAN_PRODUCT_INSTITUTE[:-1] + "0", stars=3),
    ]

    payload = await refused(api, snapshot, "issueCertificates", rows)

    assert set(problems(payload)) == {
        ("INVALID_DATE_RANGE", "input[0].expiresOn"),
        ("INVALID_USCC", "input[2].holder"),
    }


# References to what is (not) stored --------------------------------------------------------


async def test_certificate_for_an_unknown_holder_is_not_found(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    rows = [certificate_row("CCSC26Q10010"), certificate_row("CCSC26Q10011", holder=new_uscc(24))]

    payload = await refused(api, snapshot, "issueCertificates", rows)

    assert problem(payload) == ("NotFound", "NOT_FOUND", "input[1].holder")
    assert problems(payload) == [("NOT_FOUND", "input[1].holder")]


async def test_certificate_from_an_unknown_issuer_is_not_found(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    rows = [certificate_row("CCSC26Q10012", issuer=new_uscc(25))]

    payload = await refused(api, snapshot, "issueCertificates", rows)

    assert problem(payload) == ("NotFound", "NOT_FOUND", "input[0].issuer")


async def test_missing_holder_is_not_blamed_on_an_issuer_with_the_same_uscc(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    rows = [
        certificate_row("CCSC26Q10013"),  # issued by CCSC
        certificate_row("00126Q39013R0M", issuer=CQC, holder=CCSC),  # CCSC holds no certificates
    ]

    payload = await refused(api, snapshot, "issueCertificates", rows)

    assert problems(payload) == [("NOT_FOUND", "input[1].holder")]


async def test_member_of_an_unknown_group_is_not_found(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    rows = [institution_row(new_uscc(26), group=new_uscc(27))]

    payload = await refused(api, snapshot, "upsertInstitutions", rows)

    assert problem(payload) == ("NotFound", "NOT_FOUND", "input[0].group")


async def test_accreditation_of_an_unknown_holder_is_not_found(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    rows = [accreditation_row("CNAS-L9902", new_uscc(28))]

    payload = await refused(api, snapshot, "upsertAccreditations", rows)

    assert problem(payload) == ("NotFound", "NOT_FOUND", "input[0].holder")


async def test_status_change_of_an_unknown_certificate_is_not_found(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    rows = [
        status_change_row("CCSC24SC0502R2", "SUSPENDED"),
        status_change_row(UNKNOWN_CERTIFICATE, "SUSPENDED"),
    ]

    payload = await refused(api, snapshot, "changeCertificateStatus", rows)

    assert problem(payload) == ("NotFound", "NOT_FOUND", "input[1].number")


async def test_reissuing_a_number_under_another_issuer_is_a_conflict(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    rows = [certificate_row("CQC24FW1127", issuer=CCSC, holder="912102038820958727")]

    payload = await refused(api, snapshot, "issueCertificates", rows)

    assert problem(payload)[:2] == ("Conflict", "CONFLICT")
    assert "CQC24FW1127" in payload["message"]


async def test_reissuing_a_number_to_another_holder_is_a_conflict(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    rows = [certificate_row("CQC24FW1127", issuer=CQC)]  # held by 大连振安保安, not this institute

    payload = await refused(api, snapshot, "issueCertificates", rows)

    assert problem(payload)[:2] == ("Conflict", "CONFLICT")
