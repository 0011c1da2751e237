"""Mutations that add steps to accreditation and institution timelines (issue 13)."""

from __future__ import annotations

import strawberry

from registry.context import Context
from registry.operations import timeline_writes
from registry.records import AccreditationStatusChangeRecord, InstitutionStatusChangeRecord
from registry.resolvers.mutations import IdempotencyKeyArgument, _in_order, _perform
from registry.schema.inputs import AccreditationStatusChangeInput, InstitutionStatusChangeInput
from registry.schema.institutions import Accreditation, Institution
from registry.schema.payloads import (
    ChangeAccreditationStatusPayload,
    ChangeAccreditationStatusSuccess,
    ChangeInstitutionStatusPayload,
    ChangeInstitutionStatusSuccess,
    WriteReceipt,
)
from registry.schema.timelines import moment_of

__all__ = ["change_accreditation_status", "change_institution_status"]

Info = strawberry.Info[Context, None]


async def change_accreditation_status(
    info: Info,
    input: list[AccreditationStatusChangeInput],
    idempotency_key: IdempotencyKeyArgument = None,
) -> ChangeAccreditationStatusPayload:
    context = info.context
    outcome = await _perform(
        info,
        "changeAccreditationStatus",
        input,
        AccreditationStatusChangeRecord,
        idempotency_key=idempotency_key,
        key=lambda r: r.number,
        operation=lambda rs, claim: timeline_writes.change_accreditation_statuses(
            context.store, context.principal, rs, today=context.today, idempotency=claim
        ),
    )
    if not isinstance(outcome, tuple):
        return outcome
    records, result = outcome
    numbers = [r.number for r in records]
    stored = await context.store.get_accreditations(numbers)
    moment = moment_of(info)
    return ChangeAccreditationStatusSuccess(
        accreditations=_in_order(
            numbers, stored, lambda m: m.number, lambda m: Accreditation.of(m, moment)
        ),
        receipt=WriteReceipt.of(result),
    )


async def change_institution_status(
    info: Info,
    input: list[InstitutionStatusChangeInput],
    idempotency_key: IdempotencyKeyArgument = None,
) -> ChangeInstitutionStatusPayload:
    context = info.context
    outcome = await _perform(
        info,
        "changeInstitutionStatus",
        input,
        InstitutionStatusChangeRecord,
        idempotency_key=idempotency_key,
        key=lambda r: r.uscc,
        operation=lambda rs, claim: timeline_writes.change_institution_statuses(
            context.store, context.principal, rs, today=context.today, idempotency=claim
        ),
    )
    if not isinstance(outcome, tuple):
        return outcome
    records, result = outcome
    usccs = [r.uscc for r in records]
    stored = await context.store.get_institutions(usccs)
    moment = moment_of(info)
    return ChangeInstitutionStatusSuccess(
        institutions=_in_order(
            usccs, stored, lambda m: m.uscc, lambda m: Institution.of(m, moment)
        ),
        receipt=WriteReceipt.of(result),
    )
