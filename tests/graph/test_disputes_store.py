"""Disputes and data-quality counts on every backend: a dispute is kept about an existing
record only, answered once, its contact never logged; an issuer's counts come from
aggregations, pinned here on a small dated world (issue 14)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from graph import clock
from graph.cypher.data_quality import day_number
from graph.cypher_store import CypherStore
from graph.dispute_models import Dispute
from graph.errors import Conflict, NotFound
from graph.models import StatusChange
from tests.graph.builders import REGIONS, certificate, institution, organization

ACTOR = "test:disputes"
CONTACT = "holder@example.invalid"


def _dispute(number: str, serial: int, *, entity: str = "CERTIFICATE", issuer: str) -> Dispute:
    return Dispute(
        id=f"{serial:032x}",
        entity=entity,
        key=number,
        field="status",
        claim="证书状态应为有效",
        contact=CONTACT,
        institution=issuer,
        region="210204",
        filed_on=date(2026, 11, 1),
        due_by=date(2026, 12, 1),
    )


async def _world(store: CypherStore) -> tuple[str, str]:
    """A certification body with four certificates issued on 2024-01-01 (two of them service
    certificates, one without its stars) and a body with none."""
    await store.upsert_regions(REGIONS, actor=ACTOR)
    body = institution(2, kinds=("CERTIFICATION_BODY",), name="认证公司")
    idle = institution(3, kinds=("CERTIFICATION_BODY",), name="新认证公司")
    await store.upsert_institutions([body, idle], actor=ACTOR)
    holder = organization(1)
    await store.upsert_organizations([holder], actor=ACTOR)
    service = {"family": "SERVICE", "standard": "GB/T 27922-2011"}
    await store.issue_certificates(
        [
            certificate("CERT000001", issuer=body.uscc, holder=holder.uscc),
            replace(certificate("CERT000002", issuer=body.uscc, holder=holder.uscc), **service),
            replace(
                certificate("CERT000003", issuer=body.uscc, holder=holder.uscc),
                **service,
                stars=5,
            ),
            certificate("CERT000004", issuer=body.uscc, holder=holder.uscc),
        ],
        actor=ACTOR,
    )
    return body.uscc, idle.uscc


def _step(number: str, status: str, on: date) -> StatusChange:
    return StatusChange(number, status, "监督审核", on, "", "")


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        ("2024-02-28", "2024-03-01"),  # a leap day between
        ("2023-02-28", "2023-03-01"),
        ("1999-12-31", "2000-01-01"),
        ("2026-01-01", "2099-01-01"),
        ("2020-01-01", "2026-12-04T06:30:00.123456Z"),  # a recorded time: its day counts
    ],
)
async def test_day_numbers_differ_by_the_days_between(
    store: CypherStore, earlier: str, later: str
) -> None:
    statement = f"RETURN {day_number('$later')} - {day_number('$earlier')} AS days"
    [row] = await store._read(statement, {"earlier": earlier, "later": later})
    expected = date.fromisoformat(later[:10]) - date.fromisoformat(earlier)
    assert row["days"] == expected.days


async def test_counts_pin_each_factor_of_an_issuer(store: CypherStore) -> None:
    body, idle = await _world(store)
    today = clock.registry_today()  # steps are recorded now, by the clock
    for step in (
        _step("CERT000001", "SUSPENDED", date(2020, 1, 1)),  # recorded years late
        _step("CERT000001", "VALID", today),  # recorded on the day: on time
        _step("CERT000002", "SUSPENDED", date(2099, 1, 1)),  # recorded ahead: on time
    ):
        await store.change_certificate_statuses([step], actor=ACTOR)
    await store.file_dispute(_dispute("CERT000001", 1, issuer=body), actor=ACTOR)
    await store.file_dispute(_dispute("CERT000002", 2, issuer=body), actor=ACTOR)
    await store.file_dispute(_dispute("CERT000003", 3, issuer=body), actor=ACTOR)  # open
    own = _dispute(body, 4, entity="INSTITUTION", issuer=body)  # its own record: not counted
    await store.file_dispute(own, actor=ACTOR)
    for serial, status in ((1, "UPHELD"), (2, "REJECTED"), (4, "UPHELD")):
        await store.answer_dispute(
            f"{serial:032x}",
            status=status,
            answer="已更正" if status == "UPHELD" else "记录无误",
            answered_by=body,
            answered_on=date(2026, 11, 20),
            actor=ACTOR,
        )

    counted, nothing = await store.get_data_quality_counts(
        [body, idle], since=date(2023, 12, 31), late_after_days=7
    )
    assert (counted.uscc, counted.certificates, counted.recent_certificates) == (body, 4, 4)
    assert (counted.incomplete, counted.missing_stars) == (1, 1)
    assert (counted.status_changes, counted.late_status_changes) == (3, 1)
    assert (counted.disputes_answered, counted.disputes_upheld) == (2, 1)
    assert (nothing.uscc, nothing.certificates, nothing.status_changes) == (idle, 0, 0)

    groups = await store.get_issue_groups([body, idle], since=date(2023, 12, 31))
    assert sorted((g.issuer, g.family, g.issued_on, g.certificates) for g in groups) == [
        (body, "MANAGEMENT_SYSTEM", date(2024, 1, 1), 2),
        (body, "SERVICE", date(2024, 1, 1), 2),
    ]
    assert await store.get_issue_groups([body], since=date(2024, 1, 2)) == []

    [later] = await store.get_data_quality_counts(
        [body], since=date(2024, 1, 2), late_after_days=100_000
    )
    assert later.recent_certificates == 0  # all issued before the window
    assert later.late_status_changes == 0  # the threshold decides


async def test_lateness_counts_the_days_in_china_from_16_utc(
    store: CypherStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recorded at 01:30 on 11 March in Beijing (17:30 UTC on the 10th), a step effective on
    3 March is eight days late there: over a seven-day allowance."""
    body, _ = await _world(store)
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 3, 10, 17, 30, tzinfo=UTC))
    await store.change_certificate_statuses(
        [_step("CERT000001", "SUSPENDED", date(2026, 3, 3))], actor=ACTOR
    )
    [counted] = await store.get_data_quality_counts(
        [body], since=date(2023, 12, 31), late_after_days=7
    )
    assert (counted.status_changes, counted.late_status_changes) == (1, 1)


