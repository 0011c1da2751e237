"""What every Cypher backend shares: the catalogue, row mapping and the change-log protocol.

A backend supplies three primitives: ``_read`` (one statement, rows as dicts), ``_write``
(run a planned write atomically against the current change head) and ``_ensure_schema``.
"""

from __future__ import annotations

import abc
import contextlib
import hashlib
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from graph.changelog import GENESIS_HASH, ChangeDraft, chain_changes, utc_now
from graph.cypher import certificates as certificate_cypher
from graph.cypher import changes as change_cypher
from graph.cypher import credit as credit_cypher
from graph.cypher import institutions as institution_cypher
from graph.cypher import keys as key_cypher
from graph.cypher import regions as region_cypher
from graph.cypher import scores as score_cypher
from graph.cypher.lookup import MISSING, VERSIONS
from graph.dialects import Dialect
from graph.errors import AlreadyApplied, Conflict, GraphError, NotFound, StaleVersion
from graph.mapping import from_row, institution_from_row, to_props
from graph.models import (
    Accreditation,
    ApiKey,
    Certificate,
    CertificateMatch,
    CertificateQuery,
    Change,
    ChangeFilter,
    ChangeHead,
    Complaint,
    CreditEvent,
    CreditFacts,
    CreditRating,
    IdempotencyRecord,
    Institution,
    InstitutionQuery,
    Organization,
    RankedInstitution,
    RankingQuery,
    Region,
    RegionStatistics,
    ServiceEvaluation,
    StatusChange,
    StoredCredit,
    VerificationFacts,
    WriteGuard,
    WriteResult,
)
from graph.network_queries import NetworkQueries
from graph.port import MAX_WRITE_BATCH
from graph.snapshot_queries import SnapshotQueries, prior_documents
from graph.supervision_queries import SupervisionQueries
from graph.text import search_grams

__all__ = ["CypherStore", "PlannedWrite", "Reader", "Row", "WritePlan", "as_int"]

Row = dict[str, object]


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


def address_key(text: str) -> str:
    """Two institutions at the same address share one Address node."""
    normalised = "".join(text.split()).casefold()
    return hashlib.sha256(normalised.encode()).hexdigest()[:32]


