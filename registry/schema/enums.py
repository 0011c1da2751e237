"""The vocabularies as GraphQL enums (upper snake case values)."""

from __future__ import annotations

import strawberry

from registry.domain import vocabulary as v

__all__ = [
    "AccreditationScheme",
    "AccreditationStatus",
    "CertificateFamily",
    "CertificateStatus",
    "ComplaintChannel",
    "ComplaintStatus",
    "CreditEventKind",
    "CreditGrade",
    "InstitutionKind",
    "InstitutionStatus",
    "Ownership",
    "RegionLevel",
    "Role",
]

Role = strawberry.enum(v.Role)
InstitutionKind = strawberry.enum(v.InstitutionKind)
InstitutionStatus = strawberry.enum(v.InstitutionStatus)
Ownership = strawberry.enum(v.Ownership)
RegionLevel = strawberry.enum(v.RegionLevel)
AccreditationScheme = strawberry.enum(v.AccreditationScheme)
AccreditationStatus = strawberry.enum(v.AccreditationStatus)
CertificateFamily = strawberry.enum(v.CertificateFamily)
CertificateStatus = strawberry.enum(v.CertificateStatus)
ComplaintChannel = strawberry.enum(v.ComplaintChannel)
ComplaintStatus = strawberry.enum(v.ComplaintStatus)
CreditGrade = strawberry.enum(v.CreditGrade)
CreditEventKind = strawberry.enum(v.CreditEventKind)
