"""Hostile review of the stations: a region that is no region code is a coded error, not a
NOT_FOUND repeating whatever was sent (100 KB, bidi overrides) in its message; two Annex C
forms sent at once with one token leave one form, the answers of the one that landed; a
stage is due by the commitment published when the enterprise asked."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from registry.auth import authenticate
from registry.domain.stations import due_by
from registry.domain.vocabulary import Role, ServiceRequestStatus
from tests.api.conftest import GraphQLClient
from tests.api.operations import CCSC
from tests.api.test_service_stations import (
    ADVANCE,
    CONFIRM_REQUEST,
    EVALUATE,
    HEPING,
    SUBMIT,
    S,
    demand,
    payload,
    step,
    submitted,
    walked,
)

STAFF = {"role": Role.STATION, "institution": HEPING}
UPSERT = """mutation($input: [StationInput!]!) { upsertStations(input: $input) {
  __typename } }"""
PERFORMANCE = """query($r: String!) { stations(region: $r) { uscc
  performance { rejected } } }"""
FORMS = """query($u: String!) { institution(uscc: $u) {
  serviceEvaluations(period: "2026") { id kind answers } } }"""


async def test_a_malformed_region_for_stations_or_benchmarks_is_a_coded_error_not_an_echo(
    reader: GraphQLClient,
) -> None:
    odd = "\u202e" + "a" * 100_000  # a bidi override and 100 KB the message must not repeat

    stations = await reader("query($r: String) { stations(region: $r) { uscc } }", {"r": odd})
    benchmarks = await reader(
        "query($r: String) { benchmarks(category: INSPECTION_TESTING, region: $r) { id } }",
        {"r": odd},
    )

    for body in (stations, benchmarks):
        [error] = body["errors"]
        assert error["extensions"]["code"] == "INVALID_FORMAT"
        assert odd not in error["message"]
        assert len(error["message"]) < 200


async def _done(api: GraphQLClient) -> tuple[str, str]:
    """A request walked to DONE by the Heping station; its id and the requester's token."""
    request_id, token = await submitted(api)
    await walked(api, request_id)
    return request_id, token


@pytest.mark.neo4j_needs("counter_lock")  # the forms sent at once race on the change counter
async def test_two_annex_c_forms_sent_at_once_keep_the_answers_of_the_one_that_lands(
    station_api: GraphQLClient,
) -> None:
    """Both submissions found the request unevaluated and both wrote the form; one lost on
    the request's version, yet its answers could be the form's. The form lands only as the
    version read."""
    request_id, token = await _done(station_api)
    forms = [["VERY_SATISFIED"] * 4 + ["YES"] + ["VERY_SATISFIED"] * 5, ["DISSATISFIED"] * 10]
    forms[1][4] = "NO"

    answers = await asyncio.gather(
        *(
            payload(station_api, EVALUATE, {"id": request_id, "token": token, "answers": f})
            for f in forms
        )
    )
    kept = await station_api(FORMS, {"u": HEPING}, role=Role.REGULATOR)

    landed = [
        n for n, a in enumerate(answers) if a["__typename"] == "EvaluateServiceRequestSuccess"
    ]
    assert len(landed) == 1, answers
    assert answers[1 - landed[0]]["code"] in ("STALE_VERSION", "ALREADY_EVALUATED"), answers
    evaluations = kept["data"]["institution"]["serviceEvaluations"]
    [form] = [v for v in evaluations if v["id"] == f"{request_id}-C"]
    assert form["answers"] == forms[landed[0]], (form, landed)


async def test_a_stage_is_due_by_the_commitment_the_enterprise_was_given(
    station_api: GraphQLClient,
) -> None:
    """A station raised its commitment to 250 working days, opened a request's service stage
    (due a year off) and lowered the commitment again the same day. A request's stages are
    due by the commitment published when the enterprise asked."""
    read = await station_api('{ stations(region: "210102") { uscc completionDays } }')
    [promised] = [s["completionDays"] for s in read["data"]["stations"] if s["uscc"] == HEPING]
    request_id, _ = await submitted(station_api)
    matched = step(request_id, "MATCHED", provider=HEPING)
    assert (await payload(station_api, ADVANCE, matched, **STAFF))["request"]["status"] == "MATCHED"
    catalogue = {
        "uscc": HEPING,
        "services": [{"category": "INSPECTION_TESTING"}],
        "staff": [{"role": "STATION_MASTER"}, {"role": "SERVICE_SPECIALIST"}],
        "completionDays": 250,
    }
    stretched = await station_api(UPSERT, {"input": [catalogue]}, **STAFF)
    assert stretched["data"]["upsertStations"]["__typename"] == "UpsertStationsSuccess", stretched

    started = await payload(station_api, ADVANCE, step(request_id, "IN_SERVICE"), **STAFF)

    expected = due_by(ServiceRequestStatus.IN_SERVICE, date(2026, 11, 23), promised)
    assert started["request"]["dueBy"] == expected.isoformat(), (started, promised)


