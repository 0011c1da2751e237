"""Status steps of accreditations and institutions for the GraphStore port, and the upgrade
of stores written before timelines were kept (certificates' steps are in ``certificates``)."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from datetime import date

from graph.changelog import ChangeDraft
from graph.clock import registry_today
from graph.cypher import institutions as institution_cypher
from graph.cypher.timelines import (
    DUE_IN_FORCE,
    IN_FORCE,
    STILL_DUE,
    UPGRADE,
    UPGRADE_DONE,
    UPGRADED,
)
from graph.cypher_store.base import Reader, ReferenceCheck, Row, _require, upgrade_once
from graph.errors import Conflict, GraphError
from graph.log_models import WriteGuard, WriteResult
from graph.models import StatusChange
from graph.port import MAX_WRITE_BATCH

__all__ = ["TimelineQueries"]

_RACES = 5  # batches a look may lose to other processes bringing the same steps into force


class TimelineQueries(abc.ABC):
    """Mixed into CypherStore: accreditation and institution status steps."""

    @abc.abstractmethod
    async def _query(
        self, name: str, statement: str, params: Mapping[str, object]
    ) -> list[Row]: ...

    @abc.abstractmethod
    async def _housekeeping(self, statement: str, params: Mapping[str, object]) -> list[Row]: ...

    @abc.abstractmethod
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
    ) -> WriteResult: ...

    async def change_accreditation_statuses(
        self, changes: Sequence[StatusChange], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        rows = _step_rows(changes)
        for row, step in zip(rows, changes, strict=True):
            row["scopeAdded"] = list(step.scope_added)
            row["scopeRemoved"] = list(step.scope_removed)
        return await self._steps(
            "change_accreditation_statuses",
            "Accreditation",
            institution_cypher.CHANGE_ACCREDITATION_STATUSES,
            rows,
            actor=actor,
            guard=guard,
        )

    async def change_institution_statuses(
        self, changes: Sequence[StatusChange], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        return await self._steps(
            "change_institution_statuses",
            "Institution",
            institution_cypher.CHANGE_INSTITUTION_STATUSES,
            _step_rows(changes),
            actor=actor,
            guard=guard,
        )

    async def _steps(
        self,
        name: str,
        label: str,
        statement: str,
        rows: list[Row],
        *,
        actor: str,
        guard: WriteGuard | None,
    ) -> WriteResult:
        drafts = [
            ChangeDraft(label, str(row["number"]), "STATUS", {k: v for k, v in row.items()})
            for row in rows
        ]
        day = registry_today().isoformat()  # the day whose step the node caches and exports

        async def check(read: Reader) -> None:
            await _require(read, label, {str(row["number"]) for row in rows})

        return await self._logged(
            name,
            statement,
            [{**row, "day": day} for row in rows],
            drafts,
            actor=actor,
            guard=guard,
            check=check,
        )

    async def bring_steps_into_force(self, day: date, *, actor: str) -> int:
        on = day.isoformat()
        written = 0
        for label, statement in IN_FORCE.items():
            previous: list[str] = []
            raced = 0
            while True:
                rows = await self._query(
                    "due_in_force", DUE_IN_FORCE[label], {"day": on, "limit": MAX_WRITE_BATCH}
                )
                keys = [str(row["key"]) for row in rows]
                if not keys:
                    break
                if keys == previous:  # written, yet still due: never loop on it
                    raise GraphError(f"{label} {keys[0]} stays due after its step was written")
                try:
                    written += await self._in_force(label, statement, keys, on, actor=actor)
                except Conflict:  # another process wrote some of them first: read again
                    raced += 1
                    if raced > _RACES:
                        raise
                    continue
                previous = keys
        return written

    async def _in_force(
        self, label: str, statement: str, keys: list[str], on: str, *, actor: str
    ) -> int:
        """One batch of IN_FORCE changes, refused (Conflict) unless every record is still
        due at the head the write claims: two processes never write one step twice."""

        async def check(read: Reader) -> None:
            due = await read(STILL_DUE[label], {"keys": keys, "day": on})
            if len(due) != len(keys):
                raise Conflict(f"steps of {label} records were brought into force meanwhile")

        drafts = [ChangeDraft(label, k, "IN_FORCE", {"number": k, "day": on}) for k in keys]
        rows: list[Row] = [{"key": k, "day": on} for k in keys]
        result = await self._logged(
            "bring_steps_into_force", statement, rows, drafts, actor=actor, check=check
        )
        return result.written

    async def _upgrade_timelines(self) -> int:
        """Give records written before timelines were kept their first step and their cache
        (idempotent, in bounded chunks; nothing to do on a store written since)."""
        return await upgrade_once(
            self._housekeeping,
            (UPGRADED, UPGRADE_DONE),
            list(UPGRADE.values()),
            {"day": registry_today().isoformat()},
        )


def _step_rows(changes: Sequence[StatusChange]) -> list[Row]:
    return [
        {
            "number": s.number,
            "status": s.status,
            "reason": s.reason,
            "effectiveOn": s.effective_on.isoformat(),
        }
        for s in changes
    ]
