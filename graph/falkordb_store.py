"""FalkorDB backend: the embedded default (own server on a Unix socket) or a remote server.

FalkorDB runs each query atomically and has no multi-statement transactions, so a write
claims the change counter inside its single statement; if another process claimed it first
nothing is written and the plan is re-made against the new head.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any

from falkordb.asyncio import FalkorDB
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from graph.changelog import GENESIS_HASH
from graph.cypher import changes as change_cypher
from graph.cypher import exports as export_cypher
from graph.cypher.exports import EXPORTED
from graph.cypher_literals import cypher_header
from graph.cypher_store import CypherStore, Row, WritePlan, as_int
from graph.dialects import FALKORDB, SCHEMA
from graph.embedded import EmbeddedServer
from graph.errors import BackendUnavailable, Conflict, GraphError
from graph.models import ChangeHead, ExportDoc

__all__ = ["FalkorDBStore"]

_MAX_WRITE_ATTEMPTS = 200
Query = Callable[..., Coroutine[Any, Any, Any]]


class FalkorDBStore(CypherStore):
    """GraphStore on FalkorDB through its asyncio client."""

    dialect = FALKORDB

    def __init__(self, db: FalkorDB, *, graph: str, server: EmbeddedServer | None = None) -> None:
        super().__init__()
        self._db = db
        self._graph_name = graph
        self._graph = db.select_graph(graph)
        self._server = server
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open_embedded(
        cls,
        data_dir: str,
        *,
        graph: str = "registry",
        appendfsync: str = "everysec",
        startup_timeout: float = 300.0,
    ) -> FalkorDBStore:
        """Start (or attach to) the embedded server for ``data_dir`` and open the graph.

        Loading a large graph from disk takes a while, hence the generous startup timeout.
        """
        server = await EmbeddedServer.attach(
            Path(data_dir), appendfsync=appendfsync, startup_timeout=startup_timeout
        )
        try:
            db = FalkorDB(unix_socket_path=str(server.socket_path), max_connections=64)
            store = cls(db, graph=graph, server=server)
            await store.ensure_schema()
        except BaseException:
            await server.release()
            raise
        return store

    @classmethod
    async def open_remote(
        cls, *, host: str, port: int, graph: str = "registry", password: str | None = None
    ) -> FalkorDBStore:
        store = cls(FalkorDB(host=host, port=port, password=password), graph=graph)
        await store.ensure_schema()
        return store

    @property
    def server(self) -> EmbeddedServer | None:
        return self._server

    @property
    def graph_name(self) -> str:
        return self._graph_name

    async def close(self) -> None:
        await self._db.connection.aclose()
        if self._server is not None:
            await self._server.release()
            self._server = None

    async def clear(self) -> None:
        try:
            await self._graph.delete()
        except ResponseError as exc:
            if "empty key" not in str(exc).lower() and "invalid graph" not in str(exc).lower():
                raise GraphError(str(exc)) from exc
        self._graph = self._db.select_graph(self._graph_name)
        await self.ensure_schema()

    async def ensure_schema(self) -> None:
        """Create what is missing of the indexes, constraints and change counter.

        FalkorDB replays its append-only file query by query, and a replayed query cannot use
        an index that was itself created by a replayed query: replaying 15k rows took 75 s
        instead of 0.3 s. So after any schema change the file is compacted, which puts the
        index definitions into its snapshot base, where loading restores them first.
        """
        # The counter first: it also creates the graph, which the catalogue calls need.
        await self._run(self._graph.query, change_cypher.ENSURE_COUNTER, {"genesis": GENESIS_HASH})
        indexed = {
            (str(row["label"]), str(prop))
            for row in await self._read("CALL db.indexes()", {})
            for prop in row["properties"]  # type: ignore[attr-defined]
        }
        constrained = {
            (str(row["label"]), str(prop))
            for row in await self._read("CALL db.constraints()", {})
            for prop in row["properties"]  # type: ignore[attr-defined]
        }
        changed = False
        for spec, statement in zip(SCHEMA, FALKORDB.index_statements(), strict=True):
            if (spec.label, spec.prop) not in indexed:
                await self._run(self._graph.query, statement, {})
                changed = True
        for spec in SCHEMA:
            if spec.unique and (spec.label, spec.prop) not in constrained:
                await self._command(
                    "GRAPH.CONSTRAINT",
                    "CREATE",
                    self._graph_name,
                    "UNIQUE",
                    "NODE",
                    spec.label,
                    "PROPERTIES",
                    "1",
                    spec.prop,
                )
                changed = True
        await self._run(self._graph.query, change_cypher.ENSURE_COUNTER, {"genesis": GENESIS_HASH})
        # An upgrade writes every record once: compacted, its queries are not replayed on load.
        changed = await self._upgrade_timelines() > 0 or changed
        if changed:
            await self.compact()

    async def compact(self) -> None:
        """Rewrite the append-only file as a snapshot (fast to load) and wait until done."""
        try:
            await self._command("BGREWRITEAOF")
        except GraphError as exc:  # one already running (e.g. Redis's own automatic rewrite)
            if "in progress" not in str(exc) and "scheduled" not in str(exc):
                raise
        while True:
            info = await self._db.connection.info("persistence")
            if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
                return
            await asyncio.sleep(0.05)

    async def _command(self, *args: str) -> object:
        try:
            return await self._db.connection.execute_command(*args)
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise BackendUnavailable(f"FalkorDB unreachable: {exc}") from exc
        except ResponseError as exc:
            raise GraphError(str(exc)) from exc

    async def _read(self, statement: str, params: Mapping[str, object]) -> list[Row]:
        return await self._run(self._graph.ro_query, statement, params)

    async def export_page(
        self, entity: str, *, cursor: str | None, limit: int
    ) -> tuple[list[ExportDoc], str | None]:
        """A window of node ids (cursor ``start/last/width``): FalkorDB scans it directly,
        where ordering by key would sort the whole label for every page. The window is
        sized from the label's density to hold about ``limit`` documents."""
        spec = EXPORTED[entity]
        if cursor is None:
            found = await self._read(export_cypher.label_extent(spec), {})
            if not as_int(found[0]["total"]):
                return [], None
            last, total = as_int(found[0]["last"]), as_int(found[0]["total"])
            start, width = 0, max(limit, limit * (last + 1) // total)
        else:
            start, last, width = (int(part) for part in cursor.split("/"))
        end = start + width
        params = {"from": start, "to": end}
        with self._timed("export_page"):
            docs = await self._documents(spec, export_cypher.id_window(spec), params)
        return docs, (f"{end}/{last}/{width}" if end <= last else None)

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

    async def _write(self, plan: WritePlan) -> int:
        async with self._write_lock:
            for _ in range(_MAX_WRITE_ATTEMPTS):
                rows = await self._read(FALKORDB.head_for_update, {})
                head = ChangeHead(seq=as_int(rows[0]["seq"]), hash=str(rows[0]["hash"]))
                planned = await plan(self._read, head)
                result = await self._run(self._graph.query, planned.statement, planned.params)
                written = as_int(result[0]["written"])
                if written == len(planned.changes):
                    return planned.changes[0].seq
                if written:
                    raise GraphError(f"partial write: {written} of {len(planned.changes)} rows")
                await asyncio.sleep(random.uniform(0, 0.005))  # noqa: S311 - jitter, not security
        raise BackendUnavailable("could not claim the change log: too much contention")

    async def _housekeeping(self, statement: str, params: Mapping[str, object]) -> list[Row]:
        return await self._run(self._graph.query, statement, params)

    async def _run(self, query: Query, statement: str, params: Mapping[str, object]) -> list[Row]:
        try:
            result = await query(cypher_header(params) + statement)
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise BackendUnavailable(f"FalkorDB unreachable: {exc}") from exc
        except ResponseError as exc:
            if "unique constraint" in str(exc):
                raise Conflict(str(exc)) from exc
            raise GraphError(str(exc)) from exc
        names = [column[1] for column in result.header]
        return [dict(zip(names, values, strict=True)) for values in result.result_set]