async def test_a_refused_enterprise_answers_on_annex_c_and_refusals_are_counted(
    station_api: GraphQLClient,
) -> None:
    """A station that refused every confirmed request the day it came met every time limit:
    a refusal in time is handled in time (§7.2). The refusals are counted in public, and the
    refused enterprise answers how it was handled on its Annex C form."""
    request_id, token = await submitted(station_api)
    before = await station_api(PERFORMANCE, {"r": "210102"})
    refusal = step(request_id, "REJECTED", reason="不在服务范围")
    assert (await payload(station_api, ADVANCE, refusal, **STAFF))["request"]["status"] == (
        "REJECTED"
    )
    answers = ["DISSATISFIED"] * 4 + ["NO"] + ["DISSATISFIED"] * 5
    form = {"id": request_id, "token": token, "answers": answers}

    answered = await payload(station_api, EVALUATE, form)
    after = await station_api(PERFORMANCE, {"r": "210102"})

    assert answered["__typename"] == "EvaluateServiceRequestSuccess", answered
    rejected = [
        next(s["performance"]["rejected"] for s in b["data"]["stations"] if s["uscc"] == HEPING)
        for b in (before, after)
    ]
    assert rejected[1] == rejected[0] + 1, rejected


@pytest.mark.neo4j_needs("counter_lock")  # the two writes sent at once race on the counter
async def test_an_evaluation_refused_as_the_request_changed_leaves_no_form(
    station_api: GraphQLClient,
) -> None:
    """An Annex C form sent as the regulator confirmed the request was refused STALE_VERSION,
    yet its form stayed on the station's record (and in the feed). The request is marked
    first, so a try refused writes nothing, and the next try writes its form."""
    request_id, token = await _done(station_api)
    form = {"id": request_id, "token": token, "answers": ["VERY_SATISFIED"] * 4 + ["YES"] * 6}
    form["answers"][5:] = ["VERY_SATISFIED"] * 5
    confirm = {"id": request_id, "confirmation": "CALL_BACK"}

    evaluated, confirmed = await asyncio.gather(
        payload(station_api, EVALUATE, form),
        payload(station_api, CONFIRM_REQUEST, confirm, role=Role.REGULATOR),
    )
    kept = await station_api(FORMS, {"u": HEPING}, role=Role.REGULATOR)
    forms = [
        v for v in kept["data"]["institution"]["serviceEvaluations"] if v["id"] == f"{request_id}-C"
    ]

    assert confirmed["__typename"] == "ConfirmServiceRequestSuccess", confirmed
    if evaluated["__typename"] == "EvaluateServiceRequestSuccess":
        assert len(forms) == 1, forms
    else:
        assert (evaluated["code"], forms) == ("STALE_VERSION", []), (evaluated, forms)
        again = await payload(station_api, EVALUATE, form)
        assert again["__typename"] == "EvaluateServiceRequestSuccess", again


async def test_the_feed_names_no_requester_by_the_key_it_sent(
    station_api: GraphQLClient,
) -> None:
    """A certification body's key submitted a request and filled in its Annex C form: the
    partner feed named that key as the actor of both, and the key's other writes named the
    body, so partners read who asked which station for what, and who rated it. The
    requester's writes are the public's in the log, whatever key came with them."""
    ccsc = {"role": Role.CERTIFICATION_BODY, "institution": CCSC}
    before = (await station_api.store.change_head()).seq
    asked = await payload(station_api, SUBMIT, demand(), **ccsc)
    assert asked["__typename"] == "SubmitServiceRequestSuccess", asked
    request_id, token = asked["request"]["id"], asked["token"]
    await walked(station_api, request_id)
    form = {"id": request_id, "token": token, "answers": [S] * 4 + ["YES"] + [S] * 5}
    evaluated = await payload(station_api, EVALUATE, form, **ccsc)
    assert evaluated["__typename"] == "EvaluateServiceRequestSuccess", evaluated

    changes = await station_api.store.get_changes(after=before, limit=100)
    key = await station_api.key(Role.CERTIFICATION_BODY, CCSC)
    ccsc_actor = (await authenticate(station_api.store, f"Bearer {key}")).actor
    anonymous = [(c.entity, c.key) for c in changes if c.actor == "public:anonymous"]
    assert ccsc_actor not in {c.actor for c in changes}
    assert anonymous == [  # the demand, the request marked evaluated, its form
        ("ServiceRequest", request_id),
        ("ServiceRequest", request_id),
        ("ServiceEvaluation", f"{request_id}-C"),
    ], changes
