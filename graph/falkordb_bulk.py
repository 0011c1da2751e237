"""A first load into an empty FalkorDB store through ``GRAPH.BULK`` (graph.bulk_graph builds
it; docs/design-notes.md, note 33).

All or nothing: the graph is rebuilt from nothing (the bulk command creates it), and any
failure deletes what was loaded and leaves the store empty with its schema, as before. The
indexes and constraints exist before the records arrive, so the engine indexes each node as
it lands, overlapping the Python that builds the next command; the bulk command does not
enforce unique constraints, so the builder refuses a key it has seen (graph.bulk_graph).
The change counter is set to the last seq the records took, with the log starting there:
its hash is the SHA-256 of every byte loaded, so the first change written after it chains
from the load itself.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable, Coroutine, Generator, Mapping
from typing import Any

from graph.bulk_data import BulkCommand, BulkData, BulkReport
from graph.bulk_format import NodeToken
from graph.bulk_graph import BulkGraph
from graph.changelog import GENESIS_HASH
from graph.cypher_store import Row, as_int
from graph.cypher_store.tallies import TALLY_VERSION
from graph.errors import Conflict, GraphError, StoreNotEmpty

__all__ = ["bulk_load"]

_POLL = 0.05
_SCHEMA_WAIT = 900.0  # seconds the indexes of a national load may take to build

_COUNTER_COLUMNS = ("id", "seq", "hash", "timelines", "searchKeys", "tallied", "tallyVersion")
_EMPTY = "MATCH (n) WHERE NOT n:ChangeCounter RETURN count(n) AS found"
_COUNTER = """
MATCH (counter:ChangeCounter {id: 'main'})
SET counter.seq = $seq, counter.hash = $hash, counter.prunedThrough = $seq,
    counter.prunedHash = $hash, counter.tallied = $seq, counter.tallyVersion = $tallyVersion,
    counter.timelines = 1, counter.searchKeys = 1
"""


Command = Callable[..., Coroutine[Any, Any, object]]
Read = Callable[[str, Mapping[str, object]], Awaitable[list[Row]]]


async def bulk_load(
    *,
    graph_name: str,
    command: Command,
    read: Read,
    write: Read,
    schema: Callable[[], Awaitable[None]],
    compact: Callable[[], Awaitable[None]],
    rebuild: Callable[[], Awaitable[None]],
    data: BulkData,
    at: str,
    actor: str,
) -> BulkReport:
    """Load ``data`` into the empty graph ``graph_name``. ``schema`` makes the indexes,
    constraints and counter that are missing (the store's ``ensure_schema``), ``compact``
    rewrites the append-only file as a snapshot; ``rebuild``
    deletes the graph and makes them again (its ``clear``)."""
    started = time.perf_counter()
    if as_int((await read(_EMPTY, {}))[0]["found"]) or as_int(
        (await read("MATCH (c:ChangeCounter) RETURN max(c.seq) AS seq", {}))[0]["seq"] or 0
    ):
        raise StoreNotEmpty("a bulk load needs an empty store")
    digest = hashlib.sha256()
    built = BulkGraph(at=at, actor=actor, first_id=1)  # 0: the counter, sent first
    await command("GRAPH.DELETE", graph_name)
    try:
        await command("GRAPH.BULK", graph_name, "BEGIN", *_payload(_counter()))
        # The indexes and constraints before the records: the engine then indexes each
        # node as it lands, while the next command is still being built, instead of all
        # of them at the end. Unique keys are checked as the commands are built.
        await schema()
        # The next command is built (in a thread) while the server takes this one.
        steps = built.commands(data)
        sending: asyncio.Task[object] | None = None
        try:
            while payload := await asyncio.to_thread(_next_payload, steps, digest):
                if sending is not None:
                    await sending
                sending = asyncio.create_task(command("GRAPH.BULK", graph_name, *payload))
            if sending is not None:
                await sending
        finally:
            steps.close()
        sent = time.perf_counter()
        await _schema_serving(read)
        params = {"seq": built.seq, "hash": digest.hexdigest(), "tallyVersion": TALLY_VERSION}
        await write(_COUNTER, params)
        await compact()  # a restart then loads a snapshot, not the bulk commands again
    except BaseException:
        await command("GRAPH.DELETE", graph_name)
        await rebuild()
        raise
    done = time.perf_counter()
    return BulkReport(built.counts, built.seq, digest.hexdigest(), done - started, done - sent)


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
