"""Service-certification standards and assessments (issue 16): the lookups and the write."""

from __future__ import annotations

import strawberry

from registry.context import Context
from registry.domain.service_standards import SERVICE_STANDARDS, service_standard
from registry.operations import service_assessments as assessments
from registry.operations.refusals import Refusal
from registry.operations.write_access import authorize
from registry.records import AssessmentConfirmationRecord, ServiceAssessmentRecord
from registry.resolvers.input_records import validated
from registry.resolvers.mutations import (
    IdempotencyKeyArgument,
    _in_order,
    _perform,
    refusal_payload,
)
from registry.schema.payloads import (
    ConfirmServiceAssessmentPayload,
    ConfirmServiceAssessmentSuccess,
    RecordServiceAssessmentsPayload,
    RecordServiceAssessmentsSuccess,
    WriteReceipt,
)
from registry.schema.service_assessment import (
    ConfirmServiceAssessmentInput,
    ServiceAssessment,
    ServiceAssessmentInput,
    ServiceStandard,
)

__all__ = [
    "confirm_service_assessment",
    "record_service_assessments",
    "service_standards",
    "standard",
]

Info = strawberry.Info[Context, None]


def standard(code: str) -> ServiceStandard | None:
    """Null for a standard the registry does not model."""
    found = service_standard(code.strip()) if len(code) <= 64 else None
    return None if found is None else ServiceStandard.of(found)


def service_standards() -> list[ServiceStandard]:
    return [ServiceStandard.of(s) for s in SERVICE_STANDARDS.values()]


async def record_service_assessments(
    info: Info,
    input: list[ServiceAssessmentInput],
    idempotency_key: IdempotencyKeyArgument = None,
) -> RecordServiceAssessmentsPayload:
    context = info.context
    outcome = await _perform(
        info,
        "recordServiceAssessments",
        input,
        ServiceAssessmentRecord,
        idempotency_key=idempotency_key,
        key=lambda r: r.certificate,
        operation=lambda rs, claim: assessments.record_service_assessments(
            context.store, context.principal, rs, today=context.today, idempotency=claim
        ),
    )
    if not isinstance(outcome, tuple):
        return outcome
    records, result = outcome
    numbers = [r.certificate for r in records]
    stored = await context.store.get_service_assessments(numbers)
    return RecordServiceAssessmentsSuccess(
        assessments=_in_order(numbers, stored, lambda m: m.certificate, ServiceAssessment.of),
        receipt=WriteReceipt.of(result),
    )


async def confirm_service_assessment(
    info: Info, input: ConfirmServiceAssessmentInput
) -> ConfirmServiceAssessmentPayload:
    """The holder's regulator: the holder sought and holds the certificate; its stars count."""
    context = info.context
    try:
        authorize(context.principal, "confirmServiceAssessment")
        record = validated(AssessmentConfirmationRecord, input)
        confirmed, result = await assessments.confirm_service_assessment(
            context.store, context.principal, record, today=context.today
        )
    except Refusal as refusal:
        return refusal_payload(refusal)
    return ConfirmServiceAssessmentSuccess(
        assessment=ServiceAssessment.of(confirmed), receipt=WriteReceipt.of(result)
    )
