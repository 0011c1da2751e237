"""Region tallies for the GraphStore port: counting the change log into per-region, per-month
buckets (graph.tallies), and reading a region's months.

After every write the store counts the changes since the last counted seq (``tallied`` on
the change counter): on Neo4j in the write's transaction, on FalkorDB right after it under
the write lock (like the document digests). Each count is one statement claimed against
``tallied``, so two processes never count a range twice, and one that did not land (a
crash between the write and its count) is made up by the next write or read. A store that
was never counted, or whose log was pruned past what was counted, is counted from its
entities instead (on open).
"""

from __future__ import annotations

import abc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

from graph.cypher import tallies as tally_cypher
from graph.cypher_store.base import Row, _list, as_int
from graph.dialects import Dialect
from graph.errors import GraphError
from graph.tallies import (
    ALL_KINDS,
    DAYS,
    Contribution,
    Ranks,
    RegionMonth,
    bucket_rows,
    certificate_contribution,
    encoded_ranks,
    institution_contribution,
    rank_contribution,
    rank_rows,
    stored_contribution,
    stored_ranks,
)

__all__ = ["TallyQueries", "count_changes"]

_log = logging.getLogger(__name__)

Run = Callable[[str, Mapping[str, object]], Awaitable[list[Row]]]

# Changes counted per statement, and node ids per window when counting from the entities.
_SEQ_WINDOW = 2_000
# 1: the region months; 2: the ranking's counts too.
TALLY_VERSION = 2
_ID_WINDOW = 2_000


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _certificate(row: Row) -> Contribution:
    return certificate_contribution(
        region=_str(row["region"]),
        issued_on=_str(row["issuedOn"]),
        expires_on=_str(row["expiresOn"]),
        step_on=_list(row["stepOn"]),
        step_seq=_list(row["stepSeq"]),
        step_status=_list(row["stepStatus"]),
    )


def _institution(row: Row) -> Contribution:
    return institution_contribution(
        region=_str(row["region"]),
        founded=_str(row["founded"]),
        step_on=_list(row["stepOn"]),
        step_seq=_list(row["stepSeq"]),
        step_status=_list(row["stepStatus"]),
    )


async def _apply(
    write: Run, certificates: list[Row], institutions: list[Row], *, expected: int, through: int
) -> bool:
    """Count these entities' rows (read just now) as of ``through``; False when another
    counter moved ``tallied`` first."""
    pairs: list[tuple[Contribution, Contribution]] = []
    rank_pairs: list[tuple[Ranks, Ranks]] = []
    certificate_rows: list[Row] = []
    institution_rows: list[Row] = []
    for row in certificates:
        old, new = stored_contribution(row["tally"]), _certificate(row)
        if old != new:
            pairs.append((old, new))
            certificate_rows.append({"key": row["key"], "tally": new.encoded()})
    for row in institutions:
        old, new = stored_contribution(row["tally"]), _institution(row)
        old_ranks = stored_ranks(row["rankTally"])
        new_ranks = rank_contribution(
            region=_str(row["region"]), kinds=_list(row["kinds"]), sort=row["creditSort"]
        )
        if old != new or old_ranks != new_ranks:
            pairs.append((old, new))
            rank_pairs.append((old_ranks, new_ranks))
            institution_rows.append(
                {"key": row["key"], "tally": new.encoded(), "rankTally": encoded_ranks(new_ranks)}
            )
    params = {
        "expected": expected,
        "through": through,
        "buckets": bucket_rows(pairs),
        "ranks": rank_rows(rank_pairs),
        "certificates": certificate_rows,
        "institutions": institution_rows,
    }
    return bool(await write(tally_cypher.APPLY, params))


async def count_changes(read: Run, write: Run) -> None:
    """Count every change not counted yet, in seq windows (graph.tallies). ``read`` and
    ``write`` run statements: within the write's transaction on Neo4j."""
    while True:
        [state] = await read(tally_cypher.STATE, {})
        head, pruned = as_int(state["seq"]), as_int(state["pruned"])
        tallied = -1 if state["tallied"] is None else as_int(state["tallied"])
        if tallied >= head:
            return
        if (0 <= tallied < pruned) or (tallied < 0 < head):
            return  # the log no longer tells (or never told): counted from the entities on open
        start = max(tallied, 0)  # a new store (head 0) starts counted
        through = min(head, start + _SEQ_WINDOW)
        touched: dict[str, list[str]] = {name: [] for name in tally_cypher.TOUCHING}
        for row in await read(
            tally_cypher.TOUCHED,
            {"after": start, "upTo": through, "entities": list(tally_cypher.TOUCHING)},
        ):
            touched[str(row["entity"])] = [str(k) for k in _list(row["keys"])]
        numbers = set(touched["Certificate"])
        if touched["Organization"]:
            [moved] = await read(
                tally_cypher.CERTIFICATES_OF_HOLDERS, {"keys": touched["Organization"]}
            )
            numbers.update(str(n) for n in _list(moved["numbers"]))
        certificates = await read(tally_cypher.CERTIFICATE_INPUTS, {"keys": sorted(numbers)})
        institutions = await read(tally_cypher.INSTITUTION_INPUTS, {"keys": touched["Institution"]})
        await _apply(write, certificates, institutions, expected=tallied, through=through)


