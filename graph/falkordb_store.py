"""FalkorDB backend: the embedded default (own server on a Unix socket) or a remote server.

FalkorDB runs each query atomically and has no multi-statement transactions, so a write
claims the change counter inside its single statement; if another process claimed it first
nothing is written and the plan is re-made against the new head.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from falkordb.asyncio import FalkorDB
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from graph.changelog import GENESIS_HASH
from graph.cypher import changes as change_cypher
from graph.cypher_store import CypherStore, Row, WritePlan, as_int
from graph.dialects import FALKORDB, SCHEMA
from graph.embedded import EmbeddedServer
from graph.errors import BackendUnavailable, Conflict, GraphError
from graph.models import ChangeHead

__all__ = ["FalkorDBStore"]

_MAX_WRITE_ATTEMPTS = 200
Query = Callable[..., Coroutine[Any, Any, Any]]


class FalkorDBStore(CypherStore):
    """GraphStore on FalkorDB through its asyncio client."""

    def __init__(self, db: FalkorDB, *, graph: str, server: EmbeddedServer | None = None) -> None:
        super().__init__()
        self._db = db
        self._graph_name = graph
        self._graph = db.select_graph(graph)
        self._server = server
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open_embedded(
        cls, data_dir: str, *, graph: str = "registry", appendfsync: str = "everysec"
    ) -> FalkorDBStore:
        """Start (or attach to) the embedded server for ``data_dir`` and open the graph."""
        from pathlib import Path

        server = await EmbeddedServer.attach(Path(data_dir), appendfsync=appendfsync)
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
        """Indexes, unique constraints and the change counter; safe to repeat."""
        for statement in FALKORDB.index_statements():
            try:
                await self._graph.query(statement)
            except ResponseError as exc:
                if "already indexed" not in str(exc):
                    raise GraphError(str(exc)) from exc
        for spec in SCHEMA:
            if not spec.unique:
                continue
            try:
                await self._db.connection.execute_command(
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
            except ResponseError as exc:
                if "already exists" not in str(exc).lower():
                    raise GraphError(str(exc)) from exc
        await self._run(self._graph.query, change_cypher.ENSURE_COUNTER, {"genesis": GENESIS_HASH})

    async def _read(self, statement: str, params: Mapping[str, object]) -> list[Row]:
        return await self._run(self._graph.ro_query, statement, params)

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

    async def _run(self, query: Query, statement: str, params: Mapping[str, object]) -> list[Row]:
        try:
            result = await query(statement, dict(params))
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise BackendUnavailable(f"FalkorDB unreachable: {exc}") from exc
        except ResponseError as exc:
            if "unique constraint" in str(exc):
                raise Conflict(str(exc)) from exc
            raise GraphError(str(exc)) from exc
        names = [column[1] for column in result.header]
        return [dict(zip(names, values, strict=True)) for values in result.result_set]
