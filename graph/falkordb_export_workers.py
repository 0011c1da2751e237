"""Snapshot pages read and encoded in worker processes (docs/design-notes.md, note 43).

Why processes: a document costs about 10 µs of Python to decode from the server's reply and
encode as its line, which held an export in one process near 75,000 documents a second at
1M certificates, and one process uses one core. Each worker (started with ``spawn``) keeps
its own connection to the server, reads an id window's documents in the plain reply
(graph.falkordb_replies, as the store itself reads them) and sends back the page encoded;
the store's process only forwards bytes. Pages are asked for a few windows ahead and given
out in window order.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import redis

from graph.cypher import exports as export_cypher
from graph.cypher.exports import EXPORTED
from graph.cypher_literals import cypher_header
from graph.export_lines import LinePage
from graph.falkordb_replies import plain_lines

__all__ = ["EXPORT_WORKER_THRESHOLD", "ExportWorkers", "default_export_workers"]

# Labels with fewer documents are exported in the store's process: starting the workers
# would take longer than encoding them.
EXPORT_WORKER_THRESHOLD = 20_000

_START_ROUNDS = 100  # of calls to every worker, 50 ms apart, waiting for all to start
_Window = tuple[int, int]
# A pool that cannot take work: a worker died, a process could not be started (the
# system's limits), or close() shut it down. Exports then go on in the store's process.
_CANNOT_WORK = (BrokenProcessPool, RuntimeError, OSError)
log = logging.getLogger("registry.store")
_CLIENT: tuple[redis.Redis, str] | None = None  # in a worker: its connection and graph


def default_export_workers() -> int:
    """One worker per core, up to four; none on one core, where it could only take turns
    with the process it relieves. The crashes that held it to one worker (design note 47)
    were the memory fault of note 49, set off by the rescoring of the bench's writes: with
    that fixed, two workers crashed in none of 4 exports of a 1M store (note 51)."""
    cores = min(os.cpu_count() or 1, 4)
    return cores if cores > 1 else 0


def _start(connection: Mapping[str, object], graph: str) -> None:
    """The worker's connection; what it imported is frozen out of the collector's sight, as
    the served app's heap is (registry.http.heap): a page makes thousands of objects, and
    each collection they set off would walk the modules again."""
    global _CLIENT
    _CLIENT = (redis.Redis(**connection, decode_responses=True), graph)  # type: ignore[arg-type]
    gc.freeze()


def _ready() -> int:
    """The worker's process id: submitted to start the workers."""
    return os.getpid()


def _page(entity: str, start: int, end: int) -> LinePage | None:
    """The documents whose node ids lie in ``[start, end)``, encoded; None when the plain
    reply cannot carry them (a list item held the separator): the store reads that window
    itself, from the typed reply."""
    if _CLIENT is None:
        raise RuntimeError("the export worker was not started")
    client, graph = _CLIENT
    spec = EXPORTED[entity]
    read = export_cypher.id_window(spec, joined=bool(spec.text_lists), grouped=False)
    query = cypher_header({"from": start, "to": end}) + read
    reply = client.execute_command("GRAPH.RO_QUERY", graph, query)  # type: ignore[no-untyped-call]
    return plain_lines(spec, reply)


class ExportWorkers:
    """The worker processes of one store, started on the first large export and stopped
    with the store."""

    def __init__(self, connection: Mapping[str, object], graph: str, *, workers: int) -> None:
        self._connection = dict(connection)
        self._graph = graph
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start,
                initargs=(self._connection, self._graph),
            )
        return self._pool

    async def start(self) -> None:
        """Every worker started and connected (they start in parallel). A worker that is
        ready may take another's call, so calls go on until each has answered one."""
        pool = self._started()
        answered: set[int] = set()
        try:
            for _ in range(_START_ROUNDS):
                calls = [asyncio.wrap_future(pool.submit(_ready)) for _ in range(self.workers)]
                answered.update(await asyncio.gather(*calls))
                if len(answered) >= self.workers:
                    return
                await asyncio.sleep(0.05)
        except _CANNOT_WORK as exc:
            log.warning("export workers could not start (%s); exports run in this process", exc)
            self._dropped(pool)

    def _dropped(self, pool: ProcessPoolExecutor) -> None:
        """A pool whose worker died is not used again; the next export starts another."""
        if self._pool is pool:
            self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    async def pages(
        self,
        entity: str,
        windows: Iterator[_Window],
        read_here: Callable[[int, int], Awaitable[LinePage]],
    ) -> AsyncGenerator[LinePage, None]:
        """The windows' pages in window order, a few in flight. A window the worker could not
        read from the plain reply, and every window once a worker has died, is read by
        ``read_here`` in this process instead. The server's errors are raised as the client
        library's."""
        pool: ProcessPoolExecutor | None = self._started()
        inflight: deque[tuple[_Window, asyncio.Future[LinePage | None]]] = deque()

        def submit() -> None:
            nonlocal pool
            window = next(windows, None)
            if window is None:
                return
            if pool is not None:
                try:
                    worked = pool.submit(_page, entity, *window)
                    inflight.append((window, asyncio.wrap_future(worked)))
                    return
                except _CANNOT_WORK:
                    self._dropped(pool)
                    pool = None
            inflight.append((window, asyncio.ensure_future(read_here(*window))))

        try:
            for _ in range(self.workers + 2):
                submit()
            while inflight:
                window, pending = inflight.popleft()
                try:
                    page = await pending
                except BrokenProcessPool:
                    if pool is not None:
                        self._dropped(pool)
                        pool = None
                    page = None
                if page is None:
                    page = await read_here(*window)
                submit()
                yield page
        finally:
            for _, pending in inflight:
                pending.cancel()

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
