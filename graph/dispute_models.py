"""Frozen models of disputes and of the counts behind an issuer's data-quality score."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["DataQualityCounts", "Dispute", "IssueGroup"]


@dataclass(frozen=True, slots=True)
class Dispute:
    """Someone says a field of a record is wrong. ``institution`` is whose record it is (a
    certificate's issuer, an accreditation's granting body, an institution itself) and
    ``region`` the region it concerns, both taken from the record when the dispute was filed.
    ``contact`` is confidential: it is never in the change log, exports or public views."""

    id: str
    entity: str
    key: str
    field: str
    claim: str
    contact: str
    institution: str
    region: str | None
    filed_on: date
    due_by: date
    status: str = "OPEN"
    answer: str | None = None
    answered_by: str | None = None
    answered_on: date | None = None
    version: int = 0


@dataclass(frozen=True, slots=True)
class DataQualityCounts:
    """What the store counts for one issuer, by aggregation (no certificate leaves the store).

    ``incomplete``: certificates lacking an expected field (``missing_stars``: service
    certificates without their star grade); ``status_changes``: steps after the issue,
    ``late_status_changes`` those recorded more than the allowed days after they took effect;
    ``recent_certificates``: issued on or after the anomaly window's first day."""

    uscc: str
    certificates: int = 0
    incomplete: int = 0
    missing_stars: int = 0
    status_changes: int = 0
    late_status_changes: int = 0
    disputes_upheld: int = 0
    disputes_answered: int = 0
    recent_certificates: int = 0


@dataclass(frozen=True, slots=True)
class IssueGroup:
    """How many certificates of one family and standard an issuer issued on one day: all
    that the chain of trust reads of a certificate, so one judgment stands for the group."""

    issuer: str
    family: str
    standard: str
    issued_on: date
    certificates: int
