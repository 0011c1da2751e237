"""Institutions, certificate holders and the accreditations that let institutions work."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, model_validator

from registry.domain.vocabulary import (
    AccreditationScheme,
    AccreditationStatus,
    InstitutionKind,
    InstitutionStatus,
    Ownership,
)
from registry.records.base import (
    Identifier,
    Record,
    RegionCode,
    ShortText,
    Uscc,
    VersionedRecord,
    refuse,
)

__all__ = [
    "AccreditationRecord",
    "AccreditationStatusChangeRecord",
    "InstitutionRecord",
    "InstitutionStatusChangeRecord",
    "OrganizationRecord",
    "PersonRecord",
]

AccreditationNumber = Annotated[str, Identifier, Field(pattern=r"^[A-Z0-9][A-Z0-9/-]{2,39}$")]
ScopeItem = Annotated[str, Field(min_length=1, max_length=200)]
Reason = Annotated[str, Field(min_length=1, max_length=500)]
ScopeChange = Annotated[list[ScopeItem], Field(default_factory=list, max_length=200)]


class PersonRecord(Record):
    """A natural person. The ID number is only used to recognise the same person twice and is
    stored as a keyed digest, never as given."""

    name: Annotated[str, Field(min_length=1, max_length=64)]
    id_number: Annotated[str, Field(pattern=r"^\d{17}[\dX]$")] | None = None


class InstitutionRecord(VersionedRecord):
    uscc: Uscc
    name: ShortText
    kinds: Annotated[list[InstitutionKind], Field(min_length=1, max_length=8)]
    region: RegionCode
    address: ShortText | None = None
    legal_representative: PersonRecord | None = None
    founded: date | None = None
    ownership: Ownership | None = None
    status: InstitutionStatus = InstitutionStatus.ACTIVE
    group: Uscc | None = None
    associations: Annotated[list[Uscc], Field(default_factory=list, max_length=20)]

    @model_validator(mode="after")
    def _not_own_group(self) -> InstitutionRecord:
        if self.group == self.uscc:
            raise refuse("INVALID_GROUP", "an institution cannot be its own group", field="group")
        if len(set(self.kinds)) != len(self.kinds):
            raise refuse("DUPLICATE_VALUE", "kinds must not repeat", field="kinds")
        if self.uscc in self.associations:
            raise refuse(
                "INVALID_VALUE", "an institution cannot be its own member", field="associations"
            )
        if len(set(self.associations)) != len(self.associations):
            raise refuse("DUPLICATE_VALUE", "associations must not repeat", field="associations")
        return self


class OrganizationRecord(VersionedRecord):
    uscc: Uscc
    name: ShortText
    region: RegionCode


class AccreditationRecord(VersionedRecord):
    number: AccreditationNumber
    scheme: AccreditationScheme
    body: Uscc
    holder: Uscc
    scope: Annotated[list[ScopeItem], Field(min_length=1, max_length=200)]
    valid_from: date
    valid_until: date
    status: AccreditationStatus = AccreditationStatus.VALID

    @model_validator(mode="after")
    def _dates_in_order(self) -> AccreditationRecord:
        if self.valid_until <= self.valid_from:
            raise refuse(
                "INVALID_DATE_RANGE", "validUntil must be after validFrom", field="validUntil"
            )
        if self.body == self.holder:
            raise refuse("INVALID_VALUE", "a body cannot accredit itself", field="holder")
        if self.status is AccreditationStatus.EXPIRED:  # else it reads EXPIRED from validFrom
            raise refuse(
                "INVALID_VALUE",
                "EXPIRED is derived from validUntil and cannot be set",
                field="status",
            )
        return self


class AccreditationStatusChangeRecord(VersionedRecord):
    """A step of an accreditation's timeline: its status from ``effective_on`` (today when
    omitted), and the scope items it extends or reduces from that day."""

    number: AccreditationNumber
    status: AccreditationStatus
    reason: Reason
    effective_on: date | None = None
    scope_added: ScopeChange
    scope_removed: ScopeChange

    @model_validator(mode="after")
    def _settable(self) -> AccreditationStatusChangeRecord:
        if self.status is AccreditationStatus.EXPIRED:
            raise refuse(
                "INVALID_VALUE",
                "EXPIRED is derived from validUntil and cannot be set",
                field="status",
            )
        if both := sorted(set(self.scope_added) & set(self.scope_removed)):
            raise refuse(
                "INVALID_VALUE", f"{both[0]} is both added and removed", field="scopeRemoved"
            )
        return self


class InstitutionStatusChangeRecord(VersionedRecord):
    """An institution's own suspension, restoration, revocation or closure, from
    ``effective_on`` (today when omitted)."""

    uscc: Uscc
    status: InstitutionStatus
    reason: Reason
    effective_on: date | None = None
