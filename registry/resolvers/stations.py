"""Resolvers of one-stop quality service stations and service benchmarks: validate, call the
operation, map (DB2101/T 0050-2022; docs/service-stations.md)."""

from __future__ import annotations

import hmac

import strawberry

from graph.errors import AlreadyApplied
from registry.auth import key_digest
from registry.context import Context
from registry.domain.vocabulary import ServiceCategory
from registry.operations import service_requests as requests_ops
from registry.operations import stations as station_ops
from registry.operations.idempotency import claim_for, invalid_key, reused_key
from registry.operations.refusals import Refusal, RefusalKind, validate_batch
from registry.operations.write_access import authorize
from registry.records.stations import (
    BenchmarkRecord,
    ConfirmationRecord,
    RequestAdvanceRecord,
    RequestEvaluationRecord,
    ServiceRequestRecord,
    StationRecord,
)
from registry.resolvers.input_records import input_fields, validated
from registry.resolvers.mutations import IdempotencyKeyArgument, refusal_payload
from registry.resolvers.queries import region_code_checked
from registry.schema.errors import PublicError
from registry.schema.pagination import page_size
from registry.schema.payloads import WriteReceipt
from registry.schema.service_evaluation import ServiceEvaluation
from registry.schema.station_payloads import (
    AdvanceServiceRequestInput,
    AdvanceServiceRequestPayload,
    AdvanceServiceRequestSuccess,
    BenchmarkInput,
    ConfirmServiceEvaluationInput,
    ConfirmServiceEvaluationPayload,
    ConfirmServiceEvaluationSuccess,
    ConfirmServiceRequestInput,
    ConfirmServiceRequestPayload,
    ConfirmServiceRequestSuccess,
    DesignateBenchmarkPayload,
    DesignateBenchmarkSuccess,
    EvaluateServiceRequestInput,
    EvaluateServiceRequestPayload,
    EvaluateServiceRequestSuccess,
    ServiceRequestInput,
    StationInput,
    SubmitServiceRequestPayload,
    SubmitServiceRequestSuccess,
    UpsertStationsPayload,
    UpsertStationsSuccess,
)
from registry.schema.stations import Benchmark, ServiceRequest, ServiceStation, requests_visible
from registry.schema.timelines import moment_of

__all__ = [
    "advance_service_request",
    "benchmarks",
    "confirm_service_evaluation",
    "confirm_service_request",
    "designate_benchmark",
    "evaluate_service_request",
    "service_request",
    "stations",
    "submit_service_request",
    "upsert_stations",
]

Info = strawberry.Info[Context, None]
MAX_LISTED = 100


# queries -----------------------------------------------------------------------------------


async def stations(
    info: Info, region: str | None = None, service: ServiceCategory | None = None, first: int = 50
) -> list[ServiceStation]:
    """The stations of a region (sub-regions included; every region when none is named)
    offering a service (any when none is named)."""
    if region is not None:
        region_code_checked(region)  # a malformed code is INVALID_FORMAT, never echoed
    if region is not None and await info.context.loaders.region.load(region) is None:
        raise PublicError("NOT_FOUND", f"no region {region}")
    found = await info.context.store.find_stations(
        region,
        service=None if service is None else service.value,
        limit=page_size(first, maximum=MAX_LISTED, default=50),
    )
    return [ServiceStation.of(s) for s in found]


async def service_request(info: Info, id: str, token: str | None = None) -> ServiceRequest | None:
    """A request, for its station and regulator, or for whoever holds its token; None
    otherwise, the same as for no such request."""
    found = await info.context.store.get_service_requests([id])
    if not found:
        return None
    request = found[0]
    holder = token is not None and hmac.compare_digest(request.token_digest, key_digest(token))
    if not holder and not await requests_visible(info, request.station, request.region):
        return None
    return ServiceRequest.of(request, today=moment_of(info).day, confidential=True)


async def benchmarks(
    info: Info, category: ServiceCategory, region: str | None = None, first: int = 50
) -> list[Benchmark]:
    """Service benchmarks of a category (in a region and below), with their evidence."""
    if region is not None:
        region_code_checked(region)
    found = await info.context.store.get_benchmarks(
        category.value,
        region=region,
        today=info.context.today.isoformat(),
        limit=page_size(first, maximum=MAX_LISTED, default=50),
    )
    return [Benchmark.of(b) for b in found]


# mutations ---------------------------------------------------------------------------------


