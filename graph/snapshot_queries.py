"""Snapshot exports for the GraphStore port, written once over the shared catalogue.

Documents are read as they are now. What an entity looked like at an earlier seq comes from
the change log: every change to an exported entity keeps the document it replaced
(``prior``), read inside the write's own compare-and-set, so it is exact.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Protocol

import orjson

from graph.changelog import ChangeDraft, canonical_json
from graph.cypher import documents as document_cypher
from graph.cypher import exports as export_cypher
from graph.cypher.exports import EXPORTED, ExportSpec, Statement
from graph.errors import GraphError
from graph.export_lines import LinePage
from graph.log_models import EntityChange, ExportDoc, WrittenDigest
from graph.port import MAX_WRITE_BATCH

__all__ = [
    "UNDOCUMENTED_OPS",
    "SnapshotQueries",
    "export_doc",
    "prior_doc",
    "prior_documents",
]

_Row = dict[str, object]
# Ops that change an exported node without changing its document (the stored credit score).
UNDOCUMENTED_OPS = frozenset({"CREDIT"})


class _Read(Protocol):
    async def __call__(self, statement: str, params: Mapping[str, object]) -> list[_Row]: ...


def export_doc(spec: ExportSpec, row: dict[str, object]) -> ExportDoc:
    """The document of a result row, which it takes over: its ``scopeRegion`` column is the
    scope, not a field."""
    region = row.pop("scopeRegion", None)
    for name in spec.unordered:
        value = row[name]
        if isinstance(value, list):
            row[name] = sorted(str(item) for item in value)
    return ExportDoc(str(row[spec.key]), None if region is None else str(region), row)


def prior_doc(spec: ExportSpec, prior: str) -> ExportDoc:
    """A document kept on a change (canonical JSON of the row, scope included)."""
    row: dict[str, object] = orjson.loads(prior)
    return export_doc(spec, row)


def _spec(entity: str) -> ExportSpec:
    try:
        return EXPORTED[entity]
    except KeyError:
        raise GraphError(f"{entity} is not exported") from None


class SnapshotQueries(abc.ABC):
    """Mixed into CypherStore: documents by key and by page, and changes with their priors."""

    @abc.abstractmethod
    async def _query(
        self, name: str, statement: str, params: Mapping[str, object]
    ) -> list[_Row]: ...

    @abc.abstractmethod
    async def _read(self, statement: str, params: Mapping[str, object]) -> list[_Row]: ...

    @abc.abstractmethod
    def _timed(self, name: str) -> contextlib.AbstractContextManager[None]: ...

    @abc.abstractmethod
    async def _read_flat(
        self, statement: str, params: Mapping[str, object], floats: frozenset[str] = frozenset()
    ) -> list[_Row]: ...

    async def _read_values(self, statement: str, params: Mapping[str, object]) -> list[_Row]:
        """A read whose columns hold only values (no nodes or relationships): a backend may
        decode such replies faster."""
        return await self._read(statement, params)

    async def _documents(
        self, spec: ExportSpec, statement: Statement, params: Mapping[str, object]
    ) -> list[ExportDoc]:
        """The documents ``statement`` (built for ``spec``, joined or not) reads."""
        if spec.flat:
            rows = await self._read_flat(statement(spec), params, spec.floats)
        else:
            rows = await self._read_values(statement(spec), params)
        return [export_doc(spec, row) for row in rows]

    async def export_docs(self, entity: str, keys: Sequence[str]) -> list[ExportDoc]:
        spec = _spec(entity)
        with self._timed("export_docs"):
            return await self._documents(spec, export_cypher.docs_by_key, {"keys": list(keys)})

    async def export_page(
        self, entity: str, *, cursor: str | None, limit: int
    ) -> tuple[list[ExportDoc], str | None]:
        """Keyset by key; the FalkorDB store pages by node id instead."""
        spec = _spec(entity)
        params = {"after": cursor or "", "limit": limit}
        with self._timed("export_page"):
            docs = await self._documents(spec, export_cypher.key_page, params)
        return docs, (docs[-1].key if len(docs) == limit else None)

    async def prepare_exports(self) -> None:
        """Nothing: pages are read and encoded in this process."""
        return

    async def line_pages(self, entity: str, *, limit: int) -> AsyncGenerator[LinePage, None]:
        """Encoded here, with the next page asked for before this one is encoded and used,
        so the database reads it while Python works."""

        def read(cursor: str | None) -> asyncio.Task[tuple[list[ExportDoc], str | None]]:
            return asyncio.ensure_future(self.export_page(entity, cursor=cursor, limit=limit))

        pending: asyncio.Task[tuple[list[ExportDoc], str | None]] | None = read(None)
        try:
            while pending is not None:
                found, cursor = await pending
                pending = None if cursor is None else read(cursor)
                yield LinePage.of(found)
        finally:
            if pending is not None:
                pending.cancel()

    async def get_entity_changes(
        self, entity: str, *, after: int, up_to: int
    ) -> list[EntityChange]:
        rows = await self._query(
            "get_entity_changes",
            export_cypher.ENTITY_CHANGES,
            {"entity": entity, "after": after, "upTo": up_to},
        )
        return [
            EntityChange(
                int(str(row["seq"])),
                str(row["key"]),
                None if row["prior"] is None else str(row["prior"]),
            )
            for row in rows
        ]

    async def get_written_digests(
        self, entity: str, *, after: int, up_to: int
    ) -> list[WrittenDigest]:
        changes = await self._query(
            "get_written_digests",
            document_cypher.DOCUMENTED_CHANGES,
            {
                "entity": entity,
                "after": after,
                "upTo": up_to,
                "undocumented": sorted(UNDOCUMENTED_OPS),
            },
        )
        # A batch keeps its digests on its last change, at most a batch beyond the range.
        holders = await self._query(
            "get_written_digests",
            document_cypher.DIGEST_HOLDERS,
            {"after": after, "upTo": up_to + MAX_WRITE_BATCH},
        )
        digests = {
            int(str(seq)): str(digest)
            for row in holders
            for seq, digest in zip(row["seqs"], row["digests"], strict=True)  # type: ignore[call-overload]
        }
        return [
            WrittenDigest(seq, str(row["key"]), digests.get(seq))
            for row in changes
            for seq in (int(str(row["seq"])),)
        ]


async def prior_documents(read: _Read, drafts: Sequence[ChangeDraft]) -> list[str | None]:
    """For each draft, the document its entity has before the batch ('' when new); None
    for ops that leave the document alone and for a key's later rows in the same batch."""
    entity = drafts[0].entity if drafts else ""
    spec = EXPORTED.get(entity)
    if spec is None:
        return [None] * len(drafts)
    wanted = sorted({d.key for d in drafts if d.op not in UNDOCUMENTED_OPS})
    if not wanted:
        return [None] * len(drafts)
    rows = await read(export_cypher.docs_by_key(spec), {"keys": wanted})
    stored = {str(row[spec.key]): canonical_json(row) for row in rows}
    priors: list[str | None] = []
    seen: set[str] = set()
    for draft in drafts:
        if draft.op in UNDOCUMENTED_OPS or draft.key in seen:
            priors.append(None)
            continue
        seen.add(draft.key)
        priors.append(stored.get(draft.key, ""))
    return priors
