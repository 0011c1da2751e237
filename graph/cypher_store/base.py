"""The core every CypherStore area mixin runs on: row types, timing and the change-log protocol.

A backend supplies three primitives: ``_read`` (one statement, rows as dicts), ``_write``
(run a planned write atomically against the current change head) and ``_ensure_schema``.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from graph.bulk_data import BulkData, BulkReport
from graph.changelog import ChangeDraft, chain_changes, utc_now
from graph.cypher import changes as change_cypher
from graph.cypher.lookup import MISSING, VERSIONS
from graph.dialects import Dialect
from graph.errors import AlreadyApplied, GraphError, NotFound, StaleVersion
from graph.log_models import APPLIED, Change, ChangeHead, IdempotencyRecord, WriteGuard, WriteResult
from graph.mapping import from_row, to_props
from graph.port import MAX_WRITE_BATCH
from graph.snapshot_queries import prior_documents

__all__ = [
    "PING",
    "CypherStoreBase",
    "PlannedWrite",
    "Reader",
    "ReferenceCheck",
    "Row",
    "WritePlan",
    "as_int",
    "upgrade_once",
]

Row = dict[str, object]
PING = "RETURN 1 AS one"


class Reader(Protocol):
    """Runs one read statement; inside a write it reads within that write's transaction."""

    async def __call__(self, statement: str, params: Mapping[str, object]) -> list[Row]: ...


@dataclass(frozen=True, slots=True)
class PlannedWrite:
    statement: str
    params: dict[str, object]
    changes: list[Change]


WritePlan = Callable[[Reader, ChangeHead], Awaitable[PlannedWrite]]
ReferenceCheck = Callable[[Reader], Awaitable[None]]
_UPGRADE_CHUNK = 1000


class CypherStoreBase(abc.ABC):
    """The core the area mixins run on: backend primitives, timing, and the logged write."""

    dialect: Dialect

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        # Told each call's name and seconds (the app's metrics); None: nobody listens.
        self.observer: Callable[[str, float], None] | None = None

    @contextlib.contextmanager
    def _timed(self, name: str) -> Iterator[None]:
        """Count a store call and tell the observer how long it took."""
        self.calls[name] += 1
        started = time.perf_counter()
        try:
            yield
        finally:
            if self.observer is not None:
                self.observer(name, time.perf_counter() - started)

    # backend primitives ---------------------------------------------------------------------
    @abc.abstractmethod
    async def _read(self, statement: str, params: Mapping[str, object]) -> list[Row]: ...

    @abc.abstractmethod
    async def _write(self, plan: WritePlan) -> int: ...

    @abc.abstractmethod
    async def _housekeeping(self, statement: str, params: Mapping[str, object]) -> list[Row]:
        """A write outside the change log, for the store's own bookkeeping (never entities)."""

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def clear(self) -> None: ...

    async def bulk_load(self, data: BulkData, *, actor: str) -> BulkReport | None:
        """No bulk path by default: the caller writes through the port (on Neo4j a national
        first load is ``neo4j-admin database import``, docs/scaling.md)."""
        return None

    async def ping(self) -> bool:
        try:
            await self._read(PING, {})
        except GraphError:
            return False
        return True

    async def _query(self, name: str, statement: str, params: Mapping[str, object]) -> list[Row]:
        with self._timed(name):
            return await self._read(statement, params)

    async def _read_flat(
        self, statement: str, params: Mapping[str, object], floats: frozenset[str] = frozenset()
    ) -> list[Row]:
        """A read whose columns are all strings, integers or nulls (and the named floats):
        a backend may decode such replies faster."""
        return await self._read(statement, params)

    async def _logged(
        self,
        name: str,
        statement: str,
        rows: list[Row],
        drafts: list[ChangeDraft],
        *,
        actor: str,
        check: ReferenceCheck | None = None,
        guard: WriteGuard | None = None,
    ) -> WriteResult:
        """Run one batch as one statement that also appends its hash-chained changes.

        ``check`` and ``guard`` run against the change head the statement then claims, so
        what they saw is still true when the batch lands (or it is planned again)."""
        if not rows:
            return WriteResult(written=0, first_seq=0, last_seq=0)
        if len(rows) > MAX_WRITE_BATCH:
            raise GraphError(f"a write batch holds at most {MAX_WRITE_BATCH} rows")

        async def plan(read: Reader, head: ChangeHead) -> PlannedWrite:
            if guard is not None:
                await _check_replay(read, guard)
            if check is not None:
                await check(read)  # before the versions: a refused write learns no version
            if guard is not None:
                await _check_versions(read, guard, drafts)
            # Stamped once the head is claimed: a change's time never precedes the one before it.
            changes = chain_changes(head, drafts, actor=actor, at=utc_now())
            priors = await prior_documents(read, drafts)
            planned_rows = [
                {**row, "change": _change_props(change, prior)}
                for row, change, prior in zip(rows, changes, priors, strict=True)
            ]
            params: dict[str, object] = {
                "rows": planned_rows,
                "expectedSeq": head.seq,
                "lastSeq": changes[-1].seq,
                "lastHash": changes[-1].hash,
                "idempotency": _claims(guard, changes),
            }
            return PlannedWrite(statement, params, changes)

        async def write() -> WriteResult:
            first_seq = await self._write(plan)
            return WriteResult(
                written=len(rows),
                first_seq=first_seq,
                last_seq=first_seq + len(rows) - 1,
                keys=tuple(d.key for d in drafts),
            )

        # Once started, a write runs to its end: cancelled while its statement was on the
        # wire, the statement would land all the same, unreported and without its digests
        # (graph.written_documents). The caller is cancelled; the write is not.
        landing = asyncio.ensure_future(write())
        started = APPLIED.get()
        if started is not None:
            started.append(landing)
        with self._timed(name):
            return await asyncio.shield(landing)


