"""Service-certification standards and assessments (issue 16): the lookups and the write."""

from __future__ import annotations

import strawberry

from registry.context import Context
from registry.domain.service_standards import SERVICE_STANDARDS, service_standard
from registry.operations.service_assessments import record_service_assessments as record
from registry.records import ServiceAssessmentRecord
from registry.resolvers.mutations import IdempotencyKeyArgument, _in_order, _perform
from registry.schema.payloads import (
    RecordServiceAssessmentsPayload,
    RecordServiceAssessmentsSuccess,
    WriteReceipt,
)
from registry.schema.service_assessment import (
    ServiceAssessment,
    ServiceAssessmentInput,
    ServiceStandard,
)

__all__ = ["record_service_assessments", "service_standards", "standard"]

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
        operation=lambda rs, claim: record(
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
