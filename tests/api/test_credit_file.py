"""The credit file through the API: associations grade their members, regulators record credit
events with a publicity period, and credit repair is recorded rather than deleted."""

from __future__ import annotations

import re
from typing import Any

import pytest

from graph.cypher_store import CypherStore
from graph.log_models import WriteGuard
from registry.auth import authenticate, create_api_key
from registry.domain.vocabulary import Role
from registry.operations import convert
from registry.operations.idempotency import claim_for
from registry.operations.refusals import validate_batch
from registry.records import CreditEventRecord
from tests.api.conftest import DALIAN_ASSOCIATION, GraphQLClient, Snapshot
from tests.api.operations import DALIAN_PRODUCT_INSTITUTE, ERROR_FIELDS
from tests.conftest import TODAY

LIAONING_ASSOCIATION = "51210000451003841H"
YANTAI_CENTRE = "1237061368578867X4"  # rated by the Yantai association, not a Dalian member
GUANGZHOU_LAB = "91440112551766133P"  # its file holds one satisfaction survey

_RECEIPT = "receipt { written firstSeq lastSeq }"
_RATING = "id associationUscc grade score period publishedOn validUntil evidence"
_EVENT = "id kind date weight publicUntil deadline outcome repairedOn repairNote"
DOCUMENTS = {
    "publishCreditRatings": f"""
        mutation Publish($input: [CreditRatingInput!]!) {{
          publishCreditRatings(input: $input) {{
            __typename
            ... on PublishCreditRatingsSuccess {{ ratings {{ {_RATING} }} {_RECEIPT} }}
            {ERROR_FIELDS}
          }}
        }}""",
    "recordCreditEvents": f"""
        mutation Record($input: [CreditEventInput!]!) {{
          recordCreditEvents(input: $input) {{
            __typename
            ... on RecordCreditEventsSuccess {{ events {{ {_EVENT} }} {_RECEIPT} }}
            {ERROR_FIELDS}
          }}
        }}""",
}
RATINGS = f"""query($u: String!) {{ institution(uscc: $u) {{
  associations {{ uscc }}
  creditRatings {{ {_RATING} }}
  latestCreditRating {{ {_RATING} }} }} }}"""
EVENTS = f"""query($u: String!) {{ institution(uscc: $u) {{ creditEvents {{ {_EVENT} }} }} }}"""


async def call(
    client: GraphQLClient, mutation: str, rows: list[dict[str, Any]], **caller: Any
) -> dict[str, Any]:
    body = await client(DOCUMENTS[mutation], {"input": rows}, **caller)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"][mutation]
    return payload


async def call_refused(
    api: GraphQLClient,
    snapshot: Snapshot,
    mutation: str,
    rows: list[dict[str, Any]],
    *,
    role: Role,
    institution: str | None = None,
) -> dict[str, Any]:
    await api.key(role, institution)  # creating a key is a change: do it before the snapshot
    before = await snapshot()

    payload = await call(api, mutation, rows, role=role, institution=institution)

    assert await snapshot() == before, "a refused write changed the store"
    return payload


def rating_row(rating_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": rating_id,
        "association": DALIAN_ASSOCIATION,
        "institution": DALIAN_PRODUCT_INSTITUTE,
        "grade": "B",
        "score": 82.5,
        "period": "2026-H1",
        "publishedOn": "2026-11-22",  # today: a rating counts from the day it is published
        "validUntil": "2027-08-31",
        "method": "大连市检验检测机构信用等级评价",
        "evidence": "现场评审与投诉处理情况",
        **fields,
    }


def event_row(event_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": event_id,
        "institution": GUANGZHOU_LAB,
        "kind": "ADMINISTRATIVE_PENALTY",
        "date": "2026-11-10",
        "authority": "广东省市场监督管理局",
        "weight": -30,
        "description": "出具不实检验检测报告,罚款2万元。",
        "publicUntil": "2029-11-09",
        **fields,
    }


async def events_seen(client: GraphQLClient, role: Role) -> dict[str, dict[str, Any]]:
    body = await client(EVENTS, {"u": GUANGZHOU_LAB}, role=role)
    assert "errors" not in body, body
    return {e["id"]: e for e in body["data"]["institution"]["creditEvents"]}


