"""Supervision plans for the GraphStore port, written once over the shared catalogue."""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date

from graph.changelog import ChangeDraft, utc_now
from graph.cypher import credit as credit_cypher
from graph.cypher import supervision as supervision_cypher
from graph.errors import Conflict, GraphError
from graph.log_models import WriteResult
from graph.mapping import from_row
from graph.models import CreditEvent, SupervisionPlan

__all__ = ["SupervisionQueries"]

_Row = dict[str, object]
# What a logged write's check is given: a read within the write (graph.cypher_store.base).
_Read = Callable[[str, Mapping[str, object]], Awaitable[list[_Row]]]


class SupervisionQueries(abc.ABC):
    """Mixed into CypherStore: store a drawn plan, read plans and the results entered for them."""

    @abc.abstractmethod
    async def _query(
        self, name: str, statement: str, params: Mapping[str, object]
    ) -> list[_Row]: ...

    @abc.abstractmethod
    async def _logged(
        self,
        name: str,
        statement: str,
        rows: list[_Row],
        drafts: list[ChangeDraft],
        *,
        actor: str,
        check: Callable[[_Read], Awaitable[None]] | None = None,
    ) -> WriteResult: ...

    async def store_supervision_plan(
        self, plan: SupervisionPlan, *, actor: str, alone_in: Sequence[str] = ()
    ) -> WriteResult:
        """Keep ``plan`` (keyed by its digest) covering its region, in one logged write;
        Conflict when a plan of its day covers one of ``alone_in``, checked as it lands."""
        props: _Row = {
            "id": plan.id,
            "region": plan.region,
            "date": plan.date.isoformat(),
            "seed": plan.seed,
            "rates": plan.rates,
            "canonical": plan.canonical,
            "createdAt": plan.created_at or utc_now(),
        }
        public = {"region": plan.region, "date": props["date"], "seed": plan.seed}
        draft = ChangeDraft("SupervisionPlan", plan.id, "UPSERT", public)

        async def check(read: _Read) -> None:
            if not alone_in:
                return
            found = await read(
                supervision_cypher.PLANS_OF_DAY,
                {"date": props["date"], "regions": list(alone_in)},
            )
            if found:
                raise Conflict(f"{found[0]['region']} was drawn on {props['date']}")

        return await self._logged(
            "store_supervision_plan",
            supervision_cypher.STORE_SUPERVISION_PLAN,
            [{"id": plan.id, "props": props}],
            [draft],
            actor=actor,
            check=check,
        )

    async def get_supervision_plans(
        self, region: str, *, before: date | None = None, limit: int
    ) -> list[SupervisionPlan]:
        """Plans covering ``region`` (dated before ``before``, when given), newest first."""
        params: _Row = {
            "region": region,
            "before": None if before is None else before.isoformat(),
            "limit": limit,
        }
        rows = await self._query(
            "get_supervision_plans", supervision_cypher.SUPERVISION_PLANS, params
        )
        return [_plan(row) for row in rows]

    async def get_supervision_plans_by_id(self, ids: Sequence[str]) -> list[SupervisionPlan]:
        rows = await self._query(
            "get_supervision_plans_by_id",
            supervision_cypher.SUPERVISION_PLANS_BY_ID,
            {"keys": list(ids)},
        )
        return [_plan(row) for row in rows]

    async def get_plan_results(self, ids: Sequence[str]) -> list[CreditEvent]:
        rows = await self._query(
            "get_plan_results", credit_cypher.PLAN_RESULTS, {"keys": list(ids)}
        )
        return [from_row(CreditEvent, row) for row in rows]


def _plan(row: _Row) -> SupervisionPlan:
    seed = row["seed"]
    if not isinstance(seed, int):
        raise GraphError(f"expected an integer seed from the store, got {type(seed).__name__}")
    return SupervisionPlan(
        id=str(row["id"]),
        region=str(row["region"]),
        date=date.fromisoformat(str(row["date"])),
        seed=seed,
        rates=str(row["rates"]),
        canonical=str(row["canonical"]),
        created_at=str(row["createdAt"]),
    )
