"""A first load into an empty FalkorDB store through ``GRAPH.BULK`` (graph.bulk_graph builds
it; docs/design-notes.md, note 33).

All or nothing, for readers too: the records are loaded into a graph of their own (the
bulk command creates it), and only a complete load takes the store's place, in one
``RENAME`` under ``WATCH``, refused if anything was written to the store meanwhile. A
failure, or a crash, leaves the store as it was (empty); the next load deletes what a
crashed one left. The indexes and constraints exist before the records arrive, so the
engine indexes each node as it lands, overlapping the Python that builds the next command;
the bulk command does not enforce unique constraints, so the builder refuses a key it has
seen (graph.bulk_graph).
A load asked to score its institutions sets their credit scores last, before the swap
(graph.bulk_credit). The change counter is set to the last seq the records took, with the
log starting there: its hash is the SHA-256 of every byte loaded (and of the scores), so
the first change written after it chains from the load itself.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable, Generator, Mapping
from typing import Protocol

from falkordb.asyncio import FalkorDB
from redis.exceptions import WatchError

from graph.bulk_credit import CREATE_RANK_TALLIES, STORE_LOADED_CREDIT, LoadedScores
from graph.bulk_data import BulkCommand, BulkData, BulkReport
from graph.bulk_format import NodeToken
from graph.bulk_graph import BulkGraph
from graph.changelog import GENESIS_HASH
from graph.cypher_store import Row, as_int
from graph.cypher_store.tallies import TALLY_VERSION
from graph.errors import Conflict, GraphError, StoreNotEmpty

__all__ = ["STAGING_SUFFIX", "BulkTarget", "bulk_load"]

_POLL = 0.05
_SCORES_PER_STATEMENT = 10_000
_SCHEMA_WAIT = 900.0  # seconds the indexes of a national load may take to build

_COUNTER_COLUMNS = ("id", "seq", "hash", "timelines", "searchKeys", "tallied", "tallyVersion")
# Records, or a counter that moved (an API key, say): not a store to load into.
_EMPTY = "MATCH (n) WHERE NOT n:ChangeCounter OR n.seq > 0 RETURN count(n) AS found"
STAGING_SUFFIX = ".loading"
_COUNTER = """
MATCH (counter:ChangeCounter {id: 'main'})
SET counter.seq = $seq, counter.hash = $hash, counter.prunedThrough = $seq,
    counter.prunedHash = $hash, counter.tallied = $seq, counter.tallyVersion = $tallyVersion,
    counter.timelines = 1, counter.searchKeys = 1
