"""FalkorDB reads decoded from its plain reply: documents for exports and digests, and
rows of values (graph.falkordb_replies), where the client library's typed decoding cost
several times as much Python time."""

from __future__ import annotations

import abc
import contextlib
from collections.abc import AsyncGenerator, Mapping
from typing import NamedTuple

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from graph.cypher import exports as export_cypher
from graph.cypher.exports import EXPORTED, ExportSpec, Statement
from graph.cypher_literals import cypher_header
from graph.cypher_store import CypherStore, Row, as_int
from graph.errors import GraphError
from graph.export_lines import LinePage
from graph.falkordb_export_workers import EXPORT_WORKER_THRESHOLD, ExportWorkers
from graph.falkordb_replies import compact_rows, plain_documents
from graph.log_models import ExportDoc

__all__ = ["CLIENT_ERRORS", "PlainReplyReads"]

# The client library's errors, which the store turns into its own (``_translated``).
CLIENT_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError, ResponseError)


class _Extent(NamedTuple):
    first: int
    last: int
    width: int
    total: int


class PlainReplyReads(CypherStore):
    """The FalkorDB store's document and value reads, in the reply formats fastest to
    decode."""

    _graph_name: str
    _export_workers: ExportWorkers | None
    export_worker_threshold = EXPORT_WORKER_THRESHOLD

    @abc.abstractmethod
    async def _command(self, *args: str | bytes) -> object: ...

    @abc.abstractmethod
    def _translated(self, exc: Exception) -> GraphError:
        """The store's error for a client library error."""

    async def export_page(
        self, entity: str, *, cursor: str | None, limit: int
    ) -> tuple[list[ExportDoc], str | None]:
        """A window of node ids (cursor ``start/last/width``): FalkorDB scans it directly,
        where ordering by key would sort the whole label for every page."""
        spec = EXPORTED[entity]
        if cursor is None:
            extent = await self._extent(spec, limit)
            if extent is None:
                return [], None
            start, last, width = extent.first, extent.last, extent.width
        else:
            start, last, width = (int(part) for part in cursor.split("/"))
        end = start + width
        with self._timed("export_page"):
            docs = await self._window(spec, start, end)
        return docs, (f"{end}/{last}/{width}" if end <= last else None)

    async def line_pages(self, entity: str, *, limit: int) -> AsyncGenerator[LinePage, None]:
        """A large label's windows read and encoded by the worker processes, when the store
        has them (graph.falkordb_export_workers); the windows are ``export_page``'s."""
        spec = EXPORTED[entity]
        extent = await self._extent(spec, limit)
        workers = self._export_workers
        if (
            workers is None
            or extent is None
            or extent.total < self.export_worker_threshold
            or not (spec.flat or spec.text_lists)
        ):
            async with contextlib.aclosing(super().line_pages(entity, limit=limit)) as pages:
                async for page in pages:
                    yield page
            return

        async def read_here(start: int, end: int) -> LinePage:
            return LinePage.of(await self._window(spec, start, end))

        windows = (
            (at, at + extent.width) for at in range(extent.first, extent.last + 1, extent.width)
        )
        try:
            async with contextlib.aclosing(workers.pages(entity, windows, read_here)) as pages:
                async for page in pages:
                    yield page
        except CLIENT_ERRORS as exc:
            raise self._translated(exc) from exc

    async def prepare_exports(self) -> None:
        """The workers started once a label is large enough that its export would use them:
        starting them takes a second or two, which the first export would otherwise wait."""
        workers = self._export_workers
        if workers is None:
            return
        for spec in EXPORTED.values():
            extent = await self._extent(spec, 1)
            if extent is not None and extent.total >= self.export_worker_threshold:
                await workers.start()
                return

    async def _extent(self, spec: ExportSpec, limit: int) -> _Extent | None:
        """Where the label's node ids lie, and a window width that holds about ``limit`` of
        its documents (from the label's density); None when it has none."""
        found = await self._read(export_cypher.label_extent(spec), {})
        total = as_int(found[0]["total"])
        if not total:
            return None
        first, last = as_int(found[0]["first"]), as_int(found[0]["last"])
        width = max(limit, limit * (last - first + 1) // total)
        return _Extent(first, last, width, total)

    async def _window(self, spec: ExportSpec, start: int, end: int) -> list[ExportDoc]:
        return await self._documents(spec, export_cypher.id_window, {"from": start, "to": end})

    async def _documents(
        self, spec: ExportSpec, statement: Statement, params: Mapping[str, object]
    ) -> list[ExportDoc]:
        """Flat documents, and those whose lists are all text, straight from the plain reply
        (a third of the Python time of an export of certificates went into rows made only
        to be taken apart, and the typed reply of a page of institutions cost twice the
        plain one)."""
        if spec.flat or spec.text_lists:
            read = statement(spec, joined=bool(spec.text_lists), grouped=False)
            query = cypher_header(params) + read
            reply = await self._command("GRAPH.RO_QUERY", self._graph_name, query)
            docs = plain_documents(spec, reply)
            if docs is not None:
                return docs
        return await super()._documents(spec, statement, params)

    async def _read_values(self, statement: str, params: Mapping[str, object]) -> list[Row]:
        query = cypher_header(params) + statement
        return compact_rows(
            await self._command("GRAPH.RO_QUERY", self._graph_name, query, "--compact")
        )

    async def _read_flat(
        self, statement: str, params: Mapping[str, object], floats: frozenset[str] = frozenset()
    ) -> list[Row]:
        """In the server's plain reply format, several times faster to decode than the typed
        (compact) one the client library parses."""
        query = cypher_header(params) + statement
        reply = await self._command("GRAPH.RO_QUERY", self._graph_name, query)
        header, rows = reply[0], reply[1]  # type: ignore[index]
        names = [str(name) for name in header]
        found = [dict(zip(names, values, strict=True)) for values in rows]
        for row in found:
            for name in floats:
                if row[name] is not None:
                    row[name] = float(str(row[name]))
        return found

    async def _documents_by_key(self, spec: ExportSpec, keys: list[str]) -> list[ExportDoc]:
        """As exports read them (plain replies for flat documents): digests kept from these
        are compared with documents exports read."""
        return await self._documents(spec, export_cypher.docs_by_key, {"keys": keys})
