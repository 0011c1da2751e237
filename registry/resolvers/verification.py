"""Public verification resolvers."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from graph.text import normalise_text
from registry.context import Context
from registry.domain.certificates import effective_status
from registry.domain.identifiers import normalise_identifier
from registry.operations.verification import MAX_HOLDER_NAME, verify_certificate
from registry.schema.errors import PublicError
from registry.schema.pagination import page_size
from registry.schema.verification import PublicCertificate, VerificationResult

__all__ = ["search_certificates", "verify_certificate_field"]

MAX_SEARCH_RESULTS = 20

Info = strawberry.Info[Context, None]


async def verify_certificate_field(
    info: Info, number: str, holder_name: str | None = None
) -> VerificationResult:
    """Is this certificate genuine and valid today, and does the holder's name match?"""
    if holder_name is not None and len(holder_name) > MAX_HOLDER_NAME:
        raise PublicError("TOO_LONG", f"holderName has at most {MAX_HOLDER_NAME} characters")
    context = info.context
    number = normalise_identifier(number)
    result = await verify_certificate(
        context.store, number, holder_name=holder_name, today=context.today
    )
    return VerificationResult.of(number, result, checked_at=datetime.now(UTC))


async def search_certificates(
    info: Info, holder_name: str, first: int | None = 10
) -> list[PublicCertificate]:
    """Public: certificates whose holder's name contains ``holderName`` (at least two
    characters; widths, spaces and punctuation ignored). Public fields only, at most 20."""
    if len(holder_name) > MAX_HOLDER_NAME:
        raise PublicError("TOO_LONG", f"holderName has at most {MAX_HOLDER_NAME} characters")
    if len(normalise_text(holder_name)) < 2:
        raise PublicError("TOO_SHORT", "holderName needs at least two characters")
    context = info.context
    limit = page_size(first, maximum=MAX_SEARCH_RESULTS, default=10)
    found = await context.store.search_certificates_by_holder(holder_name, limit=limit)
    return [
        PublicCertificate.of(
            m.certificate,
            holder_name=m.holder_name,
            issuer_name=m.issuer_name,
            status=effective_status(
                m.certificate.status, m.certificate.expires_on, today=context.today
            ),
        )
        for m in found
    ]
