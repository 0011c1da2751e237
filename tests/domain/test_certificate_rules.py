"""Today's status of a certificate."""

from __future__ import annotations

from datetime import date

import pytest

from registry.domain.certificates import effective_status
from registry.domain.vocabulary import CertificateStatus

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("stored", "expires_on", "expected"),
    [
        ("VALID", date(2027, 1, 1), CertificateStatus.VALID),
        ("VALID", TODAY, CertificateStatus.VALID),
        ("VALID", date(2026, 11, 21), CertificateStatus.EXPIRED),
        ("SUSPENDED", date(2027, 1, 1), CertificateStatus.SUSPENDED),
        ("SUSPENDED", date(2025, 1, 1), CertificateStatus.EXPIRED),
        ("WITHDRAWN", date(2025, 1, 1), CertificateStatus.WITHDRAWN),
        ("CANCELLED", date(2027, 1, 1), CertificateStatus.CANCELLED),
    ],
)
def test_expiry_is_derived_but_withdrawal_and_cancellation_stand(
    stored: str, expires_on: date, expected: CertificateStatus
) -> None:
    assert effective_status(stored, expires_on, today=TODAY) is expected
