"""Mutation resolvers: each validates its batch, runs one write operation, maps the result."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, TypeVar

import strawberry

from graph.errors import AlreadyApplied
from graph.log_models import IdempotencyClaim, WriteResult
from registry.context import Context
from registry.operations import convert, credit_writes, writes
from registry.operations.idempotency import claim_for, invalid_key, reused_key
from registry.operations.refusals import Refusal, RefusalKind, validate_batch
from registry.records import (
    AccreditationRecord,
    CertificateRecord,
    CreditEventRecord,
    CreditRatingRecord,
    InstitutionRecord,
    OrganizationRecord,
    Record,
    ServiceEvaluationRecord,
    StatusChangeRecord,
)
from registry.resolvers.input_records import input_fields
from registry.schema.certificates import Certificate
from registry.schema.credit import CreditEvent, CreditRating
from registry.schema.errors import Conflict, InvalidInput, NotAuthorized, NotFound, Problem
from registry.schema.inputs import (
    AccreditationInput,
    CertificateInput,
    CertificateStatusChangeInput,
    CreditEventInput,
    CreditRatingInput,
    InstitutionInput,
    OrganizationInput,
    ServiceEvaluationInput,
)
from registry.schema.institutions import Accreditation, Institution, Organization
from registry.schema.payloads import (
    ChangeCertificateStatusPayload,
    ChangeCertificateStatusSuccess,
    IssueCertificatesPayload,
    IssueCertificatesSuccess,
    PublishCreditRatingsPayload,
    PublishCreditRatingsSuccess,
    RecordCreditEventsPayload,
    RecordCreditEventsSuccess,
    RecordServiceEvaluationsPayload,
    RecordServiceEvaluationsSuccess,
    UpsertAccreditationsPayload,
    UpsertAccreditationsSuccess,
    UpsertInstitutionsPayload,
    UpsertInstitutionsSuccess,
    UpsertOrganizationsPayload,
    UpsertOrganizationsSuccess,
    WriteReceipt,
)
from registry.schema.service_evaluation import ServiceEvaluation
from registry.schema.timelines import moment_of

__all__ = [
    "change_certificate_status",
    "issue_certificates",
    "publish_credit_ratings",
    "record_credit_events",
    "record_service_evaluations",
    "refusal_payload",
    "upsert_accreditations",
    "upsert_institutions",
    "upsert_organizations",
]

Info = strawberry.Info[Context, None]
IdempotencyKeyArgument = Annotated[
    str | None,
    strawberry.argument(
        description="Retry safely: the same key with the same input within 24 hours returns "
        "the first result (receipt.replayed) and writes nothing; with other input it is "
        "refused (IDEMPOTENCY_KEY_REUSED). Scoped to your API key."
    ),
]
R = TypeVar("R", bound=Record)
ErrorPayload = InvalidInput | NotAuthorized | NotFound | Conflict

_ERROR_TYPES: dict[RefusalKind, type[ErrorPayload]] = {
    RefusalKind.INVALID_INPUT: InvalidInput,
    RefusalKind.NOT_AUTHORIZED: NotAuthorized,
    RefusalKind.NOT_FOUND: NotFound,
    RefusalKind.CONFLICT: Conflict,
}


def refusal_payload(refusal: Refusal) -> ErrorPayload:
    first = refusal.problems[0]
    return _ERROR_TYPES[refusal.kind](
        code=first.code,
        message=first.message,
        field=first.field,
        problems=[Problem.of(p) for p in refusal.problems],
    )


async def _perform(
    info: Info,
    mutation: str,
    inputs: Sequence[object],
    model: type[R],
    *,
    key: Callable[[R], str],
    operation: Callable[[list[R], IdempotencyClaim | None], Awaitable[WriteResult]],
    idempotency_key: str | None,
) -> tuple[list[R], WriteResult] | ErrorPayload:
    """Check the caller's role first, then validate the whole batch and write it atomically,
    or say precisely why not. With an idempotency key, a request already written is answered
    from what it wrote (``receipt.replayed``), and nothing is written again."""
    principal = info.context.principal
    try:
        writes.authorize(principal, mutation)
        if idempotency_key is not None and (problem := invalid_key(idempotency_key)):
            raise Refusal(RefusalKind.INVALID_INPUT, [problem])
        records = validate_batch(model, [input_fields(i) for i in inputs], key=key)
        claim = (
            None
            if idempotency_key is None
            else claim_for(principal, mutation, idempotency_key, records)
        )
        try:
            return records, await operation(records, claim)
        except AlreadyApplied as applied:
            if claim is None or applied.record.fingerprint != claim.fingerprint:
                raise Refusal(RefusalKind.CONFLICT, [reused_key()]) from applied
            return records, applied.record.result()
    except Refusal as refusal:
        return refusal_payload(refusal)


async def upsert_institutions(
    info: Info,
    input: list[InstitutionInput],
    idempotency_key: IdempotencyKeyArgument = None,
) -> UpsertInstitutionsPayload:
    context = info.context
    outcome = await _perform(
        info,
        "upsertInstitutions",
        input,
        InstitutionRecord,
        idempotency_key=idempotency_key,
        key=lambda r: r.uscc,
        operation=lambda rs, claim: writes.upsert_institutions(
            context.store,
            context.principal,
            rs,
            secret=context.settings.secret,
            today=context.today,
            idempotency=claim,
        ),
    )
    if not isinstance(outcome, tuple):
        return outcome
    records, result = outcome
    stored = await context.store.get_institutions([r.uscc for r in records])
    moment = moment_of(info)
    return UpsertInstitutionsSuccess(
        institutions=_in_order(
            [r.uscc for r in records], stored, lambda m: m.uscc, lambda m: Institution.of(m, moment)
        ),
        receipt=WriteReceipt.of(result),
    )


async def upsert_organizations(
    info: Info,
    input: list[OrganizationInput],
    idempotency_key: IdempotencyKeyArgument = None,
) -> UpsertOrganizationsPayload:
    context = info.context
    outcome = await _perform(
        info,
        "upsertOrganizations",
        input,
        OrganizationRecord,
        idempotency_key=idempotency_key,
        key=lambda r: r.uscc,
        operation=lambda rs, claim: writes.upsert_organizations(
            context.store, context.principal, rs, idempotency=claim
        ),
    )
    if not isinstance(outcome, tuple):
        return outcome
    records, result = outcome
    stored = await context.store.get_organizations([r.uscc for r in records])
    return UpsertOrganizationsSuccess(
        organizations=_in_order(
            [r.uscc for r in records], stored, lambda m: m.uscc, Organization.of
        ),
        receipt=WriteReceipt.of(result),
    )


async def upsert_accreditations(
    info: Info,
    input: list[AccreditationInput],
    idempotency_key: IdempotencyKeyArgument = None,
) -> UpsertAccreditationsPayload:
    context = info.context
    outcome = await _perform(
        info,
        "upsertAccreditations",
        input,
        AccreditationRecord,
        idempotency_key=idempotency_key,
        key=lambda r: r.number,
        operation=lambda rs, claim: writes.upsert_accreditations(
            context.store, context.principal, rs, today=context.today, idempotency=claim
        ),
    )
    if not isinstance(outcome, tuple):
        return outcome
    records, result = outcome
    held = await context.store.get_accreditations_held(sorted({r.holder for r in records}))
    moment = moment_of(info)
    return UpsertAccreditationsSuccess(
        accreditations=_in_order(
            [r.number for r in records],
            held,
            lambda m: m.number,
            lambda m: Accreditation.of(m, moment),
        ),
        receipt=WriteReceipt.of(result),
    )


async def issue_certificates(
    info: Info,
    input: list[CertificateInput],
    idempotency_key: IdempotencyKeyArgument = None,
) -> IssueCertificatesPayload:
    context = info.context
    outcome = await _perform(
        info,
        "issueCertificates",
        input,
        CertificateRecord,
        idempotency_key=idempotency_key,
        key=lambda r: r.number,
        operation=lambda rs, claim: writes.issue_certificates(
            context.store, context.principal, rs, today=context.today, idempotency=claim
        ),
    )
    if not isinstance(outcome, tuple):
        return outcome
    records, result = outcome
    return IssueCertificatesSuccess(
        certificates=await _certificates(info, [r.number for r in records]),
        receipt=WriteReceipt.of(result),
    )


async def change_certificate_status(
    info: Info,
    input: list[CertificateStatusChangeInput],
    idempotency_key: IdempotencyKeyArgument = None,
) -> ChangeCertificateStatusPayload:
    context = info.context
    outcome = await _perform(
        info,
        "changeCertificateStatus",
        input,
        StatusChangeRecord,
        idempotency_key=idempotency_key,
        key=lambda r: r.number,
        operation=lambda rs, claim: writes.change_certificate_statuses(
            context.store, context.principal, rs, today=context.today, idempotency=claim
        ),
    )
    if not isinstance(outcome, tuple):
        return outcome
    records, result = outcome
    changed = await _certificates(info, [r.number for r in records])
    return ChangeCertificateStatusSuccess(
        certificates=changed,
        receipt=WriteReceipt.of(result),
    )


async def publish_credit_ratings(
    info: Info,
    input: list[CreditRatingInput],
    idempotency_key: IdempotencyKeyArgument = None,
) -> PublishCreditRatingsPayload:
    context = info.context
    outcome = await _perform(
        info,
        "publishCreditRatings",
        input,
        CreditRatingRecord,
        idempotency_key=idempotency_key,
        key=lambda r: r.id,
        operation=lambda rs, claim: credit_writes.publish_credit_ratings(
            context.store, context.principal, rs, today=context.today, idempotency=claim
        ),
    )
    if not isinstance(outcome, tuple):
        return outcome
    records, result = outcome
    stored = await context.store.get_credit_ratings_of(sorted({r.institution for r in records}))
    return PublishCreditRatingsSuccess(
        ratings=_in_order([r.id for r in records], stored, lambda m: m.id, CreditRating.of),
        receipt=WriteReceipt.of(result),
    )


async def record_credit_events(
    info: Info,
    input: list[CreditEventInput],
    idempotency_key: IdempotencyKeyArgument = None,
) -> RecordCreditEventsPayload:
    context = info.context
    outcome = await _perform(
        info,
        "recordCreditEvents",
        input,
        CreditEventRecord,
        idempotency_key=idempotency_key,
        key=lambda r: r.id,
        operation=lambda rs, claim: credit_writes.record_credit_events(
            context.store, context.principal, rs, today=context.today, idempotency=claim
        ),
    )
    if not isinstance(outcome, tuple):
        return outcome
    records, result = outcome
    stored = await context.store.get_credit_events_of(sorted({r.institution for r in records}))
    return RecordCreditEventsSuccess(
        events=_in_order([r.id for r in records], stored, lambda m: m.id, CreditEvent.of),
        receipt=WriteReceipt.of(result),
    )


async def record_service_evaluations(
    info: Info,
    input: list[ServiceEvaluationInput],
    idempotency_key: IdempotencyKeyArgument = None,
) -> RecordServiceEvaluationsPayload:
    context = info.context
    outcome = await _perform(
        info,
        "recordServiceEvaluations",
        input,
        ServiceEvaluationRecord,
        idempotency_key=idempotency_key,
        key=lambda r: r.id,
        operation=lambda rs, claim: credit_writes.record_service_evaluations(
            context.store, context.principal, rs, today=context.today, idempotency=claim
        ),
    )
    if not isinstance(outcome, tuple):
        return outcome
    records, result = outcome
    return RecordServiceEvaluationsSuccess(
        evaluations=[ServiceEvaluation.of(convert.service_evaluation_model(r)) for r in records],
        receipt=WriteReceipt.of(result),
    )


async def _certificates(info: Info, numbers: list[str]) -> list[Certificate]:
    stored = await info.context.store.get_certificates(numbers)
    moment = moment_of(info)
    return _in_order(numbers, stored, lambda m: m.number, lambda m: Certificate.of(m, moment))


def _in_order(
    keys: list[str], models: Sequence[Any], key: Callable[[Any], str], node: Callable[[Any], Any]
) -> list[Any]:
    by_key = {key(m): m for m in models}
    return [node(by_key[k]) for k in keys if k in by_key]
