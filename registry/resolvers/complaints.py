"""Complaints: anyone files one (no key needed, counted like a public lookup), the regulator
of the institution's region takes it step by step."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Awaitable, Callable

import strawberry

from graph.errors import AlreadyApplied
from graph.log_models import IdempotencyClaim, WriteResult
from registry.context import Context
from registry.domain.complaints import filing_due_by
from registry.operations import complaints
from registry.operations.idempotency import claim_for, invalid_key, reused_key
from registry.operations.refusals import Refusal, RefusalKind
from registry.operations.write_access import authorize
from registry.records import Record
from registry.records.complaints import ComplaintFilingRecord, ComplaintStepRecord
from registry.resolvers.input_records import validated
from registry.resolvers.mutations import IdempotencyKeyArgument, refusal_payload
from registry.schema.complaints import Complaint
from registry.schema.inputs import ComplaintFilingInput, ComplaintStepInput
from registry.schema.payloads import (
    AdvanceComplaintPayload,
    AdvanceComplaintSuccess,
    FileComplaintPayload,
    FileComplaintSuccess,
    WriteReceipt,
)

__all__ = ["advance_complaint", "file_complaint"]

Info = strawberry.Info[Context, None]


async def _once(
    info: Info,
    mutation: str,
    record: Record,
    idempotency_key: str | None,
    write: Callable[[IdempotencyClaim | None], Awaitable[WriteResult]],
) -> WriteResult:
    """Write, or with an idempotency key used before for the same input, answer from what
    the first request wrote (``receipt.replayed``); another input under it is refused."""
    if idempotency_key is not None and (problem := invalid_key(idempotency_key)):
        raise Refusal(RefusalKind.INVALID_INPUT, [problem])
    principal = info.context.principal
    claim = (
        None
        if idempotency_key is None
        else claim_for(principal, mutation, idempotency_key, [record])
    )
    if claim is not None and principal.key_id is None:
        # Callers without a key share one credential: their key is scoped to the filing too,
        # so a stranger's filing under the same key neither blocks theirs nor answers it.
        scoped = hashlib.sha256(f"{claim.key}\n{claim.fingerprint}".encode()).hexdigest()
        claim = dataclasses.replace(claim, key=scoped)
    try:
        return await write(claim)
    except AlreadyApplied as applied:
        if claim is None or applied.record.fingerprint != claim.fingerprint:
            raise Refusal(RefusalKind.CONFLICT, [reused_key()]) from applied
        return applied.record.result()


async def file_complaint(
    info: Info, input: ComplaintFilingInput, idempotency_key: IdempotencyKeyArgument = None
) -> FileComplaintPayload:
    context = info.context
    try:
        record = validated(ComplaintFilingRecord, input)
        result = await _once(
            info,
            "fileComplaint",
            record,
            idempotency_key,
            lambda claim: complaints.file_complaint(
                context.store, context.principal, record, today=context.today, idempotency=claim
            ),
        )
    except Refusal as refusal:
        return refusal_payload(refusal)
    [filed] = await context.store.get_complaints(result.keys[:1])
    return FileComplaintSuccess(
        complaint_id=filed.id,
        filed_on=filed.filed_on,
        due_by=filing_due_by(filed.filed_on),
        receipt=WriteReceipt.of(result),
    )


async def advance_complaint(
    info: Info, input: ComplaintStepInput, idempotency_key: IdempotencyKeyArgument = None
) -> AdvanceComplaintPayload:
    context = info.context
    try:
        authorize(context.principal, "advanceComplaint")
        record = validated(ComplaintStepRecord, input)
        result = await _once(
            info,
            "advanceComplaint",
            record,
            idempotency_key,
            lambda claim: complaints.advance_complaint(
                context.store, context.principal, record, today=context.today, idempotency=claim
            ),
        )
    except Refusal as refusal:
        return refusal_payload(refusal)
    [advanced] = await context.store.get_complaints([record.id])
    return AdvanceComplaintSuccess(
        complaint=Complaint.of(advanced, today=context.today), receipt=WriteReceipt.of(result)
    )
