"""Hostile review: a city regulator lifted the suspension its province had ordered of an
institution in the city, and of a certificate. A suspension is lifted by a key whose
jurisdiction covers that of the key which ordered it (or by ADMIN), never by a narrower one;
what ADMIN ordered, ADMIN lifts."""

from __future__ import annotations

import pytest

from registry.domain.vocabulary import Role
from tests.api.conftest import GraphQLClient, Snapshot
from tests.api.operations import (
    CNAS,
    accreditation_change_row,
    institution_status_row,
    mutate,
    status_change_row,
)
from tests.api.test_write_access import refused, regulator_of

HENGAN = "91210211401294580D"  # 大连恒安检测, in a district of Dalian (210211)
DALIAN_CERTIFICATE = "CCSC23SC0102R2"  # CCSC's, to the Dalian product institute
LIFT = "2026-11-25"  # a lifting's day after each suspension (TODAY is 2026-11-22)


async def _suspend(client: GraphQLClient, key: str) -> None:
    step = institution_status_row(HENGAN, "SUSPENDED")
    payload = await mutate(client, "changeInstitutionStatus", [step], bearer=key)
    assert payload["__typename"] == "ChangeInstitutionStatusSuccess", payload


async def test_a_city_regulator_lifts_no_suspension_its_province_ordered(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    liaoning, dalian = await regulator_of(api, "210000"), await regulator_of(api, "210200")
    lift = institution_status_row(HENGAN, "ACTIVE", reason="整改完成", effectiveOn=LIFT)
    await _suspend(api, liaoning)

    by_city = await refused(api, snapshot, "changeInstitutionStatus", [lift], dalian)
    by_province = await mutate(api, "changeInstitutionStatus", [lift], bearer=liaoning)
    national = institution_status_row(HENGAN, "SUSPENDED", effectiveOn="2026-11-30")
    await mutate(api, "changeInstitutionStatus", [national], bearer=await api.key(Role.ADMIN))
    later = {**lift, "effectiveOn": "2026-12-01"}
    of_admin = await refused(api, snapshot, "changeInstitutionStatus", [later], liaoning)

    assert by_city["field"] == "input[0].status", by_city
    assert by_province["__typename"] == "ChangeInstitutionStatusSuccess", by_province
    assert of_admin["field"] == "input[0].status", of_admin


async def test_a_regulator_lifts_its_own_suspension_and_those_below_it(
    api: GraphQLClient,
) -> None:
    """The city lifts what the city ordered; the province lifts what the city ordered; and a
    city's suspension on top of a lifted provincial one is the city's to lift."""
    liaoning, dalian = await regulator_of(api, "210000"), await regulator_of(api, "210200")
    answers = []
    for suspender, lifter, day in (
        (dalian, dalian, "2026-11-23"),
        (dalian, liaoning, "2026-11-24"),
        (liaoning, liaoning, "2026-11-25"),
        (dalian, dalian, "2026-11-26"),
    ):
        step = institution_status_row(HENGAN, "SUSPENDED", effectiveOn=day)
        answers.append(await mutate(api, "changeInstitutionStatus", [step], bearer=suspender))
        lift = institution_status_row(HENGAN, "ACTIVE", reason="整改完成", effectiveOn=day)
        answers.append(await mutate(api, "changeInstitutionStatus", [lift], bearer=lifter))

    assert {a["__typename"] for a in answers} == {"ChangeInstitutionStatusSuccess"}, answers


async def test_a_city_regulator_restores_no_certificate_its_province_suspended(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    liaoning, dalian = await regulator_of(api, "210000"), await regulator_of(api, "210200")
    suspend = status_change_row(DALIAN_CERTIFICATE, "SUSPENDED")
    restore = status_change_row(DALIAN_CERTIFICATE, "VALID", effectiveOn=LIFT)
    suspended = await mutate(api, "changeCertificateStatus", [suspend], bearer=liaoning)
    assert suspended["__typename"] == "ChangeCertificateStatusSuccess", suspended

    by_city = await refused(api, snapshot, "changeCertificateStatus", [restore], dalian)
    by_province = await mutate(api, "changeCertificateStatus", [restore], bearer=liaoning)

    assert by_city["field"] == "input[0].status", by_city
    assert by_province["__typename"] == "ChangeCertificateStatusSuccess", by_province


async def test_an_accreditation_body_lifts_no_suspension_admin_ordered_on_any_day(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """CNAS set VALID, the same day, an accreditation of its own grant that ADMIN had
    suspended, and dated another lift back to the suspension's first day, so that ADMIN's
    suspension was in force on no day at all. What CNAS suspended itself it still lifts."""
    cnas = {"role": Role.ACCREDITATION_BODY, "institution": CNAS}
    await api.key(**cnas)
    ordered = accreditation_change_row("CNAS-C212-M", "SUSPENDED", effectiveOn="2026-10-01")
    by_admin = await mutate(api, "changeAccreditationStatus", [ordered], role=Role.ADMIN)
    assert by_admin["__typename"] == "ChangeAccreditationStatusSuccess", by_admin
    own = accreditation_change_row("CNAS-C212-S", "SUSPENDED")
    assert (await mutate(api, "changeAccreditationStatus", [own], **cnas))[
        "__typename"
    ] == "ChangeAccreditationStatusSuccess"

    refused_lifts = [
        await refused(api, snapshot, "changeAccreditationStatus", [lift], await api.key(**cnas))
        for lift in (
            accreditation_change_row("CNAS-C212-M", "VALID", reason="整改完成"),
            accreditation_change_row("CNAS-C212-M", "VALID", effectiveOn="2026-10-01"),
        )
    ]
    own_lift = accreditation_change_row("CNAS-C212-S", "VALID", reason="整改完成")
    lifted = await mutate(api, "changeAccreditationStatus", [own_lift], **cnas)

    assert [p["field"] for p in refused_lifts] == ["input[0].status"] * 2, refused_lifts
    assert lifted["__typename"] == "ChangeAccreditationStatusSuccess", lifted


CNCA = "11110108864665640P"  # a national regulator, registered at a Beijing district
LIAONING_BUREAU = "11210000616225742K"  # the Liaoning regulator's own record


@pytest.mark.parametrize(
    ("region", "uscc", "status"),
    [
        ("110108", CNCA, "REVOKED"),
        ("110000", CNCA, "SUSPENDED"),
        ("110000", CNAS, "REVOKED"),
        ("210000", LIAONING_BUREAU, "SUSPENDED"),
    ],
    ids=["district-revokes-cnca", "city-suspends-cnca", "city-revokes-cnas", "own-bureau"],
)
async def test_a_grantors_standing_is_admins_to_record(
    api: GraphQLClient, snapshot: Snapshot, region: str, uscc: str, status: str
) -> None:
    """A regulator's reach is its region, and a grantor's registered region does not tell
    its level: a Beijing district key revoked CNCA, and a Beijing city key revoked CNAS,
    for good (REVOKED is final; ADMIN could not restore them), while their grants read
    VALID (twenty-fifth session's review). A grantor's standing is ADMIN's, as its kinds
    are."""
    step = institution_status_row(uscc, status, reason="审查")
    key = await regulator_of(api, region)

    payload = await refused(api, snapshot, "changeInstitutionStatus", [step], key)
    by_admin = await mutate(api, "changeInstitutionStatus", [step], role=Role.ADMIN)

    assert (payload["code"], payload["field"]) == ("NOT_AUTHORIZED", "input[0].uscc"), payload
    assert by_admin["__typename"] == "ChangeInstitutionStatusSuccess", by_admin
