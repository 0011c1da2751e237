"""Statistics over time (issue 14, item 7) on every backend: the per-region, per-month
tallies kept on write give the year-end figures of a region and its sub-regions, honouring
the effective dates of status steps, exactly as a scan of the records would."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from graph.cypher_store import CypherStore
from graph.cypher_store.tallies import count_entities
from graph.falkordb_store import FalkorDBStore
from graph.models import StatusChange
from graph.tallies import Contribution, stored_contribution
from registry.domain.region_trends import YearFigures, year_over_year
from tests.graph.builders import REGIONS, certificate, institution, organization

ACTOR = "test:tallies"
TODAY = date(2026, 12, 4)


def _step(number: str, status: str, on: date) -> StatusChange:
    return StatusChange(number, status, "监督审核", on, "", "")


async def _figures(store: CypherStore, code: str, today: date = TODAY) -> list[YearFigures]:
    return year_over_year(await store.region_months(code, today=today.isoformat()), today)


async def _dated_world(store: CypherStore) -> dict[str, str]:
    """A body in Dalian's district founded 2021, one in Guangdong founded 2023; a holder in
    Dalian's district with certificates issued in 2022, 2023 and 2024."""
    await store.upsert_regions(REGIONS, actor=ACTOR)
    dalian_body = replace(institution(1, kinds=("CERTIFICATION_BODY",)), founded=date(2021, 6, 1))
    canton_body = replace(institution(2, region="440000"), founded=date(2023, 3, 1))
    await store.upsert_institutions([dalian_body, canton_body], actor=ACTOR)
    holder = organization(1)
    await store.upsert_organizations([holder], actor=ACTOR)
    issued = [
        ("C-2022", date(2022, 5, 1), date(2025, 4, 30)),
        ("C-2023", date(2023, 2, 1), date(2026, 1, 31)),
        ("C-2024", date(2024, 7, 1), date(2027, 6, 30)),
    ]
    await store.issue_certificates(
        [
            replace(
                certificate(number, issuer=dalian_body.uscc, holder=holder.uscc),
                issued_on=on,
                expires_on=until,
            )
            for number, on, until in issued
        ],
        actor=ACTOR,
    )
    return {"dalian": dalian_body.uscc, "canton": canton_body.uscc, "holder": holder.uscc}


def _table(rows: list[YearFigures]) -> list[tuple[int, int, int, int]]:
    return [(r.year, r.institutions, r.valid_certificates, r.certificates_issued) for r in rows]


async def test_a_province_rolls_up_its_districts_year_by_year(store: CypherStore) -> None:
    await _dated_world(store)
    assert _table(await _figures(store, "210000")) == [
        (2021, 1, 0, 0),
        (2022, 1, 1, 1),
        (2023, 1, 2, 1),
        (2024, 1, 3, 1),
        (2025, 1, 2, 0),  # C-2022 expired on 30 April 2025
        (2026, 1, 1, 0),  # C-2023 expired on 31 January 2026
    ]
    district = await _figures(store, "210204")
    assert _table(district) == _table(await _figures(store, "210000"))
    assert _table(await _figures(store, "440000")) == [
        (2023, 1, 0, 0),
        (2024, 1, 0, 0),
        (2025, 1, 0, 0),
        (2026, 1, 0, 0),
    ]


async def test_growth_is_the_relative_change_of_valid_certificates(store: CypherStore) -> None:
    await _dated_world(store)
    rows = await _figures(store, "210000")
    assert [r.growth for r in rows] == [None, None, 1.0, 0.5, round(-1 / 3, 6), -0.5]
    assert [r.institution_growth for r in rows] == [None, 0.0, 0.0, 0.0, 0.0, 0.0]


