"""Neo4j 5 backend: one async driver per process, managed transactions for writes.

A write runs as a transaction function: it locks the change counter, reads the head, makes
its plan with reads inside the same transaction and runs the single write statement. The
function may be retried by the driver, so it recomputes everything from the head each time.
Reads share the driver's bookmark manager with writes, so a caller reads its own writes.
"""

from __future__ import annotations

from collections.abc import Mapping

from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction, RoutingControl
from neo4j.exceptions import (
    ConstraintError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from graph.changelog import GENESIS_HASH
from graph.cypher import changes as change_cypher
from graph.cypher import documents as document_cypher
from graph.cypher_store import CypherStore, Row, WritePlan, as_int
from graph.cypher_store.tallies import count_changes
from graph.dialects import NEO4J
from graph.errors import BackendUnavailable, Conflict, GraphError
from graph.log_models import ChangeHead
from graph.written_documents import documents_by_read, written_digests

_GONE = "Neo.ClientError.Statement.EntityNotFound"
_GONE_ATTEMPTS = 5

__all__ = ["CLEAR", "Neo4jStore"]

# Deletes in batches of its own transactions, so clearing a large database fits in memory.
CLEAR = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS"


class Neo4jStore(CypherStore):
    """GraphStore on Neo4j 5 through the official async driver."""

    dialect = NEO4J

    def __init__(self, driver: AsyncDriver, *, database: str | None = None) -> None:
        super().__init__()
        self._driver = driver
        self._database = database
        self._closed = False

    @classmethod
    async def open(
        cls, url: str, *, user: str | None, password: str | None, database: str | None = None
    ) -> Neo4jStore:
        auth = (user, password) if user is not None and password is not None else None
        driver = AsyncGraphDatabase.driver(url, auth=auth)
        store = cls(driver, database=database)
        try:
            await driver.verify_connectivity()
            await store.ensure_schema()
        except BaseException:
            await driver.close()
            raise
        return store

    async def close(self) -> None:
        self._closed = True
        await self._driver.close()

    def _error(self, exc: Exception) -> GraphError:
        """The port's error for ``exc``: a closed store is unavailable (the driver says only
        ``DriverError('Driver closed')``), as a FalkorDB store whose server has gone is."""
        if self._closed and not isinstance(exc, GraphError):
            return BackendUnavailable("Neo4j store is closed")
        return _translate(exc)

    async def clear(self) -> None:
        await self._run_write(CLEAR, {}, implicit=True)
        await self.ensure_schema()

    async def ensure_schema(self) -> None:
        statements = [
            *self.dialect.drop_statements(),
            *self.dialect.index_statements(),
            *self.dialect.search_schema,
        ]
        for statement in statements:
            await self._run_write(statement, {}, implicit=True)
        await self._run_write(change_cypher.ENSURE_COUNTER, {"genesis": GENESIS_HASH})
        await self._upgrade_timelines()
        await self._upgrade_link_keys()
        await self._upgrade_withdrawals()
        await self._backfill_search_keys()
        await self._upgrade_tallies()

    async def _read(self, statement: str, params: Mapping[str, object]) -> list[Row]:
        try:
            records, _, _ = await self._driver.execute_query(
                statement, dict(params), database_=self._database, routing_=RoutingControl.READ
            )
        except Exception as exc:
            raise self._error(exc) from exc
        return [record.data() for record in records]

    async def _run_write(
        self, statement: str, params: Mapping[str, object], *, implicit: bool = False
    ) -> None:
        try:
            if implicit:  # DDL and CALL IN TRANSACTIONS need an auto-commit transaction
                async with self._driver.session(database=self._database) as session:
                    result = await session.run(statement, dict(params))
                    await result.consume()
            else:
                await self._driver.execute_query(statement, dict(params), database_=self._database)
        except Exception as exc:
            raise self._error(exc) from exc

    async def _write(self, plan: WritePlan) -> int:
        async def transaction(tx: AsyncManagedTransaction) -> int:
            async def read(statement: str, params: Mapping[str, object]) -> list[Row]:
                result = await tx.run(statement, dict(params))
                return [record.data() async for record in result]

            rows = await read(self.dialect.head_for_update, {})
            head = ChangeHead(seq=as_int(rows[0]["seq"]), hash=str(rows[0]["hash"]))
            planned = await plan(read, head)
            written = as_int((await read(planned.statement, planned.params))[0]["written"])
            if written != len(planned.changes):
                raise GraphError(f"write touched {written} of {len(planned.changes)} rows")
            kept = await written_digests(documents_by_read(read), planned.changes)
            if kept is not None:
                await read(document_cypher.KEEP_DIGESTS, kept)
            await count_changes(read, read)  # the region tallies, in the same transaction
            return planned.changes[0].seq

        for attempt in range(_GONE_ATTEMPTS):
            try:
                async with self._driver.session(
                    database=self._database,
                    bookmark_manager=self._driver.execute_query_bookmark_manager,
                ) as session:
                    return await session.execute_write(transaction)
            except GraphError:
                raise
            except Neo4jError as exc:
                # A record the plan read was replaced by a racing writer (a server without
                # the counter's lock, whose transactions are optimistic): plan again from
                # the new head, as a lost compare-and-set does on FalkorDB.
                if exc.code != _GONE or attempt == _GONE_ATTEMPTS - 1:
                    raise self._error(exc) from exc
            except Exception as exc:
                raise self._error(exc) from exc
        raise AssertionError("unreachable")  # the last attempt returns or raises

    async def _housekeeping(self, statement: str, params: Mapping[str, object]) -> list[Row]:
        async def transaction(tx: AsyncManagedTransaction) -> list[Row]:
            result = await tx.run(statement, dict(params))
            return [record.data() async for record in result]

        try:
            async with self._driver.session(database=self._database) as session:
                return await session.execute_write(transaction)
        except Exception as exc:
            raise self._error(exc) from exc


def _translate(exc: Exception) -> GraphError:
    if isinstance(exc, GraphError):
        return exc
    if isinstance(exc, ServiceUnavailable | SessionExpired | OSError):
        return BackendUnavailable(f"Neo4j unreachable: {exc}")
    if isinstance(exc, ConstraintError):
        return Conflict(str(exc))
    if isinstance(exc, Neo4jError):
        return GraphError(str(exc))
    return GraphError(repr(exc))