async def test_a_dispute_about_an_unknown_record_is_refused_and_writes_nothing(
    store: CypherStore,
) -> None:
    body, _ = await _world(store)
    head = await store.change_head()
    with pytest.raises(NotFound):
        await store.file_dispute(_dispute("CERT999999", 1, issuer=body), actor=ACTOR)
    assert await store.change_head() == head


async def test_a_dispute_is_answered_once_and_its_contact_is_never_logged(
    store: CypherStore,
) -> None:
    body, _ = await _world(store)
    head = await store.change_head()
    await store.file_dispute(_dispute("CERT000001", 1, issuer=body), actor=ACTOR)
    answer = {"answer": "已更正", "answered_by": body, "answered_on": date(2026, 11, 2)}
    await store.answer_dispute(f"{1:032x}", status="UPHELD", actor=ACTOR, **answer)
    with pytest.raises(Conflict):
        await store.answer_dispute(f"{1:032x}", status="REJECTED", actor=ACTOR, **answer)
    with pytest.raises(NotFound):
        await store.answer_dispute(f"{9:032x}", status="REJECTED", actor=ACTOR, **answer)

    changes = await store.get_changes(after=head.seq, limit=10)
    assert [(c.entity, c.op, c.region) for c in changes] == [
        ("Dispute", "FILE", "210204"),
        ("Dispute", "ANSWER", "210204"),
    ]
    assert all(CONTACT not in c.data and "contact" not in c.data for c in changes)
    [stored] = await store.get_disputes([f"{1:032x}"])
    assert (stored.status, stored.answer, stored.contact, stored.version) == (
        "UPHELD",
        "已更正",
        CONTACT,
        2,
    )
    assert [d.id for d in await store.get_disputes_of([body])] == [f"{1:032x}"]
