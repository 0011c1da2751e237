"""Disputes and data-quality counts for the GraphStore port, over the shared catalogue."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from datetime import date

from graph.changelog import ChangeDraft
from graph.cypher import data_quality as quality_cypher
from graph.cypher import disputes as dispute_cypher
from graph.cypher_store.base import Reader, ReferenceCheck, Row, _require, as_int
from graph.dispute_models import DataQualityCounts, Dispute, IssueGroup
from graph.errors import Conflict, NotFound
from graph.log_models import WriteGuard, WriteResult
from graph.mapping import from_row, to_props

__all__ = ["DisputeQueries"]

# The contact is confidential: kept on the node, never in a change (the feed, the mirror).
_NOT_LOGGED = frozenset({"contact"})
_LABELS = {
    "CERTIFICATE": "Certificate",
    "ACCREDITATION": "Accreditation",
    "INSTITUTION": "Institution",
}


class DisputeQueries(abc.ABC):
    """Mixed into CypherStore: file and answer disputes, read them, count data quality."""

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

    async def file_dispute(self, dispute: Dispute, *, actor: str) -> WriteResult:
        """Keep a new dispute about an existing record (NotFound when it does not exist)."""
        props = to_props(dispute, exclude=frozenset({"version"}))
        logged = {k: v for k, v in props.items() if k not in _NOT_LOGGED}

        async def check(read: Reader) -> None:
            await _require(read, _LABELS[dispute.entity], {dispute.key})

        return await self._logged(
            "file_dispute",
            dispute_cypher.FILE_DISPUTE[dispute.entity],
            [{"id": dispute.id, "props": props}],
            [ChangeDraft("Dispute", dispute.id, "FILE", logged)],
            actor=actor,
            check=check,
        )

    async def answer_dispute(
        self,
        dispute_id: str,
        *,
        status: str,
        answer: str,
        answered_by: str,
        answered_on: date,
        actor: str,
    ) -> WriteResult:
        """Close an open dispute (Conflict when it was answered already, NotFound when there
        is none), checked against the head the write claims, so two answers cannot both land."""
        props: Row = {
            "status": status,
            "answer": answer,
            "answeredBy": answered_by,
            "answeredOn": answered_on.isoformat(),
        }

        async def check(read: Reader) -> None:
            rows = await read(dispute_cypher.DISPUTE_STATUS, {"id": dispute_id})
            if not rows:
                raise NotFound(f"unknown Dispute: {dispute_id}", label="Dispute", keys=[dispute_id])
            if rows[0]["status"] != "OPEN":
                raise Conflict(f"dispute {dispute_id} is closed ({rows[0]['status']})")

        return await self._logged(
            "answer_dispute",
            dispute_cypher.ANSWER_DISPUTE,
            [{"id": dispute_id, "props": props}],
            [ChangeDraft("Dispute", dispute_id, "ANSWER", props)],
            actor=actor,
            check=check,
        )

    async def get_disputes(self, ids: Sequence[str]) -> list[Dispute]:
        rows = await self._query("get_disputes", dispute_cypher.DISPUTES_BY_ID, {"keys": list(ids)})
        return [from_row(Dispute, row) for row in rows]

    async def get_disputes_of(self, usccs: Sequence[str]) -> list[Dispute]:
        rows = await self._query(
            "get_disputes_of", dispute_cypher.DISPUTES_OF, {"keys": list(usccs)}
        )
        return [from_row(Dispute, row) for row in rows]

    async def get_data_quality_counts(
        self, usccs: Sequence[str], *, since: date, late_after_days: int
    ) -> list[DataQualityCounts]:
        """One row per issuer asked for (zeros where there is nothing to count), from three
        aggregations over the batch."""
        keys = list(dict.fromkeys(usccs))
        counted: dict[str, dict[str, int]] = {key: {} for key in keys}
        for name, statement, params in (
            ("certificates", quality_cypher.CERTIFICATE_COUNTS, {"since": since.isoformat()}),
            ("lags", quality_cypher.STATUS_LAGS, {"lateAfterDays": late_after_days}),
            ("disputes", quality_cypher.DISPUTE_COUNTS, {}),
        ):
            rows = await self._query(
                f"get_data_quality_counts.{name}", statement, {"keys": keys, **params}
            )
            for row in rows:
                counted[str(row["uscc"])] |= {
                    column: as_int(value) for column, value in row.items() if column != "uscc"
                }
        return [from_row(DataQualityCounts, {"uscc": key, **counted[key]}) for key in keys]

    async def get_issue_groups(self, usccs: Sequence[str], *, since: date) -> list[IssueGroup]:
        rows = await self._query(
            "get_issue_groups",
            quality_cypher.ISSUE_GROUPS,
            {"keys": list(usccs), "since": since.isoformat()},
        )
        return [from_row(IssueGroup, row) for row in rows]
