"""Public verification resolvers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Annotated

import strawberry

from graph.models import Certificate
from graph.text import normalise_text
from registry.context import Context
from registry.domain.certificates import certificate_standing, effective_status
from registry.domain.identifiers import normalise_identifier
from registry.domain.permissions import may_see_confidential, may_see_overdue_suspensions
from registry.domain.verification import VerificationWarning
from registry.domain.vocabulary import CertificateStatus
from registry.operations.verification import MAX_HOLDER_NAME, verify_certificate
from registry.schema.errors import PublicError
from registry.schema.pagination import page_size
from registry.schema.verification import PublicCertificate, VerificationResult

__all__ = ["search_certificates", "verify_certificate_field"]

MAX_SEARCH_RESULTS = 20

Info = strawberry.Info[Context, None]


async def verify_certificate_field(
    info: Info,
    number: str,
    holder_name: str | None = None,
    as_of: Annotated[
        date | None,
        strawberry.argument(
            description="Answer as it stood on this day (default today): the certificate's "
            "status then, and whether its issuer was suspended then. Before the issue date "
            "the answer is NOT_FOUND."
        ),
    ] = None,
) -> VerificationResult:
    """Is this certificate genuine and valid today, and does the holder's name match?"""
    if holder_name is not None and len(holder_name) > MAX_HOLDER_NAME:
        raise PublicError("TOO_LONG", f"holderName has at most {MAX_HOLDER_NAME} characters")
    context = info.context
    number = normalise_identifier(number)
    result = await verify_certificate(
        context.store,
        number,
        holder_name=holder_name,
        today=context.today,
        as_of=as_of,
        oversight=may_see_overdue_suspensions(context.principal.role),
    )
    if VerificationWarning.SUSPENSION_OVERDUE in result.warnings and result.facts is not None:
        region = result.facts.certificate.region  # a regulator's jurisdiction bounds it
        if not may_see_confidential(await context.access(), region):
            kept = tuple(
                w for w in result.warnings if w is not VerificationWarning.SUSPENSION_OVERDUE
            )
            result = replace(result, warnings=kept)
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
            status=_status_today(m.certificate, context.today),
        )
        for m in found
    ]


def _status_today(certificate: Certificate, today: date) -> CertificateStatus:
    standing = certificate_standing(certificate, today)
    if standing is not None:
        return standing.status
    return effective_status(certificate.status, certificate.expires_on, today=today)
