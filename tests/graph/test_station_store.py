"""The port's stations on every backend: catalogues found by region and service, requests
written whole with their confidential fields kept out of the log, the tally aggregation, and
benchmarks with the stars their subject holds."""

from __future__ import annotations

import dataclasses
from datetime import date

import orjson

from graph.cypher_store import CypherStore
from graph.station_models import Benchmark, ServiceRequest, ServiceStation
from tests.graph.builders import REGIONS, institution

ACTOR = "test"
DAY = date(2026, 11, 23)
STATION = institution(1, kinds=("QUALITY_SERVICE_STATION",))
LAB = institution(2)
ELSEWHERE = institution(3, region="440000", kinds=("QUALITY_SERVICE_STATION",))


def _request(number: int, **fields: object) -> ServiceRequest:
    base = ServiceRequest(
        id=f"SR-{number:016x}",
        station=STATION.uscc,
        category="INSPECTION_TESTING",
        status="SUBMITTED",
        submitted_on=DAY,
        submitted_at="2026-11-23T01:00:00.000000Z",
        demand="检测",
        enterprise="某厂",
        contact="13800000000",
        token_digest="0" * 64,
        stage_since=DAY,
        due_by=date(2026, 11, 25),
    )
    return dataclasses.replace(base, **fields)  # type: ignore[arg-type]


async def _world(store: CypherStore) -> None:
    await store.upsert_regions(REGIONS, actor=ACTOR)
    await store.upsert_institutions([STATION, LAB, ELSEWHERE], actor=ACTOR)
    await store.upsert_stations(
        [
            ServiceStation(
                STATION.uscc,
                ("INSPECTION_TESTING", "METROLOGY"),
                routes=(f"INSPECTION_TESTING:{LAB.uscc}",),
                staff_roles=("STATION_MASTER", "SERVICE_SPECIALIST"),
                staff_names=("甲", ""),
            ),
            ServiceStation(ELSEWHERE.uscc, ("CONSULTING",), staff_roles=("STATION_MASTER",)),
        ],
        actor=ACTOR,
    )


async def test_stations_are_found_by_region_below_and_service(store: CypherStore) -> None:
    await _world(store)

    liaoning = await store.find_stations("210000", service="METROLOGY", limit=10)
    consulting = await store.find_stations("210000", service="CONSULTING", limit=10)

    assert [(s.uscc, s.region, s.name) for s in liaoning] == [
        (STATION.uscc, "210204", STATION.name)
    ]
    assert liaoning[0].staff_names == ("甲", "")
    assert consulting == []
    everywhere = await store.find_stations(None, service="CONSULTING", limit=10)
    assert [s.uscc for s in everywhere] == [ELSEWHERE.uscc]


async def test_the_log_carries_requests_and_staff_without_confidential_fields(
    store: CypherStore,
) -> None:
    await _world(store)
    await store.put_service_requests([_request(1)], actor=ACTOR)

    changes = await store.get_changes(after=0, limit=1000)
    logged = {c.entity: orjson.loads(c.data) for c in changes}
    assert "contact" not in logged["ServiceRequest"]
    assert "demand" not in logged["ServiceRequest"]
    assert "tokenDigest" not in logged["ServiceRequest"]
    assert "staffNames" not in logged["ServiceStation"]


async def test_a_write_without_confidential_fields_keeps_the_stored_ones(
    store: CypherStore,
) -> None:
    await _world(store)
    await store.put_service_requests([_request(1)], actor=ACTOR)

    await store.put_service_requests(
        [_request(1, status="MATCHED", demand="", contact="", token_digest="")], actor=ACTOR
    )

    [kept] = await store.get_service_requests([_request(1).id])
    assert (kept.status, kept.contact, kept.token_digest) == ("MATCHED", "13800000000", "0" * 64)
    assert kept.version == 2
    assert kept.region == "210204"


async def test_the_tally_counts_met_late_and_overdue_stages_in_the_window(
    store: CypherStore,
) -> None:
    """Of the requests its regulator had confirmed by the day asked: anyone may submit one,
    so the others' stages are counted apart, as unconfirmed."""
    await _world(store)
    confirmed = {"confirmed_on": DAY, "confirmation": "CALL_BACK"}
    await store.put_service_requests(
        [
            _request(1, status="DONE", stages_met=2, stages_late=1, due_by=None, **confirmed),
            _request(2, status="MATCHED", stages_met=1, due_by=date(2026, 12, 1), **confirmed),
            _request(3, submitted_on=date(2025, 1, 1), **confirmed),  # before the window
            _request(4, status="DONE", stages_met=3, due_by=None),  # never confirmed
            _request(5, status="DONE", stages_met=3, due_by=None, confirmed_on=date(2026, 12, 5)),
        ],
        actor=ACTOR,
    )

    [tally] = await store.get_request_tallies(
        [STATION.uscc], since="2026-01-01", today="2026-12-02"
    )
    [early] = await store.get_request_tallies(
        [STATION.uscc], since="2026-01-01", today="2026-11-30"
    )
    [later] = await store.get_request_tallies(
        [STATION.uscc], since="2026-01-01", today="2026-12-05"
    )

    assert (tally.requests, tally.done, tally.met, tally.late, tally.overdue) == (4, 3, 3, 1, 1)
    assert tally.unconfirmed == 2
    assert early.overdue == 0
    assert (later.met, later.unconfirmed) == (6, 1)


async def test_benchmarks_are_listed_by_category_and_region_below(store: CypherStore) -> None:
    await _world(store)
    benchmark = Benchmark(
        id="BM-2026-CONSULTING-x",
        uscc=STATION.uscc,
        category="CONSULTING",
        year=2026,
        criteria="c",
        designated_on=DAY,
        designated_by=ACTOR,
        name=STATION.name,
        region="210204",
    )
    await store.designate_benchmarks([benchmark], actor=ACTOR)

    found = await store.get_benchmarks("CONSULTING", region="210200", today="2026-11-23", limit=5)
    none = await store.get_benchmarks("CONSULTING", region="440000", today="2026-11-23", limit=5)
    every = await store.get_benchmarks("CONSULTING", region=None, today="2026-11-23", limit=5)

    assert [(b.id, b.year, b.stars) for b in found] == [(benchmark.id, 2026, None)]
    assert none == []
    assert len(every) == 1
