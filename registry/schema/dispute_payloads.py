"""What disputeRecord and resolveDispute answer: the dispute and its receipt, or an error."""

from __future__ import annotations

from typing import Annotated

import strawberry

from registry.schema.disputes import Dispute
from registry.schema.errors import Conflict, InvalidInput, NotAuthorized, NotFound
from registry.schema.payloads import WriteReceipt

__all__ = [
    "DisputeRecordPayload",
    "DisputeRecordSuccess",
    "ResolveDisputePayload",
    "ResolveDisputeSuccess",
]


@strawberry.type
class DisputeRecordSuccess:
    dispute: Dispute
    receipt: WriteReceipt


@strawberry.type
class ResolveDisputeSuccess:
    dispute: Dispute
    receipt: WriteReceipt


_Errors = InvalidInput | NotAuthorized | NotFound | Conflict
DisputeRecordPayload = Annotated[
    DisputeRecordSuccess | _Errors, strawberry.union("DisputeRecordPayload")
]
ResolveDisputePayload = Annotated[
    ResolveDisputeSuccess | _Errors, strawberry.union("ResolveDisputePayload")
]