# credit ratings -------------------------------------------------------------------------------


async def test_association_publishes_for_a_member_and_the_history_is_kept(
    api: GraphQLClient,
) -> None:
    expired = rating_row(
        "DLJC-2026-X01", period="2026-Q3", publishedOn="2026-11-01", validUntil="2026-11-20"
    )

    payload = await call(
        api,
        "publishCreditRatings",
        [rating_row("DLJC-2026-H1-001")],
        role=Role.ASSOCIATION,
        institution=DALIAN_ASSOCIATION,
    )
    archived = await call(api, "publishCreditRatings", [expired], role=Role.ADMIN)

    assert payload["__typename"] == "PublishCreditRatingsSuccess", payload
    assert archived["__typename"] == "PublishCreditRatingsSuccess", archived
    assert [r["id"] for r in payload["ratings"]] == ["DLJC-2026-H1-001"]
    assert payload["receipt"]["written"] == 1
    body = await api(RATINGS, {"u": DALIAN_PRODUCT_INSTITUTE})
    institution = body["data"]["institution"]
    assert {a["uscc"] for a in institution["associations"]} == {
        DALIAN_ASSOCIATION,
        LIAONING_ASSOCIATION,
    }
    ids = [r["id"] for r in institution["creditRatings"]]
    assert {"DLJC-2024-001", "DLJC-2025-001", "DLJC-2026-H1-001", "DLJC-2026-X01"} <= set(ids)
    assert institution["latestCreditRating"] == {
        "id": "DLJC-2026-H1-001",
        "associationUscc": DALIAN_ASSOCIATION,
        "grade": "B",
        "score": 82.5,
        "period": "2026-H1",
        "publishedOn": "2026-11-22",
        "validUntil": "2027-08-31",
        "evidence": "现场评审与投诉处理情况",
    }