async def upsert_stations(
    info: Info, input: list[StationInput], idempotency_key: IdempotencyKeyArgument = None
) -> UpsertStationsPayload:
    context = info.context
    principal = context.principal
    try:
        authorize(principal, "upsertStations")
        if idempotency_key is not None and (problem := invalid_key(idempotency_key)):
            raise Refusal(RefusalKind.INVALID_INPUT, [problem])
        records = validate_batch(
            StationRecord, [input_fields(i) for i in input], key=lambda r: r.uscc
        )
        claim = (
            None
            if idempotency_key is None
            else claim_for(principal, "upsertStations", idempotency_key, records)
        )
        try:
            result = await station_ops.upsert_stations(
                context.store, principal, records, idempotency=claim
            )
        except AlreadyApplied as applied:
            if claim is None or applied.record.fingerprint != claim.fingerprint:
                raise Refusal(RefusalKind.CONFLICT, [reused_key()]) from applied
            result = applied.record.result()
    except Refusal as refusal:
        return refusal_payload(refusal)
    stored = await context.store.get_stations([r.uscc for r in records])
    return UpsertStationsSuccess(
        stations=[ServiceStation.of(s) for s in stored], receipt=WriteReceipt.of(result)
    )


async def submit_service_request(
    info: Info, input: ServiceRequestInput
) -> SubmitServiceRequestPayload:
    """Anyone: an enterprise's demand (Annex A)."""
    context = info.context
    try:
        authorize(context.principal, "submitServiceRequest")
        record = validated(ServiceRequestRecord, input)
        request, token, result = await requests_ops.submit_service_request(
            context.store, context.principal, record, today=context.today
        )
    except Refusal as refusal:
        return refusal_payload(refusal)
    return SubmitServiceRequestSuccess(
        request=ServiceRequest.of(request, today=context.today, confidential=True),
        token=token,
        receipt=WriteReceipt.of(result),
    )


async def advance_service_request(
    info: Info, input: AdvanceServiceRequestInput
) -> AdvanceServiceRequestPayload:
    """The station's staff: matched, in service, done, or rejected."""
    context = info.context
    try:
        authorize(context.principal, "advanceServiceRequest")
        record = validated(RequestAdvanceRecord, input)
        request, result = await requests_ops.advance_service_request(
            context.store, context.principal, record, today=context.today
        )
    except Refusal as refusal:
        return refusal_payload(refusal)
    return AdvanceServiceRequestSuccess(
        request=ServiceRequest.of(request, today=context.today, confidential=True),
        receipt=WriteReceipt.of(result),
    )


async def evaluate_service_request(
    info: Info, input: EvaluateServiceRequestInput
) -> EvaluateServiceRequestPayload:
    """The requester, with its token: the Annex C form."""
    context = info.context
    try:
        authorize(context.principal, "evaluateServiceRequest")
        record = validated(RequestEvaluationRecord, input)
        request, form, result = await requests_ops.evaluate_service_request(
            context.store, context.principal, record, today=context.today
        )
    except Refusal as refusal:
        return refusal_payload(refusal)
    return EvaluateServiceRequestSuccess(
        request=ServiceRequest.of(request, today=context.today, confidential=True),
        evaluation=ServiceEvaluation.of(form),
        receipt=WriteReceipt.of(result),
    )


async def confirm_service_evaluation(
    info: Info, input: ConfirmServiceEvaluationInput
) -> ConfirmServiceEvaluationPayload:
    """The station's regulator: who filled in the Annex C form was checked; it counts now."""
    context = info.context
    try:
        authorize(context.principal, "confirmServiceEvaluation")
        record = validated(ConfirmationRecord, input)
        request, form, result = await requests_ops.confirm_service_evaluation(
            context.store, context.principal, record, today=context.today
        )
    except Refusal as refusal:
        return refusal_payload(refusal)
    return ConfirmServiceEvaluationSuccess(
        request=ServiceRequest.of(request, today=context.today, confidential=True),
        evaluation=ServiceEvaluation.of(form),
        receipt=WriteReceipt.of(result),
    )


async def confirm_service_request(
    info: Info, input: ConfirmServiceRequestInput
) -> ConfirmServiceRequestPayload:
    """The station's regulator: who asked was checked; the request's stages count now."""
    context = info.context
    try:
        authorize(context.principal, "confirmServiceRequest")
        record = validated(ConfirmationRecord, input)
        request, result = await requests_ops.confirm_service_request(
            context.store, context.principal, record, today=context.today
        )
    except Refusal as refusal:
        return refusal_payload(refusal)
    return ConfirmServiceRequestSuccess(
        request=ServiceRequest.of(request, today=context.today, confidential=True),
        receipt=WriteReceipt.of(result),
    )


async def designate_benchmark(info: Info, input: BenchmarkInput) -> DesignateBenchmarkPayload:
    """Regulators: a service benchmark in their jurisdiction."""
    context = info.context
    try:
        authorize(context.principal, "designateBenchmark")
        record = validated(BenchmarkRecord, input)
        benchmark, result = await station_ops.designate_benchmark(
            context.store, context.principal, record, today=context.today
        )
    except Refusal as refusal:
        return refusal_payload(refusal)
    return DesignateBenchmarkSuccess(
        benchmark=Benchmark.of(benchmark), receipt=WriteReceipt.of(result)
    )
