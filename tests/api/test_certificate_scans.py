"""The reads that judge every certificate an issuer issued (twenty-fifth session's review):
a page of 100 bodies' supervision classes took 3.3 s of CPU, anonymous, at a cost of 200,
and twenty at once held the server 30 s; fifteen aliased draws of a region drawn that day
classified it fifteen times before each was refused. Such fields are charged what they
read, scans take turns, and a draw already made is refused before any class is read."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import registry.resolvers.supervision as supervision_resolvers
from graph.cypher_store import CypherStore
from registry.auth import create_api_key
from registry.domain.vocabulary import Role
from registry.operations.disputes import data_qualities
from registry.operations.scans import one_scan_at_a_time
from registry.operations.supervision import supervision_classes
from tests.api.conftest import GraphQLClient
from tests.api.test_security_controls import codes, connect, post, registry_app
from tests.api.test_supervision_plan import draw
from tests.conftest import TODAY

CLASSES = """{ institutions(first: %d, filter: {kind: CERTIFICATION_BODY}) {
  edges { node { uscc supervisionClass { class } dataQuality { score } } } } }"""
BODIES = ["91110101940807760M", "121101064193791361"]  # CCSC and CQC: both issued certificates


@pytest.mark.parametrize(("first", "refused"), [(24, False), (100, True)])
async def test_a_page_of_classes_is_charged_what_its_scans_read(
    shared_seeded_store: CypherStore, first: int, refused: bool
) -> None:
    app = registry_app(shared_seeded_store)
    async with connect(app, shared_seeded_store) as client:
        response = await post(client, CLASSES % first)

    body = response.json()
    if refused:
        assert (body["data"], codes(body)) == (None, ["QUERY_TOO_COSTLY"]), body
    else:
        assert "errors" not in body, body
        assert body["data"]["institutions"]["edges"], body


async def test_scans_of_issued_certificates_take_turns(
    shared_seeded_store: CypherStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two class readings and two data-quality readings at once: never two scans at a time
    (each scan's store reads are made to take a moment, so overlapping ones would show)."""
    running: list[int] = [0]
    most: list[int] = [0]

    def counted(read: Any) -> Any:
        async def reading(*args: Any, **kwargs: Any) -> Any:
            running[0] += 1
            most[0] = max(most[0], running[0])
            try:
                await asyncio.sleep(0.01)
                return await read(*args, **kwargs)
            finally:
                running[0] -= 1

        return reading

    store = shared_seeded_store
    monkeypatch.setattr(store, "list_certificates", counted(store.list_certificates))
    monkeypatch.setattr(store, "get_issue_groups", counted(store.get_issue_groups))

    classes, _, qualities, _ = await asyncio.gather(
        supervision_classes(store, BODIES, TODAY, today=TODAY),
        supervision_classes(store, BODIES, TODAY, today=TODAY),
        data_qualities(store, BODIES, TODAY),
        data_qualities(store, BODIES, TODAY),
    )

    assert set(classes) == set(BODIES)
    assert set(qualities) == set(BODIES)
    assert most[0] == 1


ONE_CLASS = '{ institution(uscc: "91110101940807760M") { supervisionClass { class } } }'


async def test_a_caller_with_a_key_scans_in_its_own_lane(
    shared_seeded_store: CypherStore,
) -> None:
    """Anonymous callers filling the one lane made a regulator's anomaly report and class
    wait 29 s behind them (twenty-fifth session's second review of the scans). With an
    anonymous scan held, a regulator's class is answered and another anonymous one waits."""
    store = shared_seeded_store
    release = asyncio.Event()

    async def anonymous_scan_held() -> None:
        async with one_scan_at_a_time():
            await release.wait()

    held = asyncio.create_task(anonymous_scan_held())
    await asyncio.sleep(0)
    app = registry_app(store)
    try:
        async with connect(app, store) as client:
            key = await create_api_key(
                store, role=Role.REGULATOR, regions=["110000"], label="lane", actor="test"
            )
            keyed = await asyncio.wait_for(post(client, ONE_CLASS, key), timeout=60)
            anonymous = asyncio.create_task(post(client, ONE_CLASS.replace("class", "class ")))
            await asyncio.sleep(0.5)
            waiting = not anonymous.done()
            release.set()
            answered = await anonymous
    finally:
        release.set()
        await held

    assert keyed.json()["data"]["institution"]["supervisionClass"]["class"], keyed.json()
    assert waiting
    assert answered.json()["data"]["institution"]["supervisionClass"], answered.json()


async def test_a_region_drawn_today_is_refused_before_its_classes_are_read(
    api: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = {"role": Role.REGULATOR, "seed": None, "date": TODAY.isoformat()}
    first = await draw(api, region="210200", **today)
    assert first["__typename"] == "DrawSupervisionPlanSuccess", first
    read: list[object] = []

    async def classes(*args: object, **kwargs: object) -> dict[str, Any]:
        read.append(args)
        return {}

    monkeypatch.setattr(supervision_resolvers, "supervision_classes", classes)
    again = await draw(api, region="210200", **today)
    province = await draw(api, region="210000", **today)

    assert (again["code"], again["field"]) == ("ALREADY_DRAWN", "input.date"), again
    assert province["code"] == "ALREADY_DRAWN", province
    assert read == []
