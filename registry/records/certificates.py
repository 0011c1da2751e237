"""Certificates and their status changes."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, model_validator

from registry.domain.vocabulary import CertificateFamily, CertificateStatus
from registry.records.base import CertificateNumber, Text, Uscc, VersionedRecord, refuse

__all__ = ["CertificateRecord", "StatusChangeRecord"]

Standard = Annotated[str, Field(min_length=2, max_length=64)]
Reason = Annotated[str, Field(min_length=1, max_length=500)]


class CertificateRecord(VersionedRecord):
    number: CertificateNumber
    family: CertificateFamily
    standard: Standard
    scope: Annotated[str, Field(min_length=1, max_length=500)]
    stars: Annotated[int, Field(ge=1, le=5)] | None = None
    issued_on: date
    expires_on: date
    issuer: Uscc
    holder: Uscc
    status: CertificateStatus = CertificateStatus.VALID
    status_reason: Reason | None = None
    # A certificate from before the registry kept accreditation scopes: accepted outside the
    # issuer's accredited scope, and the exception is recorded on it (verifiers still warn).
    historical_import: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> CertificateRecord:
        if self.expires_on <= self.issued_on:
            raise refuse(
                "INVALID_DATE_RANGE", "expiresOn must be after issuedOn", field="expiresOn"
            )
        if self.stars is not None and self.family is not CertificateFamily.SERVICE:
            raise refuse("INVALID_VALUE", "only service certificates carry stars", field="stars")
        if self.status is CertificateStatus.EXPIRED:
            raise refuse(
                "INVALID_VALUE",
                "EXPIRED is derived from expiresOn and cannot be set",
                field="status",
            )
        if self.status is not CertificateStatus.VALID and self.status_reason is None:
            raise refuse(
                "REQUIRED", "statusReason is required for this status", field="statusReason"
            )
        return self


class StatusChangeRecord(VersionedRecord):
    number: CertificateNumber
    status: CertificateStatus
    reason: Reason
    effective_on: date | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _settable(self) -> StatusChangeRecord:
        if self.status is CertificateStatus.EXPIRED:
            raise refuse(
                "INVALID_VALUE",
                "EXPIRED is derived from expiresOn and cannot be set",
                field="status",
            )
        return self
