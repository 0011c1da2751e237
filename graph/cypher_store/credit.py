"""Credit records for the GraphStore port: association ratings, credit events and service
evaluations, read and written (complaints are in ``complaints``)."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from typing import Any

from graph.changelog import ChangeDraft
from graph.cypher import credit as credit_cypher
from graph.cypher_store.base import Reader, ReferenceCheck, Row, _require
from graph.errors import Conflict
from graph.log_models import WriteGuard, WriteResult
from graph.mapping import from_row, to_props
from graph.models import CreditEvent, CreditRating, ServiceEvaluation

__all__ = ["CreditQueries"]


class CreditQueries(abc.ABC):
    """Mixed into CypherStore: ratings, credit events and service evaluations."""

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
        guard: WriteGuard | None = None,
    ) -> WriteResult: ...

    async def get_credit_ratings_of(self, usccs: Sequence[str]) -> list[CreditRating]:
        rows = await self._query(
            "get_credit_ratings_of", credit_cypher.CREDIT_RATINGS_OF, {"keys": list(usccs)}
        )
        return [from_row(CreditRating, row) for row in rows]

    async def get_credit_events_of(self, usccs: Sequence[str]) -> list[CreditEvent]:
        rows = await self._query(
            "get_credit_events_of", credit_cypher.CREDIT_EVENTS_OF, {"keys": list(usccs)}
        )
        return [from_row(CreditEvent, row) for row in rows]

    async def get_service_evaluations(self, ids: Sequence[str]) -> list[ServiceEvaluation]:
        rows = await self._query(
            "get_service_evaluations", credit_cypher.SERVICE_EVALUATIONS, {"keys": list(ids)}
        )
        return [from_row(ServiceEvaluation, row) for row in rows]

    async def get_service_evaluations_of(
        self, usccs: Sequence[str], *, since: str, until: str
    ) -> list[ServiceEvaluation]:
        rows = await self._query(
            "get_service_evaluations_of",
            credit_cypher.SERVICE_EVALUATIONS_OF,
            {"keys": list(usccs), "since": since, "until": until},
        )
        return [from_row(ServiceEvaluation, row) for row in rows]

    async def publish_credit_ratings(
        self, ratings: Sequence[CreditRating], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        rows, drafts = _upserts("CreditRating", ratings)

        async def check(read: Reader) -> None:
            await _require(
                read,
                "Institution",
                {r.association for r in ratings} | {r.institution for r in ratings},
            )
            await _refuse_takeovers(
                read,
                credit_cypher.RATING_OWNERS,
                {
                    r.id: {"association": r.association, "institution": r.institution}
                    for r in ratings
                },
                "another association's or institution's rating",
            )

        return await self._logged(
            "publish_credit_ratings",
            credit_cypher.PUBLISH_CREDIT_RATINGS,
            rows,
            drafts,
            actor=actor,
            guard=guard,
            check=check,
        )

    async def record_credit_events(
        self, events: Sequence[CreditEvent], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        rows, drafts = _upserts("CreditEvent", events)

        async def check(read: Reader) -> None:
            await _require(read, "Institution", {e.institution for e in events})
            await _require(read, "SupervisionPlan", {e.plan for e in events if e.plan})
            # Moved to another institution, the event would stay on the first one too
            # (its edge is merged, not replaced), and the first one's score and class with it:
            # a record found against the wrong institution is repaired, and one recorded anew.
            await _refuse_takeovers(
                read,
                credit_cypher.EVENT_OWNERS,
                {e.id: {"institution": e.institution} for e in events},
                "a credit event of another institution",
            )

        return await self._logged(
            "record_credit_events",
            credit_cypher.RECORD_CREDIT_EVENTS,
            rows,
            drafts,
            actor=actor,
            guard=guard,
            check=check,
        )

    async def record_service_evaluations(
        self,
        evaluations: Sequence[ServiceEvaluation],
        *,
        actor: str,
        guard: WriteGuard | None = None,
    ) -> WriteResult:
        rows, drafts = _upserts("ServiceEvaluation", evaluations)
        # The feed is for partners; the forms name the enterprises that answered, which only
        # regulators read, so the change carries the scores without who gave them or why.
        drafts = [
            ChangeDraft(
                d.entity,
                d.key,
                d.op,
                {k: v for k, v in d.data.items() if k not in ("evaluator", "comment")},
            )
            for d in drafts
        ]

        async def check(read: Reader) -> None:
            await _require(read, "Institution", {v.institution for v in evaluations})
            await _refuse_takeovers(
                read,
                credit_cypher.EVALUATION_OWNERS,
                {
                    v.id: {"institution": v.institution, "recordedBy": v.recorded_by}
                    for v in evaluations
                },
                "an evaluation of another institution, or recorded by someone else",
            )

        return await self._logged(
            "record_service_evaluations",
            credit_cypher.RECORD_SERVICE_EVALUATIONS,
            rows,
            drafts,
            actor=actor,
            guard=guard,
            check=check,
        )


_STORE_MANAGED = frozenset({"version"})  # the store counts versions; input never sets them


def _upserts(label: str, items: Sequence[Any]) -> tuple[list[Row], list[ChangeDraft]]:
    """Rows keyed by ``id`` with every field as a property, and their change records."""
    props = [to_props(item, exclude=_STORE_MANAGED) for item in items]
    rows: list[Row] = [{"id": item.id, "props": p} for item, p in zip(items, props, strict=True)]
    drafts = [
        ChangeDraft(label, item.id, "UPSERT", p) for item, p in zip(items, props, strict=True)
    ]
    return rows, drafts


async def _refuse_takeovers(
    read: Reader, statement: str, owners: Mapping[str, Mapping[str, object]], what: str
) -> None:
    """An id keeps the owners it was first written with: ``statement`` returns, for the ids
    that exist, ``id`` and the stored owner columns named in ``owners``."""
    stored = await read(statement, {"keys": sorted(owners)})
    taken = sorted(
        str(row["id"])
        for row in stored
        if {column: row[column] for column in owners[str(row["id"])]} != owners[str(row["id"])]
    )
    if taken:
        raise Conflict(f"ids already name {what}: {', '.join(taken)}")