"""


Read = Callable[[str, Mapping[str, object]], Awaitable[list[Row]]]


class BulkTarget(Protocol):
    """What a load needs of the FalkorDB store it fills and of the staging graph it builds
    (the store hands both in: this module does not know the store's class)."""

    @property
    def graph_name(self) -> str: ...

    @property
    def client(self) -> FalkorDB: ...

    async def command(self, *args: str | bytes) -> object: ...

    async def compact(self) -> None: ...

    async def ensure_schema(self) -> None: ...

    async def _read(self, statement: str, params: Mapping[str, object]) -> list[Row]: ...

    async def _housekeeping(self, statement: str, params: Mapping[str, object]) -> list[Row]: ...


async def bulk_load(
    store: BulkTarget, staging: BulkTarget, data: BulkData, *, at: str, actor: str
) -> BulkReport:
    """Load ``data`` into ``store``, which must be empty: built in ``staging`` (the graph
    named ``STAGING_SUFFIX`` after it), then put in the store's place in one step, unless
    something was written meanwhile."""
    started = time.perf_counter()
    if not await _empty(store._read):
        raise StoreNotEmpty("a bulk load needs an empty store")
    digest = hashlib.sha256()
    built = BulkGraph(at=at, actor=actor, first_id=1)  # 0: the counter, sent first
    await store.command("DEL", staging.graph_name)  # what a crashed load left, if anything
    try:
        await _load(store, staging, built, data, digest)
        sent = time.perf_counter()
        await _schema_serving(staging._read)
        scores = await asyncio.to_thread(built.credit_scores, data)  # pure Python
        await _store_scores(staging, scores, digest)
        params = {"seq": built.seq, "hash": digest.hexdigest(), "tallyVersion": TALLY_VERSION}
        await staging._housekeeping(_COUNTER, params)
        await _swap(store, staging.graph_name)
    except BaseException:
        await store.command("DEL", staging.graph_name)
        raise
    await store.compact()  # a restart then loads a snapshot, not the bulk commands again
    done = time.perf_counter()
    return BulkReport(
        built.counts,
        built.seq,
        digest.hexdigest(),
        done - started,
        done - sent,
        None if data.credit is None else len(scores.rows),
    )


async def _load(
    store: BulkTarget,
    staging: BulkTarget,
    built: BulkGraph,
    data: BulkData,
    digest: hashlib._Hash,
) -> None:
    """The counter, the schema and every command into the staging graph."""
    await store.command("GRAPH.BULK", staging.graph_name, "BEGIN", *_payload(_counter()))
    # The indexes and constraints before the records: the engine then indexes each node as
    # it lands, while the next command is still being built, instead of all of them at the
    # end. Unique keys are checked as the commands are built.
    await staging.ensure_schema()
    await _send_all(store, staging.graph_name, built.commands(data), digest)


async def _store_scores(staging: BulkTarget, scores: LoadedScores, digest: hashlib._Hash) -> None:
    """The load's credit scores set on its institutions, with the ranking counts, and
    added to its hash."""
    for start in range(0, len(scores.rows), _SCORES_PER_STATEMENT):
        rows = scores.rows[start : start + _SCORES_PER_STATEMENT]
        digest.update(json.dumps(rows, sort_keys=True, ensure_ascii=False).encode())
        await staging._housekeeping(STORE_LOADED_CREDIT, {"rows": rows})
    if scores.ranks:
        digest.update(json.dumps(scores.ranks, sort_keys=True, ensure_ascii=False).encode())
        await staging._housekeeping(CREATE_RANK_TALLIES, {"ranks": scores.ranks})


async def _empty(read: Read) -> bool:
    rows = await read(_EMPTY, {})
    return not as_int(rows[0]["found"])


async def _send_all(
    store: BulkTarget,
    graph: str,
    steps: Generator[BulkCommand, None, None],
    digest: hashlib._Hash,
) -> None:
    """Every command, the next built (in a thread) while the server takes this one."""
    sending: asyncio.Task[object] | None = None
    try:
        while payload := await asyncio.to_thread(_next_payload, steps, digest):
            if sending is not None:
                await sending
            sending = asyncio.create_task(store.command("GRAPH.BULK", graph, *payload))
        if sending is not None:
            await sending
    finally:
        steps.close()
        if sending is not None and not sending.done():
            sending.cancel()


async def _swap(store: BulkTarget, staging: str) -> None:
    """The loaded graph in the store's place, in one step, only if the store is still
    empty: a write landing there meanwhile (another process) makes it a conflict."""
    async with store.client.connection.pipeline(transaction=True) as pipe:
        await pipe.watch(store.graph_name)
        reply = await pipe.execute_command("GRAPH.RO_QUERY", store.graph_name, _EMPTY)
        if reply[1][0][0]:
            raise StoreNotEmpty("the store was written to during the bulk load")
        pipe.multi()
        pipe.rename(staging, store.graph_name)
        try:
            await pipe.execute()
        except WatchError as exc:
            raise StoreNotEmpty("the store was written to during the bulk load") from exc


def _counter() -> BulkCommand:
    """The change counter, marked as needing none of the upgrades a store written by an
    older version gets on open (timelines, search keys, tallies: a load writes them all)."""
    token = NodeToken("ChangeCounter", _COUNTER_COLUMNS)
    token.add(["main", 0, GENESIS_HASH, 1, 1, 0, TALLY_VERSION])
    return BulkCommand(nodes=[token])


def _payload(step: BulkCommand) -> list[bytes | str]:
    """A command's arguments after the graph's name: its counts, then its tokens."""
    counts = [step.node_count, step.edge_count, len(step.nodes), len(step.edges)]
    tokens = [t.encoded() for t in step.nodes] + [t.encoded() for t in step.edges]
    return [*map(str, counts), *tokens]


def _next_payload(
    steps: Generator[BulkCommand, None, None], digest: hashlib._Hash
) -> list[bytes | str]:
    """The next command's arguments, each token added to ``digest``; [] when done."""
    for step in steps:
        if step.nodes or step.edges:
            payload = _payload(step)
            for token in payload[4:]:
                digest.update(token)  # type: ignore[arg-type]
            return payload
    return []


async def _schema_serving(read: Read) -> None:
    """Wait until every index and constraint is built (the engine builds them in the
    background); a constraint the data breaks fails the load."""
    deadline = time.monotonic() + _SCHEMA_WAIT
    while True:
        pending = [
            row
            for row in await read("CALL db.indexes()", {})
            if str(row.get("status", "OPERATIONAL")) != "OPERATIONAL"
        ]
        constraints = await read("CALL db.constraints()", {})
        failed = [row for row in constraints if str(row.get("status")) == "FAILED"]
        if failed:
            raise Conflict(f"the load breaks a unique constraint: {failed[0]}")
        pending += [row for row in constraints if str(row.get("status")) != "OPERATIONAL"]
        if not pending:
            return
        if time.monotonic() > deadline:
            raise GraphError("the indexes of the load were not built in time")
        await asyncio.sleep(_POLL)