async def test_a_published_rating_stays_as_published_and_a_new_one_counts_from_today(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """An association rewrote its grade C of a member into an A "published" a year earlier,
    and published a D dated back over a past day: both changed what the registry had said
    about days gone by. It publishes a new rating, today; ADMIN corrects."""
    association = {"role": Role.ASSOCIATION, "institution": DALIAN_ASSOCIATION}
    await call(api, "publishCreditRatings", [rating_row("DLJC-2026-K01")], **association)
    rewritten = rating_row("DLJC-2026-K01", grade="A", score=99, publishedOn="2025-01-01")
    backdated = rating_row("DLJC-2026-K02", grade="D", score=5, publishedOn="2025-05-01")
    # Dated ahead, it was locked into those days' answers (twenty-fifth session's review).
    ahead = rating_row("DLJC-2026-K03", grade="A", score=90.4, publishedOn="2026-11-23")

    refusals = [
        await call_refused(
            api,
            snapshot,
            "publishCreditRatings",
            [row],
            role=Role.ASSOCIATION,
            institution=DALIAN_ASSOCIATION,
        )
        for row in (rewritten, backdated, ahead)
    ]
    again = await call(api, "publishCreditRatings", [rating_row("DLJC-2026-K01")], **association)
    corrected = await call(api, "publishCreditRatings", [rewritten], role=Role.ADMIN)

    assert [(p["code"], p["problems"][0]["field"]) for p in refusals] == [
        ("NOT_AUTHORIZED", "input[0].grade"),
        ("INVALID_VALUE", "input[0].publishedOn"),
        ("INVALID_VALUE", "input[0].publishedOn"),
    ], refusals
    assert {p["field"] for p in refusals[0]["problems"]} == {
        "input[0].grade",
        "input[0].score",
        "input[0].publishedOn",
    }
    assert again["__typename"] == corrected["__typename"] == "PublishCreditRatingsSuccess"


DALIAN_HENGAN = "91210211401294580D"  # a member of the Dalian association, registry grade B
CHECKED = """query($u: String!) { institution(uscc: $u) {
  credit { grade }
  latestCreditRating { id grade score method flags registryGrade divergence } } }"""


async def test_a_grade_far_from_the_registry_s_bands_is_flagged_for_everyone(
    api: GraphQLClient,
) -> None:
    published = await call(
        api,
        "publishCreditRatings",
        [rating_row("DLJC-2026-A12", institution=DALIAN_HENGAN, grade="A", score=12)],
        role=Role.ASSOCIATION,
        institution=DALIAN_ASSOCIATION,
    )

    assert published["__typename"] == "PublishCreditRatingsSuccess", published
    body = await api(CHECKED, {"u": DALIAN_HENGAN})  # the public
    seen = body["data"]["institution"]
    rating = seen["latestCreditRating"]
    assert (rating["id"], rating["grade"], rating["score"]) == ("DLJC-2026-A12", "A", 12.0)
    assert rating["flags"] == ["DIVERGES_FROM_REGISTRY_SCORE"]
    assert rating["registryGrade"] == seen["credit"]["grade"]
    assert rating["method"] == "大连市检验检测机构信用等级评价"
    assert "its score 12 is in the registry's band D" in rating["divergence"]


async def test_a_grade_within_one_of_the_registry_s_band_is_not_flagged(
    api: GraphQLClient,
) -> None:
    await call(
        api,
        "publishCreditRatings",
        [rating_row("DLJC-2026-B82", institution=DALIAN_HENGAN, grade="B", score=82.5)],
        role=Role.ASSOCIATION,
        institution=DALIAN_ASSOCIATION,
    )

    rating = (await api(CHECKED, {"u": DALIAN_HENGAN}))["data"]["institution"]["latestCreditRating"]
    assert (rating["flags"], rating["divergence"]) == ([], None)
    assert rating["registryGrade"] in {"A", "B", "C"}


async def test_latest_rating_is_null_without_a_valid_rating(reader: GraphQLClient) -> None:
    body = await reader(RATINGS, {"u": GUANGZHOU_LAB})

    assert body["data"]["institution"]["latestCreditRating"] is None


async def test_association_cannot_rate_an_institution_that_is_not_its_member(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    payload = await call_refused(
        api,
        snapshot,
        "publishCreditRatings",
        [rating_row("DLJC-2026-H1-002", institution=YANTAI_CENTRE)],
        role=Role.ASSOCIATION,
        institution=DALIAN_ASSOCIATION,
    )

    assert (payload["__typename"], payload["code"], payload["field"]) == (
        "NotAuthorized",
        "NOT_AUTHORIZED",
        "input[0].institution",
    )
    assert "not a member of" in payload["message"]


async def test_association_cannot_publish_in_another_associations_name(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    payload = await call_refused(
        api,
        snapshot,
        "publishCreditRatings",
        [rating_row("LNJC-2026-001", association=LIAONING_ASSOCIATION)],
        role=Role.ASSOCIATION,
        institution=DALIAN_ASSOCIATION,
    )

    assert (payload["__typename"], payload["code"], payload["field"]) == (
        "NotAuthorized",
        "NOT_AUTHORIZED",
        "input[0].association",
    )


async def test_an_admin_sync_obeys_membership_too(api: GraphQLClient, snapshot: Snapshot) -> None:
    payload = await call_refused(
        api,
        snapshot,
        "publishCreditRatings",
        [rating_row("DLJC-2026-H1-003", institution=YANTAI_CENTRE)],
        role=Role.ADMIN,
    )

    assert (payload["code"], payload["field"]) == ("NOT_AUTHORIZED", "input[0].institution")


async def test_a_rating_id_of_another_association_is_not_overwritten(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    payload = await call_refused(
        api,
        snapshot,
        "publishCreditRatings",
        [rating_row("LNJC-2025-032")],  # the Liaoning association's rating of the same member
        role=Role.ASSOCIATION,
        institution=DALIAN_ASSOCIATION,
    )

    # Rewriting it would publish in the Liaoning association's name (and the store refuses
    # to move a rating to another association as well).
    assert (payload["__typename"], payload["code"], payload["field"]) == (
        "NotAuthorized",
        "NOT_AUTHORIZED",
        "input[0].association",
    )


async def test_a_credit_event_cannot_be_moved_to_another_institution(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """Moved, the event stayed on the first institution as well (its edge was merged, not
    replaced), keeping it in class D with no record of it in its file."""
    recorded = await call(api, "recordCreditEvents", [event_row("CE-T-7001")], role=Role.ADMIN)
    assert recorded["__typename"] == "RecordCreditEventsSuccess", recorded
    moved = event_row("CE-T-7001", institution=DALIAN_PRODUCT_INSTITUTE)

    payload = await call_refused(api, snapshot, "recordCreditEvents", [moved], role=Role.ADMIN)

    assert (payload["__typename"], payload["code"]) == ("Conflict", "CONFLICT"), payload
    assert "CE-T-7001" in payload["message"]


async def test_regulator_may_not_publish_ratings(api: GraphQLClient, snapshot: Snapshot) -> None:
    payload = await call_refused(
        api, snapshot, "publishCreditRatings", [rating_row("DLJC-2026-H1-004")], role=Role.REGULATOR
    )

    assert (payload["__typename"], payload["field"]) == ("NotAuthorized", "input")


async def test_an_unbound_association_key_is_refused(seeded_store: CypherStore) -> None:
    with pytest.raises(ValueError, match="must be bound"):
        await create_api_key(seeded_store, role=Role.ASSOCIATION, label="t", actor="test")


async def test_memberships_are_replaced_on_upsert_and_must_name_associations(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    from tests.api.operations import mutate

    await api.key(Role.ADMIN)
    before = await snapshot()
    payload = await mutate(
        api,
        "upsertInstitutions",
        [
            {
                "uscc": GUANGZHOU_LAB,
                "name": "广州穗检检测技术有限公司",
                "kinds": ["INSPECTION_TESTING"],
                "region": "440112",
                "associations": [DALIAN_PRODUCT_INSTITUTE],
            }
        ],
        role=Role.ADMIN,
    )
    assert (payload["code"], payload["field"]) == ("INVALID_VALUE", "input[0].associations[0]")
    assert await snapshot() == before


# credit events --------------------------------------------------------------------------------


async def test_public_sees_a_penalty_only_during_its_publicity_period(api: GraphQLClient) -> None:
    expired = event_row("CE-T-EXPIRED", date="2023-01-10", publicUntil="2026-01-09")

    # An archive's record, dated years back: ADMIN's to record.
    payload = await call(
        api, "recordCreditEvents", [event_row("CE-T-0001"), expired], role=Role.ADMIN
    )

    assert payload["__typename"] == "RecordCreditEventsSuccess", payload
    assert [e["publicUntil"] for e in payload["events"]] == ["2029-11-09", "2026-01-09"]
    public = await events_seen(api, Role.PUBLIC)
    assert "CE-T-0001" in public
    assert "CE-T-EXPIRED" not in public
    regulator = await events_seen(api, Role.REGULATOR)
    assert {"CE-T-0001", "CE-T-EXPIRED"} <= set(regulator)


async def test_credit_repair_is_recorded_not_deleted(api: GraphQLClient) -> None:
    await call(api, "recordCreditEvents", [event_row("CE-T-0002")], role=Role.REGULATOR)
    assert "CE-T-0002" in await events_seen(api, Role.PUBLIC)

    repaired = event_row("CE-T-0002", repairedOn="2026-11-20", repairNote="已完成信用修复")
    payload = await call(api, "recordCreditEvents", [repaired], role=Role.REGULATOR)
    assert payload["__typename"] == "RecordCreditEventsSuccess", payload

    assert "CE-T-0002" not in await events_seen(api, Role.PUBLIC)
    seen = (await events_seen(api, Role.REGULATOR))["CE-T-0002"]
    assert (seen["repairedOn"], seen["repairNote"]) == ("2026-11-20", "已完成信用修复")

    # A later correction that does not mention the repair keeps it.
    await call(api, "recordCreditEvents", [event_row("CE-T-0002", weight=-25)], role=Role.ADMIN)
    seen = (await events_seen(api, Role.REGULATOR))["CE-T-0002"]
    assert (seen["weight"], seen["repairedOn"]) == (-25, "2026-11-20")
    assert "CE-T-0002" not in await events_seen(api, Role.PUBLIC)


async def test_a_regulator_repairs_a_record_but_does_not_rewrite_what_it_states(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """A city regulator rewrote a penalty into a commendation "by" the national regulator:
    a record's kind, date, weight and authority stay as first written. The regulator repairs
    it or records its outcome; ADMIN corrects a mistake."""
    await call(api, "recordCreditEvents", [event_row("CE-T-0009")], role=Role.REGULATOR)
    rewritten = event_row(
        "CE-T-0009", kind="COMMENDATION", weight=20, authority="国家市场监督管理总局"
    )

    payload = await call_refused(
        api, snapshot, "recordCreditEvents", [rewritten], role=Role.REGULATOR
    )
    retold = event_row("CE-T-0009", description="抽查合格,系误录 (passed; entered in error)")
    relabelled = await call_refused(
        api, snapshot, "recordCreditEvents", [retold], role=Role.REGULATOR
    )
    assert relabelled["problems"][0]["field"] == "input[0].description", relabelled
    hidden = event_row("CE-T-0009", publicUntil="2027-02-10")  # off the public file sooner
    shortened = await call_refused(
        api, snapshot, "recordCreditEvents", [hidden], role=Role.REGULATOR
    )
    assert shortened["problems"][0]["field"] == "input[0].publicUntil", shortened
    repaired = event_row("CE-T-0009", repairedOn="2026-11-20", repairNote="已完成信用修复")
    by_regulator = await call(api, "recordCreditEvents", [repaired], role=Role.REGULATOR)
    redated = {**repaired, "repairedOn": "2026-07-01"}  # off the file from July, past scores too
    moved = await call_refused(api, snapshot, "recordCreditEvents", [redated], role=Role.REGULATOR)
    assert moved["problems"][0]["field"] == "input[0].repairedOn", moved
    corrected = await call(
        api, "recordCreditEvents", [{**repaired, "weight": -25}], role=Role.ADMIN
    )

    assert (payload["__typename"], payload["code"]) == ("NotAuthorized", "NOT_AUTHORIZED"), payload
    fields = {p["field"] for p in payload["problems"]}
    assert fields == {"input[0].kind", "input[0].weight", "input[0].authority"}
    assert by_regulator["__typename"] == "RecordCreditEventsSuccess", by_regulator
    assert corrected["__typename"] == "RecordCreditEventsSuccess", corrected
    seen = (await events_seen(api, Role.REGULATOR))["CE-T-0009"]
    assert (seen["kind"], seen["weight"]) == ("ADMINISTRATIVE_PENALTY", -25)


async def test_an_orders_deadline_and_its_outcome_once_found_stay_as_recorded(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """A city regulator moved its province's rectification deadline from 2027-01-07 back to
    2026-07-09, and the institution stood in class D (NOT_RECTIFIED_BY_DEADLINE) on every
    day since; another turned a recorded outcome round (twenty-fourth session's review)."""
    order = {  # as seeded: Guangdong's order to 广东粤质, pending until 2027-01-07
        "id": "CE-2026-0008",
        "institution": "91440106732910130L",
        "kind": "RECTIFICATION_ORDER",
        "date": "2026-07-08",
        "authority": "广东省市场监督管理局",
        "weight": -20,
        "description": "CNAS自2026-07-01起暂停其产品认证(绿色产品)认可资格,"
        "责令暂停期间不得以认可名义开展绿色产品认证并限期整改。",
        "publicUntil": "2027-07-07",
        "deadline": "2027-01-07",
        "outcome": "PENDING",
    }

    moved = await call_refused(
        api,
        snapshot,
        "recordCreditEvents",
        [{**order, "deadline": "2026-07-09"}],
        role=Role.REGULATOR,
    )
    found = await call(
        api, "recordCreditEvents", [{**order, "outcome": "NOT_RECTIFIED"}], role=Role.REGULATOR
    )
    turned = await call_refused(
        api,
        snapshot,
        "recordCreditEvents",
        [{**order, "outcome": "RECTIFIED"}],
        role=Role.REGULATOR,
    )
    corrected = await call(
        api, "recordCreditEvents", [{**order, "outcome": "RECTIFIED"}], role=Role.ADMIN
    )

    assert moved["problems"][0]["field"] == "input[0].deadline", moved
    assert found["__typename"] == "RecordCreditEventsSuccess", found
    assert turned["problems"][0]["field"] == "input[0].outcome", turned
    assert corrected["__typename"] == "RecordCreditEventsSuccess", corrected


async def test_a_record_and_its_repair_are_reported_within_their_month(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """A regulator dated a repair sixteen months back: the lab's past days turned from B to
    unrated and the record came off their public file; another recorded a new record dated
    years back. A record and a repair are reported within 30 days of their day, as penalty
    decisions are published within 20 working days; ADMIN records archives as they were."""
    row = {  # as seeded: a Dalian lab listed for abnormal operation in 2025
        "id": "CE-2026-0003",
        "institution": "91210211401294580D",
        "kind": "ABNORMAL_OPERATION",
        "date": "2025-07-15",
        "authority": "大连市市场监督管理局",
        "weight": -10,
        "description": "未按规定期限公示2024年度报告,列入经营异常名录。",
        "publicUntil": "2028-07-14",
    }
    late = {**row, "repairedOn": "2025-08-01", "repairNote": "x"}
    in_time = {**row, "repairedOn": "2026-10-23", "repairNote": "已完成信用修复"}

    # A new record dated back: a serious violation of 2024 took a lab's grade of 2024-06-01
    # from 85.7 A to 31.3 D; a commendation dated back lifted another's.
    violation = event_row("CE-T-LATE", kind="SERIOUS_VIOLATION", weight=-100, date="2024-01-10")
    violation["publicUntil"] = "2027-01-09"
    praised = event_row("CE-T-PRAISE", kind="COMMENDATION", weight=100, date="2026-01-01")
    praised["publicUntil"] = None
    # Nor a decision ahead: dated 2099, it was every later day's answer, withdrawn by no one
    # but ADMIN (twenty-fifth session's review).
    ahead = event_row("CE-T-AHEAD", kind="COMMENDATION", weight=100, date="2026-11-23")
    ahead["publicUntil"] = None

    refused = await call_refused(api, snapshot, "recordCreditEvents", [late], role=Role.REGULATOR)
    dated = [
        await call_refused(api, snapshot, "recordCreditEvents", [row], role=Role.REGULATOR)
        for row in (violation, praised, ahead)
    ]
    reported = await call(api, "recordCreditEvents", [in_time], role=Role.REGULATOR)
    archived = await call(api, "recordCreditEvents", [violation], role=Role.ADMIN)

    assert (refused["code"], refused["field"]) == ("INVALID_VALUE", "input[0].repairedOn"), refused
    assert [(p["code"], p["field"]) for p in dated] == [("INVALID_VALUE", "input[0].date")] * 3
    assert reported["__typename"] == "RecordCreditEventsSuccess", reported
    assert archived["__typename"] == "RecordCreditEventsSuccess", archived


async def test_a_repair_dated_after_today_leaves_the_record_public(api: GraphQLClient) -> None:
    later = event_row("CE-T-0003", repairedOn="2026-12-01", repairNote="修复申请已受理")

    await call(api, "recordCreditEvents", [later], role=Role.REGULATOR)

    assert TODAY.isoformat() < "2026-12-01"
    assert "CE-T-0003" in await events_seen(api, Role.PUBLIC)


async def test_a_rectification_order_round_trips_with_its_deadline_and_outcome(
    api: GraphQLClient,
) -> None:
    order = event_row(
        "CE-T-0004",
        kind="RECTIFICATION_ORDER",
        weight=-15,
        date="2026-11-01",
        publicUntil="2027-10-31",
        deadline="2026-11-15",
        outcome="NOT_RECTIFIED",
    )

    payload = await call(api, "recordCreditEvents", [order], role=Role.REGULATOR)

    assert payload["__typename"] == "RecordCreditEventsSuccess", payload
    stored = (await events_seen(api, Role.PUBLIC))["CE-T-0004"]
    assert (stored["kind"], stored["deadline"], stored["outcome"]) == (
        "RECTIFICATION_ORDER",
        "2026-11-15",
        "NOT_RECTIFIED",
    )


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        pytest.param(
            {"publicUntil": None}, "REQUIRED", "publicUntil", id="negative-without-period"
        ),
        pytest.param(
            {"publicUntil": "2027-02-09"}, "INVALID_PUBLICITY_PERIOD", "publicUntil", id="too-short"
        ),
        pytest.param(
            {"publicUntil": "2029-11-11"}, "INVALID_PUBLICITY_PERIOD", "publicUntil", id="too-long"
        ),
        pytest.param(
            {"kind": "RECTIFICATION_ORDER", "outcome": "PENDING"},
            "REQUIRED",
            "deadline",
            id="order-without-deadline",
        ),
        pytest.param(
            {"deadline": "2026-07-10"}, "INVALID_VALUE", "deadline", id="deadline-on-penalty"
        ),
        pytest.param(
            {"repairedOn": "2026-11-12"}, "REQUIRED", "repairNote", id="repair-without-note"
        ),
    ],
)
async def test_credit_event_validation(
    api: GraphQLClient, snapshot: Snapshot, fields: dict[str, Any], code: str, field: str
) -> None:
    payload = await call_refused(
        api,
        snapshot,
        "recordCreditEvents",
        [event_row("CE-T-0009"), event_row("CE-T-0010", **fields)],
        role=Role.REGULATOR,
    )

    assert (payload["__typename"], payload["code"], payload["field"]) == (
        "InvalidInput",
        code,
        f"input[1].{field}",
    )


async def test_the_publicity_period_may_last_exactly_three_months_or_three_years(
    api: GraphQLClient,
) -> None:
    rows = [
        event_row("CE-T-0011", publicUntil="2027-02-10"),
        event_row("CE-T-0012", publicUntil="2029-11-10"),
    ]

    payload = await call(api, "recordCreditEvents", rows, role=Role.REGULATOR)

    assert payload["__typename"] == "RecordCreditEventsSuccess", payload


async def test_an_association_may_not_record_credit_events(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    payload = await call_refused(
        api, snapshot, "recordCreditEvents", [event_row("CE-T-0013")], role=Role.ASSOCIATION
    )

    assert (payload["__typename"], payload["field"]) == ("NotAuthorized", "input")


async def test_the_rating_that_counts_is_the_one_valid_on_the_day_asked_for(
    api: GraphQLClient,
) -> None:
    """The institute's 2024 grade counted in mid-2025; before it was published none did;
    today its newest valid one does."""
    query = """query($u: String!, $d: Date) { institution(uscc: $u, asOf: $d) {
      latestCreditRating { id } } }"""
    counted = {}
    for day in ("2025-01-01", "2025-06-01", "2026-03-19", None):
        body = await api(query, {"u": DALIAN_PRODUCT_INSTITUTE, "d": day})
        rating = body["data"]["institution"]["latestCreditRating"]
        counted[day] = None if rating is None else rating["id"]
    assert counted == {
        "2025-01-01": None,
        "2025-06-01": "DLJC-2024-001",
        "2026-03-19": "DLJC-2025-001",
        None: "LNJC-2025-032",
    }


async def test_the_ratings_on_a_past_day_are_those_published_by_then(
    reader: GraphQLClient,
) -> None:
    """大连恒安's LNJC-2025-047 was published on 2026-04-15: on 2025-01-01 the list had it."""
    query = """query($u: String!, $d: Date) { institution(uscc: $u, asOf: $d) {
      creditRatings { id publishedOn } } }"""
    then = await reader(query, {"u": "91210211401294580D", "d": "2025-01-01"})
    now = await reader(query, {"u": "91210211401294580D", "d": None})
    assert "LNJC-2025-047" in [r["id"] for r in now["data"]["institution"]["creditRatings"]]
    ratings = then["data"]["institution"]["creditRatings"]
    assert all(r["publishedOn"] <= "2025-01-01" for r in ratings), ratings


async def test_the_credit_file_on_a_past_day_holds_the_records_dated_by_then(
    reader: GraphQLClient,
) -> None:
    """大连恒安's CE-2026-0015 is dated 2026-05-12: its file on 2025-01-01 listed it."""
    query = """query($u: String!, $d: Date) { institution(uscc: $u, asOf: $d) {
      creditEvents { id date } } }"""
    then = await reader(query, {"u": "91210211401294580D", "d": "2025-01-01"}, role=Role.ADMIN)
    now = await reader(query, {"u": "91210211401294580D", "d": None}, role=Role.ADMIN)
    assert "CE-2026-0015" in [e["id"] for e in now["data"]["institution"]["creditEvents"]]
    assert all(e["date"] <= "2025-01-01" for e in then["data"]["institution"]["creditEvents"])
    assert "CE-2026-0015" not in [e["id"] for e in then["data"]["institution"]["creditEvents"]]


async def test_a_regulator_records_in_the_name_of_a_regulator_of_its_jurisdiction(
    api: GraphQLClient, snapshot: Snapshot
) -> None:
    """The authority of a new record was free text: a city regulator recorded a penalty "by"
    the national regulator. A regulator's key now names a regulator registered in its
    jurisdiction; ADMIN, migrating an archive, names any."""
    dalian = await create_api_key(
        api.store, role=Role.REGULATOR, regions=("210200",), label="t", actor="t"
    )
    national = event_row("CE-T-0031", authority="国家市场监督管理总局")
    other = event_row(
        "CE-T-0032", institution="12210204586216617X", authority="沈阳市市场监督管理局"
    )
    refused = await call_refused(
        api, snapshot, "recordCreditEvents", [national], role=Role.REGULATOR
    )
    before = await snapshot()
    beside = await call(api, "recordCreditEvents", [other], bearer=dalian)
    assert await snapshot() == before, "a refused write changed the store"
    own = {**other, "authority": "大连市市场监督管理局"}
    recorded = await call(api, "recordCreditEvents", [own], bearer=dalian)
    migrated = await call(api, "recordCreditEvents", [national], role=Role.ADMIN)

    for payload in (refused, beside):
        assert (payload["code"], payload["problems"][0]["field"]) == (
            "NOT_AUTHORIZED",
            "input[0].authority",
        ), payload
    assert recorded["__typename"] == migrated["__typename"] == "RecordCreditEventsSuccess"


async def test_a_batch_that_landed_without_its_rescore_is_rescored_by_its_replay(
    api: GraphQLClient,
) -> None:
    """The store went away just after a batch of credit records landed: its rescore was
    lost, and the retry the error asked for (same Idempotency-Key) was answered from the
    key, leaving the score counting 2,001 records of 3,001 until the next day. The replay
    rescores (a no-op when the first try's rescore was stored)."""
    key = await api.key(Role.REGULATOR)
    principal = await authenticate(api.store, f"Bearer {key}")
    rows = [event_row("CE-T-LANDED", weight=-40)]
    records = validate_batch(CreditEventRecord, rows, key=lambda r: r.id)
    claim = claim_for(principal, "recordCreditEvents", "landed-1", records)
    # As the first try left it: the batch written under its key, its rescore never run.
    await api.store.record_credit_events(
        [convert.credit_event_model(r) for r in records],
        actor=principal.actor,
        guard=WriteGuard({}, claim),
    )
    stale = await _events_counted(api)
    document = (
        DOCUMENTS["recordCreditEvents"]
        .replace("($input: [CreditEventInput!]!)", "($input: [CreditEventInput!]!, $k: String)")
        .replace("(input: $input)", "(input: $input, idempotencyKey: $k)")
        .replace("receipt { written", "receipt { replayed written")
    )

    body = await api(document, {"input": rows, "k": "landed-1"}, role=Role.REGULATOR)

    assert body["data"]["recordCreditEvents"]["receipt"]["replayed"] is True, body
    assert await _events_counted(api) == stale + 1


async def _events_counted(api: GraphQLClient) -> int:
    """How many credit records the Guangzhou lab's stored score counts."""
    body = await api(
        """query($u: String!) { institution(uscc: $u) {
          credit { factors { name evidence } } } }""",
        {"u": GUANGZHOU_LAB},
    )
    factors = body["data"]["institution"]["credit"]["factors"]
    evidence = next(f["evidence"] for f in factors if f["name"] == "credit_events")
    counted = re.match(r"(\d+) event", evidence or "")
    return 0 if counted is None else int(counted.group(1))
