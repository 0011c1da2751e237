"""The status-timeline contract on every backend: the step in force decides, whatever the
order of recording; steps dated ahead take effect on their date with no job; stores written
before timelines were kept are upgraded on open (issue 13)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from graph import clock
from graph.bulk_derived import certificate_timeline
from graph.cypher.timelines import status_in, status_on
from graph.cypher_store import CypherStore
from graph.cypher_store.base import Row
from graph.models import (
    NO_NEXT_STEP,
    Accreditation,
    CertificateQuery,
    InstitutionQuery,
    StatusChange,
)
from tests.graph.builders import REGIONS, certificate, institution, organization

ACTOR = "test:timelines"
TODAY = date(2026, 12, 4)


async def _world(store: CypherStore) -> tuple[str, str, str]:
    await store.upsert_regions(REGIONS, actor=ACTOR)
    body = institution(2, kinds=("CERTIFICATION_BODY",), name="认证公司")
    cnas = institution(5, kinds=("ACCREDITATION_BODY",), name="认可委员会")
    await store.upsert_institutions([body, cnas], actor=ACTOR)
    holder = organization(1)
    await store.upsert_organizations([holder], actor=ACTOR)
    await store.issue_certificates(
        [certificate("CERT000001", issuer=body.uscc, holder=holder.uscc)], actor=ACTOR
    )
    return body.uscc, cnas.uscc, holder.uscc


def _step(number: str, status: str, on: date, reason: str = "监督审核") -> StatusChange:
    return StatusChange(number, status, reason, on, "", "")


def _granted(number: str, *, body: str, holder: str) -> Accreditation:
    return Accreditation(
        number=number,
        scheme="CNAS_MANAGEMENT_SYSTEM_17021",
        body=body,
        holder=holder,
        scope=("GB/T 19001-2016",),
        valid_from=date(2020, 1, 1),
        valid_until=date(2029, 12, 31),
    )


async def _listed(store: CypherStore, status: str, day: date) -> list[str]:
    query = CertificateQuery(today=day, status=status)
    found = [c.number for c in await store.list_certificates(query, after=None, limit=10)]
    assert await store.count_certificates(query) == len(found)
    return found


async def test_a_late_recorded_earlier_suspension_does_not_override_a_later_reinstatement(
    store: CypherStore,
) -> None:
    await _world(store)
    for step in (
        _step("CERT000001", "SUSPENDED", date(2026, 3, 1)),
        _step("CERT000001", "VALID", date(2026, 5, 1), "恢复"),
        _step("CERT000001", "SUSPENDED", date(2026, 2, 1), "补录"),  # recorded last
    ):
        await store.change_certificate_statuses([step], actor=ACTOR)
    [stored] = await store.get_certificates(["CERT000001"])
    assert (stored.status, stored.status_since, stored.status_reason) == (
        "VALID",
        date(2026, 5, 1),
        "恢复",
    )
    assert len(stored.history) == 4
    assert await _listed(store, "VALID", TODAY) == ["CERT000001"]
    assert await _listed(store, "SUSPENDED", date(2026, 2, 15)) == ["CERT000001"]
    assert await _listed(store, "VALID", date(2026, 1, 31)) == ["CERT000001"]


async def test_a_scheduled_suspension_takes_effect_on_its_date_with_no_job(
    store: CypherStore,
) -> None:
    await _world(store)
    await store.change_certificate_statuses(
        [_step("CERT000001", "SUSPENDED", date(2027, 1, 15))], actor=ACTOR
    )
    [stored] = await store.get_certificates(["CERT000001"])
    assert (stored.status, stored.status_until) == ("VALID", date(2027, 1, 15))
    assert await _listed(store, "VALID", TODAY) == ["CERT000001"]
    assert await _listed(store, "SUSPENDED", TODAY) == []
    assert await _listed(store, "SUSPENDED", date(2027, 1, 15)) == ["CERT000001"]
    [now] = await store.region_statistics(["210000"], today=TODAY.isoformat())
    [then] = await store.region_statistics(["210000"], today="2027-01-15")
    assert (now.valid_certificates, then.valid_certificates) == (1, 0)


async def test_a_step_that_took_effect_is_written_into_the_documents_once(
    store: CypherStore,
) -> None:
    """Reads answer a scheduled step on its date, but documents (exports, snapshots, the
    mirror) kept the status of the day they were last written: a replica built from a
    snapshot never saw the step, which was in the feed before it. The new day's job writes
    each step that took effect into its record's document, as a change; the audit agrees."""
    from registry.operations.document_audit import check_documents

    body, cnas, _ = await _world(store)
    granted = _granted("CNAS-C998-M", body=cnas, holder=body)
    await store.upsert_accreditations([granted], actor=ACTOR)
    await store.change_certificate_statuses(
        [_step("CERT000001", "SUSPENDED", date(2027, 1, 15))], actor=ACTOR
    )
    await store.change_institution_statuses(
        [_step(body, "SUSPENDED", date(2027, 2, 1), "责令停业整顿")], actor=ACTOR
    )
    await store.change_accreditation_statuses(
        [_step("CNAS-C998-M", "SUSPENDED", date(2027, 2, 1), "暂停")], actor=ACTOR
    )
    head = (await store.change_head()).seq

    assert await store.bring_steps_into_force(date(2027, 1, 14), actor=ACTOR) == 0
    written = await store.bring_steps_into_force(date(2027, 1, 20), actor=ACTOR)

    assert written == 1  # the institution's step is not due yet
    [doc] = await store.export_docs("Certificate", ["CERT000001"])
    assert (doc.doc["status"], doc.doc["statusSince"]) == ("SUSPENDED", "2027-01-15")
    assert doc.doc["statusReason"] == "监督审核"
    [change] = await store.get_changes(after=head, limit=10)
    assert (change.entity, change.key, change.op) == ("Certificate", "CERT000001", "IN_FORCE")
    [body_doc] = await store.export_docs("Institution", [body])
    assert body_doc.doc["status"] == "ACTIVE"
    assert await store.bring_steps_into_force(date(2027, 1, 20), actor=ACTOR) == 0
    assert await store.bring_steps_into_force(date(2027, 2, 1), actor=ACTOR) == 2
    [body_doc] = await store.export_docs("Institution", [body])
    [accreditation] = await store.export_docs("Accreditation", ["CNAS-C998-M"])
    assert (body_doc.doc["status"], accreditation.doc["status"]) == ("SUSPENDED", "SUSPENDED")
    report = await check_documents(store)
    assert (report.altered, report.unverifiable) == (None, 0)


