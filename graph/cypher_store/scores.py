"""Credit scores for the GraphStore port: the inputs a score is computed from, the stored
scores, and the ranking by them."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence

from graph.changelog import ChangeDraft
from graph.cypher import scores as score_cypher
from graph.cypher_store.base import (
    Reader,
    ReferenceCheck,
    Row,
    _list,
    _mapping,
    _present,
    _require,
    as_int,
)
from graph.mapping import from_row, institution_from_row
from graph.models import (
    CreditEvent,
    CreditFacts,
    CreditRating,
    RankedInstitution,
    RankingQuery,
    ServiceEvaluation,
    StoredCredit,
    WriteGuard,
    WriteResult,
)

__all__ = ["MAX_SCORE", "ScoreQueries"]

MAX_SCORE = 100.0
_RANKING_FLOOR_STEPS = (2.0, 8.0, 32.0)


class ScoreQueries(abc.ABC):
    """Mixed into CypherStore: credit inputs, stored scores and rankings."""

    @abc.abstractmethod
    async def _query(
        self, name: str, statement: str, params: Mapping[str, object]
    ) -> list[Row]: ...

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
        at: str | None = None,
        guard: WriteGuard | None = None,
    ) -> WriteResult: ...

    async def get_credit_inputs(
        self, usccs: Sequence[str], *, today: str, evaluated_since: str
    ) -> list[CreditFacts]:
        rows = await self._query(
            "get_credit_inputs",
            score_cypher.CREDIT_INPUTS,
            {"keys": list(usccs), "today": today, "evaluatedSince": evaluated_since},
        )
        return [
            from_row(
                CreditFacts,
                row,
                ratings=tuple(from_row(CreditRating, _mapping(r)) for r in _list(row["ratings"])),
                events=tuple(from_row(CreditEvent, _mapping(e)) for e in _list(row["events"])),
                evaluations=tuple(
                    from_row(ServiceEvaluation, _mapping(v)) for v in _list(row["evaluations"])
                ),
                accredited=bool(row["accredited"]),
                best_service_stars=None
                if row["bestServiceStars"] is None
                else as_int(row["bestServiceStars"]),
            )
            for row in rows
        ]

    async def get_stored_credit(self, usccs: Sequence[str]) -> list[StoredCredit]:
        rows = await self._query(
            "get_stored_credit", score_cypher.STORED_CREDIT, {"keys": list(usccs)}
        )
        return [from_row(StoredCredit, row) for row in rows]

    async def rank_institutions(
        self, query: RankingQuery, *, after: tuple[float, str] | None, limit: int
    ) -> list[RankedInstitution]:
        params: dict[str, object] = {**_ranking_params(query), "limit": limit}
        if after is not None:
            params["afterScore"], params["afterUscc"] = after
        rows = await self._rank_within_floors(params, top=after[0] if after else MAX_SCORE)
        return [
            RankedInstitution(institution_from_row(row), float(row["creditScore"]))  # type: ignore[arg-type]
            for row in rows
        ]

    async def _rank_within_floors(
        self, params: dict[str, object], *, top: float
    ) -> list[dict[str, object]]:
        """A ranking page, tried first among scores close below ``top``.

        Sorting every institution of the country costs ~150 ms at 100k; the range index on
        ``creditScore`` finds the few above a floor in milliseconds. A probe that fills the page
        is exact: everything it left out scores below the floor, so ranks after the page.
        Regions are narrow enough already, and are left to the planner.
        """
        if params["region"] is None:
            for step in _RANKING_FLOOR_STEPS:
                rows = await self._query(
                    "rank_institutions",
                    score_cypher.ranking(_present(params) | {"floor"}, count=False),
                    {**params, "floor": top - step},
                )
                if len(rows) == params["limit"]:
                    return rows
        statement = score_cypher.ranking(_present(params), count=False)
        return await self._query("rank_institutions", statement, params)

    async def count_ranked_before(
        self, query: RankingQuery, *, score: float, uscc: str
    ) -> tuple[int, int]:
        params = {**_ranking_params(query), "atLeast": score, "atUscc": uscc}
        statement = score_cypher.ranking(_present(params), count=True)
        rows = await self._query("count_ranked_before", statement, params)
        if not rows:
            return 0, 0
        return as_int(rows[0]["above"] or 0), as_int(rows[0]["tiedBefore"] or 0)

    async def store_credit(self, scores: Sequence[StoredCredit], *, actor: str) -> WriteResult:
        rows: list[Row] = [
            {
                "uscc": c.uscc,
                "score": c.score,
                "grade": c.grade,
                "factors": c.factors,
                "computedOn": c.computed_on.isoformat(),
                "method": c.method,
            }
            for c in scores
        ]
        drafts = [
            ChangeDraft(
                "Institution",
                c.uscc,
                "CREDIT",
                {k: v for k, v in r.items() if k not in ("uscc", "factors")},
            )
            for c, r in zip(scores, rows, strict=True)
        ]

        async def check(read: Reader) -> None:
            await _require(read, "Institution", {c.uscc for c in scores})

        return await self._logged(
            "store_credit", score_cypher.STORE_CREDIT, rows, drafts, actor=actor, check=check
        )


def _ranking_params(query: RankingQuery) -> dict[str, object]:
    return {
        "region": query.region,
        "kind": query.kind,
        "serviceCategory": query.service_category,
        "today": None if query.today is None else query.today.isoformat(),
    }
