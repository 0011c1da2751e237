"""The GraphStore contract: every port method, run against every available backend."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace
from datetime import date

import pytest

from graph.changelog import GENESIS_HASH, first_broken_link
from graph.cypher_store import CypherStore
from graph.errors import Conflict, GraphError, NotFound
from graph.models import (
    Accreditation,
    ApiKey,
    CertificateQuery,
    Complaint,
    CreditEvent,
    CreditRating,
    InstitutionQuery,
    Person,
    StatusChange,
)
from tests.conftest import TODAY
from tests.graph.builders import REGIONS, certificate, institution, organization, uscc

ACTOR = "test:contract"


async def _basic_world(store: CypherStore) -> dict[str, str]:
    """Regions, a group with two members, a certification body, a holder."""
    await store.upsert_regions(REGIONS, actor=ACTOR)
    group = institution(1, kinds=("GROUP",), name="大连检验检测集团")
    body = institution(2, kinds=("CERTIFICATION_BODY",), name="认证公司")
    lab = institution(
        3,
        group=group.uscc,
        name="产品质量检验研究院",
        person=Person("p-1", "张三"),
        address="大连市沙河口区 1 号",
    )
    other = institution(4, region="440000", group=group.uscc, name="广东实验室")
    await store.upsert_institutions([group, body, lab, other], actor=ACTOR)
    holder = organization(1)
    await store.upsert_organizations([holder], actor=ACTOR)
    return {
        "group": group.uscc,
        "body": body.uscc,
        "lab": lab.uscc,
        "other": other.uscc,
        "holder": holder.uscc,
    }


async def test_an_empty_store_has_the_genesis_head(store: CypherStore) -> None:
    head = await store.change_head()
    assert (head.seq, head.hash) == (0, GENESIS_HASH)
    assert await store.ping()


async def test_regions_keep_their_parent_tree(store: CypherStore) -> None:
    await store.upsert_regions(REGIONS, actor=ACTOR)
    found = {r.code: r for r in await store.get_regions()}
    assert found["210204"].parent == "210200"
    assert found["210000"].parent is None
    assert [r.code for r in await store.get_regions(["210200", "999999"])] == ["210200"]


async def test_institutions_round_trip_with_group_person_and_address(store: CypherStore) -> None:
    world = await _basic_world(store)
    [lab] = await store.get_institutions([world["lab"]])
    assert lab.group == world["group"]
    assert lab.legal_representative == Person("p-1", "张三")
    assert lab.address == "大连市沙河口区 1 号"
    assert lab.version == 1
    members = await store.get_group_members([world["group"]])
    assert sorted(m.uscc for m in members) == sorted([world["lab"], world["other"]])


async def test_upserting_again_replaces_links_and_bumps_the_version(store: CypherStore) -> None:
    world = await _basic_world(store)
    [lab] = await store.get_institutions([world["lab"]])
    moved = replace(
        lab, group=None, name="改名后的研究院", region="210200", legal_representative=None
    )
    await store.upsert_institutions([moved], actor=ACTOR)
    [again] = await store.get_institutions([world["lab"]])
    assert (again.name, again.group, again.region, again.version) == (
        "改名后的研究院",
        None,
        "210200",
        lab.version + 1,
    )
    assert again.legal_representative is None


async def test_listing_filters_by_region_subtree_kind_name_and_scheme(store: CypherStore) -> None:
    world = await _basic_world(store)
    everything = InstitutionQuery()
    liaoning = InstitutionQuery(region="210000")
    assert await store.count_institutions(everything) == 4
    in_liaoning = await store.list_institutions(liaoning, after=None, limit=10)
    assert {i.uscc for i in in_liaoning} == {world["group"], world["body"], world["lab"]}
    assert [i.uscc for i in in_liaoning] == sorted(i.uscc for i in in_liaoning)
    assert await store.count_institutions(InstitutionQuery(kind="GROUP")) == 1
    assert await store.count_institutions(InstitutionQuery(name_contains="实验")) == 1
    assert await store.count_institutions(InstitutionQuery(group=world["group"])) == 2
    await store.upsert_accreditations(
        [
            Accreditation(
                "CNAS-L0001",
                "CNAS_LAB_17025",
                world["body"],
                world["lab"],
                ("GB/T 1",),
                date(2020, 1, 1),
                date(2030, 1, 1),
            )
        ],
        actor=ACTOR,
    )
    by_scheme = InstitutionQuery(accreditation_scheme="CNAS_LAB_17025")
    assert [i.uscc for i in await store.list_institutions(by_scheme, after=None, limit=5)] == [
        world["lab"]
    ]


async def test_keyset_pages_cover_everything_once(store: CypherStore) -> None:
    await _basic_world(store)
    seen: list[str] = []
    after = None
    while True:
        page = await store.list_institutions(InstitutionQuery(), after=after, limit=3)
        seen += [i.uscc for i in page]
        if len(page) < 3:
            break
        after = page[-1].uscc
    assert seen == sorted(set(seen))
    assert len(seen) == 4


async def test_every_institution_uscc_is_listed_once(store: CypherStore) -> None:
    await _basic_world(store)
    paged = await store.list_institutions(InstitutionQuery(), after=None, limit=100)
    assert sorted(await store.institution_usccs()) == [i.uscc for i in paged]
    assert len(paged) == 4


async def test_certificates_issue_change_status_and_keep_history(store: CypherStore) -> None:
    world = await _basic_world(store)
    issued = certificate("CERT000001", issuer=world["body"], holder=world["holder"])
    result = await store.issue_certificates([issued], actor=ACTOR)
    assert result.written == 1
    [stored] = await store.get_certificates(["CERT000001"])
    assert stored.region == "210204"
    assert stored.status == "VALID"
    assert stored.status_since == issued.issued_on
    await store.change_certificate_statuses(
        [StatusChange("CERT000001", "SUSPENDED", "监督审核不合格", date(2026, 3, 1), "", "")],
        actor=ACTOR,
    )
    [suspended] = await store.get_certificates(["CERT000001"])
    assert (suspended.status, suspended.status_reason, suspended.status_since) == (
        "SUSPENDED",
        "监督审核不合格",
        date(2026, 3, 1),
    )
    history = await store.get_status_histories(["CERT000001"])
    assert [(h.status, h.effective_on) for h in history] == [
        ("VALID", date(2024, 1, 1)),
        ("SUSPENDED", date(2026, 3, 1)),
    ]
    assert history[0].recorded_at < history[1].recorded_at
    assert history[1].actor == ACTOR


async def test_reissuing_is_idempotent_but_never_moves_a_certificate(store: CypherStore) -> None:
    world = await _basic_world(store)
    issued = certificate("CERT000002", issuer=world["body"], holder=world["holder"])
    await store.issue_certificates([issued], actor=ACTOR)
    await store.issue_certificates([issued], actor=ACTOR)
    assert len(await store.get_status_histories(["CERT000002"])) == 1
    stolen = certificate("CERT000002", issuer=world["lab"], holder=world["holder"])
    head = await store.change_head()
    with pytest.raises(Conflict):
        await store.issue_certificates([stolen], actor=ACTOR)
    assert await store.change_head() == head


async def test_a_batch_with_one_unknown_reference_writes_nothing(store: CypherStore) -> None:
    world = await _basic_world(store)
    good = certificate("CERT000003", issuer=world["body"], holder=world["holder"])
    orphan = certificate("CERT000004", issuer=world["body"], holder=uscc(99_999))
    head = await store.change_head()
    with pytest.raises(NotFound) as raised:
        await store.issue_certificates([good, orphan], actor=ACTOR)
    assert raised.value.keys == [uscc(99_999)]
    assert raised.value.label == "Organization"
    assert await store.change_head() == head
    assert await store.get_certificates(["CERT000003"]) == []


async def test_certificate_listing_derives_expiry_and_filters(store: CypherStore) -> None:
    world = await _basic_world(store)
    await store.issue_certificates(
        [
            certificate("CERT000010", issuer=world["body"], holder=world["holder"]),
            certificate(
                "CERT000011",
                issuer=world["body"],
                holder=world["holder"],
                expires_on=date(2025, 1, 1),
            ),
            certificate(
                "CERT000012",
                issuer=world["body"],
                holder=world["holder"],
                status="WITHDRAWN",
                family="PRODUCT",
                standard="CCC",
            ),
        ],
        actor=ACTOR,
    )

    async def numbers(**filters: str) -> list[str]:
        query = CertificateQuery(today=TODAY, **filters)  # type: ignore[arg-type]
        found = await store.list_certificates(query, after=None, limit=10)
        assert await store.count_certificates(query) == len(found)
        return [c.number for c in found]

    assert await numbers(status="VALID") == ["CERT000010"]
    assert await numbers(status="EXPIRED") == ["CERT000011"]
    assert await numbers(status="WITHDRAWN") == ["CERT000012"]
    assert await numbers(family="PRODUCT") == ["CERT000012"]
    assert await numbers(standard="CCC") == ["CERT000012"]
    assert await numbers(region="210000") == ["CERT000010", "CERT000011", "CERT000012"]

    assert await numbers(region="440000") == []
    assert await numbers(holder=world["holder"], issuer=world["body"]) == [
        "CERT000010",
        "CERT000011",
        "CERT000012",
    ]
    page = await store.list_certificates(
        CertificateQuery(today=TODAY), after="CERT000010", limit=10
    )
    assert [c.number for c in page] == ["CERT000011", "CERT000012"]


async def test_credit_inputs_count_withdrawn_certificates_beside_the_issued(
    store: CypherStore,
) -> None:
    """FalkorDB once counted 0 withdrawn of 2 here: the comprehension reused the name of the
    one counting every issued certificate (design note 27)."""
    world = await _basic_world(store)
    await store.issue_certificates(
        [
            certificate(f"CERT00002{n}", issuer=world["body"], holder=world["holder"], status=s)
            for n, s in enumerate(["VALID", "WITHDRAWN", "WITHDRAWN", "SUSPENDED"])
        ],
        actor=ACTOR,
    )

    # Issued again (a partner's retry): still one certificate, though read from the degree.
    await store.issue_certificates(
        [certificate("CERT000020", issuer=world["body"], holder=world["holder"])], actor=ACTOR
    )

    [facts] = await store.get_credit_inputs(
        [world["body"]], today=TODAY.isoformat(), evaluated_since="2025-01-01"
    )

    assert (facts.certificates_issued, facts.certificates_withdrawn) == (4, 2)


async def test_credit_inputs_of_a_past_day_count_the_certificates_issued_by_then(
    store: CypherStore,
) -> None:
    """The degree counts every certificate ever issued; a past day's score only those
    issued by that day."""
    world = await _basic_world(store)
    early = certificate("CERT000030", issuer=world["body"], holder=world["holder"])
    late = replace(early, number="CERT000031", issued_on=date(2025, 6, 1))
    await store.issue_certificates([early, late], actor=ACTOR)

    counted = {}
    for day, past in ((date(2025, 1, 1), True), (TODAY, False)):
        [facts] = await store.get_credit_inputs(
            [world["body"]], today=day.isoformat(), evaluated_since="2024-01-01", past=past
        )
        counted[day] = facts.certificates_issued

    assert counted == {date(2025, 1, 1): 1, TODAY: 2}


async def test_region_statistics_count_the_subtree(store: CypherStore) -> None:
    world = await _basic_world(store)
    await store.issue_certificates(
        [
            certificate("CERT000020", issuer=world["body"], holder=world["holder"]),
            certificate(
                "CERT000021",
                issuer=world["body"],
                holder=world["holder"],
                expires_on=date(2025, 1, 1),
            ),
        ],
        actor=ACTOR,
    )
    stats = {
        s.code: s
        for s in await store.region_statistics(["210000", "440000"], today=TODAY.isoformat())
    }
    assert (
        stats["210000"].institutions,
        stats["210000"].valid_certificates,
        stats["210000"].certified_organizations,
    ) == (3, 1, 1)
    assert (stats["440000"].institutions, stats["440000"].valid_certificates) == (1, 0)


async def test_credit_file_entries_are_recorded(store: CypherStore) -> None:
    world = await _basic_world(store)
    await store.issue_certificates(
        [certificate("CERT000030", issuer=world["body"], holder=world["holder"])], actor=ACTOR
    )
    await store.record_complaints(
        [
            Complaint(
                "CMP-001",
                world["body"],
                "HOTLINE_12315",
                "报告延误",
                "RESOLVED",
                date(2026, 1, 5),
                "客户称报告晚了两周",
                certificate="CERT000030",
                substantiated=True,
            )
        ],
        actor=ACTOR,
    )
    await store.publish_credit_ratings(
        [
            CreditRating(
                "RAT-001",
                world["group"],
                world["lab"],
                "A",
                92.5,
                "2025",
                date(2026, 1, 10),
                date(2027, 1, 10),
                "协会信用评价办法",
            )
        ],
        actor=ACTOR,
    )
    await store.record_credit_events(
        [
            CreditEvent(
                "EVT-001",
                world["lab"],
                "SPOT_CHECK",
                date(2026, 5, 1),
                "大连市市场监督管理局",
                2.0,
                "双随机抽查合格",
            )
        ],
        actor=ACTOR,
    )
    [complaint] = await store.get_complaints_against([world["body"]])
    assert (complaint.certificate, complaint.substantiated) == ("CERT000030", True)
    [rating] = await store.get_credit_ratings_of([world["lab"]])
    assert (rating.grade, rating.score) == ("A", 92.5)
    [event] = await store.get_credit_events_of([world["lab"]])
    assert event.kind == "SPOT_CHECK"
    assert event.date == date(2026, 5, 1)


async def test_api_keys_are_found_by_digest_only(store: CypherStore) -> None:
    await store.save_api_key(
        ApiKey("d" * 64, "PARTNER", (), "sync", "2026-11-22T00:00:00Z"), actor=ACTOR
    )
    found = await store.find_api_key("d" * 64)
    assert found is not None
    assert found.role == "PARTNER"
    assert await store.find_api_key("e" * 64) is None
    [change] = await store.get_changes(after=0, limit=10)
    assert "d" * 64 not in change.data


async def test_every_write_appends_a_verifiable_chain(store: CypherStore) -> None:
    await _basic_world(store)
    changes = await store.get_changes(after=0, limit=100)
    assert [c.seq for c in changes] == list(range(1, len(changes) + 1))
    assert first_broken_link(changes) is None
    assert (await store.change_head()).hash == changes[-1].hash
    page = await store.get_changes(after=2, limit=2)
    assert [c.seq for c in page] == [3, 4]


@pytest.mark.neo4j_needs("counter_lock")
async def test_concurrent_writers_never_interleave_or_lose_changes(store: CypherStore) -> None:
    await store.upsert_regions(REGIONS, actor=ACTOR)
    batches = [[institution(100 + 10 * w + i) for i in range(10)] for w in range(8)]
    results = await asyncio.gather(
        *(store.upsert_institutions(batch, actor=f"writer-{n}") for n, batch in enumerate(batches))
    )
    spans = sorted((r.first_seq, r.last_seq) for r in results)
    assert all(b[0] == a[1] + 1 for a, b in itertools.pairwise(spans))
    changes = await store.get_changes(after=0, limit=100)
    assert first_broken_link(changes) is None
    assert await store.count_institutions(InstitutionQuery()) == 80


async def test_batches_over_the_limit_are_refused(store: CypherStore) -> None:
    await store.upsert_regions(REGIONS, actor=ACTOR)
    with pytest.raises(GraphError):
        await store.upsert_institutions([institution(i) for i in range(1001)], actor=ACTOR)
    assert await store.count_institutions(InstitutionQuery()) == 0


async def test_clear_empties_the_graph_and_keeps_it_usable(store: CypherStore) -> None:
    await _basic_world(store)
    await store.clear()
    assert await store.count_institutions(InstitutionQuery()) == 0
    assert (await store.change_head()).seq == 0
    await store.upsert_regions(REGIONS, actor=ACTOR)
    assert (await store.change_head()).seq == len(REGIONS)
