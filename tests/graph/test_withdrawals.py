"""A body's withdrawn certificates, counted for its credit score along the WITHDREW edges that
every write recording a withdrawal step makes (graph.cypher.certificates), and that an older
store gets on open."""

from __future__ import annotations

from datetime import date, timedelta

from graph.cypher import certificates as certificate_cypher
from graph.cypher_store import CypherStore
from graph.models import StatusChange
from tests.conftest import TODAY
from tests.graph.builders import REGIONS, certificate, institution, organization

ACTOR = "test:withdrawals"


async def _body_and_holder(store: CypherStore) -> tuple[str, str]:
    await store.upsert_regions(REGIONS, actor=ACTOR)
    body = institution(2, kinds=("CERTIFICATION_BODY",), name="认证公司")
    await store.upsert_institutions([body], actor=ACTOR)
    holder = organization(1)
    await store.upsert_organizations([holder], actor=ACTOR)
    return body.uscc, holder.uscc


async def _withdrawn(store: CypherStore, body: str, day: date = TODAY) -> tuple[int, int]:
    [facts] = await store.get_credit_inputs(
        [body], today=day.isoformat(), evaluated_since="2025-01-01"
    )
    return facts.certificates_issued, facts.certificates_withdrawn


def _step(number: str, status: str, on: date) -> StatusChange:
    return StatusChange(number, status, "证书持有人违规", on, "", "")


async def test_withdrawals_count_on_the_day_they_take_effect_and_once_each(
    store: CypherStore,
) -> None:
    body, holder = await _body_and_holder(store)
    numbers = [f"CERT00003{n}" for n in range(4)]
    await store.issue_certificates(
        [certificate(n, issuer=body, holder=holder) for n in numbers], actor=ACTOR
    )
    assert await _withdrawn(store, body) == (4, 0)

    later = TODAY + timedelta(days=30)
    await store.change_certificate_statuses(
        [
            _step(numbers[0], "WITHDRAWN", TODAY),
            _step(numbers[1], "SUSPENDED", TODAY),
            _step(numbers[2], "WITHDRAWN", later),  # scheduled
        ],
        actor=ACTOR,
    )
    assert await _withdrawn(store, body) == (4, 1)
    assert await _withdrawn(store, body, later) == (4, 2)

    # A second withdrawal step (a correction of its date, say) is still one certificate.
    await store.change_certificate_statuses(
        [_step(numbers[0], "WITHDRAWN", TODAY - timedelta(days=1))], actor=ACTOR
    )
    assert await _withdrawn(store, body, later) == (4, 2)


async def test_a_store_written_before_the_edges_gets_them_on_open(store: CypherStore) -> None:
    body, holder = await _body_and_holder(store)
    await store.issue_certificates(
        [
            certificate("CERT000041", issuer=body, holder=holder, status="WITHDRAWN"),
            certificate("CERT000042", issuer=body, holder=holder),
        ],
        actor=ACTOR,
    )
    await store.change_certificate_statuses([_step("CERT000042", "WITHDRAWN", TODAY)], actor=ACTOR)
    assert await _withdrawn(store, body) == (2, 2)
    # As an older version left it: no edges, and no mark that the upgrade ran.
    await store._housekeeping("MATCH (:Institution)-[w:WITHDREW]->() DELETE w", {})
    await store._housekeeping("MATCH (c:ChangeCounter) REMOVE c.withdrawals", {})
    assert await _withdrawn(store, body) == (2, 0)

    await store.ensure_schema()

    assert await _withdrawn(store, body) == (2, 2)
    [marked] = await store._housekeeping(certificate_cypher.WITHDRAWALS_KEPT, {})
    assert marked["done"]
