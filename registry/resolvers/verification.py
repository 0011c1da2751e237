"""Public verification resolvers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Annotated

import orjson
import strawberry

from graph.models import Certificate
from graph.search_models import MatchRank
from graph.text import normalise_text
from registry.context import Context
from registry.domain.certificates import certificate_standing, effective_status
from registry.domain.identifiers import normalise_identifier
from registry.domain.permissions import may_see_confidential, may_see_overdue_suspensions
from registry.domain.verification import VerificationWarning
from registry.domain.vocabulary import CertificateStatus
from registry.operations.search import ranked_search
from registry.operations.verification import MAX_HOLDER_NAME, verify_certificate
from registry.schema.errors import PublicError
from registry.schema.pagination import Connection, decode_cursor, page_size
from registry.schema.verification import PublicCertificate, VerificationResult

__all__ = ["search_certificates", "verification_for", "verify_certificate_field"]

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
    return await verification_for(info.context, number, holder_name, as_of)


async def verification_for(
    context: Context, number: str, holder_name: str | None = None, as_of: date | None = None
) -> VerificationResult:
    """The resolver's work, given the request's context (``registry.resolvers.direct`` runs
    it for the persisted document without the executor)."""
    if holder_name is not None and len(holder_name) > MAX_HOLDER_NAME:
        raise PublicError("TOO_LONG", f"holderName has at most {MAX_HOLDER_NAME} characters")
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
    info: Info,
    query: Annotated[
        str,
        strawberry.argument(
            description="Part of a holder's name (one character may be wrong), a holder's "
            "USCC, a certificate number or its beginning, or the holder's name in pinyin, "
            "full (`dalian chanpin`) or initials (`dlcp`)."
        ),
    ],
    first: int | None = 10,
    after: str | None = None,
) -> Connection[PublicCertificate]:
    """Public: exact matches first (number, USCC, whole name), then number prefixes and name
    parts, then pinyin, then names with one typo; by holder name and number within each."""
    if len(query) > MAX_HOLDER_NAME:
        raise PublicError("TOO_LONG", f"query has at most {MAX_HOLDER_NAME} characters")
    if len(normalise_text(query)) < 2:
        raise PublicError("TOO_SHORT", "query needs at least two characters")
    limit = page_size(first, maximum=MAX_SEARCH_RESULTS, default=10)
    position = _search_position(after)
    context = info.context
    ranked = await ranked_search(context.store, query)
    page = [r for r in ranked if position is None or r.key > position][: limit + 1]

    async def total() -> int:
        return len(ranked)

    return Connection.of(
        page,
        limit=limit,
        key=lambda r: orjson.dumps(r.key).decode(),
        node=lambda r: PublicCertificate.of(
            r.hit.match.certificate,
            holder_name=r.hit.match.holder_name,
            issuer_name=r.hit.match.issuer_name,
            status=_status_today(r.hit.match.certificate, context.today),
        ),
        counter=total,
    )


def _search_position(after: str | None) -> tuple[int, str, str] | None:
    """The (rank, holder name, number) a search cursor holds; anything else INVALID_CURSOR."""
    key = decode_cursor(after)
    if key is None:
        return None
    try:
        rank, name, number = orjson.loads(key)
    except (ValueError, TypeError) as exc:
        raise PublicError("INVALID_CURSOR", "not a search cursor") from exc
    if not (
        type(rank) is int
        and 0 <= rank < len(MatchRank)
        and isinstance(name, str)
        and isinstance(number, str)
    ):
        raise PublicError("INVALID_CURSOR", "not a search cursor")
    return (rank, name, number)


def _status_today(certificate: Certificate, today: date) -> CertificateStatus:
    standing = certificate_standing(certificate, today)
    if standing is not None:
        return standing.status
    return effective_status(certificate.status, certificate.expires_on, today=today)
