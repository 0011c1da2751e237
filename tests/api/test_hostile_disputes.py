"""Hostile review of disputes: a key lists only the disputes it may answer
(``Institution.disputes``), and the public reads one only by its random id. The change feed
must not hand a partner every dispute's id and claim, which neither path would."""

from __future__ import annotations

import orjson

from registry.domain.vocabulary import Role
from tests.api.conftest import GraphQLClient
from tests.api.test_disputes import _file
from tests.api.test_read_scopes import feed_entities

HENGAN = "91210211401294580D"  # a Dalian lab: its own record is its regulator's to answer


async def test_a_partner_feed_carries_no_dispute_it_could_not_list(api: GraphQLClient) -> None:
    filed = await _file(api, entity="INSTITUTION", key=HENGAN, field="address")
    dispute_id = filed["dispute"]["id"]
    partner = await api.key(Role.PARTNER)
    listed = await api(
        "query($u: String!) { institution(uscc: $u) { disputes { id } } }",
        {"u": HENGAN},
        bearer=partner,
    )

    feed = await feed_entities(api, partner)
    stream = await api.http.get(
        "/export/changes.ndjson", headers={"Authorization": f"Bearer {partner}"}
    )

    assert listed["data"]["institution"]["disputes"] == []
    assert "Dispute" not in {c["entity"] for c in feed}
    assert "Dispute" not in {orjson.loads(line)["entity"] for line in stream.content.splitlines()}
    assert dispute_id not in stream.text
    admin_feed = await feed_entities(api, await api.key(Role.ADMIN))
    assert "Dispute" in {c["entity"] for c in admin_feed}  # operators still sync them
