"""Store errors, translated from driver errors at the backend edge."""

from __future__ import annotations

from graph.log_models import IdempotencyRecord

__all__ = [
    "AlreadyApplied",
    "BackendUnavailable",
    "CompactionFailed",
    "Conflict",
    "CreditMoved",
    "GraphError",
    "NotFound",
    "StaleVersion",
    "StoreNotDurable",
    "StoreNotEmpty",
]


class GraphError(Exception):
    """Base of every error the store raises on purpose."""


class NotFound(GraphError):
    """Referenced entities do not exist; ``keys`` names them so callers can point at fields."""

    def __init__(self, message: str, *, label: str, keys: list[str]) -> None:
        super().__init__(message)
        self.label = label
        self.keys = keys


class Conflict(GraphError):
    """The write contradicts what is stored (e.g. a unique key held by another entity)."""


class CreditMoved(Conflict):
    """Stored credit assessments are no longer those new ones were computed against."""


class StoreNotEmpty(Conflict):
    """A bulk load was asked of a store that already holds records."""


class StaleVersion(Conflict):
    """The caller's expected versions are not the stored ones: ``stale`` maps each such key
    to (expected, stored)."""

    def __init__(self, stale: dict[str, tuple[int, int]]) -> None:
        super().__init__(
            "; ".join(
                f"{key}: expected version {expected}, stored version is {stored}"
                for key, (expected, stored) in sorted(stale.items())
            )
        )
        self.stale = stale


class AlreadyApplied(GraphError):
    """The idempotency key was claimed already, by an earlier or a concurrent copy of the
    request: ``record`` is what that one wrote."""

    def __init__(self, record: IdempotencyRecord) -> None:
        super().__init__(f"idempotency key already used for {record.operation}")
        self.record = record


class BackendUnavailable(GraphError):
    """The database cannot be reached, did not answer in time, or refuses writes because it
    cannot make them durable (a full disk). Nothing of the failed call was acknowledged, so
    the caller may retry it (with the same idempotency key) once the store is back."""

    code = "STORE_UNAVAILABLE"


class StoreNotDurable(GraphError):
    """A server that would acknowledge writes it has not yet made durable: refused at open
    unless the operator accepted that explicitly."""

    code = "STORE_NOT_DURABLE"


class CompactionFailed(GraphError):
    """The server's rewrite of its append-only file as a snapshot failed: a full disk, or the
    server faulting (its log says which). Every acknowledged write is still in the file, so
    nothing is lost, but a restart replays all of it, and a fault needs looking into."""

    code = "STORE_COMPACTION_FAILED"
