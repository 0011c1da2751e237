"""Answers about signed tokens (QR codes) and the signed head of the change log."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import strawberry

from registry.domain.verification import Verification
from registry.schema.verification import VerificationResult
from registry.trust import tokens
from registry.trust.tokens import Checkpoint, InvalidToken, TokenProblem, assess_claims

__all__ = ["AuditCheckpoint", "TokenClaimField", "TokenClaims", "TokenVerification"]


class TokenClaimField(StrEnum):
    """A claim of a token that can differ from the certificate as stored today."""

    NUMBER = "NUMBER"
    HOLDER_USCC = "HOLDER_USCC"
    HOLDER_NAME = "HOLDER_NAME"
    ISSUER_USCC = "ISSUER_USCC"
    STANDARD = "STANDARD"
    SCOPE_DIGEST = "SCOPE_DIGEST"
    ISSUED_ON = "ISSUED_ON"
    EXPIRES_ON = "EXPIRES_ON"
    STARS = "STARS"


@strawberry.type(description="What a token states about a certificate, as it was signed.")
class TokenClaims:
    key_id: str
    number: str
    holder_uscc: str
    holder_name: str
    issuer_uscc: str
    standard: str
    scope_digest: str = strawberry.field(
        description="base64url of the first 8 bytes of SHA-256 of the scope text (UTF-8)."
    )
    issued_on: date
    expires_on: date
    stars: int | None

    @classmethod
    def of(cls, claims: tokens.TokenClaims) -> TokenClaims:
        return cls(
            key_id=claims.key_id,
            number=claims.number,
            holder_uscc=claims.holder_uscc,
            holder_name=claims.holder_name,
            issuer_uscc=claims.issuer_uscc,
            standard=claims.standard,
            scope_digest=claims.scope_digest,
            issued_on=claims.issued_on,
            expires_on=claims.expires_on,
            stars=claims.stars,
        )


@strawberry.type(
    description="A token checked: first its signature (as anyone can offline), then the "
    "certificate's current state. `reason` is null only for a genuine token that matches the "
    "stored certificate; whether that certificate is valid today is `verification.verdict`."
)
class TokenVerification:
    signature_valid: bool
    reason: TokenProblem | None
    key_id: str | None
    claims: TokenClaims | None
    mismatches: list[TokenClaimField] = strawberry.field(
        description="Claims that differ from the stored certificate (re-issued since, say)."
    )
    verification: VerificationResult | None
    checked_at: datetime

    @classmethod
    def refused(cls, problem: InvalidToken, *, checked_at: datetime) -> TokenVerification:
        return cls(
            signature_valid=False,
            reason=problem.reason,
            key_id=problem.key_id,
            claims=None,
            mismatches=[],
            verification=None,
            checked_at=checked_at,
        )

    @classmethod
    def of(
        cls,
        claims: tokens.TokenClaims,
        stored: tokens.TokenClaims | None,
        result: Verification,
        *,
        checked_at: datetime,
    ) -> TokenVerification:
        """``stored``: the claims the registry would sign for the certificate today."""
        reason, differing = assess_claims(claims, stored)
        return cls(
            signature_valid=True,
            reason=reason,
            key_id=claims.key_id,
            claims=TokenClaims.of(claims),
            mismatches=[TokenClaimField(name.upper()) for name in differing],
            verification=VerificationResult.of(claims.number, result, checked_at=checked_at),
            checked_at=checked_at,
        )


@strawberry.type(
    description="The change log's head, signed: its hash commits to every change before it, so "
    "a kept checkpoint exposes any later rewrite of history. The signature is Ed25519 "
    '(base64url) over "registry-checkpoint/1\\0" followed by the canonical JSON '
    "{rootHash, seq, signedAt} (sorted keys, no spaces), by the published key `keyId`."
)
class AuditCheckpoint:
    seq: int
    root_hash: str
    signed_at: str = strawberry.field(description="UTC, exactly as signed.")
    key_id: str
    signature: str

    @classmethod
    def of(cls, checkpoint: Checkpoint) -> AuditCheckpoint:
        return cls(
            seq=checkpoint.seq,
            root_hash=checkpoint.root_hash,
            signed_at=checkpoint.signed_at,
            key_id=checkpoint.key_id,
            signature=checkpoint.signature,
        )
