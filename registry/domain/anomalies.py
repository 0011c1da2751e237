"""What a regulator looks for in a network: certificates their issuer could not vouch for.

The rule is the verification page's chain of trust, applied to every certificate in turn; the
network's anomalies and the hard rules of classified supervision both read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from graph.models import Accreditation, Certificate, Institution, VerificationFacts
from registry.domain.verification import chain_of_trust

# Certificates one anomaly report reads at most (with their verification facts): charged
# as a whole query's budget (registry.schema.shape), since its selection alone looks cheap.
# 20,000 took 18.6 s of CPU and ran past the request's 30 s (twenty-fifth session's
# review); past 5,000 the report says it is truncated, and ``after`` reads on from there.
MAX_ANOMALY_SCAN = 5_000

__all__ = [
    "MAX_ANOMALY_SCAN",
    "AnomalyKind",
    "CertificateFinding",
    "certificate_anomaly",
    "certificate_finding",
    "issue_anomaly",
]


class AnomalyKind(StrEnum):
    ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE = "ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE"
    OUTSIDE_ACCREDITED_SCOPE = "OUTSIDE_ACCREDITED_SCOPE"


@dataclass(frozen=True, slots=True)
class CertificateFinding:
    """One certificate its issuer could not vouch for, and the accreditation it relied on
    (suspended, lapsed or of another scope), when there was one."""

    kind: AnomalyKind
    number: str
    issuer: str
    issued_on: date
    accreditation: str | None


def certificate_finding(facts: VerificationFacts, *, today: date) -> CertificateFinding | None:
    """Why the issuer could not vouch for this certificate on its issue date, if it could not."""
    chain = chain_of_trust(facts, today=today)
    if not chain.accredited_on_issue_date:
        kind = AnomalyKind.ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE
    elif not chain.scope_covers_certificate:
        kind = AnomalyKind.OUTSIDE_ACCREDITED_SCOPE
    else:
        return None
    certificate = facts.certificate
    return CertificateFinding(
        kind,
        certificate.number,
        certificate.issuer,
        certificate.issued_on,
        None if chain.accreditation is None else chain.accreditation.number,
    )


def certificate_anomaly(facts: VerificationFacts, *, today: date) -> AnomalyKind | None:
    """The kind of :func:`certificate_finding`, for listings that need no more."""
    finding = certificate_finding(facts, today=today)
    return None if finding is None else finding.kind


def issue_anomaly(
    issuer: Institution,
    accreditations: tuple[Accreditation, ...],
    *,
    family: str,
    standard: str,
    issued_on: date,
    today: date,
) -> AnomalyKind | None:
    """The anomaly of every certificate of ``family`` and ``standard`` that ``issuer`` issued
    on ``issued_on``: the chain of trust reads nothing else of a certificate, so a count of
    such certificates (kept in the store) needs one judgment, not one per certificate."""
    certificate = Certificate(
        number="",
        family=family,
        standard=standard,
        scope="",
        issued_on=issued_on,
        expires_on=issued_on,
        issuer=issuer.uscc,
        holder="",
    )
    facts = VerificationFacts(certificate, None, issuer, accreditations)
    return certificate_anomaly(facts, today=today)
