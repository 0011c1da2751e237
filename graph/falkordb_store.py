"""FalkorDB backend: the embedded default (own server on a Unix socket) or a remote server.

FalkorDB runs each query atomically and has no multi-statement transactions, so a write
claims the change counter inside its single statement; if another process claimed it first
nothing is written and the plan is re-made against the new head.

Durable before visible: the server must fsync every write before it answers anyone
(``appendfsync always``). Then a write it cannot put on disk makes it exit unanswered, and
nothing of that write is ever read, streamed or signed. A lost server, or one refusing writes
(``MISCONF``), is :class:`BackendUnavailable`; the embedded server is started again from
disk (:mod:`graph.revival`), whose content is exactly what was acknowledged.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any

from falkordb.asyncio import FalkorDB
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from graph.bulk_data import BulkData, BulkReport
from graph.changelog import GENESIS_HASH, utc_now
from graph.cypher import changes as change_cypher
from graph.cypher import documents as document_cypher
from graph.cypher_literals import cypher_header
from graph.cypher_store import Row, WritePlan, as_int
from graph.dialects import FALKORDB, RETIRED, SCHEMA
from graph.embedded import APPENDFSYNC_POLICIES, DEFAULT_APPENDFSYNC, EmbeddedServer
from graph.embedded_files import disk_is_low
from graph.errors import (
    BackendUnavailable,
    CompactionFailed,
    Conflict,
    GraphError,
    StoreNotDurable,
)
from graph.falkordb_bulk import STAGING_SUFFIX, bulk_load
from graph.falkordb_export_workers import ExportWorkers, default_export_workers
from graph.falkordb_reads import CLIENT_ERRORS, PlainReplyReads
from graph.log_models import Change, ChangeHead
from graph.revival import REVIVE_INTERVAL, Revival
from graph.written_documents import written_digests

__all__ = ["STATEMENTS_AT_ONCE", "FalkorDBStore"]

_MAX_WRITE_ATTEMPTS = 200
# The engine's reply to a logged statement that refused itself whole (graph.cypher.changes).
_REFUSED_WHOLE = "Division by zero"
# Statements one store runs at once; more wait their turn. One request whose page of 100
# rows each starts a statement (a region's statistics, an issuer's certificates) exhausted
# the client's bounded pool, which then failed them, and the requests beside it, as if the
# database were down. The client's pool is unbounded; this bounds it.
STATEMENTS_AT_ONCE = 64
# Replies of a server that cannot take the command now but may later: refusing writes it
# cannot persist (MISCONF), or still loading its data after a start.
_UNAVAILABLE_REPLIES = ("MISCONF", "LOADING")
# From the weakest to the strongest: how much a server fsyncs before it answers.
_FSYNC_STRENGTH = {"no": 0, "everysec": 1, "always": 2}
Query = Callable[..., Coroutine[Any, Any, Any]]
log = logging.getLogger("registry.store")


def _export_workers(connection: Mapping[str, object], graph: str) -> ExportWorkers | None:
    workers = default_export_workers()
    return ExportWorkers(connection, graph, workers=workers) if workers else None


class FalkorDBStore(PlainReplyReads):
    """GraphStore on FalkorDB through its asyncio client."""

    dialect = FALKORDB

    def __init__(
        self,
        db: FalkorDB,
        *,
        graph: str,
        server: EmbeddedServer | None = None,
        revive_interval: float = REVIVE_INTERVAL,
        export_workers: ExportWorkers | None = None,
    ) -> None:
        super().__init__()
        self._db = db
        self._export_workers = export_workers
        self._graph_name = graph
        self._graph = db.select_graph(graph)
        self._server = server
        self._revival = (
            None
            if server is None
            else Revival(server, revived=self._reconnect, interval=revive_interval)
        )
        self._write_lock = asyncio.Lock()
        self._slots = asyncio.Semaphore(STATEMENTS_AT_ONCE)

    @classmethod
    async def open_embedded(
        cls,
        data_dir: str,
        *,
        graph: str = "registry",
        appendfsync: str = DEFAULT_APPENDFSYNC,
        startup_timeout: float = 300.0,
        revive_interval: float = REVIVE_INTERVAL,
    ) -> FalkorDBStore:
        """Start (or attach to) the embedded server for ``data_dir`` and open the graph.

        Loading a large graph from disk takes a while, hence the generous startup timeout.
        A server already running with a weaker ``appendfsync`` is switched to this one.
        """
        server = await EmbeddedServer.attach(
            Path(data_dir), appendfsync=appendfsync, startup_timeout=startup_timeout
        )
        try:
            connection = {"unix_socket_path": str(server.socket_path)}
            db = FalkorDB(**connection)
            store = cls(
                db,
                graph=graph,
                server=server,
                revive_interval=revive_interval,
                export_workers=_export_workers(connection, graph),
            )
            await store._require_durability(appendfsync)
            await store.ensure_schema()
        except BaseException:
            await server.release()
            raise
        return store

    @classmethod
    async def open_remote(
        cls,
        *,
        host: str,
        port: int,
        graph: str = "registry",
        password: str | None = None,
        appendfsync: str = DEFAULT_APPENDFSYNC,
    ) -> FalkorDBStore:
        """Connect to a running server, which must fsync at least as often as
        ``appendfsync`` says (``always`` unless the operator accepts less): else
        :class:`StoreNotDurable`."""
        try:  # the client asks the server what it is (INFO) as it is made
            db = FalkorDB(host=host, port=port, password=password)
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise BackendUnavailable(f"FalkorDB unavailable: {exc}") from exc
        connection = {"host": host, "port": port, "password": password}
        store = cls(db, graph=graph, export_workers=_export_workers(connection, graph))
        try:
            await store._require_durability(appendfsync)
            await store.ensure_schema()
        except BaseException:
            await store.close()
            raise
        return store

    @property
    def server(self) -> EmbeddedServer | None:
        return self._server

    @property
    def graph_name(self) -> str:
        return self._graph_name

    @property
    def client(self) -> FalkorDB:
        """The server's client (the bulk load runs commands and a transaction on it)."""
        return self._db

    async def command(self, *args: str | bytes) -> object:
        """A server command outside Cypher, its errors translated."""
        return await self._command(*args)

    async def close(self) -> None:
        if self._revival is not None:
            await self._revival.close()
            self._revival = None  # a closed store's server stays stopped
        if self._export_workers is not None:
            await self._export_workers.close()
        await self._db.connection.aclose(close_connection_pool=True)
        if self._server is not None:
            await self._server.release()
            self._server = None

    async def ping(self) -> bool:
        """Ready to take writes: the server answers, has loaded its data, its last
        append-only-file write succeeded (else it refuses writes, or it would have exited),
        and the embedded server's disk is not nearly full (else the next write may stop it
        again, however often it is started)."""
        try:
            info = await self._persistence()
        except GraphError:
            return False
        if self._server is not None and disk_is_low(self._server.data_dir):
            return False
        return info.get("loading") == 0 and info.get("aof_last_write_status") == "ok"

    async def _require_durability(self, accepted: str) -> None:
        """Refuse a server that answers before its writes are on disk as often as
        ``accepted`` requires; the embedded one (ours) is switched to ``accepted`` instead."""
        if accepted not in APPENDFSYNC_POLICIES:
            raise ValueError(f"appendfsync must be one of {sorted(APPENDFSYNC_POLICIES)}")
        try:
            config = await self._db.connection.config_get("append*")
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise self._unavailable(exc) from exc
        except ResponseError as exc:  # CONFIG disabled, as on some managed servers
            config = {}
            reason = f"it does not say how it persists ({exc})"
        else:
            reason = (
                f"appendonly is {config.get('appendonly')!r}, "
                f"appendfsync is {config.get('appendfsync')!r}"
            )
        policy = config.get("appendfsync") if config.get("appendonly") == "yes" else "no"
        if policy in _FSYNC_STRENGTH and _FSYNC_STRENGTH[policy] >= _FSYNC_STRENGTH[accepted]:
            return
        if self._server is not None:
            await self._command("CONFIG", "SET", "appendfsync", accepted)
            return
        if accepted == "always":
            raise StoreNotDurable(
                f"the FalkorDB server would acknowledge writes before they are on disk: "
                f"{reason}. Set 'appendonly yes' and 'appendfsync always' on it, or accept "
                "the risk with ?appendfsync=everysec in the store URL"
            )
        log.warning("the FalkorDB server may lose acknowledged writes: %s", reason)

    async def _reconnect(self) -> None:
        """After the server was started again: drop the idle connections to the old one
        (those in use fail on their own; closing them could cut a call to the new one)."""
        await self._db.connection.connection_pool.disconnect(inuse_connections=False)

    def _unavailable(self, exc: Exception) -> BackendUnavailable:
        """The error for a lost or refusing server; asks for the embedded one to be
        started again."""
        if self._revival is not None:
            self._revival.request()
        return BackendUnavailable(f"FalkorDB unavailable: {exc}")

    async def clear(self) -> None:
        try:
            await self._graph.delete()
        except ResponseError as exc:
            if "empty key" not in str(exc).lower() and "invalid graph" not in str(exc).lower():
                raise GraphError(str(exc)) from exc
        self._graph = self._db.select_graph(self._graph_name)
        await self.ensure_schema()

    async def bulk_load(self, data: BulkData, *, actor: str) -> BulkReport | None:
        async with self._write_lock:
            staging = FalkorDBStore(self._db, graph=f"{self._graph_name}{STAGING_SUFFIX}")
            report = await bulk_load(self, staging, data, at=utc_now(), actor=actor)
            # Another graph is in place: the client's cached label and property names of
            # the old one must not be used to read it.
            self._graph = self._db.select_graph(self._graph_name)
            return report

    async def ensure_schema(self) -> None:
        """Create what is missing of the indexes, constraints and change counter, and drop
        the indexes this version no longer uses (``RETIRED``).

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
        for spec, statement in zip(RETIRED, FALKORDB.drop_statements(), strict=True):
            if (spec.label, spec.prop) in indexed:
                await self._run(self._graph.query, statement, {})
                changed = True
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
        changed = await self._upgrade_link_keys() > 0 or changed
        changed = await self._upgrade_withdrawals() > 0 or changed
        changed = await self._backfill_search_keys() > 0 or changed
        changed = await self._upgrade_tallies() > 0 or changed
        if changed:
            await self.compact()

    async def compact(self) -> None:
        """Rewrite the append-only file as a snapshot (fast to load) and wait until done;
        :class:`CompactionFailed` when the rewrite did not finish well, rather than return
        as if it had (a rewrite child the engine crashed in went unseen before)."""
        try:
            await self._command("BGREWRITEAOF")
        except GraphError as exc:  # one already running (e.g. Redis's own automatic rewrite)
            if "in progress" not in str(exc) and "scheduled" not in str(exc):
                raise
        while True:
            info = await self._persistence()
            if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
                break
            await asyncio.sleep(0.05)
        if info.get("aof_last_bgrewrite_status") != "ok":
            raise CompactionFailed(
                "the database server could not rewrite its append-only file (see its log); "
                "every acknowledged write is still in the file"
            )

    async def _persistence(self) -> dict[str, object]:
        """The server's ``INFO persistence``: loading, the append-only file's state."""
        info = await self._command("INFO", "persistence")
        return info if isinstance(info, dict) else {}

    async def _command(self, *args: str | bytes) -> object:
        try:
            async with self._slots:
                return await self._db.connection.execute_command(*args)
        except CLIENT_ERRORS as exc:
            raise self._translated(exc) from exc

    def _translated(self, exc: Exception) -> GraphError:
        """The store's error for a client library error, most specific first."""
        if isinstance(exc, RedisConnectionError | RedisTimeoutError | OSError):
            return self._unavailable(exc)
        message = str(exc)
        if message.startswith(_UNAVAILABLE_REPLIES):
            return self._unavailable(exc)
        if "unique constraint" in message:
            return Conflict(message)
        return GraphError(message)

    async def _read(self, statement: str, params: Mapping[str, object]) -> list[Row]:
        return await self._run(self._graph.ro_query, statement, params)

    async def _write(self, plan: WritePlan) -> int:
        async with self._write_lock:
            for _ in range(_MAX_WRITE_ATTEMPTS):
                rows = await self._read(FALKORDB.head_for_update, {})
                head = ChangeHead(seq=as_int(rows[0]["seq"]), hash=str(rows[0]["hash"]))
                planned = await plan(self._read, head)
                try:
                    result = await self._run(self._graph.query, planned.statement, planned.params)
                except GraphError as exc:
                    if _REFUSED_WHOLE in str(exc):  # graph.cypher.changes: undone, not partial
                        raise GraphError(
                            "a record the write names was gone: nothing written"
                        ) from exc
                    raise
                # Every change, or none when another writer claimed the counter first: a
                # statement that wrote some fails whole (graph.cypher.changes).
                if as_int(result[0]["written"]):
                    await self._keep_digests(planned.changes)
                    await self._count_tallies()
                    return planned.changes[0].seq
                await asyncio.sleep(random.uniform(0, 0.005))  # noqa: S311 - jitter, not security
        raise BackendUnavailable("could not claim the change log: too much contention")

    async def _keep_digests(self, changes: list[Change]) -> None:
        """The digest of the document each change left, kept on it (graph.written_documents):
        still under the write lock, so no write of this process comes in between."""
        kept = await written_digests(self._documents_by_key, changes)
        if kept is not None:
            await self._run(self._graph.query, document_cypher.KEEP_DIGESTS, kept)

    async def _housekeeping(self, statement: str, params: Mapping[str, object]) -> list[Row]:
        return await self._run(self._graph.query, statement, params)

    async def _run(self, query: Query, statement: str, params: Mapping[str, object]) -> list[Row]:
        try:
            async with self._slots:
                result = await query(cypher_header(params) + statement)
        except CLIENT_ERRORS as exc:
            raise self._translated(exc) from exc
        names = [column[1] for column in result.header]
        return [dict(zip(names, values, strict=True)) for values in result.result_set]
