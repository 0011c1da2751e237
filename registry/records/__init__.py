"""Validated input records: the one shape for API input, seeds, generated data and imports."""

from __future__ import annotations

from registry.records.base import FieldProblem, Record, problems_from
from registry.records.certificates import CertificateRecord, StatusChangeRecord
from registry.records.credit import (
    ComplaintRecord,
    CreditEventRecord,
    CreditRatingRecord,
    ServiceEvaluationRecord,
)
from registry.records.institutions import (
    AccreditationRecord,
    AccreditationStatusChangeRecord,
    InstitutionRecord,
    InstitutionStatusChangeRecord,
    OrganizationRecord,
    PersonRecord,
)
from registry.records.regions import RegionRecord

__all__ = [
    "AccreditationRecord",
    "AccreditationStatusChangeRecord",
    "CertificateRecord",
    "ComplaintRecord",
    "CreditEventRecord",
    "CreditRatingRecord",
    "FieldProblem",
    "InstitutionRecord",
    "InstitutionStatusChangeRecord",
    "OrganizationRecord",
    "PersonRecord",
    "Record",
    "RegionRecord",
    "ServiceEvaluationRecord",
    "StatusChangeRecord",
    "problems_from",
]
