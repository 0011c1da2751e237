"""The port's ranking on every backend: ranking keys kept for pinned pages, unrated last,
cleared assessments, service categories by kind or accredited scope."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from graph.cypher_store import CypherStore
from graph.cypher_store.scores import ranking_key
from graph.models import Accreditation, RankingQuery, StoredCredit
from tests.graph.builders import REGIONS, institution

ACTOR = "test"
DAY = date(2026, 11, 22)
LABS = [institution(n) for n in range(1, 6)]
BODY = institution(9, kinds=("CERTIFICATION_BODY",))


def _credit(index: int, score: float | None) -> StoredCredit:
    grade = None if score is None else "B"
    return StoredCredit(LABS[index].uscc, score, grade, "[]", DAY, "2026.2")


async def _world(store: CypherStore) -> None:
    await store.upsert_regions(REGIONS, actor=ACTOR)
    await store.upsert_institutions([*LABS, BODY], actor=ACTOR)
    await store.store_credit(
        [_credit(0, 90.0), _credit(1, 80.0), _credit(2, 70.0), _credit(3, None)], actor=ACTOR
    )


async def _ranked(store: CypherStore, query: RankingQuery) -> list[tuple[str, float | None]]:
    found = await store.rank_institutions(query, after=None, limit=100)
    return [(r.institution.uscc, r.score) for r in found]


async def test_scores_best_first_then_the_unrated_and_none_of_the_unscored(
    store: CypherStore,
) -> None:
    await _world(store)

    ranked = await _ranked(store, RankingQuery())

    assert ranked == [
        (LABS[0].uscc, 90.0),
        (LABS[1].uscc, 80.0),
        (LABS[2].uscc, 70.0),
        (LABS[3].uscc, None),
    ]
    assert await store.count_ranked(RankingQuery()) == 4
    assert await store.count_ranked(RankingQuery(include_unrated=False)) == 3
    assert len(await _ranked(store, RankingQuery(include_unrated=False))) == 3


async def test_a_pinned_ranking_reads_the_keys_as_they_stood(store: CypherStore) -> None:
    await _world(store)
    pinned = RankingQuery(as_of=(await store.change_head()).seq)
    before = await _ranked(store, pinned)

    await store.store_credit([_credit(2, 99.0), _credit(0, None)], actor=ACTOR)
    await store.store_credit([_credit(4, 85.0)], actor=ACTOR)  # new after the pin
    await store.clear_credit([LABS[1].uscc], actor=ACTOR)

    assert await _ranked(store, pinned) == before
    assert await store.count_ranked(pinned) == 4
    now = RankingQuery(as_of=(await store.change_head()).seq)
    assert await _ranked(store, now) == [
        (LABS[2].uscc, 99.0),
        (LABS[4].uscc, 85.0),
        (LABS[0].uscc, None),
        (LABS[3].uscc, None),
    ]
    keyset = await store.rank_institutions(pinned, after=(80.0, LABS[1].uscc), limit=100)
    assert [r.institution.uscc for r in keyset] == [LABS[2].uscc, LABS[3].uscc]


async def test_an_unchanged_key_keeps_its_seq_and_pruning_forgets_old_keys(
    store: CypherStore,
) -> None:
    await _world(store)
    pinned = RankingQuery(as_of=(await store.change_head()).seq)
    same = StoredCredit(LABS[0].uscc, 90.0, "B", '["other factors"]', DAY, "2026.2")
    await store.store_credit([same, _credit(1, 10.0)], actor=ACTOR)

    assert await store.prune_credit_history(before="2000-01-01T00:00:00.000000Z") == 0
    assert (await _ranked(store, pinned))[:2] == [(LABS[0].uscc, 90.0), (LABS[1].uscc, 80.0)]
    assert await store.prune_credit_history(before="9999-01-01T00:00:00.000000Z") == 1
    assert (await _ranked(store, pinned))[:1] == [(LABS[0].uscc, 90.0)]


async def test_a_cleared_assessment_is_gone(store: CypherStore) -> None:
    await _world(store)

    await store.clear_credit([LABS[0].uscc], actor=ACTOR)

    assert await store.get_stored_credit([LABS[0].uscc]) == []
    assert LABS[0].uscc not in dict(await _ranked(store, RankingQuery()))


async def test_a_service_category_is_a_kind_or_an_accredited_standard(store: CypherStore) -> None:
    await _world(store)
    await store.store_credit([StoredCredit(BODY.uscc, 75.0, "B", "[]", DAY, "2026.2")], actor=ACTOR)
    await store.upsert_accreditations(
        [
            Accreditation(
                number="CNAS-C999-S",
                scheme="CNAS_SERVICE_17065",
                body=LABS[4].uscc,
                holder=BODY.uscc,
                scope=("GB/T 27922-2011",),
                valid_from=date(2020, 1, 1),
                valid_until=date(2030, 1, 1),
            )
        ],
        actor=ACTOR,
    )

    by_standard = RankingQuery(provider_kinds=("X",), scope_standards=("GB/T 27922-2011",))
    by_kind = RankingQuery(provider_kinds=("CERTIFICATION_BODY",), scope_standards=("X",))
    labs = RankingQuery(provider_kinds=("INSPECTION_TESTING",), scope_standards=("X",))

    assert await _ranked(store, by_standard) == [(BODY.uscc, 75.0)]
    assert await _ranked(store, by_kind) == [(BODY.uscc, 75.0)]
    assert await store.count_ranked(labs) == 4


async def test_a_walk_through_ties_and_the_unrated_repeats_and_skips_nobody(
    store: CypherStore,
) -> None:
    """Ties and the unrated in the fixed order of their keys (a digest of the USCC)."""
    crowd = [institution(100 + n) for n in range(24)]
    await store.upsert_regions(REGIONS, actor=ACTOR)
    await store.upsert_institutions(crowd, actor=ACTOR)
    scores = [87.5] * 10 + [None] * 10 + [90.0, 60.0, 87.4, 87.6]
    await store.store_credit(
        [
            StoredCredit(i.uscc, s, None if s is None else "A", "[]", DAY, "2026.2")
            for i, s in zip(crowd, scores, strict=True)
        ],
        actor=ACTOR,
    )
    query = RankingQuery(as_of=(await store.change_head()).seq)
    expected = sorted(
        ((i.uscc, s) for i, s in zip(crowd, scores, strict=True)),
        key=lambda item: -ranking_key(item[1], item[0]),
    )
    assert [s for _, s in expected] == sorted(scores, key=lambda s: -1 if s is None else -s)

    for size in (1, 3, 7):
        walked: list[tuple[str, float | None]] = []
        after: tuple[float, str] | None = None
        while page := await store.rank_institutions(query, after=after, limit=size):
            walked += [(r.institution.uscc, r.score) for r in page]
            after = (page[-1].sort, page[-1].institution.uscc)

        assert walked == expected, size


async def test_counts_follow_an_institution_that_moves_region_or_changes_kind(
    store: CypherStore,
) -> None:
    await _world(store)
    dalian = RankingQuery(region="210000")
    canton = RankingQuery(region="440000")
    labs = RankingQuery(kind="INSPECTION_TESTING", include_unrated=False)
    assert (await store.count_ranked(dalian), await store.count_ranked(canton)) == (4, 0)
    assert await store.count_ranked(labs) == 3

    [moved] = await store.get_institutions([LABS[0].uscc])
    await store.upsert_institutions(
        [replace(moved, region="440000", kinds=("METROLOGY",))], actor=ACTOR
    )

    assert (await store.count_ranked(dalian), await store.count_ranked(canton)) == (3, 1)
    assert await store.count_ranked(labs) == 2
    assert [r.institution.uscc for r in await store.rank_institutions(
        canton, after=None, limit=10
    )] == [LABS[0].uscc]  # fmt: skip
    # Counted from the entities again (a store from before the tallies), the same.
    await store._housekeeping("MATCH (t:RankTally) DELETE t", {})
    await store._housekeeping("MATCH (i:Institution) REMOVE i.rankTally", {})
    await store._housekeeping("MATCH (c:ChangeCounter) SET c.tallyVersion = 1", {})
    await store._upgrade_tallies()
    assert (await store.count_ranked(dalian), await store.count_ranked(canton)) == (3, 1)
