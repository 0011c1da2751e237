"""GraphQL inputs. They mirror the pydantic records, which hold every validation rule."""

from __future__ import annotations

import datetime as dt
from datetime import date

import strawberry

from registry.domain.satisfaction import SurveyAnswer
from registry.domain.vocabulary import (
    AccreditationScheme,
    AccreditationStatus,
    CertificateFamily,
    CertificateStatus,
    ComplaintChannel,
    ComplaintStatus,
    CreditEventKind,
    CreditGrade,
    InstitutionKind,
    InstitutionStatus,
    Ownership,
    RectificationOutcome,
    ServiceCategory,
    ServiceEvaluationKind,
)

__all__ = [
    "AccreditationInput",
    "AccreditationStatusChangeInput",
    "CertificateFilter",
    "CertificateInput",
    "CertificateStatusChangeInput",
    "ComplaintFilingInput",
    "ComplaintStepInput",
    "CreditEventInput",
    "CreditRatingInput",
    "InstitutionFilter",
    "InstitutionInput",
    "InstitutionStatusChangeInput",
    "OrganizationInput",
    "PersonInput",
    "ServiceEvaluationInput",
]


@strawberry.input
class PersonInput:
    name: str
    id_number: str | None = strawberry.field(
        default=None, description="Resident ID; only a keyed digest is stored."
    )


@strawberry.input
class InstitutionInput:
    uscc: str
    name: str
    kinds: list[InstitutionKind]
    region: str
    address: str | None = None
    legal_representative: PersonInput | None = None
    founded: date | None = None
    ownership: Ownership | None = None
    status: InstitutionStatus = InstitutionStatus.ACTIVE
    group: str | None = None
    associations: list[str] = strawberry.field(
        default_factory=list,
        description="USCCs of the associations it is a member of (replaced on every upsert).",
    )
    expected_version: int | None = strawberry.field(
        default=None,
        description="Write only if the stored version is this one (0: must not exist yet); "
        "otherwise nothing is written and a STALE_VERSION problem gives the current version.",
    )


@strawberry.input
class OrganizationInput:
    uscc: str
    name: str
    region: str
    expected_version: int | None = strawberry.field(
        default=None,
        description="Write only if the stored version is this one (0: must not exist yet); "
        "otherwise nothing is written and a STALE_VERSION problem gives the current version.",
    )


@strawberry.input
class AccreditationInput:
    number: str
    scheme: AccreditationScheme
    body: str
    holder: str
    scope: list[str]
    valid_from: date
    valid_until: date
    status: AccreditationStatus = AccreditationStatus.VALID
    expected_version: int | None = strawberry.field(
        default=None,
        description="Write only if the stored version is this one (0: must not exist yet); "
        "otherwise nothing is written and a STALE_VERSION problem gives the current version.",
    )


@strawberry.input
class CertificateInput:
    number: str
    family: CertificateFamily
    standard: str
    scope: str
    issued_on: date
    expires_on: date
    issuer: str
    holder: str
    stars: int | None = None
    status: CertificateStatus = CertificateStatus.VALID
    status_reason: str | None = None
    historical_import: bool = strawberry.field(
        default=False,
        description="A certificate from before the registry: accepted even outside the "
        "issuer's accredited scope on the issue date, with the exception recorded on it "
        "(scopeException); verification still warns.",
    )
    expected_version: int | None = strawberry.field(
        default=None,
        description="Write only if the stored version is this one (0: must not exist yet); "
        "otherwise nothing is written and a STALE_VERSION problem gives the current version.",
    )


@strawberry.input
class CertificateStatusChangeInput:
    number: str
    status: CertificateStatus
    reason: str
    effective_on: date | None = strawberry.field(
        default=None,
        description="When it takes effect; a later date schedules it (in force on that day, "
        "with no job to run). Today (China time) when omitted.",
    )
    expected_version: int | None = strawberry.field(
        default=None,
        description="Write only if the stored version is this one (0: must not exist yet); "
        "otherwise nothing is written and a STALE_VERSION problem gives the current version.",
    )


@strawberry.input(
    description="A step of an accreditation's timeline: its status from a date, "
    "and the scope it extends or reduces from that date."
)
class AccreditationStatusChangeInput:
    number: str
    status: AccreditationStatus = strawberry.field(
        description="The status from effectiveOn (VALID, SUSPENDED or WITHDRAWN; restate the "
        "current one for a scope change alone)."
    )
    reason: str
    effective_on: date | None = strawberry.field(
        default=None,
        description="When it takes effect; a later date schedules it. Today (China time) when "
        "omitted.",
    )
    scope_added: list[str] = strawberry.field(
        default_factory=list, description="Scope items extended from effectiveOn."
    )
    scope_removed: list[str] = strawberry.field(
        default_factory=list, description="Scope items reduced from effectiveOn."
    )
    expected_version: int | None = strawberry.field(
        default=None,
        description="Write only if the stored version is this one; otherwise nothing is "
        "written and a STALE_VERSION problem gives the current version.",
    )


