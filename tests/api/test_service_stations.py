"""One-stop quality service stations (DB2101/T 0050-2022): an enterprise's demand walked
through a Shenyang station from Annex A to the Annex C evaluation, with the time limits,
who may do what, and what the public, the feed and the snapshots see."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson

from registry.auth import create_api_key
from registry.domain.vocabulary import Role
from registry.operations import convert
from registry.records import ServiceEvaluationRecord
from tests.api.conftest import Clock, GraphQLClient, Snapshot
from tests.api.operations import ERROR_FIELDS
from tests.api.test_service_evaluation import RECORD, form
from tests.conftest import TODAY

HEPING = "1221010232988047XL"  # 沈阳市和平区一站式质量服务站
HUNNAN = "122101126861952868"  # 沈阳市浑南区一站式质量服务站
SHENYANG_CENTRE = "12210102123480606B"  # routed to for inspection and testing
CQC = "121101064193791361"
CONTACT = "张经理 13800000000"
DEMAND = "出口电机能效检测, 需要CMA报告"

STATIONS = """query($r: String, $s: ServiceCategory) { stations(region: $r, service: $s) {
  uscc name region completionDays
  services { category providers { uscc name } }
  staff { role name }
  performance { requests done stagesMet stagesLate stagesOverdue compliance satisfaction }
} }"""
PERFORMANCE = """query($r: String!) { stations(region: $r) { uscc
  performance { requests done stagesMet stagesLate stagesOverdue compliance satisfaction surveys
                awaitingConfirmation requestsAwaitingConfirmation }
} }"""
_REQUEST = """id station category status provider submittedOn matchedOn inServiceOn doneOn
  dueBy overdue stagesMet stagesLate evaluatedOn confirmedOn confirmation demand enterprise contact
  reason version"""
SUBMIT = f"""mutation($input: ServiceRequestInput!) {{ submitServiceRequest(input: $input) {{
  __typename ... on SubmitServiceRequestSuccess {{ token request {{ {_REQUEST} }} }}
  {ERROR_FIELDS} }} }}"""
ADVANCE = f"""mutation($input: AdvanceServiceRequestInput!) {{
  advanceServiceRequest(input: $input) {{
    __typename ... on AdvanceServiceRequestSuccess {{ request {{ {_REQUEST} }} }}
    {ERROR_FIELDS} }} }}"""
EVALUATE = f"""mutation($input: EvaluateServiceRequestInput!) {{
  evaluateServiceRequest(input: $input) {{
    __typename ... on EvaluateServiceRequestSuccess {{
      request {{ {_REQUEST} }} evaluation {{ id kind serviceCategory answers }} }}
    {ERROR_FIELDS} }} }}"""
CONFIRM = f"""mutation($input: ConfirmServiceEvaluationInput!) {{
  confirmServiceEvaluation(input: $input) {{
    __typename ... on ConfirmServiceEvaluationSuccess {{
      request {{ id }} evaluation {{ id confirmedOn confirmation version }} }}
    {ERROR_FIELDS} }} }}"""
CONFIRM_REQUEST = f"""mutation($input: ConfirmServiceRequestInput!) {{
  confirmServiceRequest(input: $input) {{
    __typename ... on ConfirmServiceRequestSuccess {{ request {{ {_REQUEST} }} }}
    {ERROR_FIELDS} }} }}"""
REQUEST = f"""query($id: String!, $t: String) {{ serviceRequest(id: $id, token: $t) {{
  {_REQUEST} }} }}"""
CREDIT = """query($u: String!) { institution(uscc: $u) {
  credit { methodVersion factors { name value } } } }"""
V, S = "VERY_SATISFIED", "SATISFIED"


async def payload(api: GraphQLClient, document: str, row: dict[str, Any], **who: Any) -> Any:
    body = await api(document, {"input": row}, **who)
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


def demand(**fields: Any) -> dict[str, Any]:
    return {
        "station": HEPING,
        "category": "INSPECTION_TESTING",
        "demand": DEMAND,
        "enterprise": "沈阳恒达电机有限公司",
        "contact": CONTACT,
        **fields,
    }


def step(request_id: str, status: str, **fields: Any) -> dict[str, Any]:
    return {"id": request_id, "status": status, **fields}


async def heping(api: GraphQLClient, **who: Any) -> Any:
    body = await api(PERFORMANCE, {"r": "210102"}, **who)
    assert "errors" not in body, body
    [station] = body["data"]["stations"]
    return station["performance"]


async def submitted(api: GraphQLClient, **fields: Any) -> tuple[str, str]:
    result = await payload(api, SUBMIT, demand(**fields))
    assert result["__typename"] == "SubmitServiceRequestSuccess", result
    return result["request"]["id"], result["token"]


async def walked(api: GraphQLClient, request_id: str) -> None:
    """The Heping station walks the request to DONE, serving it itself."""
    staff = {"role": Role.STATION, "institution": HEPING}
    for status in ("MATCHED", "IN_SERVICE", "DONE"):
        extra = {"provider": HEPING} if status == "MATCHED" else {}
        extra |= {"summary": "done"} if status == "DONE" else {}
        stepped = await payload(api, ADVANCE, step(request_id, status, **extra), **staff)
        assert stepped["__typename"] == "AdvanceServiceRequestSuccess", stepped


async def test_a_request_walks_from_demand_to_annex_c_and_moves_the_public_performance(
    station_api: GraphQLClient, clock: Clock
) -> None:
    api = station_api
    staff = {"role": Role.STATION, "institution": HEPING}
    before = await heping(api)
    assert (before["requests"], before["compliance"]) == (0, None)

    # Annex A: anyone submits; the token comes back once, the contact never in public.
    result = await payload(api, SUBMIT, demand())
    assert result["__typename"] == "SubmitServiceRequestSuccess", result
    request, token = result["request"], result["token"]
    assert (request["status"], request["dueBy"], request["overdue"]) == (
        "SUBMITTED",
        "2026-11-25",  # two working days (assumed)
        False,
    )
    public = await api(REQUEST, {"id": request["id"]})
    assert public["data"]["serviceRequest"] is None
    mine = await api(REQUEST, {"id": request["id"], "t": token})
    assert mine["data"]["serviceRequest"]["contact"] == CONTACT
    # Its stages count once the station's regulator has called the enterprise back.
    assert (await heping(api))["requestsAwaitingConfirmation"] == 1
    confirm = {"id": request["id"], "confirmation": "CALL_BACK"}
    called = await payload(api, CONFIRM_REQUEST, confirm, role=Role.REGULATOR)
    assert called["request"]["confirmedOn"] == "2026-11-23", called
    assert (await heping(api))["requestsAwaitingConfirmation"] == 0

    # The station matches it to the provider its catalogue routes testing to, starts, ends.
    clock.day = date(2026, 11, 24)
    matched = await payload(
        api, ADVANCE, step(request["id"], "MATCHED", provider=SHENYANG_CENTRE), **staff
    )
    assert matched["request"]["status"] == "MATCHED", matched
    assert matched["request"]["dueBy"] == "2026-12-01"
    clock.day = date(2026, 11, 25)
    started = await payload(api, ADVANCE, step(request["id"], "IN_SERVICE"), **staff)
    assert started["request"]["dueBy"] == "2026-12-16"  # the station commits to 15 days
    clock.day = date(2026, 12, 17)
    assert (await api(REQUEST, {"id": request["id"], "t": token}))["data"]["serviceRequest"][
        "overdue"
    ] is True
    assert (await heping(api))["stagesOverdue"] == 1
    clock.day = date(2026, 12, 18)
    done = await payload(api, ADVANCE, step(request["id"], "DONE", summary="报告已出"), **staff)
    assert done["request"]["status"] == "DONE", done
    assert (done["request"]["stagesMet"], done["request"]["stagesLate"]) == (2, 1)
    assert done["request"]["dueBy"] is None

    # Annex C by the requester: a service evaluation of the station.
    form = [V, V, S, V, "YES", V, V, S, V, V]
    evaluated = await payload(api, EVALUATE, {"id": request["id"], "token": token, "answers": form})
    assert evaluated["__typename"] == "EvaluateServiceRequestSuccess", evaluated
    assert evaluated["evaluation"]["id"] == f"{request['id']}-C"
    assert evaluated["request"]["evaluatedOn"] == "2026-12-18"

    after = await heping(api)
    assert (after["requests"], after["done"], after["stagesMet"], after["stagesLate"]) == (
        1,
        1,
        2,
        1,
    )
    assert after["compliance"] == 66.7
    # The form counts once the station's regulator has confirmed who filled it in.
    assert (after["surveys"], after["satisfaction"]) == (before["surveys"], before["satisfaction"])
    assert after["awaitingConfirmation"] == 1
    clock.day = date(2026, 12, 21)
    confirm = {"id": request["id"], "confirmation": "CALL_BACK"}
    confirmed = await payload(api, CONFIRM, confirm, role=Role.REGULATOR)
    assert confirmed["evaluation"]["confirmedOn"] == "2026-12-21", confirmed
    counted = await heping(api)
    assert (counted["surveys"], counted["awaitingConfirmation"]) == (before["surveys"] + 1, 0)
    assert counted["satisfaction"] != before["satisfaction"]
    credit = (await api(CREDIT, {"u": HEPING}))["data"]["institution"]["credit"]
    factors = {f["name"]: f["value"] for f in credit["factors"]}
    assert factors["time_limits"] == 66.7
    assert credit["methodVersion"] == "2026.6"


async def test_the_public_finds_stations_by_region_and_service_without_names(
    reader: GraphQLClient,
) -> None:
    testing = (await reader(STATIONS, {"r": "210100", "s": "INSPECTION_TESTING"}))["data"]
    metrology = (await reader(STATIONS, {"r": "210100", "s": "METROLOGY"}))["data"]
    dalian = (await reader(STATIONS, {"r": "210200"}))["data"]
    everywhere = (await reader(STATIONS, {"s": "CONSULTING"}))["data"]
    regulator = await reader(STATIONS, {"r": "210102"}, role=Role.REGULATOR)

    assert {s["uscc"] for s in testing["stations"]} == {HEPING, HUNNAN}
    assert [s["uscc"] for s in metrology["stations"]] == [HEPING]
    assert dalian["stations"] == []
    assert [s["uscc"] for s in everywhere["stations"]] == [HEPING]
    station = next(s for s in testing["stations"] if s["uscc"] == HEPING)
    routes = {s["category"]: s["providers"] for s in station["services"]}
    assert routes["INSPECTION_TESTING"][0]["uscc"] == SHENYANG_CENTRE
    assert {m["role"] for m in station["staff"]} >= {"STATION_MASTER", "CHIEF_QUALITY_OFFICER"}
    assert all(m["name"] is None for m in station["staff"])
    named = regulator["data"]["stations"][0]["staff"]
    assert {"role": "STATION_MASTER", "name": "姜明慧"} in named


async def test_a_station_moves_only_its_own_requests_and_only_by_the_process(
    station_api: GraphQLClient, snapshot: Snapshot
) -> None:
    request_id, _ = await submitted(station_api)
    for station in (HEPING, HUNNAN):
        await station_api.key(Role.STATION, station)
    before = await snapshot()

    other = await payload(
        station_api,
        ADVANCE,
        step(request_id, "MATCHED", provider=SHENYANG_CENTRE),
        role=Role.STATION,
        institution=HUNNAN,
    )
    skipped = await payload(
        station_api, ADVANCE, step(request_id, "DONE"), role=Role.STATION, institution=HEPING
    )
    unrouted = await payload(
        station_api,
        ADVANCE,
        step(request_id, "MATCHED", provider=CQC),  # CQC is routed certification, not testing
        role=Role.STATION,
        institution=HEPING,
    )
    public = await payload(station_api, ADVANCE, step(request_id, "IN_SERVICE"))

    assert (other["__typename"], other["code"]) == ("NotAuthorized", "NOT_AUTHORIZED")
    assert (skipped["code"], skipped["field"]) == ("INVALID_TRANSITION", "input.status")
    assert (unrouted["code"], unrouted["field"]) == ("NOT_ROUTED", "input.provider")
    assert public["code"] == "NOT_AUTHORIZED"
    assert await snapshot() == before


async def test_only_the_token_holder_evaluates_and_only_once_the_service_is_done(
    station_api: GraphQLClient,
) -> None:
    request_id, token = await submitted(station_api)
    form = [S] * 4 + ["YES"] + [S] * 5
    wrong = "srt_" + "A" * 43

    early = await payload(
        station_api, EVALUATE, {"id": request_id, "token": token, "answers": form}
    )
    forged = await payload(
        station_api, EVALUATE, {"id": request_id, "token": wrong, "answers": form}
    )
    staff = {"role": Role.STATION, "institution": HEPING}
    rejected = await payload(station_api, ADVANCE, step(request_id, "REJECTED"), **staff)

    assert (early["__typename"], early["code"]) == ("Conflict", "NOT_DONE")
    assert (forged["__typename"], forged["code"]) == ("NotAuthorized", "NOT_AUTHORIZED")
    assert (rejected["code"], rejected["field"]) == ("REQUIRED", "input.reason")


async def test_a_requesters_form_id_is_the_requesters_alone(station_api: GraphQLClient) -> None:
    """A regulator recorded its own all-VERY_SATISFIED survey under a request's form id
    before the requester answered: the requester's answers were lost behind a bare
    INTERNAL_ERROR, the request read evaluated, and the regulator's form counted as the
    requester's (twenty-third session's review)."""
    request_id, token = await submitted(station_api)
    await walked(station_api, request_id)
    preempt = {
        "id": f"{request_id}-C",
        "institution": HEPING,
        "kind": "SURVEY",
        "date": TODAY.isoformat(),
        "serviceCategory": "INSPECTION_TESTING",
        "evaluator": "regulator",
        "answers": form(V),
    }
    for role in (Role.REGULATOR, Role.ADMIN):
        body = await station_api(RECORD, {"input": [preempt]}, role=role)
        refused = body["data"]["recordServiceEvaluations"]
        assert (refused["code"], refused["field"]) == ("NOT_AUTHORIZED", "input[0].id"), role
    answers = ["DISSATISFIED"] * 4 + ["NO"] + ["DISSATISFIED"] * 5
    evaluated = await payload(
        station_api, EVALUATE, {"id": request_id, "token": token, "answers": answers}
    )
    assert evaluated["__typename"] == "EvaluateServiceRequestSuccess", evaluated
    assert evaluated["evaluation"]["answers"] == answers

    # A form id taken before the ids were reserved: refused before the request is marked.
    other_id, other_token = await submitted(station_api)
    await walked(station_api, other_id)
    taken = convert.service_evaluation_model(
        ServiceEvaluationRecord.model_validate({**preempt, "id": f"{other_id}-C"}),
        recorded_by="OVERSIGHT",
    )
    await station_api.store.record_service_evaluations([taken], actor="test")
    blocked = await payload(
        station_api, EVALUATE, {"id": other_id, "token": other_token, "answers": answers}
    )
    assert (blocked["__typename"], blocked["code"]) == ("Conflict", "FORM_TAKEN")
    body = await station_api(REQUEST, {"id": other_id, "t": other_token})
    assert body["data"]["serviceRequest"]["evaluatedOn"] is None


async def test_a_station_must_offer_the_item_asked_for(station_api: GraphQLClient) -> None:
    refused = await payload(station_api, SUBMIT, demand(station=HUNNAN, category="METROLOGY"))

    assert (refused["code"], refused["field"]) == ("NOT_OFFERED", "input.category")


async def test_feed_and_snapshots_carry_requests_without_who_asked(
    station_api: GraphQLClient,
) -> None:
    request_id, _ = await submitted(station_api)
    key = await station_api.key(Role.PARTNER)

    changes = await station_api.store.get_changes(after=0, limit=1_000_000)
    exported = await station_api.http.get(
        "/export/ServiceRequest.ndjson", headers={"Authorization": f"Bearer {key}"}
    )
    stations = await station_api.http.get(
        "/export/ServiceStation.ndjson", headers={"Authorization": f"Bearer {key}"}
    )

    [change] = [c for c in changes if c.entity == "ServiceRequest" and c.key == request_id]
    for text in (change.data, exported.text):
        assert request_id in text
        assert CONTACT not in text
        assert DEMAND not in text
        assert "tokenDigest" not in text
    heping = next(
        orjson.loads(line) for line in stations.content.splitlines() if HEPING.encode() in line
    )
    assert "姜明慧" not in stations.text
    assert "STATION_MASTER" in heping["staffRoles"]


async def test_regulators_designate_benchmarks_the_public_reads_with_evidence(
    station_api: GraphQLClient,
) -> None:
    designate = f"""mutation($input: BenchmarkInput!) {{ designateBenchmark(input: $input) {{
      __typename ... on DesignateBenchmarkSuccess {{ benchmark {{ id region }} }}
      {ERROR_FIELDS} }} }}"""
    listed = """query($c: ServiceCategory!, $r: String) { benchmarks(category: $c, region: $r) {
      uscc year criteria evidence { stars cpsq satisfaction } } }"""
    row = {
        "uscc": HEPING,
        "category": "QUALITY_MANAGEMENT",
        "year": 2026,
        "criteria": "satisfaction above 90 in 2026",
    }

    refused = await payload(station_api, designate, row, role=Role.STATION, institution=HEPING)
    made = await payload(station_api, designate, row, role=Role.REGULATOR)
    seeded = await station_api(listed, {"c": "INSPECTION_TESTING_SERVICE_CERTIFICATION"})
    shenyang = await station_api(listed, {"c": "QUALITY_MANAGEMENT", "r": "210100"})
    dalian = await station_api(listed, {"c": "QUALITY_MANAGEMENT", "r": "210200"})

    assert refused["code"] == "NOT_AUTHORIZED"
    assert made["__typename"] == "DesignateBenchmarkSuccess", made
    [institute] = seeded["data"]["benchmarks"]
    assert (institute["evidence"]["stars"], institute["evidence"]["cpsq"]) == (5, 89.5)
    assert institute["evidence"]["satisfaction"] > 85  # its seeded 2026 evaluations
    [station] = shenyang["data"]["benchmarks"]
    assert station["evidence"]["stars"] is None
    assert 85 < station["evidence"]["satisfaction"] < 100  # the seeded Annex C forms
    assert dalian["data"]["benchmarks"] == []


async def test_a_station_reads_its_own_requests_with_who_asked_and_no_one_else_does(
    station_api: GraphQLClient,
) -> None:
    request_id, _ = await submitted(station_api)
    query = """query($r: String!) { stations(region: $r) { uscc
      requests { id contact demand } } }"""

    own = await station_api(query, {"r": "210102"}, role=Role.STATION, institution=HEPING)
    other = await station_api(query, {"r": "210102"}, role=Role.STATION, institution=HUNNAN)
    public = await station_api(query, {"r": "210102"})

    assert own["data"]["stations"][0]["requests"] == [
        {"id": request_id, "contact": CONTACT, "demand": DEMAND}
    ]
    for refused in (other, public):
        assert refused["errors"][0]["extensions"]["code"] == "NOT_AUTHORIZED"
        assert refused["data"]["stations"][0]["requests"] is None
    # Listed with another station, the caller's own requests still come back: each
    # station's refusal is its own (a whole list went null, twenty-third session's review).
    both = await station_api(query, {"r": "210100"}, role=Role.STATION, institution=HEPING)
    listed = {s["uscc"]: s["requests"] for s in both["data"]["stations"]}
    assert listed[HUNNAN] is None
    assert [r["id"] for r in listed[HEPING]] == [request_id]


async def test_station_lists_refuse_a_page_size_out_of_range(station_api: GraphQLClient) -> None:
    """stations(first: -1) answered one station and benchmarks(first: -3) none, where every
    other list refuses (twenty-third session's review)."""
    for query in (
        "{ stations(first: -1) { uscc } }",
        "{ benchmarks(category: METROLOGY, first: -3) { uscc } }",
        "{ stations(first: 101) { uscc } }",
        '{ stations(region: "210102") { requests(first: 0) { id } } }',
    ):
        body = await station_api(query, role=Role.ADMIN)
        assert body["errors"][0]["extensions"]["code"] == "PAGE_SIZE_EXCEEDED", (query, body)


async def test_a_station_keeps_its_own_catalogue_and_a_retry_is_applied_once(
    station_api: GraphQLClient,
) -> None:
    upsert = f"""mutation($input: [StationInput!]!, $k: String) {{
      upsertStations(input: $input, idempotencyKey: $k) {{
        __typename ... on UpsertStationsSuccess {{
          stations {{ uscc completionDays services {{ category }} }} receipt {{ replayed }} }}
        {ERROR_FIELDS} }} }}"""
    row = {
        "uscc": HEPING,
        "services": [{"category": "CONSULTING"}],
        "staff": [{"role": "STATION_MASTER"}, {"role": "SERVICE_SPECIALIST"}],
        "completionDays": 10,
    }
    heping = {"role": Role.STATION, "institution": HEPING}

    first = await station_api(upsert, {"input": [row], "k": "catalogue-1"}, **heping)
    again = await station_api(upsert, {"input": [row], "k": "catalogue-1"}, **heping)
    other = await station_api(upsert, {"input": [row]}, role=Role.STATION, institution=HUNNAN)
    no_master = await station_api(
        upsert, {"input": [{**row, "staff": [{"role": "SERVICE_SPECIALIST"}]}]}, **heping
    )

    written = first["data"]["upsertStations"]
    assert written["stations"] == [
        {"uscc": HEPING, "completionDays": 10, "services": [{"category": "CONSULTING"}]}
    ]
    assert again["data"]["upsertStations"]["receipt"]["replayed"] is True
    assert other["data"]["upsertStations"]["code"] == "NOT_AUTHORIZED"
    refused = no_master["data"]["upsertStations"]
    assert (refused["code"], refused["field"]) == ("REQUIRED", "input[0].staff")


async def test_a_benchmarks_cpsq_is_that_of_its_best_valid_service_certificate(
    station_api: GraphQLClient,
) -> None:
    """The seeded institute's 2017 certificate is assessed (CPSQ 88.5) but long expired: its
    CPSQ is no evidence today. The certificate it holds today (CCSC23SC0102R2, five stars)
    was assessed at 89.5, and that CPSQ is the benchmark's."""
    listed = """query { benchmarks(category: INSPECTION_TESTING_SERVICE_CERTIFICATION) {
      uscc evidence { stars cpsq } } }"""

    [institute] = (await station_api(listed))["data"]["benchmarks"]

    assert institute["uscc"] == "12210211760664248H"
    assert institute["evidence"] == {"stars": 5, "cpsq": 89.5}


async def test_a_station_that_rates_itself_moves_nothing_until_its_regulator_confirms(
    station_api: GraphQLClient, clock: Clock
) -> None:
    """Anyone may submit a request, so a station can ask itself, hold the token and fill in
    a glowing Annex C form: the form waits for the regulator's call-back before it counts,
    and only the regulator of the station's region (or ADMIN) confirms it, once."""
    api, staff = station_api, {"role": Role.STATION, "institution": HEPING}
    rating = (
        "query($u: String!) { institution(uscc: $u) { credit { score factors { name value } } } }"
    )
    factors = """query($u: String!, $d: Date) { institution(uscc: $u, asOf: $d) {
      credit { factors { name value } }
      satisfaction(period: "2026") { index surveys awaitingConfirmation } } }"""

    def satisfaction(body: dict[str, Any]) -> Any:
        found = body["data"]["institution"]["credit"]["factors"]
        return next(f["value"] for f in found if f["name"] == "satisfaction")

    request_id, token = await submitted(api)
    await walked(api, request_id)
    before = await api(rating, {"u": HEPING})
    early = await payload(
        api, CONFIRM, {"id": request_id, "confirmation": "CALL_BACK"}, role=Role.REGULATOR
    )
    glowing = [V] * 4 + ["YES"] + [V] * 5
    await payload(api, EVALUATE, {"id": request_id, "token": token, "answers": glowing})

    after = await api(rating, {"u": HEPING})
    assert after["data"] == before["data"]
    assert (early["__typename"], early["code"]) == ("Conflict", "NOT_EVALUATED")
    confirm = {"id": request_id, "confirmation": "SIGNED_FORM"}
    dalian = await create_api_key(
        api.store, role=Role.REGULATOR, regions=("210200",), label="t", actor="t"
    )
    for who in (staff, {"bearer": dalian}, {"role": Role.ASSOCIATION}, {}):
        refused = await payload(api, CONFIRM, confirm, **who)
        assert refused["code"] == "NOT_AUTHORIZED", (who, refused)
    assert (await api(rating, {"u": HEPING}))["data"] == before["data"]

    clock.day = date(2026, 11, 30)
    confirmed = await payload(api, CONFIRM, confirm, role=Role.REGULATOR)
    again = await payload(api, CONFIRM, confirm, role=Role.REGULATOR)

    assert confirmed["evaluation"]["confirmation"] == "SIGNED_FORM", confirmed
    assert (again["__typename"], again["code"]) == ("Conflict", "ALREADY_CONFIRMED")
    now = await api(factors, {"u": HEPING})
    then = await api(factors, {"u": HEPING, "d": "2026-11-29"})
    assert satisfaction(now) != satisfaction(then)  # the form counts from its confirmation
    assert now["data"]["institution"]["satisfaction"]["surveys"] == (
        then["data"]["institution"]["satisfaction"]["surveys"] + 1
    )
    assert then["data"]["institution"]["satisfaction"]["awaitingConfirmation"] == 1
    before_form = await api(factors, {"u": HEPING, "d": "2026-11-22"})  # the form is dated 11-23
    assert before_form["data"]["institution"]["satisfaction"]["awaitingConfirmation"] == 0
    assert now["data"]["institution"]["satisfaction"]["awaitingConfirmation"] == 0


async def test_a_station_that_asks_itself_and_answers_in_time_moves_no_time_limit(
    station_api: GraphQLClient, clock: Clock
) -> None:
    """Anyone may submit a request, so a station can ask itself and close each stage the day
    it opens: those stages count only once the station's regulator confirmed who asked, and
    only that regulator (or ADMIN) confirms, once, from its day on."""
    api, staff = station_api, {"role": Role.STATION, "institution": HEPING}
    as_of = """query($r: String!, $d: Date) { stations(region: $r) { uscc
      performance(asOf: $d) { stagesMet stagesLate compliance requestsAwaitingConfirmation }
    } }"""

    async def time_limits() -> Any:
        credit = (await api(CREDIT, {"u": HEPING}))["data"]["institution"]["credit"]
        return next(f["value"] for f in credit["factors"] if f["name"] == "time_limits")

    # A real enterprise's request, answered late and confirmed by the regulator.
    real, _ = await submitted(api)
    confirm = {"id": real, "confirmation": "CALL_BACK"}
    assert (await payload(api, CONFIRM_REQUEST, confirm, role=Role.REGULATOR))["request"][
        "confirmation"
    ] == "CALL_BACK"
    clock.day = date(2026, 11, 26)  # the answer was due on the 25th
    await walked(api, real)
    honest = await heping(api)
    assert (honest["stagesMet"], honest["stagesLate"], honest["compliance"]) == (2, 1, 66.7)
    assert await time_limits() == 66.7

    # The station asks itself five times and closes every stage at once.
    own = [(await submitted(api, enterprise=f"自问{n}"))[0] for n in range(5)]
    for request_id in own:
        await walked(api, request_id)
    padded = await heping(api)
    assert (padded["stagesMet"], padded["compliance"]) == (2, 66.7), padded
    assert padded["requestsAwaitingConfirmation"] == 5
    assert await time_limits() == 66.7

    dalian = await create_api_key(
        api.store, role=Role.REGULATOR, regions=("210200",), label="t", actor="t"
    )
    mine = {"id": own[0], "confirmation": "SIGNED_FORM"}
    for who in (staff, {"bearer": dalian}, {"role": Role.ASSOCIATION}, {}):
        refused = await payload(api, CONFIRM_REQUEST, mine, **who)
        assert refused["code"] == "NOT_AUTHORIZED", (who, refused)
    assert (await heping(api))["stagesMet"] == 2

    clock.day = date(2026, 11, 30)
    confirmed = await payload(api, CONFIRM_REQUEST, mine, role=Role.REGULATOR)
    again = await payload(api, CONFIRM_REQUEST, mine, role=Role.ADMIN)
    assert confirmed["request"]["confirmedOn"] == "2026-11-30", confirmed
    assert (again["__typename"], again["code"]) == ("Conflict", "ALREADY_CONFIRMED")
    now = (await heping(api))["stagesMet"]
    body = await api(as_of, {"r": "210102", "d": "2026-11-29"})
    then = body["data"]["stations"][0]["performance"]
    assert (now, then["stagesMet"], then["requestsAwaitingConfirmation"]) == (5, 2, 5)
    assert await time_limits() == 83.3
