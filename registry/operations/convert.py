"""Validated records → store models."""

from __future__ import annotations

from datetime import date

from graph.models import (
    Accreditation,
    Certificate,
    Complaint,
    CreditEvent,
    CreditRating,
    Institution,
    Organization,
    Person,
    Region,
    ServiceEvaluation,
    StatusChange,
)
from graph.service_models import ServiceAssessment
from registry.domain.persons import person_key
from registry.records import (
    AccreditationRecord,
    AccreditationStatusChangeRecord,
    CertificateRecord,
    ComplaintRecord,
    CreditEventRecord,
    CreditRatingRecord,
    InstitutionRecord,
    InstitutionStatusChangeRecord,
    OrganizationRecord,
    RegionRecord,
    ServiceAssessmentRecord,
    ServiceEvaluationRecord,
    StatusChangeRecord,
)

__all__ = [
    "accreditation_model",
    "accreditation_step_model",
    "certificate_model",
    "complaint_model",
    "credit_event_model",
    "credit_rating_model",
    "institution_model",
    "institution_step_model",
    "organization_model",
    "region_model",
    "service_assessment_model",
    "service_evaluation_model",
    "status_change_model",
]


def region_model(record: RegionRecord) -> Region:
    return Region(
        code=record.code, name=record.name, level=record.level.value, parent=record.parent
    )


def institution_model(record: InstitutionRecord, *, secret: bytes) -> Institution:
    person = record.legal_representative
    return Institution(
        uscc=record.uscc,
        name=record.name,
        kinds=tuple(kind.value for kind in record.kinds),
        region=record.region,
        address=record.address,
        legal_representative=None
        if person is None
        else Person(
            key=person_key(person.name, person.id_number, secret=secret, scope=record.uscc),
            name=person.name,
        ),
        founded=record.founded,
        ownership=None if record.ownership is None else record.ownership.value,
        status=record.status.value,
        group=record.group,
        associations=tuple(record.associations),
    )


def organization_model(record: OrganizationRecord) -> Organization:
    return Organization(uscc=record.uscc, name=record.name, region=record.region)


def accreditation_model(record: AccreditationRecord) -> Accreditation:
    return Accreditation(
        number=record.number,
        scheme=record.scheme.value,
        body=record.body,
        holder=record.holder,
        scope=tuple(record.scope),
        valid_from=record.valid_from,
        valid_until=record.valid_until,
        status=record.status.value,
    )


def certificate_model(
    record: CertificateRecord, *, scope_exception: str | None = None
) -> Certificate:
    return Certificate(
        number=record.number,
        family=record.family.value,
        standard=record.standard,
        scope=record.scope,
        issued_on=record.issued_on,
        expires_on=record.expires_on,
        issuer=record.issuer,
        holder=record.holder,
        stars=record.stars,
        status=record.status.value,
        status_reason=record.status_reason,
        scope_exception=scope_exception,
    )


def status_change_model(record: StatusChangeRecord, *, today: date) -> StatusChange:
    return StatusChange(
        number=record.number,
        status=record.status.value,
        reason=record.reason,
        effective_on=record.effective_on or today,
        recorded_at="",
        actor="",
    )


def accreditation_step_model(
    record: AccreditationStatusChangeRecord, *, today: date
) -> StatusChange:
    return StatusChange(
        number=record.number,
        status=record.status.value,
        reason=record.reason,
        effective_on=record.effective_on or today,
        recorded_at="",
        actor="",
        scope_added=tuple(record.scope_added),
        scope_removed=tuple(record.scope_removed),
    )


def institution_step_model(record: InstitutionStatusChangeRecord, *, today: date) -> StatusChange:
    return StatusChange(
        number=record.uscc,
        status=record.status.value,
        reason=record.reason,
        effective_on=record.effective_on or today,
        recorded_at="",
        actor="",
    )


def complaint_model(record: ComplaintRecord) -> Complaint:
    return Complaint(
        id=record.id,
        against=record.against,
        channel=record.channel.value,
        category=record.category,
        status=record.status.value,
        filed_on=record.filed_on,
        details=record.details,
        certificate=record.certificate,
        substantiated=record.substantiated,
        closed_on=record.closed_on,
        resolution=record.resolution,
        contact=record.contact,
        accepted_on=record.accepted_on,
    )


def credit_rating_model(record: CreditRatingRecord) -> CreditRating:
    return CreditRating(
        id=record.id,
        association=record.association,
        institution=record.institution,
        grade=record.grade.value,
        score=record.score,
        period=record.period,
        published_on=record.published_on,
        valid_until=record.valid_until,
        method=record.method,
        evidence=record.evidence,
    )


def credit_event_model(record: CreditEventRecord) -> CreditEvent:
    return CreditEvent(
        id=record.id,
        institution=record.institution,
        kind=record.kind.value,
        date=record.date,
        authority=record.authority,
        weight=record.weight,
        description=record.description,
        public_until=record.public_until,
        deadline=record.deadline,
        outcome=None if record.outcome is None else record.outcome.value,
        repaired_on=record.repaired_on,
        repair_note=record.repair_note,
        plan=record.plan,
    )


def service_evaluation_model(
    record: ServiceEvaluationRecord, *, recorded_by: str = ""
) -> ServiceEvaluation:
    """Blank answers are stored as "" (graph lists hold no nulls)."""
    return ServiceEvaluation(
        id=record.id,
        institution=record.institution,
        kind=record.kind.value,
        date=record.date,
        service_category=record.service_category.value,
        evaluator=record.evaluator,
        answers=tuple("" if a is None else a.value for a in record.answers or ()),
        checks_passed=record.checks_passed,
        checks_total=record.checks_total,
        comment=record.comment,
        recorded_by=recorded_by,
    )


def service_assessment_model(record: ServiceAssessmentRecord, *, scheme: str) -> ServiceAssessment:
    """``scheme``: the standard of the certificate assessed, which it is judged under."""
    parts = record.elements
    return ServiceAssessment(
        certificate=record.certificate,
        scheme=scheme,
        elements=tuple(p.element.value for p in parts),
        scores=tuple(p.score for p in parts),
        weights=tuple(p.weight for p in parts),
        element_dates=tuple(p.assessed_on.isoformat() for p in parts),
        evidence=tuple(p.evidence for p in parts),
        cpsq=record.cpsq,
        cpsq_on=record.cpsq_measured_on,
        stage1_on=record.stage1_on,
        stage1_person_days=record.stage1_person_days,
        stage2_on=record.stage2_on,
        stage2_person_days=record.stage2_person_days,
    )
