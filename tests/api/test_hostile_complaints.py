"""Hostile review of complaints: every caller without a key shares one credential
(``public:anonymous``), so an idempotency key scoped to the credential alone is shared by
all of them. One stranger's filing must neither block another's nor be answered to it."""

from __future__ import annotations

from registry.domain.vocabulary import Role
from tests.api.conftest import GraphQLClient
from tests.api.test_complaints import FILE, filing, summary


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
