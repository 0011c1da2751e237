"""Listing filters: checked like any other input before they reach a query."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from registry.domain.vocabulary import (
    AccreditationScheme,
    CertificateFamily,
    CertificateStatus,
    InstitutionKind,
)
from registry.records.base import Record, RegionCode, Uscc

__all__ = ["CertificateFilterRecord", "InstitutionFilterRecord"]


class InstitutionFilterRecord(Record):
    region: RegionCode | None = None
    kind: InstitutionKind | None = None
    name_contains: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    accreditation_scheme: AccreditationScheme | None = None
    group: Uscc | None = None


class CertificateFilterRecord(Record):
    holder: Uscc | None = None
    issuer: Uscc | None = None
    status: CertificateStatus | None = None
    standard: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    family: CertificateFamily | None = None
    region: RegionCode | None = None
