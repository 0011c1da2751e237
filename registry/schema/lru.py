"""A least-recently-used cache bounded by entries and by bytes.

Strangers decide what the registry's caches hold (the documents they send, the answers
they ask for), so a cache counted only in entries grows with the size of what they send.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

__all__ = ["BoundedLRU"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedLRU(Generic[K, V]):
    """At most ``max_entries`` entries weighing ``max_bytes`` together; the least recently
    used go first, and an entry heavier than the whole budget is not kept at all."""

    def __init__(self, *, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.weight = 0
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return entry[0]

    def put(self, key: K, value: V, weight: int) -> None:
        """Keep ``value`` as weighing ``weight`` bytes (the caller's honest estimate)."""
        self.pop(key)
        if weight > self.max_bytes or self.max_entries < 1:
            return
        self._entries[key] = (value, weight)
        self.weight += weight
        while len(self._entries) > self.max_entries or self.weight > self.max_bytes:
            _, (_, dropped) = self._entries.popitem(last=False)
            self.weight -= dropped

    def pop(self, key: K) -> V | None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return None
        self.weight -= entry[1]
        return entry[0]
