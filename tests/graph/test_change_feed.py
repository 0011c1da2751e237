"""The change log as a feed: each change knows its region, the feed narrows by entity and
region, and pruning keeps the chain verifiable from a remembered checkpoint."""

from __future__ import annotations

from graph.changelog import GENESIS_HASH
from graph.cypher_store import CypherStore
from graph.log_models import ChangeFilter
from registry.cli.trust import check_chain
from tests.graph.builders import REGIONS, certificate, institution, organization

ACTOR = "test:feed"


async def _world(store: CypherStore) -> None:
    await store.upsert_regions(REGIONS, actor=ACTOR)  # seq 1-4
    await store.upsert_institutions(  # seq 5-7
        [institution(1), institution(2, region="440000"), institution(3, region="210200")],
        actor=ACTOR,
    )
    await store.upsert_organizations([organization(1)], actor=ACTOR)  # seq 8
    await store.issue_certificates(  # seq 9, held in 210204
        [certificate("CERT-1", issuer=institution(1).uscc, holder=organization(1).uscc)],
        actor=ACTOR,
    )


async def test_every_change_records_its_region(store: CypherStore) -> None:
    await _world(store)

    changes = await store.get_changes(after=0, limit=100)

    assert [(c.entity, c.region) for c in changes] == [
        ("Region", "210000"),
        ("Region", "210200"),
        ("Region", "210204"),
        ("Region", "440000"),
        ("Institution", "210204"),
        ("Institution", "440000"),
        ("Institution", "210200"),
        ("Organization", "210204"),
        ("Certificate", "210204"),
    ]


async def test_the_feed_narrows_by_entity_and_region(store: CypherStore) -> None:
    await _world(store)
    liaoning_institutions = ChangeFilter(entities=("Institution",), regions=("210000",))
    dalian = ChangeFilter(regions=("210200",))
    window = ChangeFilter(regions=("210000", "440000"), up_to=6)

    found = await store.get_changes(after=0, limit=100, narrow=liaoning_institutions)
    in_dalian = await store.get_changes(after=0, limit=100, narrow=dalian)
    windowed = await store.get_changes(after=4, limit=100, narrow=window)

    assert [c.seq for c in found] == [5, 7]
    assert await store.count_changes(after=0, narrow=liaoning_institutions) == 2
    assert [c.seq for c in in_dalian] == [2, 3, 5, 7, 8, 9]  # the city and its district
    assert [c.seq for c in windowed] == [5, 6]


async def test_pruning_keeps_the_chain_verifiable(store: CypherStore) -> None:
    await _world(store)
    [fourth] = await store.get_changes(after=3, limit=1)
    before = await store.change_log_start()
    assert (before.seq, before.hash) == (0, GENESIS_HASH)

    deleted = await store.prune_changes(through=4, chunk=3)

    assert deleted == 4
    start = await store.change_log_start()
    assert (start.seq, start.hash) == (4, fourth.hash)
    assert [c.seq for c in await store.get_changes(after=0, limit=100)] == [5, 6, 7, 8, 9]
    report = await check_chain(store)
    assert report.problem is None
    assert report.changes == 9
    assert await store.prune_changes(through=2) == 0  # the checkpoint never moves back
    assert (await store.change_log_start()).seq == 4
