"""Supervision plans: regulators draw them from a published seed, anyone reads them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from registry.domain.vocabulary import Role
from tests.api.conftest import GraphQLClient, Snapshot
from tests.api.test_credit_file import call, event_row

LIAONING = "210000"
LIAONING_INSTITUTIONS = [  # seeded, in Shenyang and Dalian
    "12210102123480606B",
    "1221010232988047XL",
    "122101126861952868",
    "12210211760664248H",
    "122102044044617942",
    "1221021194751846XH",
    "12210204586216617X",
    "12210204501548234X",
    "1221020363493880XJ",
    "91210211401294580D",
]
INSPECTORS = [{"id": f"insp-{n:02d}"} for n in range(1, 9)]

DRAW = """
mutation Draw($input: SupervisionPlanInput!) {
  drawSupervisionPlan(input: $input) {
    __typename
    ... on DrawSupervisionPlanSuccess {
      plan { id digest region date seed perInstitution
             rates { class rate }
             draws { uscc institutionName class inspectors shortfall } }
      receipt { written }
    }
    ... on MutationError { code message field problems { code field } }
  }
}
"""

PLANS = """
query Plans($region: String!) {
  supervisionPlans(region: $region) {
    id digest date seed rates { class rate }
    draws { uscc institutionName class inspectors shortfall }
  }
}
"""


def plan_input(**overrides: Any) -> dict[str, Any]:
    return {
        "region": LIAONING,
        "date": "2026-11-01",
        "seed": 20261101,
        "inspectors": INSPECTORS,
        "rates": {"a": 0.5, "b": 0.5, "c": 0.5, "d": 1.0},
        **overrides,
    }


async def draw(api: GraphQLClient, role: Role = Role.ADMIN, **overrides: Any) -> Any:
    """A plan recorded with its seed and day, as ADMIN records an archive: a regulator's
    plan is drawn today, its seed by the registry (test_a_regulator_draws_today_once_...)."""
    body = await api(DRAW, {"input": plan_input(**overrides)}, role=role)
    assert "errors" not in body, body
    return body["data"]["drawSupervisionPlan"]


async def test_a_plan_is_drawn_for_liaoning_and_read_publicly(api: GraphQLClient) -> None:
    payload = await draw(api)
    assert payload["__typename"] == "DrawSupervisionPlanSuccess", payload
    plan = payload["plan"]
    assert plan["id"] == plan["digest"]
    assert len(plan["digest"]) == 64
    assert plan["region"] == LIAONING
    assert plan["seed"] == 20261101
    assert {r["class"]: r["rate"] for r in plan["rates"]} == {
        "A": 0.5,
        "B": 0.5,
        "C": 0.5,
        "D": 1.0,
        "UNRATED": 0.1,
    }
    assert plan["draws"]
    for d in plan["draws"]:
        assert d["institutionName"]
        assert len(d["inspectors"]) + d["shortfall"] == 2
        assert all(i.startswith("insp-") for i in d["inspectors"])
    assert payload["receipt"]["written"] == 1

    public = await api(PLANS, {"region": LIAONING})
    assert "errors" not in public, public
    [published] = public["data"]["supervisionPlans"]
    assert published["digest"] == plan["digest"]
    assert published["draws"] == plan["draws"]


async def test_same_seed_and_date_give_the_same_digest(api: GraphQLClient) -> None:
    first = await draw(api)
    second = await draw(api)
    assert first["plan"]["digest"] == second["plan"]["digest"]
    assert first["plan"]["draws"] == second["plan"]["draws"]


async def test_a_different_seed_gives_a_different_draw(api: GraphQLClient) -> None:
    first = await draw(api, seed=1)
    second = await draw(api, seed=2)
    assert first["plan"]["digest"] != second["plan"]["digest"]
    assert first["plan"]["draws"] != second["plan"]["draws"]


async def test_the_next_plan_sends_other_inspectors(api: GraphQLClient) -> None:
    everyone = {"a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0}
    first = await draw(api, rates=everyone)
    second = await draw(api, rates=everyone, date="2026-12-01")
    before = {d["uscc"]: set(d["inspectors"]) for d in first["plan"]["draws"]}
    after = {d["uscc"]: set(d["inspectors"]) for d in second["plan"]["draws"]}
    assert before
    assert before.keys() == after.keys()
    for uscc, team in after.items():
        assert team, uscc
        assert not team & before[uscc], uscc
    public = await api(PLANS, {"region": LIAONING})
    dates = [p["date"] for p in public["data"]["supervisionPlans"]]
    assert dates == ["2026-12-01", "2026-11-01"]


@pytest.mark.parametrize("role", [Role.PUBLIC, Role.ASSOCIATION])
async def test_only_regulators_draw(api: GraphQLClient, snapshot: Snapshot, role: Role) -> None:
    if role is not Role.PUBLIC:
        await api.key(role)  # making the key is a write of its own
    before = await snapshot()
    payload = await draw(api, role=role)
    assert payload["__typename"] == "NotAuthorized"
    assert payload["code"] == "NOT_AUTHORIZED"
    assert await snapshot() == before
    public = await api(PLANS, {"region": LIAONING})
    assert public["data"]["supervisionPlans"] == []


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"region": "21000"}, "INVALID_FORMAT", "input.region"),
        ({"region": "819999"}, "NOT_FOUND", "input.region"),
        ({"rates": {"b": 1.5}}, "OUT_OF_RANGE", "input.rates.b"),
        ({"inspectors": []}, "TOO_FEW", "input.inspectors"),
        ({"perInstitution": 6}, "OUT_OF_RANGE", "input.perInstitution"),
        ({"inspectors": [{"id": "x1"}, {"id": "x1"}]}, "DUPLICATE_IN_BATCH", "input.inspectors"),
        ({"inspectors": [{"id": "x1", "employer": "123"}]}, "INVALID_USCC", None),
    ],
)
async def test_invalid_input_is_refused_with_codes_and_paths(
    api: GraphQLClient,
    snapshot: Snapshot,
    overrides: dict[str, Any],
    code: str,
    field: str | None,
) -> None:
    await api.key(Role.ADMIN)
    before = await snapshot()
    payload = await draw(api, **overrides)
    assert payload["__typename"] in ("InvalidInput", "NotFound"), payload
    assert payload["code"] == code
    assert payload["field"] == (field or "input.inspectors[0].employer")
    assert await snapshot() == before


RESULTS = """query($region: String!) { supervisionPlans(region: $region) {
  id results { id institutionUscc kind plan } } }"""


async def _enter(api: GraphQLClient, rows: list[dict[str, Any]]) -> Any:
    return await call(api, "recordCreditEvents", rows, role=Role.REGULATOR)


async def test_results_are_entered_against_the_plan_and_shown_with_it(api: GraphQLClient) -> None:
    plan = (await draw(api))["plan"]
    drawn = plan["draws"][0]["uscc"]
    result = event_row(
        "SC-PLAN-1", institution=drawn, kind="SPOT_CHECK", plan=plan["id"], date="2026-11-10"
    )

    entered = await _enter(api, [result])

    assert entered["__typename"] == "RecordCreditEventsSuccess", entered
    body = await api(RESULTS, {"region": LIAONING})  # read by the public
    [listed] = body["data"]["supervisionPlans"]
    assert listed["results"] == [
        {"id": "SC-PLAN-1", "institutionUscc": drawn, "kind": "SPOT_CHECK", "plan": plan["id"]}
    ]


async def test_plans_of_sub_regions_are_listed_under_the_province(api: GraphQLClient) -> None:
    city = (await draw(api, region="210200"))["plan"]

    body = await api(RESULTS, {"region": LIAONING})

    assert [p["id"] for p in body["data"]["supervisionPlans"]] == [city["id"]]


async def test_a_plan_is_listed_under_every_region_it_covers(api: GraphQLClient) -> None:
    """A city's plan covers its districts: it was missing from their lists, which held only
    plans of the district and below (twenty-fifth session's review). A neighbour's is not
    listed."""
    city = (await draw(api, region="210200"))["plan"]

    district = await api(RESULTS, {"region": "210204"})
    neighbour = await api(RESULTS, {"region": "210100"})

    assert [p["id"] for p in district["data"]["supervisionPlans"]] == [city["id"]]
    assert neighbour["data"]["supervisionPlans"] == []


async def test_a_result_must_be_a_spot_check_of_a_drawn_institution(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    plan = (await draw(api))["plan"]
    drawn = {d["uscc"] for d in plan["draws"]}
    undrawn = next(u for u in LIAONING_INSTITUTIONS if u not in drawn)
    await api.key(Role.REGULATOR)
    before = await snapshot()
    cases = [
        (
            event_row("R-1", institution=undrawn, kind="SPOT_CHECK", plan=plan["id"]),
            "INVALID_VALUE",
        ),
        (event_row("R-2", institution=sorted(drawn)[0], plan=plan["id"]), "INVALID_VALUE"),
        (event_row("R-3", kind="SPOT_CHECK", plan="0" * 64), "NOT_FOUND"),
    ]

    for row, code in cases:
        refused = await _enter(api, [row])

        assert refused["code"] == code, refused
        assert refused["field"] == "input[0].plan", refused
    assert await snapshot() == before


async def test_a_corrected_result_moves_to_its_new_plan(api: GraphQLClient) -> None:
    first = (await draw(api))["plan"]
    second = (await draw(api, seed=7))["plan"]
    both = {d["uscc"] for d in first["draws"]} & {d["uscc"] for d in second["draws"]}
    drawn = sorted(both)[0]
    row = event_row("SC-MOVE-1", institution=drawn, kind="SPOT_CHECK", date="2026-11-10")

    await _enter(api, [{**row, "plan": first["id"]}])
    await _enter(api, [{**row, "plan": second["id"]}])

    body = await api(RESULTS, {"region": LIAONING})
    results = {p["id"]: [r["id"] for r in p["results"]] for p in body["data"]["supervisionPlans"]}
    assert results == {first["id"]: [], second["id"]: ["SC-MOVE-1"]}


async def test_only_market_institutions_are_drawn(api: GraphQLClient) -> None:
    """Every class at rate 1: the plan draws exactly the supervised institutions of Liaoning,
    never its regulators, associations or the Dalian group."""
    rates = {"a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0, "unrated": 1.0}

    payload = await draw(api, seed=7, rates=rates)

    drawn = {d["uscc"] for d in payload["plan"]["draws"]}
    assert drawn == set(LIAONING_INSTITUTIONS)
    assert "11210200996939498X" not in drawn  # 大连市市场监督管理局


async def test_a_regulator_draws_today_once_with_the_registrys_seed(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """双随机: a regulator chose its seed (one searched offline could leave someone out),
    drew again until the draw suited it, and dated plans in 2020 and 2030; a result was
    entered dated before its plan; a class D drawn at half its rate spared some of it. The
    registry draws the seed, today, once a region and day, at the default rates or more, and
    a result follows its plan."""
    await api.key(Role.REGULATOR)
    before = await snapshot()
    chosen = await draw(api, role=Role.REGULATOR, date="2026-11-22")
    dated = await draw(api, role=Role.REGULATOR, seed=None, date="2020-01-01")
    exempt = await draw(api, role=Role.REGULATOR, seed=None, date="2026-11-22", rates={"d": 0.5})
    assert await snapshot() == before
    first = await draw(api, role=Role.REGULATOR, seed=None, date="2026-11-22")
    again = await draw(api, role=Role.REGULATOR, seed=None, date="2026-11-22")
    archive = (await draw(api))["plan"]  # ADMIN, 2026-11-01, seed given
    early = event_row(
        "SC-EARLY",
        institution=archive["draws"][0]["uscc"],
        kind="SPOT_CHECK",
        plan=archive["id"],
        date="2026-10-25",  # before the plan's day, within the month a record is reported in
        publicUntil="2029-10-24",
    )
    result = await _enter(api, [early])

    assert (chosen["code"], chosen["field"]) == ("NOT_AUTHORIZED", "input.seed"), chosen
    assert (dated["code"], dated["field"]) == ("INVALID_VALUE", "input.date"), dated
    assert (exempt["code"], exempt["field"]) == ("NOT_AUTHORIZED", "input.rates.d"), exempt
    assert first["__typename"] == "DrawSupervisionPlanSuccess", first
    assert isinstance(first["plan"]["seed"], int)
    assert (again["code"], again["field"]) == ("ALREADY_DRAWN", "input.date"), again
    assert (result["code"], result["field"]) == ("INVALID_VALUE", "input[0].date"), result


@pytest.mark.neo4j_needs("counter_lock")  # the draws sent at once race on the change counter
async def test_a_day_has_one_draw_over_any_institution_however_asked(api: GraphQLClient) -> None:
    """Eight draws of one region sent at once all landed, and a city drawn, then each of its
    districts, drew the same institutions again: the regulator kept the draw it liked. One
    plan a day covers any institution, checked as the plan lands."""
    today = {"role": Role.REGULATOR, "seed": None, "date": "2026-11-22"}
    at_once = await asyncio.gather(*(draw(api, region="440000", **today) for _ in range(6)))
    city = await draw(api, region="210200", **today)
    district = await draw(api, region="210204", **today)
    province = await draw(api, region="210000", **today)
    elsewhere = await draw(api, region="320000", **today)

    kinds = sorted(p["__typename"] for p in at_once)
    assert kinds == ["Conflict"] * 5 + ["DrawSupervisionPlanSuccess"], at_once
    assert city["__typename"] == elsewhere["__typename"] == "DrawSupervisionPlanSuccess"
    for below_or_above in (district, province):
        assert below_or_above["code"] == "ALREADY_DRAWN", below_or_above
