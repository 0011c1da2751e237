"""Certificate batches of a bulk load built in worker processes, taken in order
(graph.bulk_certificates builds each; docs/design-notes.md, note 39).

Why processes: building a certificate's records is pure Python, about 45 s of CPU at 1M
certificates, and one process uses one core. Each worker is started (``spawn``, so every
entry point guards its ``__main__``) with the load's context, takes every ``n``-th batch,
and keeps its own region tallies and credit counts; batch ``k`` starts at node id and seq
numbers known from the sizes of the batches before it, so the workers need not wait for
each other. The loading process takes the batches in order while the next ones are built.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

from graph.bulk_certificates import BatchContext, BatchWork, BuiltBatch
from graph.bulk_credit import CertificateCredit
from graph.bulk_data import CertificateBatch, CertificateSource
from graph.models import Certificate
from graph.tallies import Buckets

_T = TypeVar("_T")

__all__ = ["WORKER_THRESHOLD", "BatchBuilders", "PreparedBatches", "default_workers"]

WORKER_THRESHOLD = 20_000  # fewer certificates are built before the processes would start
# Certificates built ahead per worker: the workers start while the loading process builds
# the institutions and accreditations (about 1 MB per 1,000 certificates built).
_AHEAD = 64_000

# Batches a worker makes before the load's ids are known (PreparedBatches), per worker:
# about 10 MB per 5,000 certificates parsed from an export.
_PREPARED_AHEAD = 150_000

_WORK: BatchWork | None = None  # in a worker process: its context and tallies
_SOURCE: CertificateSource | None = None  # in a worker started before its context
_PREPARED: dict[int, CertificateBatch] = {}  # in that worker: batches made, by number


def default_workers(certificates: int) -> int:
    """Worker processes for a load of ``certificates``: one per core, none for a small load."""
    return 0 if certificates < WORKER_THRESHOLD else max(1, min(os.cpu_count() or 1, 4))


def _start(context: BatchContext) -> None:
    global _WORK
    _WORK = BatchWork(context)


def _start_source(source: CertificateSource) -> None:
    global _SOURCE
    _SOURCE = source


def _prepare(number: int) -> None:
    """Make batch ``number`` now, to build it once the context comes. A batch that fails
    is not kept: building it makes it again, and raises there."""
    if _SOURCE is None:
        raise RuntimeError("the worker was not started")
    with contextlib.suppress(Exception):  # the load makes it again, and reports it
        _PREPARED[number] = _SOURCE.batch(number)


def _build(batch: int | CertificateBatch, first_id: int, first_seq: int) -> BuiltBatch:
    if _WORK is None:
        raise RuntimeError("the worker was not started")
    if isinstance(batch, int) and batch in _PREPARED:
        batch = _PREPARED.pop(batch)
    return _WORK.build(batch, first_id, first_seq)


def _ready() -> None:
    """Nothing: submitted to start a worker."""


def _added() -> tuple[Buckets, CertificateCredit | None]:
    if _WORK is None:
        raise RuntimeError("the worker was not started")
    return _WORK.buckets, _WORK.credit


def _pools(
    workers: int, initializer: Callable[[_T], None], argument: _T
) -> list[ProcessPoolExecutor]:
    """One-process pools, each started with ``initializer(argument)``. Starting a process
    takes a second or two (it imports the modules the batches need): all at once, in the
    background, while the load goes on."""
    spawn = multiprocessing.get_context("spawn")
    pools = [
        ProcessPoolExecutor(1, mp_context=spawn, initializer=initializer, initargs=(argument,))
        for _ in range(max(workers, 0))
    ]
    for pool in pools:
        threading.Thread(target=pool.submit, args=(_ready,), daemon=True).start()
    return pools


class PreparedBatches(CertificateSource):
    """A source whose first batches ``workers`` processes start making at once, before the
    load knows the ids they will take (the caller is still parsing the other entities, on
    one core); a load given it builds the batches in those processes (``BatchBuilders``),
    else ``close`` stops them. Batch ``k`` is made by worker ``k % workers``, as it is built."""

    def __init__(self, source: CertificateSource, workers: int) -> None:
        if workers < 1:
            raise ValueError("batches are prepared by one worker process at least")
        self.source = source
        self.pools = _pools(workers, _start_source, source)
        ahead = 0
        for number, size in enumerate(source.sizes()):
            ahead += size
            if ahead > _PREPARED_AHEAD * len(self.pools):
                break
            self.pools[number % len(self.pools)].submit(_prepare, number)

    def sizes(self) -> Sequence[int]:
        return self.source.sizes()

    def batch(self, number: int) -> CertificateBatch:
        return self.source.batch(number)

    def kept_of(self, certificates: Sequence[Certificate]) -> list[Certificate]:
        return self.source.kept_of(certificates)

    def keep(self, kept: list[Certificate]) -> None:
        self.source.keep(kept)

    def close(self) -> None:
        for pool in self.pools:
            pool.shutdown(wait=False, cancel_futures=True)


class BatchBuilders:
    """Builds batches with ``workers`` processes (0: in this one), batch ``k`` by worker
    ``k % workers``, or with the processes of ``prepared``; ``close`` stops them."""

    def __init__(
        self, context: BatchContext, workers: int, prepared: PreparedBatches | None = None
    ) -> None:
        self._plans: Iterator[tuple[int | CertificateBatch, int, int, int]] = iter(())
        self._pending: deque[tuple[Future[BuiltBatch], int]] = deque()  # with its size
        self._ahead = 0  # certificates in the pending batches
        self._submitted = 0
        if prepared is not None:
            self._local, self._pools = None, prepared.pools
            for pool in self._pools:  # after the batches it is making
                pool.submit(_start, context)
        else:
            self._local = BatchWork(context) if workers <= 0 else None
            self._pools = _pools(workers, _start, context)

    def start(
        self, batches: Iterable[tuple[int | CertificateBatch, int]], first_id: int, first_seq: int
    ) -> None:
        """Take ``batches`` (each by number or itself, with its size): batch ``k`` gets the
        ids and seqs after those of the batches before it. The workers start on the first
        ones at once, while the loading process builds what comes before them."""
        self._plans = self._planned(batches, first_id, first_seq)
        if self._pools:
            self._top_up()

    def _planned(
        self, batches: Iterable[tuple[int | CertificateBatch, int]], first_id: int, first_seq: int
    ) -> Iterator[tuple[int | CertificateBatch, int, int, int]]:
        for batch, size in batches:
            yield batch, first_id, first_seq, size
            first_id += 2 * size  # its certificates, then their first steps
            first_seq += size

    def _top_up(self) -> None:
        while not self._pending or self._ahead < len(self._pools) * _AHEAD:
            plan = next(self._plans, None)
            if plan is None:
                return
            batch, first_id, first_seq, size = plan
            pool = self._pools[self._submitted % len(self._pools)]
            self._pending.append((pool.submit(_build, batch, first_id, first_seq), size))
            self._submitted += 1
            self._ahead += size

    def built(self) -> Iterator[BuiltBatch]:
        """The batches built, in order."""
        if self._local is not None:
            for batch, first_id, first_seq, _ in self._plans:
                yield self._local.build(batch, first_id, first_seq)
            return
        while self._pending:
            future, size = self._pending.popleft()
            done = future.result()
            self._ahead -= size
            self._top_up()
            yield done

    def added(self) -> list[tuple[Buckets, CertificateCredit | None]]:
        """The region tallies and credit counts each worker added up."""
        if self._local is not None:
            return [(self._local.buckets, self._local.credit)]
        return [pool.submit(_added).result() for pool in self._pools]

    def close(self) -> None:
        for pool in self._pools:
            pool.shutdown(wait=False, cancel_futures=True)