class CypherStore(NetworkQueries, SupervisionQueries, SnapshotQueries, abc.ABC):
    """The GraphStore port implemented once over the shared Cypher catalogue."""

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

    async def ping(self) -> bool:
        try:
            await self._read("RETURN 1 AS one", {})
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

    # reads ----------------------------------------------------------------------------------
    async def get_regions(self, codes: Sequence[str] | None = None) -> list[Region]:
        if codes is None:
            rows = await self._query("get_regions", region_cypher.ALL_REGIONS, {})
        else:
            rows = await self._query("get_regions", region_cypher.GET_REGIONS, {"keys": codes})
        return [from_row(Region, row) for row in rows]

    async def get_institutions(self, usccs: Sequence[str]) -> list[Institution]:
        rows = await self._query(
            "get_institutions", institution_cypher.GET_INSTITUTIONS, {"keys": list(usccs)}
        )
        return [institution_from_row(row) for row in rows]

    async def list_institutions(
        self, query: InstitutionQuery, *, after: str | None, limit: int
    ) -> list[Institution]:
        params = _institution_params(query, after=after)
        statement = institution_cypher.institution_listing(_present(params), count=False)
        rows = await self._query("list_institutions", statement, {**params, "limit": limit})
        return [institution_from_row(row) for row in rows]

    async def count_institutions(self, query: InstitutionQuery) -> int:
        params = _institution_params(query, after=None)
        statement = institution_cypher.institution_listing(_present(params), count=True)
        rows = await self._query("count_institutions", statement, params)
        return as_int(rows[0]["total"])

    async def get_group_members(self, group_usccs: Sequence[str]) -> list[Institution]:
        rows = await self._query(
            "get_group_members", institution_cypher.GROUP_MEMBERS, {"keys": list(group_usccs)}
        )
        return [institution_from_row(row) for row in rows]

    async def get_organizations(self, usccs: Sequence[str]) -> list[Organization]:
        rows = await self._query(
            "get_organizations", institution_cypher.GET_ORGANIZATIONS, {"keys": list(usccs)}
        )
        return [from_row(Organization, row) for row in rows]

    async def get_accreditations_held(self, holder_usccs: Sequence[str]) -> list[Accreditation]:
        rows = await self._query(
            "get_accreditations_held",
            institution_cypher.ACCREDITATIONS_HELD,
            {"keys": list(holder_usccs)},
        )
        return [from_row(Accreditation, row) for row in rows]

    async def get_certificates(self, numbers: Sequence[str]) -> list[Certificate]:
        rows = await self._query(
            "get_certificates", certificate_cypher.GET_CERTIFICATES, {"keys": list(numbers)}
        )
        return [from_row(Certificate, row) for row in rows]

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
                accreditations=tuple(
                    from_row(Accreditation, _mapping(a))
                    for a in row["accreditations"]  # type: ignore[attr-defined]
                    if a is not None
                ),
            )
            for row in rows
        ]

    async def search_certificates_by_holder(
        self, text: str, *, limit: int
    ) -> list[CertificateMatch]:
        grams = search_grams(text)
        if not grams:
            return []
        phrase = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        rows = await self._query(
            "search_certificates_by_holder",
            self.dialect.holder_search,
            {"anchor": grams[0], "grams": grams, "phrase": phrase, "limit": limit},
        )
        return [
            CertificateMatch(
                certificate=from_row(Certificate, _mapping(row["certificate"])),
                holder_name=str(row["holderName"]),
                issuer_name=None if row["issuerName"] is None else str(row["issuerName"]),
            )
            for row in rows
        ]

    async def get_status_histories(self, numbers: Sequence[str]) -> list[StatusChange]:
        rows = await self._query(
            "get_status_histories", certificate_cypher.STATUS_HISTORIES, {"keys": list(numbers)}
        )
        return [from_row(StatusChange, row) for row in rows]

    async def get_complaints_against(self, usccs: Sequence[str]) -> list[Complaint]:
        rows = await self._query(
            "get_complaints_against", credit_cypher.COMPLAINTS_AGAINST, {"keys": list(usccs)}
        )
        return [from_row(Complaint, row) for row in rows]

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

    async def get_service_evaluations_of(
        self, usccs: Sequence[str], *, since: str, until: str
    ) -> list[ServiceEvaluation]:
        rows = await self._query(
            "get_service_evaluations_of",
            credit_cypher.SERVICE_EVALUATIONS_OF,
            {"keys": list(usccs), "since": since, "until": until},
        )
        return [from_row(ServiceEvaluation, row) for row in rows]

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

    async def region_statistics(
        self, codes: Sequence[str], *, today: str
    ) -> list[RegionStatistics]:
        rows = await self._query(
            "region_statistics", region_cypher.STATISTICS, {"keys": list(codes), "today": today}
        )
        return [from_row(RegionStatistics, row) for row in rows]

    async def find_api_key(self, digest: str) -> ApiKey | None:
        rows = await self._query("find_api_key", key_cypher.FIND_API_KEY, {"digest": digest})
        return from_row(ApiKey, rows[0]) if rows else None

    async def list_api_keys(self) -> list[ApiKey]:
        rows = await self._query("list_api_keys", key_cypher.LIST_API_KEYS, {})
        return [from_row(ApiKey, row) for row in rows]

    async def record_api_key_use(self, digest: str, *, at: str, stale_before: str) -> bool:
        params = {"digest": digest, "at": at, "staleBefore": stale_before}
        with self._timed("record_api_key_use"):
            return bool(await self._housekeeping(key_cypher.RECORD_KEY_USE, params))

    async def purge_idempotency_keys(self, *, now: str, limit: int = 10_000) -> int:
        params = {"now": now, "limit": limit}
        rows = await self._housekeeping(change_cypher.PURGE_IDEMPOTENCY, params)
        return as_int(rows[0]["purged"]) if rows else 0

    async def change_head(self) -> ChangeHead:
        return _head_of(await self._query("change_head", change_cypher.HEAD, {}))

    async def get_changes(
        self, *, after: int, limit: int, narrow: ChangeFilter | None = None
    ) -> list[Change]:
        params = {**_change_filter_params(narrow), "after": after, "limit": limit}
        if params.get("upTo") is None and narrow is None:
            # Seqs are gap-free, so the next page lies in (after, after + limit]: a bounded
            # index range, where an open one makes FalkorDB sort the whole rest of the log.
            params["upTo"] = after + limit
        statement = change_cypher.changes_after(_present(params))
        with self._timed("get_changes"):
            rows = await self._read_flat(statement, params)
        return [Change(**row) for row in rows]  # type: ignore[arg-type]

    async def count_changes(self, *, after: int, narrow: ChangeFilter | None = None) -> int:
        params = {**_change_filter_params(narrow), "after": after}
        statement = change_cypher.changes_after(_present(params), count=True)
        rows = await self._query("count_changes", statement, params)
        return as_int(rows[0]["matching"]) if rows else 0

    async def change_log_start(self) -> ChangeHead:
        return _head_of(
            await self._query(
                "change_log_start", change_cypher.LOG_START, {"genesis": GENESIS_HASH}
            )
        )

    async def last_change_before(self, at: str) -> int:
        rows = await self._query(
            "last_change_before", change_cypher.LAST_CHANGE_BEFORE, {"before": at}
        )
        return as_int(rows[0]["seq"] or 0) if rows else 0

    async def prune_changes(self, *, through: int, chunk: int = 10_000) -> int:
        found = await self._query("prune_changes", change_cypher.CHANGE_HASH, {"seq": through})
        if not found:
            return 0
        params = {"through": through, "hash": str(found[0]["hash"])}
        if not await self._housekeeping(change_cypher.MARK_PRUNED, params):
            return 0
        deleted = 0
        while True:
            rows = await self._housekeeping(
                change_cypher.DELETE_PRUNED, {"through": through, "limit": chunk}
            )
            batch = as_int(rows[0]["deleted"]) if rows else 0
            deleted += batch
            if batch < chunk:
                return deleted

    # writes ---------------------------------------------------------------------------------
    async def upsert_regions(self, regions: Sequence[Region], *, actor: str) -> WriteResult:
        rows = [to_props(region) for region in regions]
        drafts = [ChangeDraft("Region", r.code, "UPSERT", to_props(r)) for r in regions]
        return await self._logged(
            "upsert_regions", region_cypher.UPSERT_REGIONS, rows, drafts, actor=actor
        )

    async def upsert_institutions(
        self, institutions: Sequence[Institution], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        rows: list[Row] = []
        drafts: list[ChangeDraft] = []
        for item in institutions:
            props = to_props(
                item,
                exclude=frozenset({"legal_representative", "group", "associations", "version"}),
            )
            person = item.legal_representative
            rows.append(
                {
                    "uscc": item.uscc,
                    "props": props,
                    "region": item.region,
                    "group": item.group,
                    "associations": list(item.associations),
                    "person": None if person is None else {"key": person.key, "name": person.name},
                    "addressKey": None if item.address is None else address_key(item.address),
                }
            )
            data = {
                **props,
                "group": item.group,
                "associations": list(item.associations),
                "legalRepresentative": None if person is None else person.key,
            }
            drafts.append(ChangeDraft("Institution", item.uscc, "UPSERT", data))
        batch = {item.uscc for item in institutions}

        async def check(read: Reader) -> None:
            await _require(read, "Region", {i.region for i in institutions})
            await _require(read, "Institution", {i.group for i in institutions if i.group} - batch)
            await _require(
                read, "Institution", {a for i in institutions for a in i.associations} - batch
            )

        return await self._logged(
            "upsert_institutions",
            institution_cypher.UPSERT_INSTITUTIONS,
            rows,
            drafts,
            actor=actor,
            guard=guard,
            check=check,
        )

    async def upsert_organizations(
        self, organizations: Sequence[Organization], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        rows: list[Row] = [
            {"uscc": o.uscc, "props": to_props(o, exclude=frozenset({"version"}))}
            for o in organizations
        ]
        for row, organization in zip(rows, organizations, strict=True):
            row["grams"] = search_grams(organization.name)
        drafts = [
            ChangeDraft("Organization", o.uscc, "UPSERT", r["props"])  # type: ignore[arg-type]
            for o, r in zip(organizations, rows, strict=True)
        ]

        async def check(read: Reader) -> None:
            await _require(read, "Region", {o.region for o in organizations})

        return await self._logged(
            "upsert_organizations",
            institution_cypher.UPSERT_ORGANIZATIONS,
            rows,
            drafts,
            actor=actor,
            guard=guard,
            check=check,
        )

    async def upsert_accreditations(
        self,
        accreditations: Sequence[Accreditation],
        *,
        actor: str,
        guard: WriteGuard | None = None,
    ) -> WriteResult:
        rows: list[Row] = [
            {"number": a.number, "props": to_props(a, exclude=frozenset({"version"}))}
            for a in accreditations
        ]
        drafts = [
            ChangeDraft("Accreditation", a.number, "UPSERT", r["props"])  # type: ignore[arg-type]
            for a, r in zip(accreditations, rows, strict=True)
        ]

        async def check(read: Reader) -> None:
            await _require(
                read,
                "Institution",
                {a.body for a in accreditations} | {a.holder for a in accreditations},
            )

        return await self._logged(
            "upsert_accreditations",
            institution_cypher.UPSERT_ACCREDITATIONS,
            rows,
            drafts,
            actor=actor,
            guard=guard,
            check=check,
        )

    async def issue_certificates(
        self, certificates: Sequence[Certificate], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        at = utc_now()
        rows: list[Row] = []
        drafts: list[ChangeDraft] = []
        status_fields = frozenset({"status", "status_reason", "status_since"})
        for c in certificates:
            props = to_props(c, exclude=frozenset({"version", "region"}) | status_fields)
            initial = {
                "status": c.status,
                "reason": c.status_reason or "issued",
                "effectiveOn": (c.status_since or c.issued_on).isoformat(),
                "recordedAt": at,
                "actor": actor,
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
                certificate_cypher.GET_CERTIFICATES, {"keys": [c.number for c in certificates]}
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
            at=at,
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

    async def record_complaints(
        self, complaints: Sequence[Complaint], *, actor: str, guard: WriteGuard | None = None
    ) -> WriteResult:
        rows: list[Row] = [
            {"id": c.id, "props": to_props(c, exclude=_STORE_MANAGED)} for c in complaints
        ]
        drafts = [
            ChangeDraft("Complaint", c.id, "UPSERT", {"against": c.against, "status": c.status})
            for c in complaints
        ]

        async def check(read: Reader) -> None:
            await _require(read, "Institution", {c.against for c in complaints})
            await _require(
                read, "Certificate", {c.certificate for c in complaints if c.certificate}
            )

        return await self._logged(
            "record_complaints",
            credit_cypher.RECORD_COMPLAINTS,
            rows,
            drafts,
            actor=actor,
            guard=guard,
            check=check,
        )

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

    async def save_api_key(self, key: ApiKey, *, actor: str) -> WriteResult:
        row = to_props(key)
        public = {
            "role": key.role,
            "institutions": key.institutions,
            "label": key.label,
            "entities": key.entities,
            "regions": key.regions,
            "expiresAt": key.expires_at,
        }
        draft = ChangeDraft("ApiKey", key.key_id, "CREATE", public)
        return await self._logged(
            "save_api_key", key_cypher.SAVE_API_KEY, [row], [draft], actor=actor
        )

    async def revoke_api_key(self, digest: str, *, at: str, actor: str) -> WriteResult:
        row: Row = {"digest": digest, "revokedAt": at}
        draft = ChangeDraft("ApiKey", digest[:12], "REVOKE", {"revokedAt": at})

        async def check(read: Reader) -> None:
            if not await read(key_cypher.FIND_API_KEY, {"digest": digest}):
                raise NotFound("no such API key", label="ApiKey", keys=[digest[:12]])

        return await self._logged(
            "revoke_api_key", key_cypher.REVOKE_API_KEY, [row], [draft], actor=actor, check=check
        )

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
                await _check_guard(read, guard, drafts)
            if check is not None:
                await check(read)
            changes = chain_changes(head, drafts, actor=actor, at=at or utc_now())
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

        with self._timed(name):
            first_seq = await self._write(plan)
        return WriteResult(
            written=len(rows),
            first_seq=first_seq,
            last_seq=first_seq + len(rows) - 1,
            keys=tuple(d.key for d in drafts),
        )


async def _check_guard(read: Reader, guard: WriteGuard, drafts: Sequence[ChangeDraft]) -> None:
    """Raise AlreadyApplied when the idempotency key is live, StaleVersion when an expected
    version is not the stored one."""
    if guard.idempotency is not None:
        rows = await read(
            change_cypher.IDEMPOTENCY_RECORD, {"key": guard.idempotency.key, "now": utc_now()}
        )
        if rows:
            raise AlreadyApplied(from_row(IdempotencyRecord, rows[0]))
    expected = guard.expected_versions
    if expected:
        rows = await read(VERSIONS[drafts[0].entity], {"keys": sorted(expected)})
        stored = {str(row["key"]): as_int(row["version"]) for row in rows}
        stale = {k: (v, stored[k]) for k, v in expected.items() if stored.get(k) != v}
        if stale:
            raise StaleVersion(stale)


def _head_of(rows: Sequence[Row]) -> ChangeHead:
    """A position in the change log from a ``seq, hash`` row (the genesis when there is none)."""
    if not rows:
        return ChangeHead(seq=0, hash=GENESIS_HASH)
    return ChangeHead(seq=as_int(rows[0]["seq"]), hash=str(rows[0]["hash"]))


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


def _mapping(value: object) -> Row:
    if not isinstance(value, Mapping):
        raise GraphError(f"expected a map from the store, got {type(value).__name__}")
    return dict(value)


def _institution_params(query: InstitutionQuery, *, after: str | None) -> dict[str, object]:
    return {
        "after": after,
        "region": query.region,
        "kind": query.kind,
        "nameContains": query.name_contains,
        "scheme": query.accreditation_scheme,
        "group": query.group,
        "within": None if query.within is None else list(query.within),
    }


MAX_SCORE = 100.0
_RANKING_FLOOR_STEPS = (2.0, 8.0, 32.0)


def _change_filter_params(narrow: ChangeFilter | None) -> dict[str, object]:
    if narrow is None:
        return {}
    return {
        "entities": None if narrow.entities is None else list(narrow.entities),
        "regions": None if narrow.regions is None else list(narrow.regions),
        "hidden": list(narrow.hidden) or None,
        "upTo": narrow.up_to,
    }


def _ranking_params(query: RankingQuery) -> dict[str, object]:
    return {
        "region": query.region,
        "kind": query.kind,
        "serviceCategory": query.service_category,
    }


def _list(value: object) -> list[object]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise GraphError(f"expected a list from the store, got {type(value).__name__}")
    return list(value)


def _certificate_params(query: CertificateQuery, *, after: str | None) -> dict[str, object]:
    return {
        "after": after,
        "holder": query.holder,
        "issuer": query.issuer,
        "standard": query.standard,
        "family": query.family,
        "region": query.region,
        "within": None if query.within is None else list(query.within),
        "today": query.today.isoformat(),
    }


def _present(params: Mapping[str, object]) -> frozenset[str]:
    return frozenset(name for name, value in params.items() if value is not None)


def as_int(value: object) -> int:
    if isinstance(value, int | float):
        return int(value)
    raise GraphError(f"expected a number from the store, got {type(value).__name__}")
