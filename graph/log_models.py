"""The change log's records, and what a write checks, claims and reports.

Every write appends ``Change`` entries (hash-chained); exports and the feed read them back
as ``ExportDoc`` and ``EntityChange``; a write is guarded (``WriteGuard``: expected versions,
an idempotency claim) and answers with a ``WriteResult``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field

__all__ = [
    "APPLIED",
    "Change",
    "ChangeFilter",
    "ChangeHead",
    "EntityChange",
    "ExportDoc",
    "IdempotencyClaim",
    "IdempotencyRecord",
    "WriteGuard",
    "WriteResult",
    "WrittenDigest",
]


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of the change log; ``hash`` chains it to every entry before it."""

    seq: int
    entity: str
    key: str
    op: str
    at: str
    actor: str
    data: str
    hash: str
    region: str | None = None  # the region code the change concerns (not hashed)


@dataclass(frozen=True, slots=True)
class ExportDoc:
    """One entity as a snapshot exports it: its key, the region a partner's scope is checked
    against, and the document (camelCase fields, ISO dates)."""

    key: str
    region: str | None
    doc: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class EntityChange:
    """A change to one entity and the document it replaced: '' when the change created the
    entity, None when the change did not record it (credit rescoring, older changes)."""

    seq: int
    key: str
    prior: str | None


@dataclass(frozen=True, slots=True)
class WrittenDigest:
    """A change to one entity and the digest of the document it left (None when none was
    kept: changes from before digests were kept, or whose keeping was interrupted)."""

    seq: int
    key: str
    digest: str | None


@dataclass(frozen=True, slots=True)
class ChangeFilter:
    """Narrows the change feed: entity labels, region codes (each with its sub-regions),
    a last seq to look at, and entities it never shows."""

    entities: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None
    up_to: int | None = None
    hidden: tuple[str, ...] = ()  # entities left out whatever else is asked


@dataclass(frozen=True, slots=True)
class ChangeHead:
    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What one atomic write appended to the change log."""

    written: int
    first_seq: int
    last_seq: int
    keys: tuple[str, ...] = field(default=())
    replayed: bool = False  # an idempotent replay: the stored result, nothing written now


# The logged writes started since a caller opened this list (the HTTP gate, per request), in
# order. Each runs to its end once started (graph.cypher_store.base), so a request that runs
# out of time waits for them and still reports those that landed as done.
APPLIED: ContextVar[list[asyncio.Future[WriteResult]] | None] = ContextVar("applied", default=None)


@dataclass(frozen=True, slots=True)
class IdempotencyClaim:
    """A client's idempotency key (already scoped to its credential), the fingerprint of the
    request it names, and until when the result is kept."""

    key: str
    fingerprint: str
    operation: str
    expires_at: str  # ISO 8601 UTC


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """What the write that claimed an idempotency key did, kept until the key expires."""

    key: str
    fingerprint: str
    operation: str
    written: int
    first_seq: int
    last_seq: int
    keys: tuple[str, ...] = ()

    def result(self) -> WriteResult:
        return WriteResult(self.written, self.first_seq, self.last_seq, self.keys, replayed=True)


@dataclass(frozen=True, slots=True)
class WriteGuard:
    """Conditions a write checks in the same compare-and-set as the batch itself: expected
    versions per entity key (0: must not exist yet), and an idempotency key to claim."""

    expected_versions: Mapping[str, int] = field(default_factory=dict)
    idempotency: IdempotencyClaim | None = None
