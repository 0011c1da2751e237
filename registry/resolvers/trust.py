"""Resolvers for signed tokens and audit checkpoints (public)."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from graph.changelog import utc_now
from registry.context import Context
from registry.operations.verification import verify_certificate
from registry.schema.trust import AuditCheckpoint, TokenVerification
from registry.trust.qr import token_from_scan
from registry.trust.signing_keys import keyring_for
from registry.trust.tokens import InvalidToken, claims_for, read_token, sign_checkpoint

__all__ = ["audit_checkpoint", "verify_token"]

Info = strawberry.Info[Context, None]


async def verify_token(info: Info, token: str) -> TokenVerification:
    """Was this token signed by the registry, does it still describe the certificate, and is
    the certificate valid today? ``token`` may be the whole link a QR code holds."""
    context = info.context
    keyring = await keyring_for(context.settings.resolved_signing_keys_dir)
    checked_at = datetime.now(UTC)
    try:
        claims = read_token(token_from_scan(token), keyring.public_keys())
    except InvalidToken as problem:
        return TokenVerification.refused(problem, checked_at=checked_at)
    result = await verify_certificate(
        context.store, claims.number, holder_name=None, today=context.today
    )
    facts = result.facts
    stored = claims_for(facts.certificate, facts.holder, key_id=claims.key_id) if facts else None
    return TokenVerification.of(claims, stored, result, checked_at=checked_at)


async def audit_checkpoint(info: Info) -> AuditCheckpoint:
    """The head of the change log (seq and hash), signed now with the active key."""
    context = info.context
    keyring = await keyring_for(context.settings.resolved_signing_keys_dir)
    head = await context.store.change_head()
    checkpoint = sign_checkpoint(
        head.seq, head.hash, signed_at=utc_now(), key=keyring.active.private_key
    )
    return AuditCheckpoint.of(checkpoint)
