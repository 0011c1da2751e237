"""Certificates for the GraphStore port: reads, listings, verification, and their issue and
status writes."""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Mapping, Sequence

from graph.changelog import ChangeDraft
from graph.clock import registry_today
from graph.cypher import certificates as certificate_cypher
from graph.cypher_store.base import (
    Reader,
    ReferenceCheck,
    Row,
    _list,
    _mapping,
    _present,
    _require,
    as_int,
    upgrade_once,
)
from graph.dialects import Dialect
from graph.errors import Conflict
from graph.log_models import WriteGuard, WriteResult
from graph.mapping import from_row, institution_from_row, to_props
from graph.models import (
    ISSUED_REASON,
    Accreditation,
    Certificate,
    CertificateQuery,
    Organization,
    StatusChange,
    VerificationFacts,
)

__all__ = ["CERTIFICATE_KEPT", "CertificateQueries"]


# Each run of the upgrade scans the withdrawal steps again: few, large runs.
_WITHDRAWALS_CHUNK = 10_000


class CertificateQueries(abc.ABC):
    """Mixed into CypherStore: certificates, their verification facts and status histories."""

    dialect: Dialect

    @abc.abstractmethod
    async def _query(
        self, name: str, statement: str, params: Mapping[str, object]
    ) -> list[Row]: ...

    @abc.abstractmethod
    async def _read_flat(
        self, statement: str, params: Mapping[str, object], floats: frozenset[str] = frozenset()
    ) -> list[Row]: ...

    @abc.abstractmethod
    def _timed(self, name: str) -> contextlib.AbstractContextManager[None]: ...

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

    async def _upgrade_withdrawals(self) -> int:
        """Give certificates withdrawn before the ``WITHDREW`` edge was kept their edge
        (idempotent, in bounded chunks; nothing to do on a store written since)."""
        return await upgrade_once(
            self._housekeeping,
            (certificate_cypher.WITHDRAWALS_KEPT, certificate_cypher.WITHDRAWALS_DONE),
            [certificate_cypher.UPGRADE_WITHDRAWALS],
            chunk=_WITHDRAWALS_CHUNK,
        )

    async def get_certificates(self, numbers: Sequence[str]) -> list[Certificate]:
        with self._timed("get_certificates"):
            rows = await self._read_flat(
                certificate_cypher.GET_CERTIFICATES, {"keys": list(numbers)}
            )
        return _certificates_with_steps(rows)

    async def get_issuers_of_holders(self, holders: Sequence[str]) -> dict[str, frozenset[str]]:
        rows = await self._query(
            "get_issuers_of_holders", certificate_cypher.ISSUERS_OF_HOLDERS, {"keys": list(holders)}
        )
        return {
            str(row["holder"]): frozenset(str(i) for i in _list(row["issuers"])) for row in rows
        }

    async def list_certificates(
        self, query: CertificateQuery, *, after: str | None, limit: int
    ) -> list[Certificate]:
        params = _certificate_params(query, after=after)
        statement = certificate_cypher.certificate_listing(
            _present(params), status=query.status, count=False
        )
        rows = await self._query("list_certificates", statement, {**params, "limit": limit})
        return [from_row(Certificate, row) for row in rows]

    async def count_certificates(self, query: CertificateQuery) -> int:
        params = _certificate_params(query, after=None)
        statement = certificate_cypher.certificate_listing(
            _present(params), status=query.status, count=True
        )
        rows = await self._query("count_certificates", statement, params)
        return as_int(rows[0]["total"])

    async def get_verification_facts(self, numbers: Sequence[str]) -> list[VerificationFacts]:
        rows = await self._query(
            "get_verification_facts",
            certificate_cypher.VERIFICATION_FACTS,
            {"keys": list(numbers)},
        )
        return [
            VerificationFacts(
                certificate=from_row(Certificate, _mapping(row["certificate"])),
                holder=None
                if row["holder"] is None
                else from_row(Organization, _mapping(row["holder"])),
                issuer=None
                if row["issuer"] is None
                else institution_from_row(_mapping(row["issuer"])),
                accreditations=_with_steps(row["accreditations"], row["accreditationSteps"]),
            )
            for row in rows
        ]

    async def get_status_histories(self, numbers: Sequence[str]) -> list[StatusChange]:
        rows = await self._query(
            "get_status_histories", certificate_cypher.STATUS_HISTORIES, {"keys": list(numbers)}
        )
        return [from_row(StatusChange, row) for row in rows]

    async def issue_certificates(
        self, certificates: Sequence[Certificate], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        rows: list[Row] = []
        drafts: list[ChangeDraft] = []
        for c in certificates:
            props = to_props(c, exclude=CERTIFICATE_KEPT)
            initial = {
                "status": c.status,
                "reason": c.status_reason or ISSUED_REASON,
                "effectiveOn": (c.status_since or c.issued_on).isoformat(),
            }
            rows.append(
                {
                    "number": c.number,
                    "props": props,
                    "statusReason": c.status_reason,
                    "history": initial,
                }
            )
            drafts.append(
                ChangeDraft("Certificate", c.number, "ISSUE", {**props, "statusIfNew": initial})
            )

        async def check(read: Reader) -> None:
            await _require(read, "Institution", {c.issuer for c in certificates})
            await _require(read, "Organization", {c.holder for c in certificates})
            stored = await read(
                certificate_cypher.PARTIES, {"keys": [c.number for c in certificates]}
            )
            parties = {str(r["number"]): (r["issuer"], r["holder"]) for r in stored}
            moved = sorted(
                c.number
                for c in certificates
                if c.number in parties and parties[c.number] != (c.issuer, c.holder)
            )
            if moved:
                raise Conflict(f"certificates issued by or to someone else: {', '.join(moved)}")

        return await self._logged(
            "issue_certificates",
            certificate_cypher.ISSUE_CERTIFICATES,
            rows,
            drafts,
            actor=actor,
            guard=guard,
            check=check,
        )

    async def change_certificate_statuses(
        self, changes: Sequence[StatusChange], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        rows: list[Row] = [
            {
                "number": s.number,
                "status": s.status,
                "reason": s.reason,
                "effectiveOn": s.effective_on.isoformat(),
            }
            for s in changes
        ]
        drafts = [
            ChangeDraft("Certificate", s.number, "STATUS", {k: v for k, v in r.items()})
            for s, r in zip(changes, rows, strict=True)
        ]
        day = registry_today().isoformat()  # the day whose step the node caches and exports
        rows = [{**row, "day": day} for row in rows]

        async def check(read: Reader) -> None:
            await _require(read, "Certificate", {s.number for s in changes})

        return await self._logged(
            "change_certificate_statuses",
            certificate_cypher.CHANGE_STATUSES,
            rows,
            drafts,
            actor=actor,
            guard=guard,
            check=check,
        )


def _with_steps(accreditations: object, steps: object) -> tuple[Accreditation, ...]:
    """The accreditations, each with its steps from the one list of all of them."""
    by_number: dict[str, list[object]] = {}
    for step in steps if isinstance(steps, list) else []:
        by_number.setdefault(str(_mapping(step)["number"]), []).append(step)
    return tuple(
        from_row(Accreditation, {**(m := _mapping(a)), "history": by_number.get(str(m["number"]))})
        for a in (accreditations if isinstance(accreditations, list) else [])
        if a is not None
    )


def _certificate_params(query: CertificateQuery, *, after: str | None) -> dict[str, object]:
    return {
        "after": after,
        "holder": query.holder,
        "issuer": query.issuer,
        "standard": query.standard,
        "family": query.family,
        "region": query.region,
        "within": None if query.within is None else list(query.within),
        "issuedBy": None if query.issued_by is None else query.issued_by.isoformat(),
        "today": query.today.isoformat(),
    }


_STEP_COLUMNS = {
    "stepStatus": "status",
    "stepReason": "reason",
    "stepEffectiveOn": "effectiveOn",
    "stepRecordedAt": "recordedAt",
    "stepActor": "actor",
    "stepSeq": "seq",
}


def _certificates_with_steps(rows: Sequence[Row]) -> list[Certificate]:
    """Certificates from GET_CERTIFICATES's rows (one per step), in the order first read."""
    found: dict[str, tuple[Row, list[Row]]] = {}
    for row in rows:
        number = str(row["number"])
        if number not in found:
            found[number] = (row, [])
        if row["stepSeq"] is not None:
            step = {name: row[column] for column, name in _STEP_COLUMNS.items()}
            found[number][1].append({"number": number, **step})
    return [from_row(Certificate, {**row, "history": steps}) for row, steps in found.values()]


# What an issue does not set from the input: the store keeps versions, derives the region
# from the holder, and sets the status timeline of a new certificate only (its first step).
CERTIFICATE_KEPT = frozenset(
    {"version", "region", "status", "status_reason", "status_since", "status_until"}
)
