"""Complaints for the GraphStore port: recorded whole (seeds, imports), filed by anyone,
advanced step by step by their regulator, read, and counted for the public summary."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from datetime import date

from graph.changelog import ChangeDraft
from graph.complaint_models import (
    ComplaintAdvance,
    ComplaintStep,
    ComplaintTally,
    ComplaintTallyQuery,
)
from graph.cypher import complaints as complaint_cypher
from graph.cypher_store.base import Reader, ReferenceCheck, Row, _require, as_int
from graph.errors import Conflict
from graph.log_models import WriteGuard, WriteResult
from graph.mapping import from_row, to_props
from graph.models import Complaint

__all__ = ["ComplaintQueries"]

# Never in props: the store counts versions and appends steps itself.
_STORE_MANAGED = frozenset({"version", "steps"})
_FINDINGS = {None: "", True: "true", False: "false"}


class ComplaintQueries(abc.ABC):
    """Mixed into CypherStore: complaints and their lifecycle."""

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

    async def get_complaints_against(self, usccs: Sequence[str]) -> list[Complaint]:
        rows = await self._query(
            "get_complaints_against", complaint_cypher.COMPLAINTS_AGAINST, {"keys": list(usccs)}
        )
        return [_complaint(row) for row in rows]

    async def get_complaints(self, ids: Sequence[str]) -> list[Complaint]:
        rows = await self._query(
            "get_complaints", complaint_cypher.COMPLAINTS_BY_ID, {"keys": list(ids)}
        )
        return [_complaint(row) for row in rows]

    async def get_complaint_tallies(
        self, usccs: Sequence[str], query: ComplaintTallyQuery
    ) -> list[ComplaintTally]:
        params = {
            "keys": list(usccs),
            "day": query.day.isoformat(),
            "open": list(query.open_statuses),
            "handling": list(query.handling),
            "filedBefore": query.filed_before.isoformat(),
            "acceptedBefore": query.accepted_before.isoformat(),
        }
        rows = await self._query(
            "get_complaint_tallies", complaint_cypher.COMPLAINT_TALLIES, params
        )
        return [
            ComplaintTally(
                institution=str(row["institution"]),
                year=int(str(row["year"])),
                received=as_int(row["received"]),
                open=as_int(row["open"]),
                overdue=as_int(row["overdue"]),
                substantiated=as_int(row["substantiated"]),
            )
            for row in rows
        ]

    async def record_complaints(
        self, complaints: Sequence[Complaint], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        rows: list[Row] = [
            {"id": c.id, "props": to_props(c, exclude=_STORE_MANAGED)} for c in complaints
        ]

        async def check(read: Reader) -> None:
            await _require(read, "Institution", {c.against for c in complaints})
            await _require(
                read, "Certificate", {c.certificate for c in complaints if c.certificate}
            )

        return await self._logged(
            "record_complaints",
            complaint_cypher.RECORD_COMPLAINTS,
            rows,
            [_draft(c.id, c.against, c.status) for c in complaints],
            actor=actor,
            guard=guard,
            check=check,
        )

    async def file_complaints(
        self, complaints: Sequence[Complaint], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        """Create complaints with their first step (``steps[0]``); an existing id is a
        Conflict."""
        rows: list[Row] = [
            {
                "id": c.id,
                "props": to_props(c, exclude=_STORE_MANAGED),
                "step": _step_props(c.steps[0]),
            }
            for c in complaints
        ]

        async def check(read: Reader) -> None:
            await _require(read, "Institution", {c.against for c in complaints})
            await _require(
                read, "Certificate", {c.certificate for c in complaints if c.certificate}
            )
            taken = await read(
                complaint_cypher.COMPLAINTS_BY_ID, {"keys": [c.id for c in complaints]}
            )
            if taken:
                raise Conflict(f"complaint ids taken: {', '.join(str(r['id']) for r in taken)}")

        return await self._logged(
            "file_complaints",
            complaint_cypher.FILE_COMPLAINTS,
            rows,
            [_draft(c.id, c.against, c.status) for c in complaints],
            actor=actor,
            guard=guard,
            check=check,
        )

    async def advance_complaints(
        self,
        advances: Sequence[ComplaintAdvance],
        *,
        against: Mapping[str, str],
        actor: str,
        guard: WriteGuard | None = None,
    ) -> WriteResult:
        """Append each advance's step and set what it changes; ``against`` names each
        complaint's institution for its change record."""
        rows: list[Row] = [
            {
                "id": a.id,
                "props": _advance_props(a),
                "step": _step_props(a.step),
            }
            for a in advances
        ]

        async def check(read: Reader) -> None:
            await _require(read, "Complaint", {a.id for a in advances})

        return await self._logged(
            "advance_complaints",
            complaint_cypher.ADVANCE_COMPLAINTS,
            rows,
            [_draft(a.id, against[a.id], a.step.status) for a in advances],
            actor=actor,
            guard=guard,
            check=check,
        )


def _draft(key: str, against: str, status: str) -> ChangeDraft:
    """The feed says whom a complaint is against and its status: never its details, its
    complainant's contact or its reasons (and only to those who may read complaints)."""
    return ChangeDraft("Complaint", key, "UPSERT", {"against": against, "status": status})


def _step_props(step: ComplaintStep) -> Row:
    return {
        "status": step.status,
        "on": step.on.isoformat(),
        "actor": step.actor,
        "reason": step.reason or "",
        "finding": _FINDINGS[step.substantiated],
    }


def _advance_props(advance: ComplaintAdvance) -> Row:
    props: Row = {"status": advance.step.status}
    given: dict[str, object] = {
        "acceptedOn": advance.accepted_on,
        "closedOn": advance.closed_on,
        "substantiated": advance.substantiated,
        "resolution": advance.resolution,
    }
    for name, value in given.items():
        if value is not None:
            props[name] = value.isoformat() if isinstance(value, date) else value
    return props


def _complaint(row: Row) -> Complaint:
    return from_row(Complaint, row, steps=_steps(row))


def _steps(row: Row) -> tuple[ComplaintStep, ...]:
    def column(name: str) -> list[object]:
        value = row.get(name)
        return list(value) if isinstance(value, list | tuple) else []

    statuses = column("stepStatus")
    ons, actors, reasons = column("stepOn"), column("stepActor"), column("stepReason")
    findings, ats = column("stepFinding"), column("stepAt")
    return tuple(
        ComplaintStep(
            status=str(statuses[i]),
            on=date.fromisoformat(str(ons[i])),
            actor=str(actors[i]),
            reason=str(reasons[i]) or None,
            substantiated={"true": True, "false": False}.get(str(findings[i])),
            recorded_at=str(ats[i]),
        )
        for i in range(len(statuses))
    )
