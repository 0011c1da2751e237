"""A complaint end to end against `registry serve` as a process: filed without a key, taken
by the regulator of the institution's region, and past its time limit (a dated read,
``asOf``) the public summary and the supervision class move; the contact never shows in
an answer to the public."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.clock import registry_today
from tests.e2e.serving import served_registry
from tests.e2e.test_serve import _registry

pytestmark = pytest.mark.slow

HENGAN = "91210211401294580D"  # 大连恒安检测技术有限公司, Dalian
CONTACT = "李先生 13800000000"

FILE = """mutation($input: ComplaintFilingInput!) {
  fileComplaint(input: $input) {
    __typename ... on FileComplaintSuccess { complaintId filedOn dueBy }
  }
}"""
ADVANCE = """mutation($input: ComplaintStepInput!) {
  advanceComplaint(input: $input) {
    __typename ... on AdvanceComplaintSuccess { complaint { status dueBy substantiated } }
    ... on MutationError { code field }
  }
}"""
PUBLIC = """query($uscc: String!, $asOf: Date) {
  institution(uscc: $uscc, asOf: $asOf) {
    complaintSummary { received open overdue substantiated }
    credit { score }
    supervisionClass { class reasons { code } }
  }
}"""


def _post(base: str, query: str, variables: dict[str, Any], key: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert CONTACT not in response.text or key is not None
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def _regulator_key(data: Path, region: str) -> str:
    created = _registry("keys", "create", "--role", "REGULATOR", "--region", region, data=data)
    assert created.returncode == 0, created.stderr
    return created.stdout.strip().splitlines()[-1]


def test_a_complaint_filed_anonymously_and_left_past_its_limit_moves_summary_and_class(
    tmp_path: Path,
) -> None:
    data = tmp_path / "registry-data"
    with served_registry(data) as base:
        today = registry_today()
        late = (today + timedelta(days=61)).isoformat()
        liaoning = _regulator_key(data, "210000")
        guangdong = _regulator_key(data, "440000")
        now_before = _post(base, PUBLIC, {"uscc": HENGAN})["institution"]
        late_before = _post(base, PUBLIC, {"uscc": HENGAN, "asOf": late})["institution"]

        filed = _post(
            base,
            FILE,
            {
                "input": {
                    "against": HENGAN,
                    "category": "检验结果异议",
                    "details": "同一样品两次送检结果相差一倍，机构拒绝说明原因。",
                    "contact": CONTACT,
                }
            },
        )["fileComplaint"]
        complaint = filed["complaintId"]
        refused = _post(
            base, ADVANCE, {"input": {"id": complaint, "status": "ACCEPTED"}}, guangdong
        )
        accepted = _post(
            base, ADVANCE, {"input": {"id": complaint, "status": "ACCEPTED"}}, liaoning
        )
        found = _post(
            base,
            ADVANCE,
            {"input": {"id": complaint, "status": "INVESTIGATING", "substantiated": True}},
            liaoning,
        )
        now_after = _post(base, PUBLIC, {"uscc": HENGAN})["institution"]
        late_after = _post(base, PUBLIC, {"uscc": HENGAN, "asOf": late})["institution"]

    assert (filed["filedOn"], filed["dueBy"]) == (
        today.isoformat(),
        (today + timedelta(days=7)).isoformat(),
    )
    assert refused["advanceComplaint"] == {  # outside its regions: as if there were none
        "__typename": "NotFound",
        "code": "NOT_FOUND",
        "field": "input.id",
    }
    assert (
        accepted["advanceComplaint"]["complaint"]["dueBy"]
        == (today + timedelta(days=60)).isoformat()
    )
    assert found["advanceComplaint"]["complaint"]["substantiated"] is True

    before, after = now_before["complaintSummary"], now_after["complaintSummary"]
    assert after["received"] == before["received"] + 1
    assert after["open"] == before["open"] + 1
    assert after["substantiated"] == before["substantiated"] + 1
    assert after["overdue"] == before["overdue"]
    # The finding feeds the score at once (a worse class, A to D in order); the hard rule
    # waits for the time limit.
    assert now_after["credit"]["score"] < now_before["credit"]["score"]
    assert now_after["supervisionClass"]["class"] >= now_before["supervisionClass"]["class"]
    assert "OVERDUE_SUBSTANTIATED_COMPLAINT" not in {
        r["code"] for r in now_after["supervisionClass"]["reasons"]
    }

    late_summary = late_after["complaintSummary"]
    assert late_summary["overdue"] == late_before["complaintSummary"]["overdue"] + 1
    assert late_before["supervisionClass"]["class"] != "D"
    assert late_after["supervisionClass"]["class"] == "D"
    assert "OVERDUE_SUBSTANTIATED_COMPLAINT" in {
        r["code"] for r in late_after["supervisionClass"]["reasons"]
    }
