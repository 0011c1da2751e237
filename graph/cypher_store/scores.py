"""Credit scores for the GraphStore port: the inputs a score is computed from, the stored
scores, and the ranking by them."""

from __future__ import annotations

import abc
import hashlib
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from graph.changelog import ChangeDraft
from graph.clock import registry_today
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
from graph.dialects import Dialect
from graph.errors import CreditMoved
from graph.log_models import WriteGuard, WriteResult
from graph.mapping import from_row, institution_from_row
from graph.models import (
    CreditEvent,
    CreditFacts,
    CreditRating,
    RankedInstitution,
    RankingQuery,
    ServiceEvaluation,
    StoredCredit,
)

__all__ = ["HIGHEST_KEY", "LOWEST_KEY", "ScoreQueries", "ranking_key"]

# Ranking keys: a score keeps its place (87.5 ranks below 87.6 and above 87.4) and a fraction
# below 0.01 taken from a digest of the USCC orders its ties; the unrated get -1 minus that
# fraction, after every score. Keys are then all but unique (the USCC breaks what ties
# remain), so a page is a short window of the range index on creditSort, however deep and
# however many share a score or are unrated; and the order of ties favours no registration
# authority or region, as an order by the USCC itself would.
_FRACTION_SCALE = float(16**13)  # 52 bits: exact in a float
HIGHEST_KEY = 101.0
LOWEST_KEY = -2.0
# Pages are read from the key index in slices below the last key: the first one narrow, each
# next one as wide as the density found so far says the rest of the page needs (or 8 times
# wider when nothing was found), so few more rows are read than the page shows, be the keys
# sparse (scores) or dense (the unrated).
_FIRST_SLICE = 0.0001
# A province too sparse near a cursor after this many slices: reading it all costs less.
_REGION_SLICES = 6
_PINNED_COUNTS = 512


def _uscc_fraction(uscc: str) -> float:
    """A number in [0, 1) fixed for each USCC: 52 bits of its SHA-256, exact in a float."""
    return int(hashlib.sha256(uscc.encode()).hexdigest()[:13], 16) / _FRACTION_SCALE


def ranking_key(score: float | None, uscc: str) -> float:
    """The ranking key of an assessment: descending keys give the ranking. Rounded to 12
    decimals, at most 15 significant digits, so it reads back from any engine exactly as it
    was written (FalkorDB prints doubles with 15), and a cursor's key finds its place."""
    fraction = _uscc_fraction(uscc)
    if score is None:
        return round(-1.0 - fraction, 12)
    return round(score + 0.009 * (1.0 - fraction), 12)


