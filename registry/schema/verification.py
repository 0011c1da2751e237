"""The public verification answer: the same shape whether or not the number exists."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from graph.models import Certificate
from registry.context import Context
from registry.domain.verification import Verdict, Verification, VerificationWarning
from registry.domain.vocabulary import AccreditationScheme, CertificateFamily, CertificateStatus
from registry.domain.warning_texts import WARNING_TEXT
from registry.schema.service_assessment import StarsExplanation

__all__ = ["ChainOfTrust", "PublicCertificate", "VerificationResult", "WarningNotice"]


@strawberry.type(description="A warning with a stable code and words in English and Chinese.")
class WarningNotice:
    code: VerificationWarning
    message: str
    message_zh: str

    @classmethod
    def of(cls, code: VerificationWarning) -> WarningNotice:
        english, chinese = WARNING_TEXT[code]
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

    @classmethod
    def of(
        cls,
        c: Certificate,
        *,
        holder_name: str | None,
        issuer_name: str | None,
        status: CertificateStatus,
        since: date | None = None,
        reason: str | None = None,
    ) -> PublicCertificate:
        """``since`` and ``reason`` of the step in force (default: as last written)."""
        return cls(
            number=c.number,
            family=CertificateFamily(c.family),
            standard=c.standard,
            scope=c.scope,
            stars=c.stars,
            holder_name=holder_name,
            issuer_name=issuer_name,
            issuer_uscc=c.issuer,
            issued_on=c.issued_on,
            expires_on=c.expires_on,
            status=status,
            status_since=since or c.status_since,
            status_reason=reason if since else c.status_reason,
        )

    @strawberry.field(
        description="Why a service certificate has its stars: the assessment its issuer "
        "recorded, the scheme's bands and the CPSQ (null without a recorded assessment)."
    )
    async def stars_explained(
        self, info: strawberry.Info[Context, None]
    ) -> StarsExplanation | None:
        if self.family is not CertificateFamily.SERVICE:
            return None
        found = await info.context.loaders.service_assessment.load(self.number)
        return None if found is None else StarsExplanation.of(found, self.stars)


@strawberry.type(description="Who vouches for the issuer, judged on the issue date.")
class ChainOfTrust:
    accredited_on_issue_date: bool
    accreditation_number: str | None
    accreditation_scheme: AccreditationScheme | None
    accreditation_body: str | None
    accreditation_body_uscc: str | None
    accreditation_valid_until: date | None
    scope_covers_certificate: bool
    issuer_suspended_now: bool = strawberry.field(
        description="The issuer, or every accreditation it holds for this kind of certificate, "
        "is suspended or withdrawn on the day asked for (today unless asOf)."
    )


@strawberry.type(
    name="Verification",
    description="The answer to 'is this certificate genuine "
    "and valid?'. NOT_FOUND has the same shape, with the optional parts null.",
)
class VerificationResult:
    verdict: Verdict
    number: str
    checked_at: datetime
    as_of: date = strawberry.field(description="The day the answer is for.")
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
                as_of=result.checked_on,
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
            as_of=result.checked_on,
            certificate=PublicCertificate.of(
                c,
                holder_name=facts.holder.name if facts.holder else c.holder_name,
                issuer_name=facts.issuer.name if facts.issuer else None,
                status=result.status,
                since=result.standing.since if result.standing else None,
                reason=result.standing.reason if result.standing else None,
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