async def _check_replay(read: Reader, guard: WriteGuard) -> None:
    """Raise AlreadyApplied when the idempotency key is live."""
    if guard.idempotency is not None:
        rows = await read(
            change_cypher.IDEMPOTENCY_RECORD, {"key": guard.idempotency.key, "now": utc_now()}
        )
        if rows:
            raise AlreadyApplied(from_row(IdempotencyRecord, rows[0]))


async def _check_versions(read: Reader, guard: WriteGuard, drafts: Sequence[ChangeDraft]) -> None:
    """Raise StaleVersion when an expected version is not the stored one."""
    expected = guard.expected_versions
    if expected:
        rows = await read(VERSIONS[drafts[0].entity], {"keys": sorted(expected)})
        stored = {str(row["key"]): as_int(row["version"]) for row in rows}
        stale = {k: (v, stored[k]) for k, v in expected.items() if stored.get(k) != v}
        if stale:
            raise StaleVersion(stale)


def _change_props(change: Change, prior: str | None) -> Row:
    """The Change node's properties: the entry, and the document it replaced when kept."""
    props = to_props(change)
    if prior is not None:
        props["prior"] = prior
    return props


def _claims(guard: WriteGuard | None, changes: Sequence[Change]) -> list[Row]:
    """The idempotency record the write keeps, as the statement's ``$idempotency`` list."""
    if guard is None or guard.idempotency is None:
        return []
    claim = guard.idempotency
    return [
        {
            "key": claim.key,
            "fingerprint": claim.fingerprint,
            "operation": claim.operation,
            "expiresAt": claim.expires_at,
            "createdAt": changes[0].at,
            "written": len(changes),
            "firstSeq": changes[0].seq,
            "lastSeq": changes[-1].seq,
            "keys": [change.key for change in changes],
        }
    ]


async def _require(read: Reader, label: str, keys: set[str]) -> None:
    """Raise NotFound naming every key of ``label`` that does not exist."""
    if not keys:
        return
    rows = await read(MISSING[label], {"keys": sorted(keys)})
    missing = sorted(str(key) for key in rows[0]["missing"]) if rows else []  # type: ignore[attr-defined]
    if missing:
        raise NotFound(f"unknown {label}: {', '.join(missing)}", label=label, keys=missing)


def _mapping(value: object) -> Row:
    if not isinstance(value, Mapping):
        raise GraphError(f"expected a map from the store, got {type(value).__name__}")
    return dict(value)


def _list(value: object) -> list[object]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise GraphError(f"expected a list from the store, got {type(value).__name__}")
    return list(value)


def _present(params: Mapping[str, object]) -> frozenset[str]:
    return frozenset(name for name, value in params.items() if value is not None)


def as_int(value: object) -> int:
    if isinstance(value, int | float):
        return int(value)
    raise GraphError(f"expected a number from the store, got {type(value).__name__}")


async def upgrade_once(
    run: Reader,
    marks: tuple[str, str],
    statements: Sequence[str],
    params: Mapping[str, object] | None = None,
    *,
    chunk: int = _UPGRADE_CHUNK,
) -> int:
    """Upgrade what an older version wrote, once per store, and say how many records.

    ``marks`` reads (``done``) and sets the change counter's mark of this upgrade; each of
    ``statements`` upgrades up to ``$limit`` records (returning ``upgraded``) and runs until
    it finds fewer, so every run is bounded however large the store."""
    marked = await run(marks[0], {})
    if marked and marked[0]["done"]:
        return 0
    upgraded = 0
    for statement in statements:
        while True:
            found = await run(statement, {**(params or {}), "limit": chunk})
            done = as_int(found[0]["upgraded"]) if found else 0
            upgraded += done
            if done < chunk:
                break
    await run(marks[1], {})
    return upgraded