class ScoreQueries(abc.ABC):
    """Mixed into CypherStore: credit inputs, stored scores and rankings."""

    dialect: Dialect

    @abc.abstractmethod
    async def _query(
        self, name: str, statement: str, params: Mapping[str, object]
    ) -> list[Row]: ...

    @abc.abstractmethod
    async def _housekeeping(self, statement: str, params: Mapping[str, object]) -> list[Row]: ...

    @abc.abstractmethod
    async def _tallied_ranks(
        self, codes: list[str] | None, kind: str | None
    ) -> tuple[int, int]: ...

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

    async def get_credit_inputs(
        self, usccs: Sequence[str], *, today: str, evaluated_since: str, past: bool = False
    ) -> list[CreditFacts]:
        rows = await self._query(
            "get_credit_inputs",
            score_cypher.CREDIT_INPUTS_ON_DAY if past else self.dialect.credit_inputs,
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
        params = {**await self._ranking_params(query), "limit": limit}
        if after is not None:
            params["afterSort"], params["afterUscc"] = after
        rows: list[Row] | None = None
        if params.get("level") not in ("CITY", "DISTRICT"):
            # A province, or the whole country: the key index near the cursor first.
            # (a cursor is readable JSON: a key above every score continues from the top)
            top = HIGHEST_KEY if after is None else min(after[0], HIGHEST_KEY)
            most = _REGION_SLICES if query.region is not None else None
            hint = self._first_page_floor(query, limit) if after is None else None
            rows = await self._rank_in_slices(params, top=top, most=most, first_floor=hint)
        if rows is None:  # a city or district, or a province too sparse near the cursor
            statement = score_cypher.ranking("region", _present(params))
            rows = await self._query("rank_institutions", statement, params)
        if after is None and len(rows) == limit:
            self._remember_first_page(query, limit, float(rows[-1]["creditSort"]))  # type: ignore[arg-type]
        kept = await self._kept(query)
        if kept:
            # Keys replaced after the pinned seq rank as they were then.
            statement = score_cypher.ranking("kept", _present(params))
            also = await self._query("rank_institutions_kept", statement, {**params, "kept": kept})
            rows = sorted(
                [*rows, *also],
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

    # The lowest key of the last first page of each ranking (as_of aside) and page size:
    # where the next first page's first slice ends, so that one slice fills it as a rule
    # (from the top, the slices below would grow from a width of 0.0001 to the best score).
    # Only the width of the first slice: any page still reads every key above its end.
    _first_floors: OrderedDict[tuple[RankingQuery, int], float] | None = None

    def _first_page_floor(self, query: RankingQuery, limit: int) -> float | None:
        if self._first_floors is None:
            return None
        return self._first_floors.get((replace(query, as_of=None), limit))

    def _remember_first_page(self, query: RankingQuery, limit: int, floor: float) -> None:
        if self._first_floors is None:
            self._first_floors = OrderedDict()
        floors, key = self._first_floors, (replace(query, as_of=None), limit)
        floors[key] = floor
        floors.move_to_end(key)
        if len(floors) > _PINNED_COUNTS:
            floors.popitem(last=False)

    async def _rank_in_slices(
        self,
        params: dict[str, object],
        *,
        top: float,
        most: int | None,
        first_floor: float | None = None,
    ) -> list[Row] | None:
        """A ranking page from the key index: the ties of the cursor's key after its USCC,
        then slices of the keys below it, each read once and in order, until the page is full
        or no key is left; None when ``most`` slices did not fill it. ``first_floor``: where the
        first slice ends (a hint; the slices below it follow as usual)."""
        limit = as_int(params["limit"])
        rows: list[Row] = []
        if "afterSort" in params:
            statement = score_cypher.ranking("tied", _present(params))
            rows = await self._query("rank_institutions", statement, params)
            if len(rows) == limit:
                return rows
        statement = score_cypher.ranking("index", _present(params) | {"below", "floor"})
        upper, width, slices = top, _FIRST_SLICE, 0
        if first_floor is not None and first_floor < top:
            width = top - first_floor + 1e-9
        while True:
            need, floor = limit - len(rows), upper - width
            found = await self._query(
                "rank_institutions",
                statement,
                {**params, "below": upper, "floor": floor, "limit": need},
            )
            rows += found
            slices += 1
            if len(found) == need or floor < LOWEST_KEY:
                return rows
            if most is not None and slices >= most:
                return None
            # Found k of the n needed in this width: the rest needs about (n - k) / k as much.
            width *= 8.0 if not found else max(2.0, 1.5 * (need - len(found)) / len(found))
            upper = floor

    # Counts at a pinned seq never change: a walk's pages, and first pages while nothing is
    # written, count once per process. The change at that seq is part of the key, so a store
    # cleared and written again does not answer from the old one.
    _pinned_counts: OrderedDict[tuple[RankingQuery, str], int] | None = None

    async def count_ranked(self, query: RankingQuery) -> int:
        if query.as_of is None:
            return await self._count_ranked(query)
        rows = await self._query("change_at", score_cypher.CHANGE_AT, {"seq": query.as_of})
        if not rows:  # nothing written yet, or pruned
            return await self._count_ranked(query)
        if self._pinned_counts is None:
            self._pinned_counts = OrderedDict()
        counts, key = self._pinned_counts, (query, str(rows[0]["hash"]))
        if key in counts:
            counts.move_to_end(key)
            return counts[key]
        counts[key] = total = await self._count_ranked(query)
        if len(counts) > _PINNED_COUNTS:
            counts.popitem(last=False)
        return total

    async def _count_ranked(self, query: RankingQuery) -> int:
        params = await self._ranking_params(query)
        if "accredited" in params:  # a service category: counted from the records
            total = await self._count_category(query, params)
        else:
            # The ranking's tallies (kept on write) count what ranks now; those written
            # after the pinned seq are taken off, and count as they were (kept) below.
            codes = _list(params["codes"]) if query.region is not None else None
            ranked, rated = await self._tallied_ranks(
                None if codes is None else [str(c) for c in codes], query.kind
            )
            total = ranked if query.include_unrated else rated
            if query.as_of is not None:
                unpinned = {**params, "pinned": None}
                statement = score_cypher.ranking("changed", _present(unpinned), count=True)
                total -= await self._count(statement, unpinned)
        kept = await self._kept(query)
        if kept:
            statement = score_cypher.ranking("kept", _present(params), count=True)
            total += await self._count(statement, {**params, "kept": kept})
        return total

    async def _count_category(self, query: RankingQuery, params: dict[str, object]) -> int:
        """The count of a service category's ranking, less the kept keys: from the region's
        institutions, or the key index less the keys changed after the pinned seq."""
        if query.region is not None:
            statement = score_cypher.ranking("region", _present(params), count=True)
            return await self._count(statement, params)
        unpinned = {**params, "pinned": None, "floor": LOWEST_KEY}
        statement = score_cypher.ranking("index", _present(unpinned), count=True)
        total = await self._count(statement, unpinned)
        if query.as_of is not None:
            statement = score_cypher.ranking("changed", _present(unpinned), count=True)
            total -= await self._count(statement, unpinned)
        return total

    async def _count(self, statement: str, params: Mapping[str, object]) -> int:
        rows = await self._query("count_ranked", statement, params)
        return as_int(rows[0]["ranked"] or 0) if rows else 0

    async def _accredited_for(self, query: RankingQuery) -> list[str]:
        """The holders of a valid accreditation naming one of the category's standards."""
        today = (query.today or registry_today()).isoformat()
        found: set[str] = set()
        for standard in query.scope_standards:
            rows = await self._query(
                "accredited_for",
                score_cypher.ACCREDITED_FOR,
                {"standard": standard, "today": today},
            )
            if rows:
                found.update(str(u) for u in _list(rows[0]["usccs"]))
        return sorted(found)

    async def _kept(self, query: RankingQuery) -> list[Row]:
        if query.as_of is None:
            return []
        return await self._query("kept_credit", score_cypher.KEPT, {"asOf": query.as_of})

    async def _ranking_params(self, query: RankingQuery) -> dict[str, object]:
        category = bool(query.provider_kinds or query.scope_standards)
        params: dict[str, object] = {
            "region": query.region,
            "kind": query.kind,
            "providerKinds": list(query.provider_kinds) if category else None,
            "rated": None if query.include_unrated else True,
            "asOf": query.as_of,
            "pinned": None if query.as_of is None else True,
        }
        if category:
            params["accredited"] = await self._accredited_for(query)
        if query.region is not None:
            rows = await self._query(
                "region_codes", score_cypher.REGION_CODES, {"region": query.region}
            )
            params["codes"] = list(_list(rows[0]["codes"])) if rows else []
            params["level"] = rows[0]["level"] if rows else None
        return params

    async def store_credit(
        self,
        scores: Sequence[StoredCredit],
        *,
        actor: str,
        expected: Mapping[str, StoredCredit | None] | None = None,
    ) -> WriteResult:
        rows: list[Row] = [
            {
                "uscc": c.uscc,
                "score": c.score,
                "grade": c.grade,
                "factors": c.factors,
                "computedOn": c.computed_on.isoformat(),
                "method": c.method,
                "sort": ranking_key(c.score, c.uscc),
            }
            for c in scores
        ]
        return await self._store_credit_rows("store_credit", rows, actor=actor, expected=expected)

    async def clear_credit(self, usccs: Sequence[str], *, actor: str) -> WriteResult:
        rows: list[Row] = [
            dict.fromkeys(("score", "grade", "factors", "computedOn", "method", "sort"))
            | {"uscc": uscc}
            for uscc in usccs
        ]
        return await self._store_credit_rows("clear_credit", rows, actor=actor)

    async def _store_credit_rows(
        self,
        name: str,
        rows: list[Row],
        *,
        actor: str,
        expected: Mapping[str, StoredCredit | None] | None = None,
    ) -> WriteResult:
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
            if expected is not None:
                found = await read(score_cypher.STORED_CREDIT, {"keys": sorted(keys)})
                now = {s.uscc: s for s in (from_row(StoredCredit, row) for row in found)}
                if any(now.get(key) != expected.get(key) for key in keys):
                    raise CreditMoved("credit assessments moved since they were read")

        return await self._logged(
            name, score_cypher.STORE_CREDIT, rows, drafts, actor=actor, check=check
        )

    async def claim_rescore(self, day: date) -> bool:
        rows = await self._housekeeping(score_cypher.CLAIM_RESCORE, {"day": day.isoformat()})
        return bool(rows and rows[0]["due"])

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