async def test_a_status_step_effective_in_a_later_year_counts_from_that_year(
    store: CypherStore,
) -> None:
    world = await _dated_world(store)
    # Recorded now: C-2024 suspended from 10 March 2025, reinstated 1 February 2026; the
    # Dalian body closed from 1 July 2026 (a step dated in the current year, before today).
    await store.change_certificate_statuses(
        [
            _step("C-2024", "SUSPENDED", date(2025, 3, 10)),
            _step("C-2024", "VALID", date(2026, 2, 1)),
        ],
        actor=ACTOR,
    )
    await store.change_institution_statuses(
        [_step(world["dalian"], "CLOSED", date(2026, 7, 1))], actor=ACTOR
    )
    assert _table(await _figures(store, "210000")) == [
        (2021, 1, 0, 0),
        (2022, 1, 1, 1),
        (2023, 1, 2, 1),
        (2024, 1, 3, 1),
        (2025, 1, 1, 0),  # C-2024 suspended on 31 December 2025
        (2026, 0, 1, 0),  # reinstated; the body closed
    ]
    # Asked about an earlier day of 2026, the current year stops at that day.
    assert _table(await _figures(store, "210000", date(2026, 1, 15)))[-1] == (2026, 1, 1, 0)


async def test_the_current_year_stops_at_the_day_asked_about(store: CypherStore) -> None:
    await _dated_world(store)
    # A step scheduled ahead: C-2024 withdrawn from 20 December 2026.
    await store.change_certificate_statuses(
        [_step("C-2024", "WITHDRAWN", date(2026, 12, 20))], actor=ACTOR
    )
    assert _table(await _figures(store, "210000"))[-1] == (2026, 1, 1, 0)
    assert _table(await _figures(store, "210000", date(2026, 12, 20)))[-1] == (2026, 1, 0, 0)
    later = await _figures(store, "210000", date(2027, 3, 1))
    assert _table(later)[-1] == (2027, 1, 0, 0)


async def test_moving_a_holder_moves_its_certificates(store: CypherStore) -> None:
    world = await _dated_world(store)
    [holder] = await store.get_organizations([world["holder"]])
    await store.upsert_organizations([replace(holder, region="440000")], actor=ACTOR)
    assert [r.valid_certificates for r in await _figures(store, "210000")] == [0] * 6
    moved = await _figures(store, "440000")  # from 2022, the first certificate's year
    assert [(r.year, r.valid_certificates) for r in moved] == [
        (2022, 1),
        (2023, 2),
        (2024, 3),
        (2025, 2),
        (2026, 1),
    ]


@pytest.mark.parametrize("by_node_id", [True, False], ids=["node-id windows", "pages by key"])
async def test_a_store_never_counted_is_counted_from_its_entities(
    store: CypherStore, by_node_id: bool
) -> None:
    """Neo4j walks the labels by key (its ids are opaque), FalkorDB by node-id windows: both
    count the same, on whichever engine runs."""
    await _dated_world(store)
    before = await _figures(store, "210000")
    await store._housekeeping("MATCH (t:RegionTally) DELETE t", {})
    await store._housekeeping("MATCH (n) WHERE n.tally IS NOT NULL REMOVE n.tally", {})
    await store._housekeeping("MATCH (c:ChangeCounter) SET c.tallied = null", {})
    assert await _figures(store, "210000") == []  # the log alone no longer tells
    if by_node_id and not store.dialect.pages_by_node_id:
        pytest.skip("this engine's node ids are not dense integers")
    await count_entities(store._read, store._housekeeping, by_node_id=by_node_id)
    assert await _figures(store, "210000") == before


async def test_counting_the_log_again_changes_nothing(store: CypherStore) -> None:
    """A count made up after a crash may cover changes already counted: each entity adds
    only the difference from what it kept, so the figures stay the same."""
    await _dated_world(store)
    before = await _figures(store, "210000")
    await store._housekeeping("MATCH (c:ChangeCounter) SET c.tallied = 0", {})

    assert await _figures(store, "210000") == before  # the read counted the log first
    [state] = await store._read("MATCH (c:ChangeCounter) RETURN c.seq = c.tallied AS done", {})
    assert state["done"] is True