async def count_entities(read: Run, write: Run, *, by_node_id: bool = True) -> int:
    """Count every certificate and institution as it is (a store never counted, or whose
    log was pruned past its count), in node-id windows (``by_node_id``) or pages by key;
    then the log from the head seen at the start. Returns how many windows were counted."""
    [state] = await read(tally_cypher.STATE, {})
    head = as_int(state["seq"])
    expected = -1 if state["tallied"] is None else as_int(state["tallied"])
    windows = 0
    walk = _windows_by_node_id if by_node_id else _pages_by_key
    for label in ("Certificate", "Institution"):
        async for found in walk(read, label):
            pair = (found, []) if label == "Certificate" else ([], found)
            if not await _apply(write, *pair, expected=expected, through=expected):
                raise GraphError("the region tallies were counted by another process meanwhile")
            windows += 1
    if not await _apply(write, [], [], expected=expected, through=head):
        raise GraphError("the region tallies were counted by another process meanwhile")
    await count_changes(read, write)
    return windows


_WINDOWS = {
    "Certificate": (tally_cypher.CERTIFICATE_WINDOW, tally_cypher.CERTIFICATE_PAGE),
    "Institution": (tally_cypher.INSTITUTION_WINDOW, tally_cypher.INSTITUTION_PAGE),
}


async def _windows_by_node_id(read: Run, label: str) -> AsyncIterator[list[Row]]:
    rows = await read(f"MATCH (n:{label}) RETURN max(id(n)) AS last", {})
    last = -1 if not rows or rows[0]["last"] is None else as_int(rows[0]["last"])
    for start in range(0, last + 1, _ID_WINDOW):
        yield await read(_WINDOWS[label][0], {"from": start, "to": start + _ID_WINDOW})


async def _pages_by_key(read: Run, label: str) -> AsyncIterator[list[Row]]:
    after = ""
    while True:
        found = await read(_WINDOWS[label][1], {"after": after, "limit": _ID_WINDOW})
        if found:
            yield found
        if len(found) < _ID_WINDOW:
            return
        after = str(found[-1]["key"])


class TallyQueries(abc.ABC):
    """Mixed into CypherStore: the region tallies and their upkeep."""

    dialect: Dialect

    @abc.abstractmethod
    async def _read(self, statement: str, params: Mapping[str, object]) -> list[Row]: ...

    @abc.abstractmethod
    async def _query(
        self, name: str, statement: str, params: Mapping[str, object]
    ) -> list[Row]: ...

    @abc.abstractmethod
    async def _housekeeping(self, statement: str, params: Mapping[str, object]) -> list[Row]: ...

    async def _count_tallies(self) -> None:
        """Count what is not counted yet; a failure is logged, never raised: the write it
        follows has landed, and the next write or read counts it."""
        try:
            await count_changes(self._read, self._housekeeping)
        except GraphError:
            _log.exception("region tallies not counted; the next write or read retries")

    async def _upgrade_tallies(self) -> int:
        """On open: count a store from its entities when its log cannot tell (never
        counted, or pruned past the count) or it was counted by an older version; else make
        up what the log says was missed."""
        [state] = await self._read(tally_cypher.STATE, {})
        head, pruned = as_int(state["seq"]), as_int(state["pruned"])
        tallied = -1 if state["tallied"] is None else as_int(state["tallied"])
        windows = 0
        if head > 0 and (tallied < 0 or tallied < pruned or state["version"] != TALLY_VERSION):
            windows = await count_entities(
                self._read, self._housekeeping, by_node_id=self.dialect.pages_by_node_id
            )
        else:
            await count_changes(self._read, self._housekeeping)
        if state["version"] != TALLY_VERSION:
            await self._housekeeping(tally_cypher.MARK_VERSION, {"version": TALLY_VERSION})
        return windows

    async def _tallied_ranks(self, codes: list[str] | None, kind: str | None) -> tuple[int, int]:
        """How many institutions rank now (and how many of them are rated) in ``codes``
        (every region when None) under ``kind`` (any when None), from the tallies."""
        await count_changes(self._read, self._housekeeping)
        rows = await self._query(
            "tallied_ranks",
            tally_cypher.RANKED,
            {"codes": codes, "kind": ALL_KINDS if kind is None else kind},
        )
        if not rows:
            return 0, 0
        return as_int(rows[0]["ranked"] or 0), as_int(rows[0]["rated"] or 0)

    async def region_months(self, code: str, *, today: str) -> list[RegionMonth]:
        await count_changes(self._read, self._housekeeping)
        found = await self._query("region_months", tally_cypher.SUBTREE, {"code": code})
        codes = [str(c) for c in _list(found[0]["codes"])] if found else []
        if not codes:
            return []
        month = today[:7]
        rows = await self._query(
            "region_months", tally_cypher.MONTHS, {"codes": codes, "month": month}
        )
        days = await self._query(
            "region_months", tally_cypher.DAY_SUMS, {"keys": [f"{c}|{month}" for c in codes]}
        )
        return [_month(row, days if row["month"] == month else []) for row in rows]


def _month(row: Row, days: list[Row]) -> RegionMonth:
    """A month's sums, with the sums per day of ``days`` (the bucket of each region)."""
    sums = [[0] * DAYS for _ in range(3)]
    for bucket in days:
        for kind, name in enumerate(("issuedDays", "validDays", "institutionDays")):
            for index, value in enumerate(_list(bucket[name])):
                sums[kind][index] += as_int(value)
    return RegionMonth(
        month=str(row["month"]),
        issued=as_int(row["issued"]),
        valid=as_int(row["valid"]),
        institutions=as_int(row["institutions"]),
        issued_days=tuple(sums[0]),
        valid_days=tuple(sums[1]),
        institution_days=tuple(sums[2]),
    )
