"""Inputs of disputes: filing one about a record's field, and answering it."""

from __future__ import annotations

import re
from typing import Annotated, Self

from pydantic import Field, model_validator

from registry.domain.disputes import DISPUTABLE_FIELDS, DisputeEntity, DisputeOutcome
from registry.domain.uscc import is_valid_uscc
from registry.records.base import Identifier, Record, refuse

__all__ = ["DisputeRecord", "ResolveDisputeRecord"]

_KEY_PATTERNS = {
    DisputeEntity.CERTIFICATE: r"^[A-Z0-9][A-Z0-9/-]{5,39}$",
    DisputeEntity.ACCREDITATION: r"^[A-Z0-9][A-Z0-9/-]{2,39}$",
}
Claim = Annotated[str, Field(min_length=1, max_length=2000)]


class DisputeRecord(Record):
    entity: DisputeEntity
    key: Annotated[str, Identifier, Field(pattern=r"^[A-Z0-9][A-Z0-9/-]{2,39}$")]
    field: Annotated[str, Field(min_length=1, max_length=40)]
    claim: Claim
    # How the issuer or regulator reaches the filer (e-mail, phone): confidential.
    contact: Annotated[str, Field(min_length=3, max_length=200)]

    @model_validator(mode="after")
    def _names_a_record_field(self) -> Self:
        if self.entity is DisputeEntity.INSTITUTION:
            if not is_valid_uscc(self.key):
                raise refuse("INVALID_USCC", "an institution is named by its USCC", field="key")
        elif re.fullmatch(_KEY_PATTERNS[self.entity], self.key) is None:
            raise refuse("INVALID_FORMAT", f"not a {self.entity.value.lower()} number", field="key")
        if self.field not in DISPUTABLE_FIELDS[self.entity]:
            known = ", ".join(sorted(DISPUTABLE_FIELDS[self.entity]))
            raise refuse("INVALID_VALUE", f"a {self.entity.value} field: {known}", field="field")
        return self


class ResolveDisputeRecord(Record):
    id: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    outcome: DisputeOutcome
    # Upheld: the correction the issuer makes; rejected: why the record stands.
    answer: Claim
