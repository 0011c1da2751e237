"""Persisted operations and the public response cache.

Hot public operations ship with the server (``registry/persisted/*.graphql``); a client may
send only their SHA-256 (Apollo's ``extensions.persistedQuery``). Public answers are cached
by (document, variables, calendar day), the document in its normal form (printed back from
its parse: ``#1``, ``#2``… comments or extra spaces make no new entry), within a budget of
bytes as well as entries, and stay valid while the change log has not moved:
the change head is read again once the last reading is ``refresh`` seconds old, and at
once after a write made through this process, so a cached answer is never older than the
last write this process made, nor more than ``refresh`` seconds behind other processes.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import orjson

from graph.port import GraphStore
from registry.schema.lru import BoundedLRU

__all__ = [
    "PERSISTED",
    "ChangeWatcher",
    "ResponseCache",
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
        seq = self.fresh()
        return await self.update() if seq is None else seq

    def fresh(self) -> int | None:
        """The head seq while the last reading is younger than ``refresh``, else None."""
        if self.seq is None or self.clock() - self.read_at >= self.refresh:
            return None
        return self.seq

    async def update(self) -> int:
        self.read_at = self.clock()
        self.seq = (await self.store().change_head()).seq
        return self.seq


_CHECKED_AT = re.compile(rb'"checkedAt":"[^"]*"')


def restamp_checked_at(body: bytes, now: datetime) -> bytes:
    """A cached answer is re-confirmed by the unchanged change log, so it was checked now."""
    stamp = b'"checkedAt":' + orjson.dumps(now.isoformat())  # no backslash: a plain template
    return _CHECKED_AT.sub(stamp, body)


CacheKey = tuple[str, bytes, str | None, date]
_KEY_OVERHEAD = 200  # the key's tuple, digest and date, and the entry's own objects


@dataclass
class ResponseCache:
    """Encoded public answers, each tagged with the change seq it was computed at; at most
    ``max_entries`` of them, weighing at most ``max_bytes`` together."""

    max_entries: int
    max_bytes: int
    _entries: BoundedLRU[CacheKey, tuple[int, bytes]] = field(init=False)

    def __post_init__(self) -> None:
        self._entries = BoundedLRU(max_entries=self.max_entries, max_bytes=self.max_bytes)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def weight(self) -> int:
        """Bytes held: the answers, the variables of their keys, and an overhead each."""
        return self._entries.weight

    @staticmethod
    def key(normal_form: str, variables: object, operation: str | None, today: date) -> CacheKey:
        """``normal_form``: the document printed back from its parse (``ParsedDocument``)."""
        return ResponseCache.key_of(ResponseCache.digest(normal_form), variables, operation, today)

    @staticmethod
    def digest(normal_form: str) -> str:
        return hashlib.sha256(normal_form.encode()).hexdigest()

    @staticmethod
    def key_of(digest: str, variables: object, operation: str | None, today: date) -> CacheKey:
        """The key by the normal form's ``digest`` (kept by callers that know the document)."""
        return digest, orjson.dumps(variables, option=orjson.OPT_SORT_KEYS), operation, today

    def get(self, key: CacheKey, seq: int) -> bytes | None:
        entry = self._entries.get(key)
        return entry[1] if entry is not None and entry[0] == seq else None

    def put(self, key: CacheKey, seq: int, body: bytes) -> None:
        weight = len(body) + len(key[1]) + len(key[2] or "") + _KEY_OVERHEAD
        self._entries.put(key, (seq, body), weight)