@strawberry.input(
    description="An institution's own suspension, restoration, revocation or closure."
)
class InstitutionStatusChangeInput:
    uscc: str
    status: InstitutionStatus
    reason: str
    effective_on: date | None = strawberry.field(
        default=None,
        description="When it takes effect; a later date schedules it. Today (China time) when "
        "omitted.",
    )
    expected_version: int | None = strawberry.field(
        default=None,
        description="Write only if the stored version is this one; otherwise nothing is "
        "written and a STALE_VERSION problem gives the current version.",
    )


@strawberry.input(description="A credit grade an association publishes for a member.")
class CreditRatingInput:
    id: str
    association: str = strawberry.field(description="The publishing association's USCC.")
    institution: str = strawberry.field(description="The rated member's USCC.")
    grade: CreditGrade
    score: float = strawberry.field(description="0 to 100.")
    period: str = strawberry.field(description="YYYY, YYYY-H1/H2 or YYYY-Q1..Q4.")
    published_on: date
    valid_until: date
    method: str
    evidence: str | None = None
    expected_version: int | None = strawberry.field(
        default=None,
        description="Write only if the stored version is this one (0: must not exist yet); "
        "otherwise nothing is written and a STALE_VERSION problem gives the current version.",
    )


@strawberry.input(description="A record for an institution's quality-credit file.")
class CreditEventInput:
    id: str
    institution: str
    kind: CreditEventKind
    date: dt.date
    authority: str
    weight: float = strawberry.field(description="-100 to 100; negative records are bad news.")
    description: str
    public_until: dt.date | None = strawberry.field(
        default=None,
        description="End of the publicity period: required for negative records, "
        "three months to three years after date.",
    )
    deadline: dt.date | None = strawberry.field(
        default=None, description="Rectification orders: the deadline to rectify."
    )
    outcome: RectificationOutcome | None = strawberry.field(
        default=None, description="Rectification orders: how the order ended."
    )
    repaired_on: dt.date | None = strawberry.field(
        default=None, description="Credit repair: from this day the public no longer sees it."
    )
    repair_note: str | None = None
    plan: str | None = strawberry.field(
        default=None,
        description="Spot checks: the digest of the supervision plan that drew the institution.",
    )
    expected_version: int | None = strawberry.field(
        default=None,
        description="Write only if the stored version is this one (0: must not exist yet); "
        "otherwise nothing is written and a STALE_VERSION problem gives the current version.",
    )


@strawberry.input
class InstitutionFilter:
    region: str | None = strawberry.field(default=None, description="Includes sub-regions.")
    kind: InstitutionKind | None = None
    name_contains: str | None = None
    accreditation_scheme: AccreditationScheme | None = strawberry.field(
        default=None, description="Holds a VALID accreditation of this scheme."
    )
    group: str | None = strawberry.field(
        default=None, description="A member of this group (its USCC): all of a group's members."
    )


@strawberry.input
class CertificateFilter:
    holder: str | None = None
    issuer: str | None = None
    status: CertificateStatus | None = strawberry.field(
        default=None, description="Today's status (EXPIRED is derived from expiresOn)."
    )
    standard: str | None = None
    family: CertificateFamily | None = None
    region: str | None = strawberry.field(
        default=None, description="Holder's region, sub-regions included."
    )


@strawberry.input(
    description="A satisfaction form of DB2101/T 0050-2022 Annex C (kind SURVEY: the ten "
    "answers in order, question 5 YES or NO, null for a blank) or a mystery customer's visit "
    "(kind MYSTERY_CUSTOMER: checks passed of checks made)."
)
class ServiceEvaluationInput:
    id: str
    institution: str
    kind: ServiceEvaluationKind
    date: dt.date = strawberry.field(description="When the service ended, or the visit.")
    service_category: ServiceCategory
    evaluator: str
    answers: list[SurveyAnswer | None] | None = None
    checks_passed: int | None = None
    checks_total: int | None = None
    comment: str | None = None
    expected_version: int | None = strawberry.field(
        default=None,
        description="Write only if the stored version is this one (0: must not exist yet); "
        "otherwise nothing is written and a STALE_VERSION problem gives the current version.",
    )


@strawberry.input(
    description="A complaint as the complainant states it; the registry gives it its id, "
    "its filing day and the status RECEIVED."
)
class ComplaintFilingInput:
    against: str = strawberry.field(description="The USCC of the institution complained of.")
    certificate: str | None = strawberry.field(
        default=None, description="A certificate the complaint concerns, if any."
    )
    channel: ComplaintChannel = ComplaintChannel.ONLINE
    category: str = strawberry.field(description="What kind of complaint, in a few words.")
    details: str
    contact: str | None = strawberry.field(
        default=None,
        description="How the regulator may reach you: kept confidential, shown only to the "
        "regulators of the institution's region.",
    )


@strawberry.input(description="The next step of a complaint's handling.")
class ComplaintStepInput:
    id: str
    status: ComplaintStatus = strawberry.field(
        description="RECEIVED → ACCEPTED or REJECTED; ACCEPTED → INVESTIGATING or CLOSED; "
        "INVESTIGATING → RESOLVED or CLOSED."
    )
    substantiated: bool | None = strawberry.field(
        default=None,
        description="The finding: required to resolve or close, allowed while investigating.",
    )
    reason: str | None = strawberry.field(
        default=None, description="Why: required to reject, resolve or close."
    )
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with STALE_VERSION unless the complaint is at it."
    )