async def test_steps_of_one_certificate_in_one_batch_all_count(store: CypherStore) -> None:
    await _world(store)
    await store.change_certificate_statuses(
        [
            _step("CERT000001", "SUSPENDED", date(2026, 3, 1)),
            _step("CERT000001", "WITHDRAWN", date(2026, 4, 1)),
        ],
        actor=ACTOR,
    )
    [stored] = await store.get_certificates(["CERT000001"])
    assert (stored.status, stored.status_until) == ("WITHDRAWN", NO_NEXT_STEP)
    assert await _listed(store, "SUSPENDED", date(2026, 3, 15)) == ["CERT000001"]


async def test_a_final_step_supersedes_the_steps_scheduled_after_it(store: CypherStore) -> None:
    """A withdrawal recorded after a suspension scheduled for 2027: the suspension never
    takes effect, for reads, the step lists, the new day's job and a bulk load's lists."""
    await _world(store)
    for step in (
        _step("CERT000001", "SUSPENDED", date(2027, 1, 15)),
        _step("CERT000001", "WITHDRAWN", TODAY, "撤销"),
    ):
        await store.change_certificate_statuses([step], actor=ACTOR)
    [stored] = await store.get_certificates(["CERT000001"])
    assert (stored.status, stored.status_until) == ("WITHDRAWN", NO_NEXT_STEP)
    assert len(stored.history) == 3  # kept as recorded; the domain reads past it
    assert await _listed(store, "SUSPENDED", date(2027, 1, 15)) == []
    assert await _listed(store, "WITHDRAWN", date(2027, 1, 15)) == ["CERT000001"]
    assert await store.bring_steps_into_force(date(2027, 1, 20), actor=ACTOR) == 0
    row = await _loaded_as_written(store, stored.history)
    assert "SUSPENDED" not in row["steps"]  # type: ignore[operator]


async def test_a_scheduled_final_step_is_superseded_by_no_other(store: CypherStore) -> None:
    """Written through the port, which leaves the rules to the API: a cancellation after a
    withdrawal scheduled ahead keeps the withdrawal, on its day, in every reading."""
    await _world(store)
    for step in (
        _step("CERT000001", "WITHDRAWN", date(2027, 1, 15)),
        _step("CERT000001", "CANCELLED", TODAY, "注销"),
    ):
        await store.change_certificate_statuses([step], actor=ACTOR)
    [stored] = await store.get_certificates(["CERT000001"])
    assert (stored.status, stored.status_until) == ("CANCELLED", date(2027, 1, 15))
    assert await _listed(store, "WITHDRAWN", date(2027, 1, 15)) == ["CERT000001"]
    row = await _loaded_as_written(store, stored.history)
    assert sorted(row["steps"]) == ["CANCELLED", "VALID", "WITHDRAWN"]  # type: ignore[arg-type]


