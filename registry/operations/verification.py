"""Verification for the API, the web page and QR tokens alike."""

from __future__ import annotations

from datetime import date

from graph.port import GraphStore
from registry.domain.identifiers import normalise_identifier
from registry.domain.verification import Verification, verify

__all__ = ["MAX_HOLDER_NAME", "verify_certificate"]

MAX_HOLDER_NAME = 200
_MAX_NUMBER = 64


async def verify_certificate(
    store: GraphStore,
    number: str,
    *,
    holder_name: str | None,
    today: date,
    as_of: date | None = None,
    oversight: bool = False,
) -> Verification:
    """One lookup, one verdict (on ``as_of``, default today), for ``number`` as people type
    it. A malformed number simply does not exist, so it gets the same NOT_FOUND answer as any
    other unknown number (no hint about the format)."""
    key = normalise_identifier(number)
    found = await store.get_verification_facts([key]) if 0 < len(key) <= _MAX_NUMBER else []
    return verify(
        found[0] if found else None,
        holder_name=holder_name,
        today=today,
        as_of=as_of,
        oversight=oversight,
    )
