"""Write guards: idempotency keys and expected versions are checked in the same
compare-and-set as the batch, so concurrent copies and racing writers cannot both land."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from graph.changelog import first_broken_link
from graph.cypher_store import CypherStore
from graph.cypher_store import certificates as certificate_store
from graph.errors import AlreadyApplied, GraphError, StaleVersion
from graph.log_models import IdempotencyClaim, WriteGuard
from graph.models import InstitutionQuery
from graph.open import open_store
from tests.conftest import BACKENDS, embedded_url, open_backend, open_neo4j
from tests.graph.builders import REGIONS, certificate, institution, organization

ACTOR = "test:guards"
LATER = "2999-01-01T00:00:00Z"
EARLIER = "2000-01-01T00:00:00Z"


def claim(key: str = "k-1", *, expires_at: str = LATER, fingerprint: str = "f-1") -> WriteGuard:
    return WriteGuard(
        idempotency=IdempotencyClaim(key, fingerprint, "upsertInstitutions", expires_at)
    )


@pytest.fixture(params=BACKENDS)
async def connections(
    request: pytest.FixtureRequest, falkordb_dir: Path
) -> AsyncIterator[list[CypherStore]]:
    """Five stores on one graph, each with its own connection (and, on FalkorDB, its own
    write lock), as five API processes would be."""
    if request.param == "neo4j":
        first = await open_backend("neo4j", falkordb_dir)
        stores = [first] + [await open_neo4j() for _ in range(4)]
    else:
        url = embedded_url(falkordb_dir)
        stores = [await open_store(url) for _ in range(5)]
    try:
        await stores[0].upsert_regions(REGIONS, actor=ACTOR)
        yield stores
    finally:
        for opened in stores:
            await opened.close()


async def test_a_claimed_key_returns_what_the_first_write_did(store: CypherStore) -> None:
    await store.upsert_regions(REGIONS, actor=ACTOR)
    batch = [institution(1), institution(2)]

    first = await store.upsert_institutions(batch, actor=ACTOR, guard=claim())
    with pytest.raises(AlreadyApplied) as replay:
        await store.upsert_institutions(batch, actor=ACTOR, guard=claim())

    record = replay.value.record
    assert (record.first_seq, record.last_seq, record.written) == (
        first.first_seq,
        first.last_seq,
        2,
    )
    assert record.fingerprint == "f-1"
    assert record.keys == first.keys
    assert (await store.change_head()).seq == first.last_seq  # the replay wrote nothing


async def test_an_expired_key_can_be_claimed_again_and_is_purged(store: CypherStore) -> None:
    await store.upsert_regions(REGIONS, actor=ACTOR)
    await store.upsert_institutions([institution(1)], actor=ACTOR, guard=claim(expires_at=EARLIER))
    await store.upsert_institutions(
        [institution(2)], actor=ACTOR, guard=claim("k-2", expires_at=EARLIER)
    )

    again = await store.upsert_institutions([institution(1)], actor=ACTOR, guard=claim())

    assert again.written == 1
    assert await store.purge_idempotency_keys(now="2500-01-01T00:00:00Z") == 1  # k-2 only
    with pytest.raises(AlreadyApplied):
        await store.upsert_institutions([institution(1)], actor=ACTOR, guard=claim())


@pytest.mark.neo4j_needs("counter_lock")
async def test_ten_concurrent_copies_write_once(connections: list[CypherStore]) -> None:
    batch = [institution(n) for n in range(1, 6)]
    head = await connections[0].change_head()

    outcomes = await asyncio.gather(
        *(
            connections[n % len(connections)].upsert_institutions(
                batch, actor=ACTOR, guard=claim("copy")
            )
            for n in range(10)
        ),
        return_exceptions=True,
    )

    written = [o for o in outcomes if not isinstance(o, BaseException)]
    replays = [o for o in outcomes if isinstance(o, AlreadyApplied)]
    assert len(written) == 1, outcomes
    assert len(replays) == 9, outcomes
    assert {r.record.first_seq for r in replays} == {written[0].first_seq}
    assert (await connections[0].change_head()).seq == head.seq + 5


async def test_expected_versions_guard_each_key(store: CypherStore) -> None:
    await store.upsert_regions(REGIONS, actor=ACTOR)
    new = institution(1)
    create_only = WriteGuard(expected_versions={new.uscc: 0})

    await store.upsert_institutions([new], actor=ACTOR, guard=create_only)
    with pytest.raises(StaleVersion) as stale:
        await store.upsert_institutions([new], actor=ACTOR, guard=create_only)
    await store.upsert_institutions(
        [new], actor=ACTOR, guard=WriteGuard(expected_versions={new.uscc: 1})
    )

    assert stale.value.stale == {new.uscc: (0, 1)}
    [stored] = await store.get_institutions([new.uscc])
    assert stored.version == 2


@pytest.mark.neo4j_needs("counter_lock")
async def test_fifty_writers_expecting_one_version_one_wins(
    connections: list[CypherStore],
) -> None:
    target = institution(1)
    await connections[0].upsert_institutions([target], actor=ACTOR)
    guard = WriteGuard(expected_versions={target.uscc: 1})

    outcomes = await asyncio.gather(
        *(
            connections[n % len(connections)].upsert_institutions(
                [institution(1, name=f"写入者{n}")], actor=f"writer-{n}", guard=guard
            )
            for n in range(50)
        ),
        return_exceptions=True,
    )

    wins = [o for o in outcomes if not isinstance(o, BaseException)]
    stale = [o for o in outcomes if isinstance(o, StaleVersion)]
    assert (len(wins), len(stale)) == (1, 49), [o for o in outcomes if o not in wins + stale]
    assert all(s.stale == {target.uscc: (1, 2)} for s in stale)
    [stored] = await connections[0].get_institutions([target.uscc])
    assert stored.version == 2
    changes = await connections[0].get_changes(after=0, limit=1000)
    assert first_broken_link(changes) is None
    assert await connections[0].count_institutions(InstitutionQuery()) == 1


async def test_a_write_refused_for_its_owner_learns_no_version(store: CypherStore) -> None:
    """An id that names another institution's record is refused before the expected
    versions are compared: a STALE_VERSION would tell the caller it exists, and at which
    version (a Dalian association probed Shenyang's service evaluations so)."""
    from datetime import date

    from graph.errors import Conflict
    from graph.models import CreditEvent

    await store.upsert_regions(REGIONS, actor=ACTOR)
    theirs, mine = institution(1), institution(2)
    await store.upsert_institutions([theirs, mine], actor=ACTOR)
    event = CreditEvent(
        "CE-G-1", theirs.uscc, "ADMINISTRATIVE_PENALTY", date(2026, 6, 1), "局", -30, "罚款"
    )
    await store.record_credit_events([event], actor=ACTOR)
    probe = CreditEvent(
        "CE-G-1", mine.uscc, "ADMINISTRATIVE_PENALTY", date(2026, 6, 1), "局", -30, "罚款"
    )

    with pytest.raises(Conflict) as refused:
        await store.record_credit_events(
            [probe], actor=ACTOR, guard=WriteGuard(expected_versions={"CE-G-1": 0})
        )
    assert not isinstance(refused.value, StaleVersion)


async def test_a_form_expected_absent_lands_once_and_is_read_by_its_id(
    store: CypherStore,
) -> None:
    """Two Annex C forms of one request sent at once: each expects the form absent, so the
    second is refused rather than replacing the first's answers."""
    from datetime import date

    from graph.models import ServiceEvaluation

    await store.upsert_regions(REGIONS, actor=ACTOR)
    station = institution(1)
    await store.upsert_institutions([station], actor=ACTOR)
    forms = [
        ServiceEvaluation(
            "SR-1-C",
            station.uscc,
            "SURVEY",
            date(2026, 11, 23),
            "CONSULTING",
            "request SR-1",
            answers=(answer,) * 10,
            recorded_by="requester",
        )
        for answer in ("VERY_SATISFIED", "DISSATISFIED")
    ]
    absent = WriteGuard(expected_versions={"SR-1-C": 0})

    await store.record_service_evaluations(forms[:1], actor=ACTOR, guard=absent)
    with pytest.raises(StaleVersion):
        await store.record_service_evaluations(forms[1:], actor=ACTOR, guard=absent)

    [kept] = await store.get_service_evaluations(["SR-1-C", "SR-2-C"])
    assert (kept.answers, kept.version) == (forms[0].answers, 1)


async def test_a_statement_whose_record_is_gone_writes_nothing(
    store: CypherStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row whose MATCH finds nothing (its holder gone between the check and the
    statement, as the check is skipped here) once let the rest of the batch land and the
    counter move past changes never written, served and in the feed while the caller was
    told the write failed (twenty-fifth session's review). The statement now fails whole."""
    await store.upsert_regions(REGIONS, actor=ACTOR)
    issuer, holder = institution(1), organization(1)
    await store.upsert_institutions([issuer], actor=ACTOR)
    await store.upsert_organizations([holder], actor=ACTOR)
    head = await store.change_head()

    async def unchecked(*_: object) -> None:
        return None

    monkeypatch.setattr(certificate_store, "_require", unchecked)
    batch = [
        certificate("GONE-1", issuer=issuer.uscc, holder=holder.uscc),
        certificate("GONE-2", issuer=issuer.uscc, holder=organization(2).uscc),
    ]
    with pytest.raises(GraphError):
        await store.issue_certificates(batch, actor=ACTOR)

    assert await store.change_head() == head
    assert await store.get_certificates(["GONE-1", "GONE-2"]) == []
    assert first_broken_link(await store.get_changes(after=0, limit=1000)) is None
