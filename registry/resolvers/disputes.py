"""Dispute resolvers: file one (anyone, counted as a public lookup), answer one (its issuer
or regulator), read one by its id (anyone who holds the id)."""

from __future__ import annotations

import re

import strawberry

from registry.context import Context
from registry.operations import disputes as operations
from registry.operations.refusals import Refusal
from registry.operations.write_access import authorize
from registry.records.disputes import DisputeRecord, ResolveDisputeRecord
from registry.resolvers.input_records import validated
from registry.resolvers.mutations import refusal_payload
from registry.schema.dispute_payloads import (
    DisputeRecordPayload,
    DisputeRecordSuccess,
    ResolveDisputePayload,
    ResolveDisputeSuccess,
)
from registry.schema.disputes import Dispute, DisputeInput, ResolveDisputeInput
from registry.schema.payloads import WriteReceipt

__all__ = ["dispute", "dispute_record", "resolve_dispute"]

Info = strawberry.Info[Context, None]
_ID = re.compile(r"[0-9a-f]{32}")


async def dispute_record(info: Info, input: DisputeInput) -> DisputeRecordPayload:
    """Say a field of an existing record is wrong; NOT_FOUND for a record that is not."""
    context = info.context
    try:
        record = validated(DisputeRecord, input)
        filed, result = await operations.file_dispute(
            context.store, context.principal, record, today=context.today
        )
    except Refusal as refusal:
        return refusal_payload(refusal)
    return DisputeRecordSuccess(dispute=Dispute.of(filed), receipt=WriteReceipt.of(result))


async def resolve_dispute(info: Info, input: ResolveDisputeInput) -> ResolveDisputePayload:
    """Uphold (stating the correction) or reject (stating why) an open dispute."""
    context = info.context
    try:
        authorize(context.principal, "resolveDispute")  # the role first, then the input
        record = validated(ResolveDisputeRecord, input)
        answered, result = await operations.resolve_dispute(
            context.store, context.principal, record, today=context.today
        )
    except Refusal as refusal:
        return refusal_payload(refusal)
    return ResolveDisputeSuccess(dispute=Dispute.of(answered), receipt=WriteReceipt.of(result))


async def dispute(info: Info, id: str) -> Dispute | None:
    """A dispute by the id its filer was given; the contact stays with its handlers."""
    if _ID.fullmatch(id) is None:
        return None
    found = await info.context.store.get_disputes([id])
    return Dispute.of(found[0]) if found else None
