"""What a regulator looks for in a network: certificates their issuer could not vouch for.

The rule is the verification page's chain of trust, applied to every certificate in turn.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from graph.models import VerificationFacts
from registry.domain.verification import chain_of_trust

__all__ = ["AnomalyKind", "certificate_anomaly"]


class AnomalyKind(StrEnum):
    ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE = "ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE"
    OUTSIDE_ACCREDITED_SCOPE = "OUTSIDE_ACCREDITED_SCOPE"


def certificate_anomaly(facts: VerificationFacts, *, today: date) -> AnomalyKind | None:
    """Why the issuer could not vouch for this certificate on its issue date, if it could not."""
    chain = chain_of_trust(facts, today=today)
    if not chain.accredited_on_issue_date:
        return AnomalyKind.ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE
    if not chain.scope_covers_certificate:
        return AnomalyKind.OUTSIDE_ACCREDITED_SCOPE
    return None
