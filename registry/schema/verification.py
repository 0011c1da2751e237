"""The public verification answer: the same shape whether or not the number exists."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from registry.domain.verification import Verdict, Verification, VerificationWarning
from registry.domain.vocabulary import AccreditationScheme, CertificateFamily, CertificateStatus

__all__ = ["ChainOfTrust", "PublicCertificate", "VerificationResult", "WarningNotice"]

_WARNING_TEXT: dict[VerificationWarning, tuple[str, str]] = {
    VerificationWarning.EXPIRES_SOON: (
        "The certificate expires within 30 days.",
        "证书将在30天内到期。",
    ),
    VerificationWarning.ISSUER_SUSPENDED: (
        "The issuing body is suspended now.",
        "发证机构目前处于暂停状态。",
    ),
    VerificationWarning.ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE: (
        "The issuing body held no accreditation for this kind of certificate on the issue date.",
        "发证之日发证机构不具备此类认证的有效资质。",
    ),
    VerificationWarning.OUTSIDE_ACCREDITED_SCOPE: (
        "The certificate's standard lies outside the issuing body's accredited scope.",
        "证书依据的标准不在发证机构的认可范围内。",
    ),
    VerificationWarning.HOLDER_RENAMED: (
        "The holder has changed its name since the certificate was issued.",
        "获证组织自发证以来已更名。",
    ),
}


@strawberry.type(description="A warning with a stable code and words in English and Chinese.")
class WarningNotice:
    code: VerificationWarning
    message: str
    message_zh: str

    @classmethod
    def of(cls, code: VerificationWarning) -> WarningNotice:
        english, chinese = _WARNING_TEXT[code]
        return cls(code=code, message=english, message_zh=chinese)


@strawberry.type(description="What anyone may know about a certificate.")
class PublicCertificate:
    number: str
    family: CertificateFamily
    standard: str
    scope: str
    stars: int | None
    holder_name: str | None
    issuer_name: str | None
    issuer_uscc: str
    issued_on: date
    expires_on: date
    status: CertificateStatus
    status_since: date | None
    status_reason: str | None


@strawberry.type(description="Who vouches for the issuer, judged on the issue date.")
class ChainOfTrust:
    accredited_on_issue_date: bool
    accreditation_number: str | None
    accreditation_scheme: AccreditationScheme | None
    accreditation_body: str | None
    accreditation_body_uscc: str | None
    accreditation_valid_until: date | None
    scope_covers_certificate: bool
    issuer_suspended_now: bool


@strawberry.type(
    name="Verification",
    description="The answer to 'is this certificate genuine "
    "and valid?'. NOT_FOUND has the same shape, with the optional parts null.",
)
class VerificationResult:
    verdict: Verdict
    number: str
    checked_at: datetime
    certificate: PublicCertificate | None
    chain_of_trust: ChainOfTrust | None
    warnings: list[WarningNotice]

    @classmethod
    def of(cls, number: str, result: Verification, *, checked_at: datetime) -> VerificationResult:
        facts = result.facts
        if facts is None or result.chain is None or result.status is None:
            return cls(
                verdict=result.verdict,
                number=number,
                checked_at=checked_at,
                certificate=None,
                chain_of_trust=None,
                warnings=[],
            )
        c = facts.certificate
        accreditation = result.chain.accreditation
        return cls(
            verdict=result.verdict,
            number=c.number,
            checked_at=checked_at,
            certificate=PublicCertificate(
                number=c.number,
                family=CertificateFamily(c.family),
                standard=c.standard,
                scope=c.scope,
                stars=c.stars,
                holder_name=facts.holder.name if facts.holder else c.holder_name,
                issuer_name=facts.issuer.name if facts.issuer else None,
                issuer_uscc=c.issuer,
                issued_on=c.issued_on,
                expires_on=c.expires_on,
                status=result.status,
                status_since=c.status_since,
                status_reason=c.status_reason,
            ),
            chain_of_trust=ChainOfTrust(
                accredited_on_issue_date=result.chain.accredited_on_issue_date,
                accreditation_number=accreditation.number if accreditation else None,
                accreditation_scheme=(
                    AccreditationScheme(accreditation.scheme) if accreditation else None
                ),
                accreditation_body=accreditation.body_name if accreditation else None,
                accreditation_body_uscc=accreditation.body if accreditation else None,
                accreditation_valid_until=accreditation.valid_until if accreditation else None,
                scope_covers_certificate=result.chain.scope_covers_certificate,
                issuer_suspended_now=result.chain.issuer_suspended_now,
            ),
            warnings=[WarningNotice.of(w) for w in result.warnings],
        )
