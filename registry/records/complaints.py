"""A complaint as anyone files it, and one step of its handling as its regulator takes it."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from registry.domain.vocabulary import ComplaintChannel, ComplaintStatus
from registry.records.base import CertificateNumber, Record, ShortText, Uscc, VersionedRecord

__all__ = ["ComplaintFilingRecord", "ComplaintStepRecord"]

Details = Annotated[str, Field(min_length=1, max_length=2000)]


class ComplaintFilingRecord(Record):
    """What the complainant says; the id, the day and the status are the registry's."""

    against: Uscc
    certificate: CertificateNumber | None = None
    channel: ComplaintChannel = ComplaintChannel.ONLINE
    category: ShortText
    details: Details
    contact: ShortText | None = None


class ComplaintStepRecord(VersionedRecord):
    """The next status of a complaint, with its finding and reason where the step needs them
    (``registry.domain.complaints``)."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$")]
    status: ComplaintStatus
    substantiated: bool | None = None
    reason: Annotated[str, Field(max_length=2000)] | None = None
