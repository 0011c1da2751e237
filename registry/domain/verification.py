"""The public's question: is this certificate genuine and valid, and can I trust its issuer?

A verdict and its warnings are derived from the stored facts alone (pure functions), so the
GraphQL answer, the web page and an offline check agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from graph.models import Accreditation, Certificate, Institution, VerificationFacts
from registry.domain.accreditations import AccreditationOn, accreditation_on, institution_status_on
from registry.domain.certificates import (
    CertificateStanding,
    certificate_standing,
    status_timeline,
)
from registry.domain.lifecycle import LIMITS, suspension_overdue
from registry.domain.names import normalise_name
from registry.domain.vocabulary import (
    AccreditationScheme,
    AccreditationStatus,
    CertificateFamily,
    CertificateStatus,
    InstitutionStatus,
)

__all__ = [
    "EXPIRES_SOON_DAYS",
    "ChainOfTrust",
    "Verdict",
    "Verification",
    "VerificationWarning",
    "chain_of_trust",
    "scope_problem",
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


class Verdict(StrEnum):
    VALID = "VALID"
    NOT_VALID = "NOT_VALID"
    NOT_FOUND = "NOT_FOUND"
    HOLDER_MISMATCH = "HOLDER_MISMATCH"


class VerificationWarning(StrEnum):
    EXPIRES_SOON = "EXPIRES_SOON"
    ISSUER_SUSPENDED = "ISSUER_SUSPENDED"
    ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE = "ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE"
    # A suspension recorded after the issue, dated back over it (or racing it).
    ISSUER_NOT_ACTIVE_ON_ISSUE_DATE = "ISSUER_NOT_ACTIVE_ON_ISSUE_DATE"
    OUTSIDE_ACCREDITED_SCOPE = "OUTSIDE_ACCREDITED_SCOPE"
    HOLDER_RENAMED = "HOLDER_RENAMED"
    SUSPENSION_OVERDUE = "SUSPENSION_OVERDUE"  # shown to oversight roles only


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
    checked_on: date  # the day the answer is for
    standing: CertificateStanding | None = None


def _relevant(accreditations: tuple[Accreditation, ...], family: str) -> list[Accreditation]:
    schemes = _SCHEMES_FOR[CertificateFamily(family)]
    return [a for a in accreditations if a.scheme in schemes]


def _on_issue_date(
    certificate: Certificate, relevant: list[Accreditation]
) -> list[AccreditationOn]:
    return [accreditation_on(a, certificate.issued_on) for a in relevant]


def chain_of_trust(facts: VerificationFacts, *, today: date) -> ChainOfTrust:
    """Judge the issuer on the issue date, for this certificate's family and standard, from
    each accreditation's status and scope as they stood that day (later suspensions do not
    reach back); whether the issuer is suspended is judged on ``today``.

    The issuer was accredited for it when an accreditation covering the standard was in force
    that day. When one covered the standard but was not in force (suspended, expired, not yet
    granted), it was not accredited; when only accreditations of other scopes were in force,
    it was accredited but outside its scope.
    """
    certificate = facts.certificate
    relevant = _relevant(facts.accreditations, certificate.family)
    on_issue = _on_issue_date(certificate, relevant)
    in_force = [a for a in on_issue if a.in_force]
    covering = [a for a in on_issue if certificate.standard in a.scope]
    covering_in_force = [a for a in covering if a.in_force]
    fallback = [a for a in on_issue if a.status is not AccreditationStatus.WITHDRAWN]
    best = next(iter(covering_in_force or covering or in_force or fallback), None)
    return ChainOfTrust(
        accredited_on_issue_date=bool(covering_in_force) or (bool(in_force) and not covering),
        accreditation=None if best is None else best.accreditation,
        scope_covers_certificate=bool(covering),
        issuer_suspended_now=_suspended_on(
            facts.issuer, relevant, standard=certificate.standard, day=today
        ),
    )


def scope_problem(
    certificate: Certificate, accreditations: tuple[Accreditation, ...]
) -> str | None:
    """Why issuing ``certificate`` falls outside its issuer's accredited scope on the issue
    date, or None. A family that needs no accreditation is checked only against the
    accreditations the issuer holds for it (see docs/lifecycle.md)."""
    relevant = _relevant(accreditations, certificate.family)
    if not relevant and not LIMITS[certificate.family].needs_accreditation:
        return None
    on_issue = _on_issue_date(certificate, relevant)
    covering = [a for a in on_issue if certificate.standard in a.scope]
    if any(a.in_force for a in covering):
        return None
    day, issuer = certificate.issued_on, certificate.issuer
    if covering:
        numbers = ", ".join(a.accreditation.number for a in covering)
        return f"{numbers} of {issuer}, covering {certificate.standard}, was not in force on {day}"
    if not any(a.in_force for a in on_issue):
        return f"{issuer} held no accreditation for {certificate.family} certificates on {day}"
    return f"{certificate.standard} is outside the scope {issuer} was accredited for on {day}"


def _suspended_on(
    issuer: Institution | None, relevant: list[Accreditation], *, standard: str, day: date
) -> bool:
    """The issuer is suspended itself, or every accreditation it holds for this kind of
    certificate on ``day`` is interrupted (those covering the standard, when there are any)."""
    if issuer is not None:
        status, _ = institution_status_on(issuer, day)
        if status is not InstitutionStatus.ACTIVE:
            return True
    current = [accreditation_on(a, day) for a in relevant if a.valid_from <= day <= a.valid_until]
    covering = [on for on in current if standard in on.scope]
    judged = covering or current
    return bool(judged) and all(on.interrupted for on in judged)


def verify(
    facts: VerificationFacts | None,
    *,
    holder_name: str | None,
    today: date,
    as_of: date | None = None,
    oversight: bool = False,
) -> Verification:
    """The verdict for one certificate number (``facts`` is None when it does not exist), as
    it stood on ``as_of`` (default today). A certificate not yet issued that day is answered
    as not found. ``oversight`` callers are also told of an overdue suspension."""
    day = as_of or today
    standing = None if facts is None else certificate_standing(facts.certificate, day)
    if facts is None or standing is None:
        return Verification(Verdict.NOT_FOUND, None, None, None, (), day)
    certificate = facts.certificate
    status = standing.status
    chain = chain_of_trust(facts, today=day)
    current_name = facts.holder.name if facts.holder is not None else None
    names = {normalise_name(n) for n in (current_name, certificate.holder_name) if n}
    warnings: list[VerificationWarning] = []
    if status is CertificateStatus.VALID and certificate.expires_on - day <= timedelta(
        days=EXPIRES_SOON_DAYS
    ):
        warnings.append(VerificationWarning.EXPIRES_SOON)
    if chain.issuer_suspended_now:
        warnings.append(VerificationWarning.ISSUER_SUSPENDED)
    issuer = facts.issuer
    if issuer is not None and (
        institution_status_on(issuer, certificate.issued_on)[0] is not InstitutionStatus.ACTIVE
    ):
        warnings.append(VerificationWarning.ISSUER_NOT_ACTIVE_ON_ISSUE_DATE)
    if not chain.accredited_on_issue_date:
        warnings.append(VerificationWarning.ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE)
    elif not chain.scope_covers_certificate:
        warnings.append(VerificationWarning.OUTSIDE_ACCREDITED_SCOPE)
    if len(names) > 1:
        warnings.append(VerificationWarning.HOLDER_RENAMED)
    if oversight and suspension_overdue(
        certificate.family, status_timeline(certificate), today=day
    ):
        warnings.append(VerificationWarning.SUSPENSION_OVERDUE)
    if holder_name is not None and normalise_name(holder_name) not in names:
        verdict = Verdict.HOLDER_MISMATCH
    elif status is CertificateStatus.VALID:
        verdict = Verdict.VALID
    else:
        verdict = Verdict.NOT_VALID
    return Verification(verdict, facts, status, chain, tuple(warnings), day, standing)
