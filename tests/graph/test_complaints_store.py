"""The complaint methods of the port, on every backend: filing with a first step, advancing
step by step, the counts by year with the cutoffs the domain gives, and the credit inputs."""

from __future__ import annotations

import json
from datetime import date

import pytest

from graph.complaint_models import ComplaintAdvance, ComplaintStep, ComplaintTallyQuery
from graph.cypher_store import CypherStore
from graph.errors import Conflict, NotFound
from graph.models import Complaint
from tests.graph.builders import REGIONS, institution

ACTOR = "test:complaints"
OPEN = ("ACCEPTED", "INVESTIGATING", "RECEIVED")
HANDLING = ("ACCEPTED", "INVESTIGATING")


def _filed(key: str, against: str, on: date, *, contact: str | None = None) -> Complaint:
    return Complaint(
        id=key,
        against=against,
        channel="ONLINE",
        category="报告延误",
        status="RECEIVED",
        filed_on=on,
        details="confidential details",
        contact=contact,
        steps=(ComplaintStep("RECEIVED", on, "public:anonymous"),),
    )


@pytest.fixture
async def lab(store: CypherStore) -> str:
    await store.upsert_regions(REGIONS, actor=ACTOR)
    lab = institution(3)
    await store.upsert_institutions([lab], actor=ACTOR)
    return lab.uscc


async def test_a_filed_complaint_keeps_its_contact_and_first_step_and_its_change_neither(
    store: CypherStore, lab: str
) -> None:
    result = await store.file_complaints(
        [_filed("CMP-2026-A", lab, date(2026, 3, 2), contact="王先生 139")], actor=ACTOR
    )

    [found] = await store.get_complaints(["CMP-2026-A"])
    [step] = found.steps
    assert (found.status, found.contact, found.version) == ("RECEIVED", "王先生 139", 1)
    assert (step.status, step.on, step.actor, step.reason) == (
        "RECEIVED",
        date(2026, 3, 2),
        "public:anonymous",
        None,
    )
    assert step.recorded_at
    [change] = await store.get_changes(after=result.first_seq - 1, limit=1)
    assert (change.entity, change.key, json.loads(change.data)) == (
        "Complaint",
        "CMP-2026-A",
        {"against": lab, "status": "RECEIVED"},
    )
    with pytest.raises(Conflict):
        await store.file_complaints([_filed("CMP-2026-A", lab, date(2026, 3, 3))], actor=ACTOR)


async def test_advancing_appends_steps_and_sets_only_what_it_names(
    store: CypherStore, lab: str
) -> None:
    await store.file_complaints([_filed("CMP-2026-B", lab, date(2026, 3, 2))], actor=ACTOR)
    accept = ComplaintAdvance(
        "CMP-2026-B",
        ComplaintStep("ACCEPTED", date(2026, 3, 5), "regulator:k1"),
        accepted_on=date(2026, 3, 5),
    )
    resolve = ComplaintAdvance(
        "CMP-2026-B",
        ComplaintStep("RESOLVED", date(2026, 4, 1), "regulator:k1", "退费", True),
        closed_on=date(2026, 4, 1),
        substantiated=True,
        resolution="退费",
    )

    await store.advance_complaints([accept], against={"CMP-2026-B": lab}, actor=ACTOR)
    await store.advance_complaints([resolve], against={"CMP-2026-B": lab}, actor=ACTOR)

    [found] = await store.get_complaints(["CMP-2026-B"])
    assert (found.status, found.accepted_on, found.closed_on, found.substantiated) == (
        "RESOLVED",
        date(2026, 3, 5),
        date(2026, 4, 1),
        True,
    )
    assert (found.resolution, found.version) == ("退费", 3)
    assert [(s.status, s.on, s.reason, s.substantiated) for s in found.steps] == [
        ("RECEIVED", date(2026, 3, 2), None, None),
        ("ACCEPTED", date(2026, 3, 5), None, None),
        ("RESOLVED", date(2026, 4, 1), "退费", True),
    ]
    with pytest.raises(NotFound):
        await store.advance_complaints(
            [replace_id(accept, "CMP-NONE")], against={"CMP-NONE": lab}, actor=ACTOR
        )


def replace_id(advance: ComplaintAdvance, key: str) -> ComplaintAdvance:
    return ComplaintAdvance(key, advance.step, accepted_on=advance.accepted_on)


async def test_tallies_count_per_year_with_the_cutoffs_given(store: CypherStore, lab: str) -> None:
    await store.file_complaints(
        [
            _filed("CMP-2025-C", lab, date(2025, 12, 30)),
            _filed("CMP-2026-D", lab, date(2026, 3, 1)),
            _filed("CMP-2026-E", lab, date(2026, 3, 9)),
            _filed("CMP-2026-F", lab, date(2026, 3, 20)),  # after the day asked for
        ],
        actor=ACTOR,
    )
    step = ComplaintStep("ACCEPTED", date(2026, 1, 2), "regulator:k1")
    await store.advance_complaints(
        [ComplaintAdvance("CMP-2025-C", step, accepted_on=date(2026, 1, 2))],
        against={"CMP-2025-C": lab},
        actor=ACTOR,
    )
    query = ComplaintTallyQuery(
        day=date(2026, 3, 10),
        open_statuses=OPEN,
        handling=HANDLING,
        filed_before=date(2026, 3, 3),  # CMP-2026-D is late to be accepted, E is not
        accepted_before=date(2026, 1, 9),  # CMP-2025-C is late to be handled
    )

    tallies = await store.get_complaint_tallies([lab], query)

    assert [(t.year, t.received, t.open, t.overdue, t.substantiated) for t in tallies] == [
        (2025, 1, 1, 1, 0),
        (2026, 2, 2, 1, 0),
    ]


async def test_credit_inputs_count_substantiated_complaints_beside_the_total(
    store: CypherStore, lab: str
) -> None:
    await store.file_complaints([_filed("CMP-2026-G", lab, date(2026, 3, 2))], actor=ACTOR)
    await store.advance_complaints(
        [
            ComplaintAdvance(
                "CMP-2026-G",
                ComplaintStep("INVESTIGATING", date(2026, 3, 9), "regulator:k1", None, True),
                substantiated=True,
            )
        ],
        against={"CMP-2026-G": lab},
        actor=ACTOR,
    )

    [facts] = await store.get_credit_inputs([lab], today="2026-03-10", evaluated_since="2025-03-11")

    assert (facts.complaints_total, facts.complaints_substantiated) == (1, 1)