async def _loaded_as_written(store: CypherStore, history: Sequence[StatusChange]) -> Row:
    """The node's cached status and step lists, once checked equal to what a bulk load
    builds from the same steps."""
    node = """MATCH (c:Certificate {number: $n})
        RETURN c.status AS status, c.statusSince AS since, c.statusUntil AS until,
               c.stepOn AS on, c.stepSeq AS seq, c.stepStatus AS steps, c.version AS version"""
    [row] = await store._read(node, {"n": "CERT000001"})
    steps: list[list[object]] = [
        [s.number, s.status, s.reason, s.effective_on.isoformat(), s.recorded_at, s.actor, s.seq]
        for s in history
    ]
    loaded = certificate_timeline(steps, TODAY.isoformat(), "VALID", None)
    assert (loaded.status, loaded.since, loaded.until, loaded.version) == (
        row["status"],
        row["since"],
        row["until"],
        row["version"],
    )
    assert sorted(zip(loaded.step_on, loaded.step_seq, loaded.step_status, strict=True)) == sorted(
        zip(row["on"], row["seq"], row["steps"], strict=True)  # type: ignore[call-overload]
    )
    return row


async def _numbers(store: CypherStore, condition: str, day: date) -> list[str]:
    statement = f"MATCH (c:Certificate) WHERE {condition} RETURN c.number AS number"
    return sorted(str(row["number"]) for row in await store._read(statement, {"day": str(day)}))


async def test_the_status_filter_answers_as_the_status_on_the_day(store: CypherStore) -> None:
    """``status_in`` (the filter that reads the cache when it can) finds what ``status_on``
    finds, for one-step, changed, scheduled, back-dated and upgraded timelines, on days
    inside and outside each cache window."""
    body, _, holder = await _world(store)
    issued = [certificate(f"CERT00000{n}", issuer=body, holder=holder) for n in range(2, 7)]
    issued.append(certificate("CERT000007", issuer=body, holder=holder, status="SUSPENDED"))
    await store.issue_certificates(issued, actor=ACTOR)
    for step in (
        _step("CERT000002", "SUSPENDED", date(2026, 3, 1)),
        _step("CERT000002", "VALID", date(2026, 5, 1), "恢复"),
        _step("CERT000003", "SUSPENDED", date(2027, 1, 15)),  # scheduled ahead
        _step("CERT000004", "WITHDRAWN", date(2025, 6, 1)),
        _step("CERT000005", "SUSPENDED", date(2026, 2, 1)),
        _step("CERT000005", "CANCELLED", date(2026, 1, 10), "补录"),  # earlier, recorded later
    ):
        await store.change_certificate_statuses([step], actor=ACTOR)
    # As an upgrade leaves a certificate whose stored status is not its one step's: no window.
    await store._housekeeping(
        "MATCH (c:Certificate {number: 'CERT000006'}) "
        "SET c.status = 'SUSPENDED', c.statusUntil = '0001-01-01', "
        "c.stepOn = ['2024-01-01'], c.stepSeq = [1], c.stepStatus = ['VALID']",
        {},
    )
    days = [date(2023, 12, 31), date(2024, 1, 1), date(2025, 6, 1), date(2026, 1, 10)]
    days += [date(2026, 2, 15), date(2026, 3, 1), date(2026, 5, 1), TODAY, date(2027, 1, 15)]
    found: set[str] = set()
    for statuses in ("['VALID']", "['SUSPENDED']", "['WITHDRAWN']", "['CANCELLED']"):
        for day in days:
            fast = await _numbers(store, status_in("c", "$day", statuses), day)
            folded = await _numbers(store, f"{status_on('c', '$day')} IN {statuses}", day)
            assert fast == folded, (statuses, day)
            found |= {statuses} if fast else set()
    pair = "['VALID', 'SUSPENDED']"
    assert await _numbers(store, status_in("c", "$day", pair), TODAY) == await _numbers(
        store, f"{status_on('c', '$day')} IN {pair}", TODAY
    )
    assert len(found) == 4  # every status is someone's on some day: the test compares answers


