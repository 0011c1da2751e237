"""Certificate rules that do not need the store."""

from __future__ import annotations

from datetime import date

from registry.domain.vocabulary import CertificateStatus

__all__ = ["effective_status"]

_FINAL = frozenset({CertificateStatus.WITHDRAWN, CertificateStatus.CANCELLED})


def effective_status(stored: str, expires_on: date, *, today: date) -> CertificateStatus:
    """What the certificate is today: withdrawn and cancelled stay so, otherwise an expiry
    date in the past makes it EXPIRED (the same rule the store's listing filters apply)."""
    status = CertificateStatus(stored)
    if status in _FINAL:
        return status
    if expires_on < today:
        return CertificateStatus.EXPIRED
    return status
