"""verifyCertificate: the public's verdict, its chain of trust and its warnings."""

from __future__ import annotations

from typing import Any

from registry.domain.vocabulary import Role
from tests.api.conftest import GraphQLClient
from tests.api.operations import CCSC, certificate_row, institution_status_row, mutate

VERIFY = """
query($n: String!, $h: String) {
  verifyCertificate(number: $n, holderName: $h) {
    verdict number checkedAt
    certificate { number family standard stars holderName issuerName issuedOn expiresOn status
                  statusSince statusReason }
    chainOfTrust { accreditedOnIssueDate accreditationNumber accreditationScheme
                   accreditationBody scopeCoversCertificate issuerSuspendedNow }
    warnings { code message messageZh }
  }
}
"""
DALIAN_PRODUCT_INSTITUTE_CERTIFICATE = "CCSC23SC0102R2"
DALIAN_PRODUCT_INSTITUTE = "大连产品质量检验检测研究院"


async def _verify(reader: GraphQLClient, number: str, holder: str | None = None) -> dict[str, Any]:
    body = await reader(VERIFY, {"n": number, "h": holder})
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["verifyCertificate"]
    return result


def _codes(result: dict[str, Any]) -> list[str]:
    return [w["code"] for w in result["warnings"]]


async def test_a_valid_dalian_service_certificate_is_valid_and_vouched_for(
    reader: GraphQLClient,
) -> None:
    result = await _verify(reader, DALIAN_PRODUCT_INSTITUTE_CERTIFICATE, DALIAN_PRODUCT_INSTITUTE)
    assert result["verdict"] == "VALID"
    assert result["certificate"]["stars"] == 5
    assert result["certificate"]["issuerName"] == "中国船级社质量认证有限公司"
    chain = result["chainOfTrust"]
    assert chain["accreditedOnIssueDate"] is True
    assert chain["scopeCoversCertificate"] is True
    assert chain["accreditationBody"] == "中国合格评定国家认可委员会"
    assert chain["issuerSuspendedNow"] is False
    assert _codes(result) == ["EXPIRES_SOON"]  # it expires on 2026-12-14


async def test_holder_names_match_across_widths_spaces_and_punctuation(
    reader: GraphQLClient,
) -> None:
    typed = " 大连产品质量检验检测研究院。 "
    result = await _verify(reader, DALIAN_PRODUCT_INSTITUTE_CERTIFICATE, typed)
    assert result["verdict"] == "VALID"


async def test_another_holder_name_is_a_mismatch(reader: GraphQLClient) -> None:
    result = await _verify(reader, DALIAN_PRODUCT_INSTITUTE_CERTIFICATE, "大连某某有限公司")
    assert result["verdict"] == "HOLDER_MISMATCH"


async def test_an_unknown_number_has_the_same_shape_with_nothing_revealed(
    reader: GraphQLClient,
) -> None:
    for number in ("CCSC99SC9999", "not a number at all", "x" * 500):
        result = await _verify(reader, number)
        assert result["verdict"] == "NOT_FOUND"
        assert set(result) == {
            "verdict",
            "number",
            "checkedAt",
            "certificate",
            "chainOfTrust",
            "warnings",
        }
        assert (result["certificate"], result["chainOfTrust"], result["warnings"]) == (
            None,
            None,
            [],
        )


async def test_suspended_withdrawn_and_expired_certificates_are_not_valid(
    reader: GraphQLClient,
) -> None:
    for number, status in [
        ("001OP2600391", "SUSPENDED"),
        ("YZC24S20119R1", "WITHDRAWN"),
        ("CCSC17SC0100", "EXPIRED"),
    ]:
        result = await _verify(reader, number)
        assert (result["verdict"], result["certificate"]["status"]) == ("NOT_VALID", status)


async def test_a_certificate_outside_the_accredited_scope_is_flagged(
    reader: GraphQLClient,
) -> None:
    result = await _verify(reader, "HXC-25-S0163")
    assert "OUTSIDE_ACCREDITED_SCOPE" in _codes(result)
    assert result["chainOfTrust"]["scopeCoversCertificate"] is False


async def test_a_certificate_issued_under_a_suspended_accreditation_is_flagged(
    reader: GraphQLClient,
) -> None:
    result = await _verify(reader, "YZC26GP00042")
    assert "ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE" in _codes(result)
    assert result["chainOfTrust"]["accreditedOnIssueDate"] is False
    notices = {w["code"]: w for w in result["warnings"]}
    assert notices["ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE"]["messageZh"]


async def test_a_suspension_dated_back_over_an_issue_is_flagged(api: GraphQLClient) -> None:
    """An issue checks its body's standing as recorded then; a suspension recorded after it
    and dated back over the issue date (or racing it) left a certificate that verified VALID
    with no trace of it. The verifier reads the body's timeline as it stands now."""
    row = certificate_row("CCSC26Q99101", issuedOn="2026-11-10", expiresOn="2029-11-09")
    issued = await mutate(api, "issueCertificates", [row], role=Role.ADMIN)
    assert issued["__typename"] == "IssueCertificatesSuccess", issued
    clean = await _verify(api, "CCSC26Q99101")
    steps = [
        institution_status_row(CCSC, "SUSPENDED", effectiveOn="2026-11-09"),
        institution_status_row(CCSC, "ACTIVE", effectiveOn="2026-11-12", reason="整改完成"),
    ]
    for step in steps:
        changed = await mutate(api, "changeInstitutionStatus", [step], role=Role.ADMIN)
        assert changed["__typename"] == "ChangeInstitutionStatusSuccess", changed

    flagged = await _verify(api, "CCSC26Q99101")

    assert "ISSUER_NOT_ACTIVE_ON_ISSUE_DATE" not in _codes(clean)
    assert flagged["verdict"] == "VALID"  # its own status: the warning says what to doubt
    assert "ISSUER_NOT_ACTIVE_ON_ISSUE_DATE" in _codes(flagged)
    notices = {w["code"]: w for w in flagged["warnings"]}
    assert notices["ISSUER_NOT_ACTIVE_ON_ISSUE_DATE"]["messageZh"]
