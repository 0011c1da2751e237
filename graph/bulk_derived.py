"""What a bulk load works out for records beyond their own fields: holders' pinyin keys (in
another process, being the slowest part) and a certificate's timeline cache after its steps."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import NamedTuple

from graph.cypher_store.search import holder_key_props
from graph.models import FINAL_STATUSES, ISSUED_REASON, NO_NEXT_STEP, Organization

__all__ = ["KEY_CHUNK", "NO_NEXT", "KeysMeanwhile", "Timeline", "certificate_timeline"]

NO_NEXT = NO_NEXT_STEP.isoformat()
KEY_CHUNK = 5_000  # holders per job of the key process


def _holder_keys(names: list[str]) -> list[dict[str, object]]:
    """The pinyin keys of holders' names (run in a worker process)."""
    return [holder_key_props(name) for name in names]


class KeysMeanwhile:
    """Holders' keys, worked out by one other process from the moment it is made (a core
    the load would otherwise leave idle), taken chunk by chunk; ``close`` stops it."""

    def __init__(self, holders: Sequence[Organization]) -> None:
        self._holders = holders
        self._starts = range(0, len(holders), KEY_CHUNK)
        self._pool: ProcessPoolExecutor | None = None
        self._futures: list[Future[list[dict[str, object]]]] = []
        if len(self._starts) > 1:  # a small load is done before a process would start
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
            self._futures = [self._pool.submit(_holder_keys, self._names(s)) for s in self._starts]

    def _names(self, start: int) -> list[str]:
        return [o.name for o in self._holders[start : start + KEY_CHUNK]]

    def __iter__(self) -> Iterator[tuple[int, list[dict[str, object]]]]:
        for n, start in enumerate(self._starts):
            yield (
                start,
                self._futures[n].result() if self._futures else _holder_keys(self._names(start)),
            )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


class Timeline(NamedTuple):
    """A certificate's columns that its steps decide, in ``_TIMELINE_COLUMNS`` order after
    ``statusReason`` and ``version``."""

    reason: object
    version: int
    status: object
    since: object
    until: object
    step_on: list[object]
    step_seq: list[object]
    step_status: list[object]


def certificate_timeline(
    steps: list[list[object]], day: str, status: str, reason: str | None
) -> Timeline:
    """What the issue and each later status write leave on a certificate, from its steps
    (``[number, status, reason, effectiveOn, recordedAt, actor, seq]``): the step in force
    on the day of the write and the next one's date (graph.cypher.timelines.refresh)."""
    version = len(steps)
    if version == 1:
        on, seqs, statuses = [steps[0][3]], [steps[0][6]], [steps[0][1]]
        return Timeline(reason, 1, status, on[0], NO_NEXT, on, seqs, statuses)
    steps = _unsuperseded(steps)
    on = [s[3] for s in steps]
    seqs = [s[6] for s in steps]
    statuses = [s[1] for s in steps]
    keyed = [(str(s[3]), int(str(s[6])), n) for n, s in enumerate(steps)]
    due = [k for k in keyed if k[0] <= day]
    ahead = [k for k in keyed if k[0] > day]
    upcoming = min(ahead)[0] if ahead else NO_NEXT
    if not due:
        return Timeline(reason, version, status, None, upcoming, on, seqs, statuses)
    in_force = steps[max(due)[2]]
    now_reason = None if in_force[2] == ISSUED_REASON else in_force[2]
    return Timeline(now_reason, version, in_force[1], in_force[3], upcoming, on, seqs, statuses)


def _unsuperseded(steps: list[list[object]]) -> list[list[object]]:
    """The steps no final step supersedes: final ones, and those no final step recorded after
    them takes effect before (graph.cypher.timelines, ``steps``)."""
    finals = [(str(s[3]), int(str(s[6]))) for s in steps if s[1] in FINAL_STATUSES]
    return [
        s
        for s in steps
        if s[1] in FINAL_STATUSES
        or not any(seq > int(str(s[6])) and on < str(s[3]) for on, seq in finals)
    ]
