"""The change log's part of the GraphStore port: the hash-chained log and its feed, the
snapshots read from it, and the idempotency records a retried write is answered from."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from typing import Protocol

from graph.export_lines import LinePage
from graph.log_models import (
    Change,
    ChangeFilter,
    ChangeHead,
    EntityChange,
    ExportDoc,
    IdempotencyRecord,
    WrittenDigest,
)

__all__ = ["ChangeLog"]


class ChangeLog(Protocol):
    """What every write appends to, and what partners sync and auditors check from."""

    async def get_idempotency_record(self, key: str, *, now: str) -> IdempotencyRecord | None:
        """What the write that claimed ``key`` (already scoped) did, while it is live: lets
        a retried step be answered before its checks refuse what it already did."""

    async def purge_idempotency_keys(self, *, now: str, limit: int = 10_000) -> int:
        """Delete idempotency records that expired before ``now``; how many went."""

    async def change_head(self) -> ChangeHead:
        """The last change's seq and hash (seq 0 and the genesis hash when empty)."""

    async def get_changes(
        self, *, after: int, limit: int, narrow: ChangeFilter | None = None
    ) -> list[Change]:
        """Changes with ``seq > after`` in seq order, narrowed by ``narrow``."""

    async def count_changes(self, *, after: int, narrow: ChangeFilter | None = None) -> int:
        """How many changes ``get_changes`` would give over all pages."""

    async def change_log_start(self) -> ChangeHead:
        """The last pruned change (seq 0 and the genesis hash when nothing was pruned):
        the kept log starts after it, and its hash anchors the chain."""

    async def last_change_before(self, at: str) -> int:
        """The seq of the last change recorded before ``at`` (ISO 8601 UTC), or 0."""

    async def prune_changes(self, *, through: int, chunk: int = 10_000) -> int:
        """Delete the changes up to seq ``through`` (the checkpoint moves first); how many."""

    # snapshots: documents as exported (graph.cypher.exports) ---------------------------------
    async def export_page(
        self, entity: str, *, cursor: str | None, limit: int
    ) -> tuple[list[ExportDoc], str | None]:
        """About ``limit`` of ``entity``'s documents as they are now, after the opaque
        ``cursor`` (None: from the start), and the cursor of the next page (None: done).
        Every entity that exists when the export starts is on exactly one page."""

    async def export_docs(self, entity: str, keys: Sequence[str]) -> list[ExportDoc]:
        """The documents of the named entities as they are now (those that exist)."""

    async def prepare_exports(self) -> None:
        """Make ready what a large export needs (FalkorDB: its worker processes, when a
        label is large enough to use them), so that the first export does not wait for it."""

    def line_pages(self, entity: str, *, limit: int) -> AsyncGenerator[LinePage, None]:
        """Every document of ``entity`` as it is now, as NDJSON pages of about ``limit``
        (``export_page``'s pages, encoded); the next pages are read while the caller uses
        this one, so each page is read after the pages before it were asked for, never
        before."""

    async def get_entity_changes(
        self, entity: str, *, after: int, up_to: int
    ) -> list[EntityChange]:
        """Changes to ``entity`` with ``after < seq <= up_to``, oldest first, each with the
        document it replaced."""

    async def get_written_digests(
        self, entity: str, *, after: int, up_to: int
    ) -> list[WrittenDigest]:
        """Changes to ``entity`` with ``after < seq <= up_to`` that may have changed its
        document, oldest first, each with the digest of the document it left."""