async def test_a_certificate_keeps_step_lists_only_once_it_has_a_second_step(
    store: CypherStore,
) -> None:
    """One step: its status is the answer on every day, so no lists are stored (design note
    41); the second step brings both."""
    await _world(store)
    lists = "MATCH (c:Certificate {number: $n}) RETURN c.stepOn AS on, c.stepStatus AS status"
    [row] = await store._read(lists, {"n": "CERT000001"})
    assert (row["on"], row["status"]) == (None, None)
    assert await _listed(store, "VALID", date(2023, 6, 1)) == ["CERT000001"]  # before its step
    await store.change_certificate_statuses(
        [_step("CERT000001", "SUSPENDED", date(2026, 3, 1))], actor=ACTOR
    )
    [row] = await store._read(lists, {"n": "CERT000001"})
    steps = sorted(zip(row["on"], row["status"], strict=True))  # type: ignore[call-overload]
    assert steps == [("2024-01-01", "VALID"), ("2026-03-01", "SUSPENDED")]  # in no set order
    assert await _listed(store, "VALID", date(2026, 2, 28)) == ["CERT000001"]
    assert await _listed(store, "SUSPENDED", TODAY) == ["CERT000001"]


async def test_accreditations_keep_dated_status_and_scope_steps(store: CypherStore) -> None:
    body, cnas, _ = await _world(store)
    granted = _granted("CNAS-C999-M", body=cnas, holder=body)
    await store.upsert_accreditations([granted], actor=ACTOR)
    await store.change_accreditation_statuses(
        [
            StatusChange(
                "CNAS-C999-M",
                "VALID",
                "扩项",
                date(2025, 6, 1),
                "",
                "",
                scope_added=("GB/T 24001-2016",),
            ),
            _step("CNAS-C999-M", "SUSPENDED", date(2026, 7, 1), "暂停认可"),
        ],
        actor=ACTOR,
    )
    [stored] = await store.get_accreditations(["CNAS-C999-M"])
    assert stored.status == "SUSPENDED"
    assert stored.scope == ("GB/T 19001-2016",)  # as granted; steps extend it
    steps = sorted(stored.history, key=lambda s: s.seq)
    assert [(s.status, s.effective_on) for s in steps] == [
        ("VALID", date(2020, 1, 1)),
        ("VALID", date(2025, 6, 1)),
        ("SUSPENDED", date(2026, 7, 1)),
    ]
    assert steps[1].scope_added == ("GB/T 24001-2016",)
    assert [a.number for a in await store.get_accreditations_held([body])] == ["CNAS-C999-M"]

    async def accredited(day: date) -> list[str]:
        query = InstitutionQuery(accreditation_scheme="CNAS_MANAGEMENT_SYSTEM_17021", today=day)
        return [i.uscc for i in await store.list_institutions(query, after=None, limit=10)]

    assert await accredited(date(2026, 6, 30)) == [body]
    assert await accredited(TODAY) == []
    # An upsert changes the record, never the status of an existing accreditation.
    await store.upsert_accreditations([granted], actor=ACTOR)
    [again] = await store.get_accreditations(["CNAS-C999-M"])
    assert (again.status, len(again.history)) == ("SUSPENDED", 3)


async def test_verification_facts_come_with_every_history(store: CypherStore) -> None:
    """The certificate's, its issuer's and each accreditation's, in one read; a record that
    has not changed since its first step comes without (its cache is that step)."""
    body, cnas, _ = await _world(store)
    granted = _granted("CNAS-C998-M", body=cnas, holder=body)
    unchanged = replace(
        _granted("CNAS-C997-M", body=cnas, holder=body),
        scope=("GB/T 24001-2016",),
        valid_from=date(2021, 1, 1),
    )
    await store.upsert_accreditations([granted, unchanged], actor=ACTOR)
    [facts] = await store.get_verification_facts(["CERT000001"])
    assert facts.certificate.history == ()
    await store.change_certificate_statuses(
        [_step("CERT000001", "SUSPENDED", date(2026, 3, 1))], actor=ACTOR
    )
    await store.change_accreditation_statuses(
        [_step("CNAS-C998-M", "SUSPENDED", date(2026, 7, 1))], actor=ACTOR
    )
    await store.change_institution_statuses(
        [_step(body, "SUSPENDED", date(2027, 2, 1))], actor=ACTOR
    )
    [facts] = await store.get_verification_facts(["CERT000001"])
    assert [s.status for s in facts.certificate.history] == ["VALID", "SUSPENDED"]
    assert facts.issuer is not None
    assert [s.status for s in facts.issuer.history] == ["ACTIVE", "SUSPENDED"]
    steps = {a.number: [s.status for s in a.history] for a in facts.accreditations}
    assert steps == {"CNAS-C998-M": ["VALID", "SUSPENDED"], "CNAS-C997-M": []}


