"""Store errors, translated from driver errors at the backend edge."""

from __future__ import annotations

__all__ = ["BackendUnavailable", "Conflict", "GraphError", "NotFound", "StaleVersion"]


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


class StaleVersion(Conflict):
    """The caller's expected version is not the stored one."""

    def __init__(self, key: str, *, expected: int, actual: int) -> None:
        super().__init__(f"{key}: expected version {expected}, stored version is {actual}")
        self.key = key
        self.expected = expected
        self.actual = actual


class BackendUnavailable(GraphError):
    """The database cannot be reached or did not answer in time."""
