"""Hostile review of complaints: every caller without a key shares one credential
(``public:anonymous``), so an idempotency key scoped to the credential alone is shared by
all of them. One stranger's filing must neither block another's nor be answered to it."""

from __future__ import annotations

from registry.domain.vocabulary import Role
from tests.api.conftest import GraphQLClient
from tests.api.test_complaints import ADVANCE, FILE, filing, regulator, summary
from tests.api.test_disputes import _file, _resolve


async def test_two_strangers_choosing_the_same_idempotency_key_each_file_their_own(
    api: GraphQLClient,
) -> None:
    before = (await summary(api))["complaintSummary"]["received"]
    first = (await api(FILE, {"input": filing(), "key": "retry-1"}))["data"]["fileComplaint"]
    other = filing(details="检测报告数据与样品不符。", contact="王先生 13700000000")

    second = (await api(FILE, {"input": other, "key": "retry-1"}))["data"]["fileComplaint"]

    assert second["__typename"] == "FileComplaintSuccess", second
    assert second["complaintId"] != first["complaintId"]
    assert second["receipt"]["replayed"] is False
    assert (await summary(api))["complaintSummary"]["received"] == before + 2


async def test_a_stranger_retrying_the_same_filing_is_still_answered_once(
    api: GraphQLClient,
) -> None:
    variables = {"input": filing(), "key": "retry-2"}

    first = (await api(FILE, variables))["data"]["fileComplaint"]
    again = (await api(FILE, variables))["data"]["fileComplaint"]

    assert again["complaintId"] == first["complaintId"]
    assert again["receipt"]["replayed"] is True


async def test_a_keyed_caller_reusing_its_key_for_another_filing_is_still_refused(
    api: GraphQLClient,
) -> None:
    variables = {"input": filing(), "key": "retry-3"}
    await api(FILE, variables, role=Role.ASSOCIATION)

    other = await api(
        FILE, {**variables, "input": filing(details="另一件事")}, role=Role.ASSOCIATION
    )

    assert other["data"]["fileComplaint"]["code"] == "IDEMPOTENCY_KEY_REUSED"


DALIAN_AMR = "11210200996939498X"  # 大连市市场监督管理局, region 210200


async def test_a_regulator_decides_no_case_about_itself(api: GraphQLClient) -> None:
    """The Dalian regulator rejected the complaint filed against itself, and the dispute
    about its own record: a case about a regulator of the key's own level is its
    superior's (the Liaoning regulator, or ADMIN)."""
    complaint = (await api(FILE, {"input": filing(against=DALIAN_AMR, category="执法不公")}))[
        "data"
    ]["fileComplaint"]["complaintId"]
    dispute = (await _file(api, entity="INSTITUTION", key=DALIAN_AMR, field="address"))["dispute"][
        "id"
    ]
    dalian, liaoning = await regulator(api, "210200"), await regulator(api, "210000")
    step = {"id": complaint, "status": "REJECTED", "reason": "不予受理"}

    own = (await api(ADVANCE, {"input": step}, bearer=dalian))["data"]["advanceComplaint"]
    answered = await _resolve(api, dispute, "REJECTED", "无误", bearer=dalian)
    superior = (await api(ADVANCE, {"input": step}, bearer=liaoning))["data"]["advanceComplaint"]
    by_superior = await _resolve(api, dispute, "REJECTED", "无误", bearer=liaoning)

    assert (own["code"], own["field"]) == ("NOT_AUTHORIZED", "input.id"), own
    assert (answered["code"], answered["field"]) == ("NOT_AUTHORIZED", "input.id"), answered
    assert superior["__typename"] == "AdvanceComplaintSuccess", superior
    assert by_superior["__typename"] == "ResolveDisputeSuccess", by_superior


async def test_a_complaint_filed_or_stepped_writes_no_score_its_points_do_not_move(
    api: GraphQLClient,
) -> None:
    """A partner's feed hides the complaint's change, but the score change written right
    after it named the institution complained against and the second it was filed, and
    then each step. The score is stored again only when its points move."""
    await api.key(Role.REGULATOR)  # a key is a logged write of its own
    head = (await api.store.change_head()).seq
    filed = (await api(FILE, {"input": filing()}))["data"]["fileComplaint"]
    step = {"id": filed["complaintId"], "status": "ACCEPTED"}
    accepted = (await api(ADVANCE, {"input": step}, role=Role.REGULATOR))["data"]
    assert accepted["advanceComplaint"]["__typename"] == "AdvanceComplaintSuccess", accepted

    written = await api.store.get_changes(after=head, limit=100)

    assert [c.entity for c in written] == ["Complaint", "Complaint"], written