async def test_an_institutions_own_status_is_a_timeline(store: CypherStore) -> None:
    body, _, _ = await _world(store)
    await store.change_institution_statuses(
        [_step(body, "SUSPENDED", date(2027, 2, 1), "责令停业整顿")], actor=ACTOR
    )
    [stored] = await store.get_institutions([body])
    assert (stored.status, stored.status_until) == ("ACTIVE", date(2027, 2, 1))
    assert [s.status for s in sorted(stored.history, key=lambda s: s.seq)] == [
        "ACTIVE",
        "SUSPENDED",
    ]


async def test_a_write_after_16_utc_caches_the_step_of_chinas_day_not_the_utc_date(
    store: CypherStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 01:30 in Beijing the UTC date is still the day before: a suspension effective today
    in China is the status the node caches (and the export carries), not a step ahead."""
    body, _, _ = await _world(store)
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 3, 10, 17, 30, tzinfo=UTC))
    beijing_day = date(2026, 3, 11)
    assert clock.registry_today() == beijing_day
    await store.change_certificate_statuses(
        [_step("CERT000001", "SUSPENDED", beijing_day)], actor=ACTOR
    )
    await store.change_institution_statuses(
        [_step(body, "SUSPENDED", beijing_day, "责令停业整顿")], actor=ACTOR
    )
    [certificate_now] = await store.get_certificates(["CERT000001"])
    assert (certificate_now.status, certificate_now.status_since) == ("SUSPENDED", beijing_day)
    [institution_now] = await store.get_institutions([body])
    assert (institution_now.status, institution_now.status_since) == ("SUSPENDED", beijing_day)
    unfounded = institution(7, name="检测公司")  # no founding date: registered today
    await store.upsert_institutions([unfounded], actor=ACTOR)
    [registered] = await store.get_institutions([unfounded.uscc])
    assert [s.effective_on for s in registered.history] == [beijing_day]


async def test_a_store_written_before_timelines_is_upgraded_on_open(store: CypherStore) -> None:
    """Old-format records are written directly here, as an older registry left them: the last
    recorded status on the node (even when an earlier-dated step came last), no step lists,
    and no history at all for accreditations and institutions."""
    body, cnas, _ = await _world(store)
    await store._housekeeping(
        """
MATCH (c:Certificate {number: 'CERT000001'})
CREATE (c)-[:HAS_STATUS]->(:StatusChange {number: 'CERT000001', status: 'VALID',
    reason: '恢复', effectiveOn: '2026-05-01', recordedAt: '2026-05-01T00:00:00Z',
    actor: 'old', seq: 900})
CREATE (c)-[:HAS_STATUS]->(:StatusChange {number: 'CERT000001', status: 'SUSPENDED',
    reason: '补录', effectiveOn: '2026-02-01', recordedAt: '2026-06-01T00:00:00Z',
    actor: 'old', seq: 901})
SET c.status = 'SUSPENDED', c.statusReason = '补录', c.statusSince = '2026-02-01'
REMOVE c.stepOn, c.stepSeq, c.stepStatus, c.statusUntil
WITH c
MATCH (i:Institution {uscc: $body})
OPTIONAL MATCH (i)-[:HAS_STATUS]->(s:StatusChange)
DETACH DELETE s
WITH DISTINCT i
SET i.status = 'SUSPENDED'
REMOVE i.stepOn, i.stepSeq, i.stepStatus, i.statusSince, i.statusUntil
WITH i
MATCH (counter:ChangeCounter {id: 'main'})
REMOVE counter.timelines
""",
        {"body": body},
    )
    documents = await store.export_docs("Certificate", ["CERT000001"])
    assert await store._upgrade_timelines() >= 2
    assert await store._upgrade_timelines() == 0  # once
    # The document is left as it was (the document audit keeps its digest); its cache is
    # marked as never the answer, so filters read the step lists.
    assert await store.export_docs("Certificate", ["CERT000001"]) == documents
    [stored] = await store.get_certificates(["CERT000001"])
    assert (stored.status, stored.status_until) == ("SUSPENDED", date(1, 1, 1))
    assert await _listed(store, "VALID", TODAY) == ["CERT000001"]
    assert await _listed(store, "SUSPENDED", TODAY) == []
    assert await _listed(store, "SUSPENDED", date(2026, 2, 15)) == ["CERT000001"]
    [institution_now] = await store.get_institutions([body])
    assert institution_now.status == "SUSPENDED"
    assert [(s.status, s.recorded_at) for s in institution_now.history] == [("SUSPENDED", "")]
    assert cnas
