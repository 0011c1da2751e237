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
from registry.records.service_assessments import (
    AssessedElementRecord,
    AssessmentConfirmationRecord,
    ServiceAssessmentRecord,
)

__all__ = [
    "AccreditationRecord",
    "AccreditationStatusChangeRecord",
    "AssessedElementRecord",
    "AssessmentConfirmationRecord",
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
    "ServiceAssessmentRecord",
    "ServiceEvaluationRecord",
    "StatusChangeRecord",
    "problems_from",
]
