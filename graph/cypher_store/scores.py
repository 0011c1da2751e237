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
    _mapping,
    _present,
    _require,
    as_int,
)
from graph.errors import GraphError
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

__all__ = ["MAX_SCORE", "UNRATED_SORT", "ScoreQueries"]

MAX_SCORE = 100.0
UNRATED_SORT = -1.0  # the ranking key of the unrated: after every score
_RANKING_FLOOR_STEPS = (2.0, 8.0, 32.0)


class ScoreQueries(abc.ABC):
    """Mixed into CypherStore: credit inputs, stored scores and rankings."""

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
                kinds=tuple(str(k) for k in _list(row["kinds"])),
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
            params["afterSort"], params["afterUscc"] = after
        rows = await self._rank_within_floors(params, top=after[0] if after else MAX_SCORE)
        if query.as_of is not None:
            # Keys replaced after the pinned seq rank as they were then.
            statement = score_cypher.ranking(_present(params), history=True)
            rows = sorted(
                [*rows, *await self._query("rank_institutions_kept", statement, params)],
                key=lambda row: (-float(row["creditSort"]), str(row["uscc"])),  # type: ignore[arg-type]
            )[:limit]
        return [
            RankedInstitution(
                institution_from_row(row),
                None if row["creditScore"] is None else float(row["creditScore"]),  # type: ignore[arg-type]
                float(row["creditSort"]),  # type: ignore[arg-type]
            )
            for row in rows
        ]

    async def _rank_within_floors(
        self, params: dict[str, object], *, top: float
    ) -> list[dict[str, object]]:
        """A ranking page, tried first among keys close below ``top``.

        Sorting every institution of the country costs ~150 ms at 100k; the range index on
        ``creditSort`` finds the few above a floor in milliseconds. A probe that fills the page
        is exact: everything it left out ranks below the floor, so after the page.
        Regions are narrow enough already, and are left to the planner.
        """
        if params["region"] is None:
            for step in _RANKING_FLOOR_STEPS:
                rows = await self._query(
                    "rank_institutions",
                    score_cypher.ranking(_present(params) | {"floor"}),
                    {**params, "floor": top - step},
                )
                if len(rows) == params["limit"]:
                    return rows
        statement = score_cypher.ranking(_present(params))
        return await self._query("rank_institutions", statement, params)

    async def count_ranked(self, query: RankingQuery) -> int:
        params = _ranking_params(query)
        total = 0
        for history in (False, True) if query.as_of is not None else (False,):
            statement = score_cypher.ranking(_present(params), history=history, count=True)
            rows = await self._query("count_ranked", statement, params)
            total += as_int(rows[0]["ranked"] or 0) if rows else 0
        return total

    async def store_credit(self, scores: Sequence[StoredCredit], *, actor: str) -> WriteResult:
        rows: list[Row] = [
            {
                "uscc": c.uscc,
                "score": c.score,
                "grade": c.grade,
                "factors": c.factors,
                "computedOn": c.computed_on.isoformat(),
                "method": c.method,
                "sort": UNRATED_SORT if c.score is None else c.score,
            }
            for c in scores
        ]
        return await self._store_credit_rows("store_credit", rows, actor=actor)

    async def clear_credit(self, usccs: Sequence[str], *, actor: str) -> WriteResult:
        rows: list[Row] = [
            dict.fromkeys(("score", "grade", "factors", "computedOn", "method", "sort"))
            | {"uscc": uscc}
            for uscc in usccs
        ]
        return await self._store_credit_rows("clear_credit", rows, actor=actor)

    async def _store_credit_rows(self, name: str, rows: list[Row], *, actor: str) -> WriteResult:
        drafts = [
            ChangeDraft(
                "Institution",
                str(r["uscc"]),
                "CREDIT",
                {k: v for k, v in r.items() if k not in ("uscc", "factors", "sort")},
            )
            for r in rows
        ]
        keys = {str(r["uscc"]) for r in rows}

        async def check(read: Reader) -> None:
            await _require(read, "Institution", keys)

        return await self._logged(
            name, score_cypher.STORE_CREDIT, rows, drafts, actor=actor, check=check
        )

    async def prune_credit_history(self, *, before: str, chunk: int = 10_000) -> int:
        deleted = 0
        while True:
            rows = await self._housekeeping(
                score_cypher.PRUNE_CREDIT_HISTORY, {"before": before, "limit": chunk}
            )
            count = as_int(rows[0]["deleted"] or 0) if rows else 0
            deleted += count
            if count < chunk:
                return deleted


def _ranking_params(query: RankingQuery) -> dict[str, object]:
    category = bool(query.provider_kinds or query.scope_standards)
    return {
        "region": query.region,
        "kind": query.kind,
        "providerKinds": list(query.provider_kinds) if category else None,
        "scopeStandards": list(query.scope_standards) if category else None,
        "rated": None if query.include_unrated else True,
        "asOf": query.as_of,
    }


def _list(value: object) -> list[object]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise GraphError(f"expected a list from the store, got {type(value).__name__}")
    return list(value)
