"""Public verification resolvers."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from registry.context import Context
from registry.operations.verification import MAX_HOLDER_NAME, verify_certificate
from registry.schema.errors import PublicError
from registry.schema.verification import VerificationResult

__all__ = ["verify_certificate_field"]

Info = strawberry.Info[Context, None]


async def verify_certificate_field(
    info: Info, number: str, holder_name: str | None = None
) -> VerificationResult:
    """Is this certificate genuine and valid today, and does the holder's name match?"""
    if holder_name is not None and len(holder_name) > MAX_HOLDER_NAME:
        raise PublicError("TOO_LONG", f"holderName has at most {MAX_HOLDER_NAME} characters")
    context = info.context
    result = await verify_certificate(
        context.store, number, holder_name=holder_name, today=context.today
    )
    return VerificationResult.of(number, result, checked_at=datetime.now(UTC))
