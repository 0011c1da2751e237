"""Complaints, credit ratings and credit events: the inputs of an institution's credit file."""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Annotated

from pydantic import Field, model_validator

from registry.domain.vocabulary import (
    ComplaintChannel,
    ComplaintStatus,
    CreditEventKind,
    CreditGrade,
)
from registry.records.base import CertificateNumber, Record, ShortText, Text, Uscc, refuse

__all__ = ["ComplaintRecord", "CreditEventRecord", "CreditRatingRecord"]

RecordId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$")]


class ComplaintRecord(Record):
    id: RecordId
    against: Uscc
    certificate: CertificateNumber | None = None
    channel: ComplaintChannel
    category: ShortText
    status: ComplaintStatus
    substantiated: bool | None = None
    filed_on: date
    closed_on: date | None = None
    details: Text
    resolution: Text | None = None

    @model_validator(mode="after")
    def _closed_after_filed(self) -> ComplaintRecord:
        if self.closed_on is not None and self.closed_on < self.filed_on:
            raise refuse(
                "INVALID_DATE_RANGE", "closedOn must not precede filedOn", field="closedOn"
            )
        return self


class CreditRatingRecord(Record):
    id: RecordId
    association: Uscc
    institution: Uscc
    grade: CreditGrade
    score: Annotated[float, Field(ge=0, le=100)]
    period: Annotated[str, Field(pattern=r"^\d{4}(-(H[12]|Q[1-4]))?$")]
    published_on: date
    valid_until: date
    method: ShortText
    evidence: Text | None = None

    @model_validator(mode="after")
    def _valid_after_published(self) -> CreditRatingRecord:
        if self.valid_until <= self.published_on:
            raise refuse(
                "INVALID_DATE_RANGE", "validUntil must be after publishedOn", field="validUntil"
            )
        return self


class CreditEventRecord(Record):
    id: RecordId
    institution: Uscc
    kind: CreditEventKind
    date: dt.date
    authority: ShortText
    weight: Annotated[float, Field(ge=-100, le=100)]
    description: Text
    public_until: dt.date | None = None
