"""Idempotency keys for bulk writes: a retried request is answered from what the first copy
wrote, never written twice.

The key is scoped to the caller's credential (two partners may pick the same key) and kept
with a fingerprint of the validated payload, so the same key with another payload is refused
instead of silently answered with a result that does not match it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import orjson

from graph.log_models import IdempotencyClaim
from registry.auth import Principal
from registry.records import FieldProblem, Record

__all__ = ["IDEMPOTENCY_TTL", "KEY_PATTERN", "claim_for", "invalid_key", "reused_key"]

IDEMPOTENCY_TTL = timedelta(hours=24)
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


def invalid_key(key: str) -> FieldProblem | None:
    if KEY_PATTERN.fullmatch(key):
        return None
    return FieldProblem(
        "INVALID_IDEMPOTENCY_KEY",
        "an idempotency key is 1 to 128 letters, digits, '.', '_', ':' or '-'",
        "idempotencyKey",
    )


def reused_key() -> FieldProblem:
    return FieldProblem(
        "IDEMPOTENCY_KEY_REUSED",
        "this idempotency key was used for a different request; use a new key",
        "idempotencyKey",
    )


def claim_for(
    principal: Principal,
    operation: str,
    key: str,
    records: Sequence[Record],
    *,
    now: datetime | None = None,
) -> IdempotencyClaim:
    """The claim a write makes: the key scoped to the credential, the payload's fingerprint."""
    scoped = hashlib.sha256(f"{principal.actor}\n{key}".encode()).hexdigest()
    payload = orjson.dumps(
        [operation, [r.model_dump(mode="json") for r in records]], option=orjson.OPT_SORT_KEYS
    )
    expires = (now or datetime.now(UTC)) + IDEMPOTENCY_TTL
    return IdempotencyClaim(
        key=scoped,
        fingerprint=hashlib.sha256(payload).hexdigest(),
        operation=operation,
        expires_at=expires.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    )
