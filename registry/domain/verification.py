"""The public's question: is this certificate genuine and valid, and can I trust its issuer?

A verdict and its warnings are derived from the stored facts alone (pure functions), so the
GraphQL answer, the web page and an offline check agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from graph.models import Accreditation, Institution, VerificationFacts
from registry.domain.certificates import effective_status
from registry.domain.names import normalise_name
from registry.domain.vocabulary import AccreditationScheme, CertificateFamily, CertificateStatus

__all__ = [
    "EXPIRES_SOON_DAYS",
    "ChainOfTrust",
    "Verdict",
    "Verification",
    "VerificationWarning",
    "chain_of_trust",
    "verify",
]

EXPIRES_SOON_DAYS = 30

# Which accreditations let a body certify each family: CNAS accreditation against ISO/IEC
# 17065 (products, services) or 17021 (management systems), or CNCA's approval.
_SCHEMES_FOR: dict[CertificateFamily, frozenset[AccreditationScheme]] = {
    CertificateFamily.PRODUCT: frozenset(
        {AccreditationScheme.CNAS_PRODUCT_17065, AccreditationScheme.CNCA_APPROVAL}
    ),
    CertificateFamily.SERVICE: frozenset(
        {AccreditationScheme.CNAS_SERVICE_17065, AccreditationScheme.CNCA_APPROVAL}
    ),
    CertificateFamily.MANAGEMENT_SYSTEM: frozenset(
        {AccreditationScheme.CNAS_MANAGEMENT_SYSTEM_17021, AccreditationScheme.CNCA_APPROVAL}
    ),
}
_VOID = frozenset({"WITHDRAWN"})
_INTERRUPTED = frozenset({"SUSPENDED", "WITHDRAWN"})


class Verdict(StrEnum):
    VALID = "VALID"
    NOT_VALID = "NOT_VALID"
    NOT_FOUND = "NOT_FOUND"
    HOLDER_MISMATCH = "HOLDER_MISMATCH"


class VerificationWarning(StrEnum):
    EXPIRES_SOON = "EXPIRES_SOON"
    ISSUER_SUSPENDED = "ISSUER_SUSPENDED"
    ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE = "ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE"
    OUTSIDE_ACCREDITED_SCOPE = "OUTSIDE_ACCREDITED_SCOPE"
    HOLDER_RENAMED = "HOLDER_RENAMED"


@dataclass(frozen=True, slots=True)
class ChainOfTrust:
    """Who vouches for the issuer: the accreditation that covered the issue date, if any."""

    accredited_on_issue_date: bool
    accreditation: Accreditation | None
    scope_covers_certificate: bool
    issuer_suspended_now: bool


@dataclass(frozen=True, slots=True)
class Verification:
    verdict: Verdict
    facts: VerificationFacts | None
    status: CertificateStatus | None
    chain: ChainOfTrust | None
    warnings: tuple[VerificationWarning, ...]
    checked_on: date


def _in_force_on(accreditation: Accreditation, day: date) -> bool:
    """Granted for ``day``; a withdrawn accreditation never vouches, and a suspended one is
    taken as suspended throughout, since the registry does not know since when."""
    return (
        accreditation.valid_from <= day <= accreditation.valid_until
        and accreditation.status not in _INTERRUPTED
    )


def chain_of_trust(facts: VerificationFacts, *, today: date) -> ChainOfTrust:
    """Judge the issuer on the issue date, for this certificate's family and standard.

    The issuer was accredited for it when an accreditation covering the standard was in force
    that day. When one covered the standard but was not in force (suspended, expired, not yet
    granted), it was not accredited; when only accreditations of other scopes were in force,
    it was accredited but outside its scope.
    """
    certificate = facts.certificate
    relevant = [
        a
        for a in facts.accreditations
        if a.scheme in _SCHEMES_FOR[CertificateFamily(certificate.family)]
    ]
    in_force = [a for a in relevant if _in_force_on(a, certificate.issued_on)]
    covering = [a for a in relevant if certificate.standard in a.scope]
    covering_in_force = [a for a in covering if a in in_force]
    fallback = [a for a in relevant if a.status not in _VOID]
    best = next(iter(covering_in_force or covering or in_force or fallback), None)
    return ChainOfTrust(
        accredited_on_issue_date=bool(covering_in_force) or (bool(in_force) and not covering),
        accreditation=best,
        scope_covers_certificate=bool(covering),
        issuer_suspended_now=_suspended_now(facts.issuer, relevant, today=today),
    )


def _suspended_now(
    issuer: Institution | None, relevant: list[Accreditation], *, today: date
) -> bool:
    if issuer is not None and issuer.status != "ACTIVE":
        return True
    current = [a for a in relevant if a.valid_from <= today <= a.valid_until]
    return bool(current) and all(a.status in _INTERRUPTED for a in current)


def verify(
    facts: VerificationFacts | None, *, holder_name: str | None, today: date
) -> Verification:
    """The verdict for one certificate number (``facts`` is None when it does not exist)."""
    if facts is None:
        return Verification(Verdict.NOT_FOUND, None, None, None, (), today)
    certificate = facts.certificate
    status = effective_status(certificate.status, certificate.expires_on, today=today)
    chain = chain_of_trust(facts, today=today)
    current_name = facts.holder.name if facts.holder is not None else None
    names = {normalise_name(n) for n in (current_name, certificate.holder_name) if n}
    warnings: list[VerificationWarning] = []
    if status is CertificateStatus.VALID and certificate.expires_on - today <= timedelta(
        days=EXPIRES_SOON_DAYS
    ):
        warnings.append(VerificationWarning.EXPIRES_SOON)
    if chain.issuer_suspended_now:
        warnings.append(VerificationWarning.ISSUER_SUSPENDED)
    if not chain.accredited_on_issue_date:
        warnings.append(VerificationWarning.ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE)
    elif not chain.scope_covers_certificate:
        warnings.append(VerificationWarning.OUTSIDE_ACCREDITED_SCOPE)
    if len(names) > 1:
        warnings.append(VerificationWarning.HOLDER_RENAMED)
    if holder_name is not None and normalise_name(holder_name) not in names:
        verdict = Verdict.HOLDER_MISMATCH
    elif status is CertificateStatus.VALID:
        verdict = Verdict.VALID
    else:
        verdict = Verdict.NOT_VALID
    return Verification(verdict, facts, status, chain, tuple(warnings), today)
