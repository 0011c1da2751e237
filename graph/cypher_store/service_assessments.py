"""Service-certification assessments for the GraphStore port, read and written."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence

from graph.changelog import ChangeDraft
from graph.cypher import service_assessments as assessment_cypher
from graph.cypher_store.base import Reader, ReferenceCheck, Row, _require
from graph.log_models import WriteGuard, WriteResult
from graph.mapping import from_row, to_props
from graph.service_models import ServiceAssessment

__all__ = ["ServiceAssessmentQueries"]

_STORE_MANAGED = frozenset({"version"})


class ServiceAssessmentQueries(abc.ABC):
    """Mixed into CypherStore: the assessments behind service certificates' stars."""

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

    async def get_service_assessments(self, numbers: Sequence[str]) -> list[ServiceAssessment]:
        rows = await self._query(
            "get_service_assessments",
            assessment_cypher.SERVICE_ASSESSMENTS,
            {"keys": list(numbers)},
        )
        return [_assessment(row) for row in rows]

    async def record_service_assessments(
        self,
        assessments: Sequence[ServiceAssessment],
        *,
        actor: str,
        guard: WriteGuard | None = None,
    ) -> WriteResult:
        props = [to_props(a, exclude=_STORE_MANAGED) for a in assessments]
        rows: list[Row] = [{"props": p} for p in props]
        drafts = [
            ChangeDraft("ServiceAssessment", a.certificate, "UPSERT", p)
            for a, p in zip(assessments, props, strict=True)
        ]

        async def check(read: Reader) -> None:
            await _require(read, "Certificate", {a.certificate for a in assessments})

        return await self._logged(
            "record_service_assessments",
            assessment_cypher.RECORD_SERVICE_ASSESSMENTS,
            rows,
            drafts,
            actor=actor,
            guard=guard,
            check=check,
        )


def _assessment(row: Row) -> ServiceAssessment:
    """Numbers written as floats may come back as integers (90.0 read as 90)."""
    floats = {
        name: tuple(float(v) for v in row[name])  # type: ignore[attr-defined]
        for name in ("scores", "weights")
    }
    return from_row(
        ServiceAssessment,
        row,
        **floats,
        cpsq=float(str(row["cpsq"])),
        stage1_person_days=float(str(row["stage1PersonDays"])),
        stage2_person_days=float(str(row["stage2PersonDays"])),
    )
