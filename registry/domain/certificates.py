"""Certificate rules that do not need the store: today's (or any day's) status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from graph.models import Certificate, StatusChange
from registry.domain.timeline import in_effect, known
from registry.domain.vocabulary import CertificateStatus

__all__ = [
    "EXPIRED_REASON",
    "CertificateStanding",
    "certificate_standing",
    "effective_status",
    "status_timeline",
]

_FINAL = frozenset({CertificateStatus.WITHDRAWN, CertificateStatus.CANCELLED})
EXPIRED_REASON = "证书有效期届满"  # the validity period has ended


def effective_status(stored: str, expires_on: date, *, today: date) -> CertificateStatus:
    """What the certificate is today: withdrawn and cancelled stay so, otherwise an expiry
    date in the past makes it EXPIRED (the same rule the store's listing filters apply)."""
    status = CertificateStatus(stored)
    if status in _FINAL:
        return status
    if expires_on < today:
        return CertificateStatus.EXPIRED
    return status


def status_timeline(certificate: Certificate) -> tuple[StatusChange, ...]:
    """Every step of the certificate's status; a record read without its history is taken as
    the one step it caches."""
    if certificate.history:
        return certificate.history
    return (
        StatusChange(
            number=certificate.number,
            status=certificate.status,
            reason=certificate.status_reason,
            effective_on=certificate.status_since or certificate.issued_on,
            recorded_at="",
            actor="",
        ),
    )


@dataclass(frozen=True, slots=True)
class CertificateStanding:
    """A certificate's status on one day: the step in force and what it makes of the day."""

    status: CertificateStatus
    reason: str | None
    since: date
    step: StatusChange


def certificate_standing(
    certificate: Certificate, day: date, *, known_at: str | None = None
) -> CertificateStanding | None:
    """The certificate as it stood on ``day`` (as known at ``known_at``): None before it was
    issued, or when the registry had not recorded it yet."""
    if day < certificate.issued_on:
        return None
    steps = known(status_timeline(certificate), known_at)
    step = steps[0] if len(steps) == 1 else in_effect(steps, day)
    if step is None:
        return None
    status = effective_status(step.status, certificate.expires_on, today=day)
    if status is CertificateStatus.EXPIRED:  # by its dates, from the day after its last
        expired = certificate.expires_on + timedelta(days=1)
        return CertificateStanding(status, EXPIRED_REASON, expired, step)
    return CertificateStanding(status, step.stated_reason, step.effective_on, step)
