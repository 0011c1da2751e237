"""Hostile review of the stations: a region that is no region code is a coded error, not a
NOT_FOUND repeating whatever was sent (100 KB, bidi overrides) in its message; two Annex C
forms sent at once with one token leave one form, the answers of the one that landed."""

from __future__ import annotations

import asyncio

import pytest

from registry.domain.vocabulary import Role
from tests.api.conftest import GraphQLClient
from tests.api.test_service_stations import (
    ADVANCE,
    EVALUATE,
    HEPING,
    payload,
    step,
    submitted,
)

STAFF = {"role": Role.STATION, "institution": HEPING}
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
    for status in ("MATCHED", "IN_SERVICE", "DONE"):
        extra = {"provider": HEPING} if status == "MATCHED" else {}
        extra |= {"summary": "done"} if status == "DONE" else {}
        moved = await payload(api, ADVANCE, step(request_id, status, **extra), **STAFF)
        assert moved["__typename"] == "AdvanceServiceRequestSuccess", moved
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