async def test_a_write_whose_count_did_not_land_is_counted_by_the_next_read(
    store: CypherStore,
) -> None:
    if not isinstance(store, FalkorDBStore):
        pytest.skip("Neo4j counts inside the write's transaction: there is no gap")
    await _dated_world(store)
    [state] = await store._read("MATCH (c:ChangeCounter) RETURN c.tallied AS tallied", {})
    store._count_tallies = _no_count  # type: ignore[method-assign]  # a crash right after
    await store.change_certificate_statuses(
        [_step("C-2023", "WITHDRAWN", date(2024, 3, 1))], actor=ACTOR
    )
    [after] = await store._read("MATCH (c:ChangeCounter) RETURN c.tallied AS tallied", {})
    assert after["tallied"] == state["tallied"]  # the write left its count undone

    assert [r.valid_certificates for r in await _figures(store, "210000")] == [0, 1, 2, 2, 1, 1]


async def _no_count() -> None:
    return None


async def test_tallies_kept_as_json_by_an_older_version_are_counted_from(
    store: CypherStore,
) -> None:
    """Nodes keep their contribution compact; a store written before kept JSON, which the
    next count must read as what the node added, or the figures drift."""
    await _dated_world(store)
    kept = await store._read("MATCH (c:Certificate) RETURN c.number AS key, c.tally AS t", {})
    assert all(str(row["t"]).startswith("210204|") for row in kept)
    older = [
        {"key": row["key"], "t": json.dumps({"region": c.region, "events": c.events})}
        for row in kept
        for c in [stored_contribution(row["t"])]
    ]
    await store._housekeeping(
        "UNWIND $rows AS row MATCH (c:Certificate {number: row.key}) SET c.tally = row.t",
        {"rows": older},
    )

    await store.change_certificate_statuses(
        [_step("C-2023", "WITHDRAWN", date(2024, 3, 1))], actor=ACTOR
    )

    assert [r.valid_certificates for r in await _figures(store, "210000")] == [0, 1, 2, 2, 1, 1]
    [after] = await store._read("MATCH (c:Certificate {number: 'C-2023'}) RETURN c.tally AS t", {})
    assert str(after["t"]).startswith("210204|")


@pytest.mark.parametrize(
    "contribution",
    [
        Contribution("210204", (("2022-05-01", "issued", 1), ("2025-05-01", "valid", -1))),
        Contribution("440000", (("2023-03-01", "institutions", 1),)),
        Contribution("大连", (("2023-03-01", "institutions", 1),)),  # not a code: JSON
    ],
)
def test_a_contribution_reads_back_as_it_was_kept(contribution: Contribution) -> None:
    encoded = contribution.encoded()
    assert encoded is not None
    assert stored_contribution(encoded) == contribution
    older = json.dumps({"region": contribution.region, "events": contribution.events})
    assert stored_contribution(older) == contribution
    assert encoded.startswith("{") == (contribution.region == "大连")


async def test_a_kind_without_events_in_a_month_keeps_no_days(store: CypherStore) -> None:
    """Days all zero are kept as none (most months of most regions), and read as zeros."""
    await _dated_world(store)
    await store.change_certificate_statuses(
        [_step("C-2023", "SUSPENDED", date(2024, 3, 1))], actor=ACTOR
    )
    rows = await store._read(
        "MATCH (t:RegionTally) RETURN t.issuedDays AS i, t.validDays AS v, t.institutionDays AS n",
        {},
    )
    days = [row[name] for row in rows for name in ("i", "v", "n")]
    assert None in days
    assert all(kept is None or any(kept) for kept in days)  # type: ignore[arg-type]
    assert [r.valid_certificates for r in await _figures(store, "210000")] == [0, 1, 2, 2, 1, 1]
