"""Persisted operations and the public response cache.

Hot public operations ship with the server (``registry/persisted/*.graphql``); a client may
send only their SHA-256 (Apollo's ``extensions.persistedQuery``). Public answers are cached
by (document, variables, calendar day) and stay valid while the change log has not moved:
the change head is read again once the last reading is ``refresh`` seconds old, and at
once after a write made through this process, so a cached answer is never older than the
last write this process made, nor more than ``refresh`` seconds behind other processes.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import orjson
from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse

from graph.port import GraphStore

__all__ = [
    "PERSISTED",
    "ChangeWatcher",
    "ResponseCache",
    "is_query",
    "operation_type",
    "persisted_documents",
    "restamp_checked_at",
]

_PERSISTED_DIR = Path(__file__).resolve().parent.parent / "persisted"


def persisted_documents(directory: Path = _PERSISTED_DIR) -> dict[str, str]:
    """sha256 hex of each document's exact text → the text."""
    documents = {}
    for path in sorted(directory.glob("*.graphql")):
        text = path.read_text(encoding="utf-8")
        documents[hashlib.sha256(text.encode()).hexdigest()] = text
    return documents


PERSISTED = persisted_documents()


@lru_cache(maxsize=1024)
def operation_type(document: str, operation_name: str | None) -> OperationType | None:
    """The type of the operation that would run, or None when none (or several) would."""
    try:
        parsed = parse(document)
    except GraphQLError:
        return None
    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    return operations[0].operation if len(operations) == 1 else None


def is_query(document: str, operation_name: str | None) -> bool:
    """True when the operation that would run is a query (never cache a mutation)."""
    return operation_type(document, operation_name) is OperationType.QUERY


@dataclass
class ChangeWatcher:
    """Knows the change log's head seq; reads it again once it is ``refresh`` seconds old,
    and at once after a write through this process."""

    store: Callable[[], GraphStore]  # the store is opened after the app is built
    refresh: float
    clock: Callable[[], float] = time.monotonic
    seq: int | None = None
    read_at: float = 0.0

    async def current(self) -> int:
        if self.seq is None or self.clock() - self.read_at >= self.refresh:
            return await self.update()
        return self.seq

    async def update(self) -> int:
        self.read_at = self.clock()
        self.seq = (await self.store().change_head()).seq
        return self.seq


_CHECKED_AT = re.compile(rb'"checkedAt":"[^"]*"')


def restamp_checked_at(body: bytes, now: datetime) -> bytes:
    """A cached answer is re-confirmed by the unchanged change log, so it was checked now."""
    stamp = b'"checkedAt":' + orjson.dumps(now.isoformat())
    return _CHECKED_AT.sub(lambda _: stamp, body)


CacheKey = tuple[str, bytes, str | None, date]


@dataclass
class ResponseCache:
    """Encoded public answers, each tagged with the change seq it was computed at."""

    max_entries: int
    _entries: OrderedDict[CacheKey, tuple[int, bytes]] = field(default_factory=OrderedDict)

    @staticmethod
    def key(document: str, variables: object, operation: str | None, today: date) -> CacheKey:
        digest = hashlib.sha256(document.encode()).hexdigest()
        return digest, orjson.dumps(variables, option=orjson.OPT_SORT_KEYS), operation, today

    def get(self, key: CacheKey, seq: int) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] != seq:
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def put(self, key: CacheKey, seq: int, body: bytes) -> None:
        self._entries[key] = (seq, body)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
